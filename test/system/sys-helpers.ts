/**
 * Shared plumbing for the system tests: real server processes, real sockets, real files.
 * Nothing here mocks anything; waits are bounded polls of real state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { newToken, tokenHash } from '../../src/server/tokens.js';
import type { Role } from '../../src/core/types.js';
import { SYSTEM, testPasswordHash } from '../helpers.js';
import { leadpoolCommand } from '../cli-command.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dbFile = (dataDir: string) => join(dataDir, 'leadpool.db');

/** Every child this file started; `killAllChildren` (afterAll) and process exit make sure none outlive the test. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export function trackChild(c: ChildProcess): ChildProcess {
  children.add(c);
  c.once('exit', () => children.delete(c));
  return c;
}

export async function killAllChildren(): Promise<void> {
  await Promise.all([...children].map((c) => killHard(c)));
}

/** SIGKILL (kill -9) and wait until the OS has reaped the process. */
export function killHard(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    c.once('exit', () => res());
    c.kill('SIGKILL');
  });
}

/** The CLI reads PORT, HOST, LEADPOOL_DATA and LOG_LEVEL; the flags say it all here. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['PORT', 'HOST', 'LEADPOOL_DATA', 'LOG_LEVEL']) delete env[k];
  return env;
}

export interface ServerProc {
  proc: ChildProcess;
  pid: number;
  url: string;
  spawnedAt: number;
  readyAt: number;
  /** kill -9 and wait for the exit. */
  kill(): Promise<void>;
  output(): string;
}

/**
 * Starts the real CLI from sources: `node --import tsx src/cli/main.ts serve --port 0 ...`.
 * Port 0 lets the OS pick a free port with no race; the CLI prints the URL it got.
 */
export async function startServer(dataDir: string, timeoutMs = 60_000): Promise<ServerProc> {
  const spawnedAt = Date.now();
  const proc = trackChild(
    spawn(process.execPath, [...leadpoolCommand(), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--no-demo', '--log-level', 'warn'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
    }),
  );
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = () => {
      const m = /Leadpool is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        res(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${code ?? sig}) before it was ready:\n${out}`));
    });
  });
  return { proc, pid: proc.pid!, url, spawnedAt, readyAt: Date.now(), kill: () => killHard(proc), output: () => out };
}

export interface HttpResult {
  status: number;
  body: any;
  localPort: number | undefined;
}

/** One JSON request on the given agent (one keep-alive socket per agent = one connection per rep). */
export function request(
  url: string,
  opts: { method?: string; token?: string; body?: unknown; agent?: http.Agent | false } = {},
): Promise<HttpResult> {
  return new Promise((res, rej) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = http.request(url, { method: opts.method ?? 'GET', headers, agent: opts.agent ?? false }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (text += d));
      r.on('end', () => {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON */
        }
        res({ status: r.statusCode ?? 0, body, localPort: req.socket?.localPort });
      });
      r.on('error', rej);
    });
    req.on('error', rej);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Polls `probe` until it returns a value other than undefined, at most `timeoutMs`. */
export async function pollUntil<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface SeededUser {
  id: number;
  email: string;
  token: string;
}

/**
 * Creates users straight in the database file (before a server starts) and, with
 * `session: true`, a session row for each: the bearer token works on any server process
 * that opens this file, exactly as if the person had signed in.
 */
export async function seedUsers(store: SqliteStore, role: Role, n: number, opts: { prefix?: string; session?: boolean } = {}): Promise<SeededUser[]> {
  const hash = await testPasswordHash();
  const out: SeededUser[] = [];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const email = `${opts.prefix ?? role}${i + 1}@system.test`;
    const u = await store.createUser({ email, name: `${role} ${i + 1}`, role, passwordHash: hash }, SYSTEM, now);
    let token = '';
    if (opts.session) {
      token = newToken('lps');
      await store.createSession({ tokenHash: tokenHash(token), userId: u.id, expiresAt: now + 24 * 3600_000 }, now);
    }
    out.push({ id: u.id, email, token });
  }
  return out;
}

export type EventRowLite = { id: number; type: string; at: number; lead_id: number; actor_id: number | null; data: string };

/** A read-only look at the file a server process is writing (WAL: never blocks the writer). */
export function openReadOnly(dataDir: string): Database.Database {
  const db = new Database(dbFile(dataDir), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Events of the given leads, grouped by lead id, in id order. */
export function eventsByLead(db: Database.Database, leadIds: number[]): Map<number, EventRowLite[]> {
  const rows = db
    .prepare(`SELECT id, type, at, lead_id, actor_id, data FROM events WHERE lead_id IN (SELECT value FROM json_each(?)) ORDER BY id`)
    .all(JSON.stringify(leadIds)) as EventRowLite[];
  const m = new Map<number, EventRowLite[]>(leadIds.map((id) => [id, []]));
  for (const r of rows) m.get(r.lead_id)!.push(r);
  return m;
}

/**
 * The lock invariant over a lead's history: a `lead.claimed` (or assigned/reassigned) may
 * only follow a state in which nobody held the lead. Returns a description of the first
 * violation, or null.
 */
export function doubleClaimIn(events: EventRowLite[]): string | null {
  let held = false;
  for (const e of events) {
    if (e.type === 'lead.claimed') {
      if (held) return `event ${e.id}: lead.claimed while the lead was already held`;
      held = true;
    } else if (e.type === 'lead.released' || e.type === 'lead.expired') {
      held = false;
    }
  }
  return null;
}
