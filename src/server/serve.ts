import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock, type Clock } from '../core/clock.js';
import type { Actor } from '../core/types.js';
import { PostgresStore } from '../store/postgres/pg-store.js';
import type { Store } from '../store/store.js';
import { openStore } from '../store/open-store.js';

export { openStore };
import { LockTimerLoop } from '../scheduler/lock-timers.js';
import { MixSnapshotLoop } from '../scheduler/mix-snapshots.js';
import { integrationRetentionFor, webhookDispatcherFor } from '../integrations/integrations.js';
import { allowPrivateFromEnv } from '../integrations/private-addresses.js';
import { buildApp, type App } from './app.js';
import { seedDemo } from '../demo/seed-demo.js';
import { recomputeTiers } from './routes/routing-routes.js';

export interface ServeOptions {
  port: number; // default 3000
  host: string; // default 127.0.0.1
  dataDir: string; // default ./data
  /** postgres://… runs on PostgreSQL (several instances may share it); default: DATABASE_URL, else SQLite in dataDir. */
  database?: string;
  demo: boolean; // seed the demo team into an empty database; default true
  clock?: Clock;
  logLevel?: string;
  /** Webhooks may target loopback, private and link-local addresses. Default: LEADPOOL_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivateWebhooks?: boolean;
  /** Days delivered/dead webhook deliveries and intake-log entries are kept. Default: LEADPOOL_INTEGRATION_RETENTION_DAYS, else 30. */
  integrationRetentionDays?: number;
}

export interface Running {
  app: App;
  store: Store;
  timers: LockTimerLoop;
  url: string;
  stop(): Promise<void>;
}

/** The web UI is built next to the compiled server: dist/web. */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled: dist/server/serve.js -> dist/web. From sources: src/server -> dist/web.
  return here.includes(`${'/'}dist${'/'}`) ? join(here, '..', 'web') : join(here, '..', '..', 'dist', 'web');
}

/** PostgreSQL when a postgres:// URL is given (or in DATABASE_URL), else the SQLite file in dataDir. */
const BOOT: Actor = { kind: 'system', name: 'first start' };

/** `warnings`: settings of the database server an operator should change, in sentences. */
export async function serve(opts: ServeOptions): Promise<Running & { seeded: boolean; warnings: string[] }> {
  const clock = opts.clock ?? systemClock;
  const store = await openStore(opts.dataDir, opts.database);
  let seeded = false;
  // Several instances may start on one empty PostgreSQL database at once: a seed that loses
  // that race (a duplicate name) is fine as long as another instance's seed is there.
  const unlessSeededMeanwhile = async (err: unknown) => {
    if ((await store.listPools()).length === 0 && (await store.countUsers()) === 0) throw err;
  };
  if ((await store.countUsers()) === 0 && (await store.listPools()).length === 0) {
    if (opts.demo) {
      await seedDemo(store, clock.now()).then(() => (seeded = true), unlessSeededMeanwhile);
    }
  }
  if ((await store.listPools()).length === 0) {
    // Leads without a poolId need somewhere to go before any routing exists.
    await store.createPool({ name: 'General', mode: 'pool', isDefault: true }, BOOT, clock.now()).catch(async (err: unknown) => {
      if ((await store.listPools()).length === 0) throw err;
    });
  }
  const allowPrivateWebhooks = opts.allowPrivateWebhooks ?? allowPrivateFromEnv();
  const app = await buildApp({ store, clock, webRoot: defaultWebRoot(), logger: { level: opts.logLevel ?? 'info' }, allowPrivateWebhooks });
  const warnings: string[] = [];
  if (store instanceof PostgresStore) {
    await app.ctx.hub.wakeOn((wake) => store.listen(wake));
    warnings.push(...(await store.settingWarnings()));
    for (const w of warnings) app.log.warn(w);
  }
  const timers = new LockTimerLoop(store, clock, {
    onFired: (events) => {
      app.log.info({ expired: events.length }, 'lock timers fired');
      app.ctx.hub.poke();
    },
    onError: (err) => app.log.error({ err }, 'lock timer sweep failed'),
  });
  const snapshots = new MixSnapshotLoop(store, clock, 60_000, (err) => app.log.error({ err }, 'pool mix snapshot failed'));
  // Automatic tiers (when a manager turned them on) are recomputed every hour.
  const tiers = setInterval(() => {
    recomputeTiers(store, clock.now())
      .then((changes) => changes.length && app.log.info({ changes: changes.length }, 'tiers recomputed'))
      .catch((err: unknown) => app.log.error({ err }, 'tier recompute failed'));
  }, 3600_000);
  tiers.unref();
  // Both run on every instance: leases and by-id deletes make that safe.
  const webhooks = webhookDispatcherFor(store, clock, { allowPrivate: allowPrivateWebhooks, onError: (err) => app.log.error({ err }, 'webhook dispatch failed') });
  const retention = integrationRetentionFor(store, clock, opts.integrationRetentionDays, {
    onPruned: (counts) => app.log.info(counts, 'integration logs pruned'),
    onError: (err) => app.log.error({ err }, 'integration log prune failed'),
  });
  await app.listen({ port: opts.port, host: opts.host });
  timers.start();
  snapshots.start();
  webhooks?.start();
  retention?.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host === '0.0.0.0' ? 'localhost' : opts.host}:${port}`;
  return {
    app,
    store,
    timers,
    url,
    seeded,
    warnings,
    async stop() {
      await webhooks?.stop();
      await retention?.stop();
      await snapshots.stop();
      await timers.stop();
      await app.close();
      await store.close();
    },
  };
}
