import type { Migration } from './migrations.js';

/**
 * Migrations of the integrations (webhooks, intake), numbered from 100 so they never collide
 * with the core's; applied by SqliteStore.migrate after the core's, in version order.
 */
export const SQLITE_INTEGRATION_MIGRATIONS: Migration[] = [];
