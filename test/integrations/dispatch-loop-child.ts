/**
 * One Leadpool instance's webhook dispatcher in its own process, on its own connection pool,
 * for the multi-instance test: `node --import tsx dispatch-loop-child.ts <postgres:// URL>`.
 * It dispatches until SIGTERM, then prints what it delivered as JSON and exits. Failed
 * attempts are due again at once (no backoff), so the run needs no clock to move.
 */
import { systemClock } from '../../src/core/clock.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { integrationStoreOf } from '../../src/integrations/integrations.js';
import { WebhookDispatcher } from '../../src/integrations/webhook-dispatcher.js';

const store = new PostgresStore({ connectionString: process.argv[2]!, poolSize: 2 });
const dispatcher = new WebhookDispatcher(store, integrationStoreOf(store)!, systemClock, {
  concurrency: 6,
  perEndpoint: 6,
  timeoutMs: 5000,
  leaseMs: 30_000,
  allowPrivate: true, // the receiver is on 127.0.0.1
  retry: { firstDelayMs: 0, maxDelayMs: 0, retryForMs: 3600_000 },
});
const total = { queued: 0, delivered: 0, failed: 0, dead: 0 };
let stopping = false;
process.once('SIGTERM', () => (stopping = true));
process.stdout.write('started\n');
while (!stopping) {
  const s = await dispatcher.runOnce();
  for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
  // Nothing to do: look again shortly (the server's dispatcher polls on its own timer).
  if (s.queued + s.delivered + s.failed === 0) await new Promise((r) => setTimeout(r, 25));
}
await dispatcher.stop();
await store.close();
process.stdout.write(`${JSON.stringify(total)}\n`);
