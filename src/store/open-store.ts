import { join } from 'node:path';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/**
 * The store a command works on: PostgreSQL for a postgres:// URL, else the SQLite file in
 * `dataDir`, migrated. The PostgreSQL driver is loaded only when it is used, so a CLI command
 * on SQLite starts without it.
 */
export async function openStore(dataDir: string, database: string | undefined = process.env.DATABASE_URL): Promise<Store> {
  if (database && /^postgres(ql)?:\/\//.test(database)) return (await import('./postgres/pg-store.js')).openPostgresStore(database);
  const store = new SqliteStore(join(dataDir, 'leadpool.db'), { checkpointInBackground: true });
  await store.migrate();
  return store;
}
