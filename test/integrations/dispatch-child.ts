/**
 * A second Leadpool instance's webhook dispatcher in its own process, for the crash test:
 * `node --import tsx dispatch-child.ts <SQLite file | postgres:// URL> <clock ms>`. It opens
 * the shared database (no migrate: the parent did that), runs once and waits to be killed.
 */
import { TestClock } from '../../src/core/clock.js';
import type { Store } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { integrationStoreOf } from '../../src/integrations/integrations.js';
import { WebhookDispatcher } from '../../src/integrations/webhook-dispatcher.js';

const [location, at] = process.argv.slice(2);
const store: Store = location!.startsWith('postgres') ? new PostgresStore({ connectionString: location!, poolSize: 2 }) : new SqliteStore(location!);
// The receiver is on 127.0.0.1: a local receiver needs the opt-in.
const dispatcher = new WebhookDispatcher(store, integrationStoreOf(store)!, new TestClock(Number(at)), { timeoutMs: 30_000, leaseMs: 60_000, allowPrivate: true });
process.stdout.write('started\n');
await dispatcher.runOnce();
process.stdout.write('run ended\n');
