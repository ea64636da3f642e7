/**
 * One contract, every store: helpers that open a fresh SQLite file or a fresh PostgreSQL
 * schema for each test, so the same behavioural tests run over both.
 *
 * PostgreSQL isolation: each test FILE gets its own database, created from the `test`
 * database's server and dropped at the end; each test inside it gets its own schema (a
 * store is opened with `search_path=<schema>,public`, pg_trgm living in public). When a test
 * failed, the database is kept and its name printed, so the rows can be inspected.
 *
 * Without a reachable PostgreSQL the pg half is skipped with a console message, except
 * under CI=true, where it fails: CI must not pass by testing less.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';

export type StoreKind = 'sqlite' | 'postgres';

/** LEADPOOL_STORES=sqlite (or postgres) narrows the suite to one store. Default: both. */
export const STORES: StoreKind[] = (process.env.LEADPOOL_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKind[];

/** The server to create test databases on. Default: the machine's local PostgreSQL, db `test`. */
export const PG_ADMIN_URL = process.env.LEADPOOL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export function withDatabase(url: string, db: string, params: Record<string, string> = {}): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

let reachable: Promise<string | null> | null = null;
/** null when PostgreSQL answers; otherwise why not. Throws under CI=true. */
export function postgresUnavailable(): Promise<string | null> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return null;
    } catch (err) {
      const why = `${(err as Error).message} (${PG_ADMIN_URL})`;
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required when CI=true: ${why}`);
      console.warn(`PostgreSQL tests skipped: cannot reach PostgreSQL: ${why}. Start it (pg_ctlcluster <version> main start) to run them.`);
      return why;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return reachable;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface PgTestDatabase {
  name: string;
  url: string;
  /** A fresh schema in this database; returns a connection string that uses it. */
  freshSchema(): Promise<string>;
}

/**
 * Registers beforeAll/afterAll hooks for a file-wide PostgreSQL database. `get()` returns
 * null when PostgreSQL is unavailable (the tests then skip themselves).
 */
export function usePgDatabase(): { get(): PgTestDatabase | null; skipped(): string | null } {
  let db: PgTestDatabase | null = null;
  let why: string | null = null;
  let failed = false;
  beforeAll(async () => {
    why = await postgresUnavailable();
    if (why) return;
    const name = `leadpool_test_${randomBytes(6).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = withDatabase(PG_ADMIN_URL, name);
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await setup.end();
    let n = 0;
    db = {
      name,
      url,
      async freshSchema() {
        const schema = `t${++n}`;
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.end();
        return withDatabase(PG_ADMIN_URL, name, { options: `-c search_path=${schema},public` });
      },
    };
  });
  beforeEach((ctx) => {
    ctx.onTestFailed(() => {
      failed = true;
    });
  });
  afterAll(async () => {
    if (!db) return;
    if (failed) {
      console.warn(`PostgreSQL test database kept for inspection: ${db.name} (drop it with: DROP DATABASE ${db.name} WITH (FORCE))`);
      return;
    }
    const name = db.name;
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  return { get: () => db, skipped: () => why };
}

export interface OpenedStore {
  store: Store;
  /** A second store on the same data (another instance, another process's view). */
  another(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** A migrated, empty store of `kind`. For postgres, `pgdb` must be ready. */
export async function openStore(kind: StoreKind, pgdb: PgTestDatabase | null): Promise<OpenedStore> {
  const opened: Store[] = [];
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'leadpool-contract-'));
    const file = join(dir, 'leadpool.db');
    const open = async () => {
      const s = new SqliteStore(file);
      await s.migrate();
      opened.push(s);
      return s;
    };
    const store = await open();
    return {
      store,
      another: open,
      async cleanup() {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (!pgdb) throw new Error('PostgreSQL test database is not ready');
  const url = await pgdb.freshSchema();
  const open = async () => {
    const s = new PostgresStore({ connectionString: url, poolSize: 3 }); // test files run side by side: stay well under max_connections
    await s.migrate();
    opened.push(s);
    return s;
  };
  const store = await open();
  return {
    store,
    another: open,
    async cleanup() {
      for (const s of opened) await s.close();
    },
  };
}
