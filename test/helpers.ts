import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '../src/core/clock.js';
import type { LeadInput } from '../src/core/lead-input.js';
import type { Actor, PoolMode, Role } from '../src/core/types.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { buildApp, type App } from '../src/server/app.js';
import { hashPassword } from '../src/server/passwords.js';
import { LockTimerLoop } from '../src/scheduler/lock-timers.js';

export const SYSTEM: Actor = { kind: 'system', name: 'test' };

/** A fresh directory for a test's database files; removed by `cleanup`. */
export function tempDir(prefix = 'leadpool-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let seq = 0;
/** A valid lead; override what the test is about. */
/**
 * A SQLite file as an older release left it: the migrations up to `version` applied, with one
 * pool (id 1). Returns the open connection, to add rows the way that release wrote them.
 */
export function sqliteAtVersion(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
  }
  db.prepare(`INSERT INTO pools (id, name, mode, lock_ttl_seconds, preview_fields, created_at, updated_at) VALUES (1, 'Alt', 'pool', 900, '[]', 0, 0)`).run();
  return db;
}

export function buildLead(over: Partial<LeadInput> = {}): LeadInput {
  seq++;
  return {
    company: `Testfirma ${seq} GmbH`,
    industry: 'Software',
    companySize: '11-50',
    source: 'Website form',
    score: 50,
    region: 'DACH-Nord',
    contact: { name: `Kontakt ${seq}`, email: `kontakt${seq}@testfirma${seq}.de`, phone: '+49 30 123456' },
    ...over,
  };
}

let hashOnce: Promise<string> | null = null;
/** Hashing is deliberately slow; tests share one hash of "password1". */
export function testPasswordHash(): Promise<string> {
  hashOnce ??= hashPassword('password1');
  return hashOnce;
}

export interface TestEnv {
  dir: string;
  store: SqliteStore;
  clock: TestClock;
  app: App;
  timers: LockTimerLoop;
  /** Creates a user (password "password1") and returns a bearer token for them. */
  user(role: Role, email?: string): Promise<{ id: number; token: string; email: string }>;
  pool(name: string, mode: PoolMode, lockTtlSeconds?: number): Promise<number>;
  addLeads(poolId: number, leads: Partial<LeadInput>[] | number): Promise<number[]>;
  cleanup(): Promise<void>;
}

let userSeq = 0;

/** A real SQLite file, the real app (through inject), a TestClock and the real timer loop. */
export async function makeEnv(): Promise<TestEnv> {
  const dir = tempDir();
  const store = new SqliteStore(join(dir, 'leadpool.db'));
  await store.migrate();
  const clock = new TestClock();
  const app = await buildApp({ store, clock, logger: false });
  await app.ready();
  const timers = new LockTimerLoop(store, clock, { onFired: () => app.ctx.hub.poke() });
  const env: TestEnv = {
    dir,
    store,
    clock,
    app,
    timers,
    async user(role, email) {
      const e = email ?? `${role}${++userSeq}@test.example`;
      const u = await store.createUser({ email: e, name: `${role} ${userSeq}`, role, passwordHash: await testPasswordHash() }, SYSTEM, clock.now());
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: e, password: 'password1' } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      return { id: u.id, token: res.json().token as string, email: e };
    },
    async pool(name, mode, lockTtlSeconds) {
      const { pool } = await store.createPool({ name, mode, ...(lockTtlSeconds ? { lockTtlSeconds } : {}) }, SYSTEM, clock.now());
      return pool.id;
    },
    async addLeads(poolId, leads) {
      const list = typeof leads === 'number' ? Array.from({ length: leads }, () => ({})) : leads;
      const res = await store.insertLeads(list.map((l) => buildLead({ poolId, ...l })), poolId, SYSTEM, clock.now());
      return res.created.map((l) => l.id);
    },
    async cleanup() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
