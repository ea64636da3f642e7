/**
 * A second Leadpool instance's webhook dispatcher in its own process, for the crash test:
 * `node --import tsx dispatch-child.ts <db file> <clock ms>`. It opens the shared database
 * (no migrate: the parent did that), runs once and waits to be killed.
 */
import { TestClock } from '../../src/core/clock.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { integrationStoreOf } from '../../src/integrations/integrations.js';
import { WebhookDispatcher } from '../../src/integrations/webhook-dispatcher.js';

const [file, at] = process.argv.slice(2);
const store = new SqliteStore(file!);
const dispatcher = new WebhookDispatcher(store, integrationStoreOf(store)!, new TestClock(Number(at)), { timeoutMs: 30_000, leaseMs: 60_000 });
process.stdout.write('started\n');
await dispatcher.runOnce();
process.stdout.write('run ended\n');
