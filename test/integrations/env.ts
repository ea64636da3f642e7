/**
 * The integration tests' world, on either store: a real SQLite file or a fresh schema in
 * the test file's own PostgreSQL database, the real app (through inject), a TestClock.
 * Webhook tests post to a receiver on 127.0.0.1, so the app and dispatchers here allow
 * private targets unless a test says otherwise.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { TestClock } from '../../src/core/clock.js';
import type { LeadInput } from '../../src/core/lead-input.js';
import type { PoolMode, Role } from '../../src/core/types.js';
import type { Store } from '../../src/store/store.js';
import type { IntegrationStore } from '../../src/store/integration-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { integrationStoreOf } from '../../src/integrations/integrations.js';
import { buildApp, type App } from '../../src/server/app.js';
import { SYSTEM, buildLead, tempDir, testPasswordHash } from '../helpers.js';
import { STORES, usePgDatabase, type PgTestDatabase, type StoreKind } from '../contract/stores.js';

export { STORES, type StoreKind };

export interface IntegEnv {
  kind: StoreKind;
  dir: string;
  /** The SQLite file or the PostgreSQL connection string: what another process opens. */
  location: string;
  store: Store;
  integrations: IntegrationStore;
  clock: TestClock;
  app: App;
  /** Another store on the same data, with its own connection (pool): another instance. */
  another(): Promise<Store>;
  user(role: Role, email?: string): Promise<{ id: number; token: string; email: string }>;
  pool(name: string, mode: PoolMode): Promise<number>;
  addLeads(poolId: number, leads: Partial<LeadInput>[] | number): Promise<number[]>;
  cleanup(): Promise<void>;
}

/** Registers the file's PostgreSQL database when PostgreSQL is among the stores. */
export function usePg(): ReturnType<typeof usePgDatabase> | null {
  return STORES.includes('postgres') ? usePgDatabase() : null;
}

/** A reason to skip, or null: PostgreSQL tests skip cleanly only when it is unreachable. */
export function skipReason(kind: StoreKind, pg: ReturnType<typeof usePgDatabase> | null): string | null {
  return kind === 'postgres' && pg?.skipped() ? `PostgreSQL tests skipped: ${pg.skipped()}` : null;
}

let userSeq = 0;

export async function makeIntegEnv(kind: StoreKind, pgdb: PgTestDatabase | null, opts: { allowPrivateWebhooks?: boolean } = {}): Promise<IntegEnv> {
  const dir = tempDir('leadpool-integ-');
  const opened: Store[] = [];
  let location: string;
  let open: () => Promise<Store>;
  if (kind === 'sqlite') {
    location = join(dir, 'leadpool.db');
    open = async () => {
      const s = new SqliteStore(location);
      await s.migrate();
      opened.push(s);
      return s;
    };
  } else {
    if (!pgdb) throw new Error('PostgreSQL test database is not ready');
    location = await pgdb.freshSchema();
    // Three connections per store: test files run side by side on a server allowing 100.
    open = async () => {
      const s = new PostgresStore({ connectionString: location, poolSize: 3 });
      await s.migrate();
      opened.push(s);
      return s;
    };
  }
  const store = await open();
  const clock = new TestClock();
  const app = await buildApp({ store, clock, logger: false, allowPrivateWebhooks: opts.allowPrivateWebhooks ?? true });
  await app.ready();
  return {
    kind,
    dir,
    location,
    store,
    integrations: integrationStoreOf(store)!,
    clock,
    app,
    another: open,
    async user(role, email) {
      const e = email ?? `${role}${++userSeq}@test.example`;
      const u = await store.createUser({ email: e, name: `${role} ${userSeq}`, role, passwordHash: await testPasswordHash() }, SYSTEM, clock.now());
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: e, password: 'password1' } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      return { id: u.id, token: res.json().token as string, email: e };
    },
    async pool(name, mode) {
      return (await store.createPool({ name, mode }, SYSTEM, clock.now())).pool.id;
    },
    async addLeads(poolId, leads) {
      const list = typeof leads === 'number' ? Array.from({ length: leads }, () => ({})) : leads;
      const res = await store.insertLeads(list.map((l) => buildLead({ poolId, ...l })), poolId, SYSTEM, clock.now());
      return res.created.map((l) => l.id);
    },
    async cleanup() {
      await app.close();
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
