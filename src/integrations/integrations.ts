import type { Store } from '../store/store.js';
import type { IntegrationStore } from '../store/integration-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { SqliteIntegrationStore } from '../store/sqlite/integration-store-sqlite.js';
import { PostgresStore } from '../store/postgres/pg-store.js';
import { PostgresIntegrationStore } from '../store/postgres/pg-integration-store.js';
import type { Clock } from '../core/clock.js';
import { DAY } from '../core/clock.js';
import { WebhookDispatcher, type DispatcherOptions } from './webhook-dispatcher.js';
import { DEFAULT_RETENTION_DAYS, IntegrationRetention, retentionDaysFromEnv, type RetentionOptions } from './retention.js';

const byStore = new WeakMap<Store, IntegrationStore>();

/**
 * The integrations' storage beside a core store: one per store, on the same connection (or
 * connection pool). Null only for a store kind without an IntegrationStore.
 */
export function integrationStoreOf(store: Store): IntegrationStore | null {
  const known = byStore.get(store);
  if (known) return known;
  const made = store instanceof SqliteStore ? new SqliteIntegrationStore(store.db) : store instanceof PostgresStore ? new PostgresIntegrationStore(store.pool) : null;
  if (made) byStore.set(store, made);
  return made;
}

/** The webhook dispatcher for a running server, or null where the store has no integrations yet. */
export function webhookDispatcherFor(store: Store, clock: Clock, opts: DispatcherOptions = {}): WebhookDispatcher | null {
  const integrations = integrationStoreOf(store);
  return integrations ? new WebhookDispatcher(store, integrations, clock, opts) : null;
}

/** The log-pruning job for a running server: `retentionDays`, else LEADPOOL_INTEGRATION_RETENTION_DAYS, else 30. */
export function integrationRetentionFor(store: Store, clock: Clock, retentionDays: number | undefined, opts: Omit<RetentionOptions, 'retentionMs'> = {}): IntegrationRetention | null {
  const integrations = integrationStoreOf(store);
  const days = retentionDays ?? retentionDaysFromEnv() ?? DEFAULT_RETENTION_DAYS;
  return integrations ? new IntegrationRetention(integrations, clock, { ...opts, retentionMs: days * DAY }) : null;
}
