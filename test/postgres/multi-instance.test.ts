/**
 * Three real server processes on one PostgreSQL database, a hundred reps over HTTP.
 *
 * 1. All three start at once on an empty database (the migrations must run once).
 * 2. 100 reps, spread over the three, claim 2,000 leads: half by id from what they browse
 *    (so they collide), half by take-next from a queue. Every lead is claimed exactly once.
 * 3. Under a second load, one instance is killed with SIGKILL. Its reps move to the others;
 *    afterwards every lead is still claimed exactly once, and when the locks run out (moved
 *    into the past in the database rather than waiting out the TTL) the surviving instances
 *    fire each timer exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { newToken, tokenHash } from '../../src/server/tokens.js';
import { usePgDatabase } from '../contract/stores.js';
import { SYSTEM, buildLead } from '../contract/builders.js';
import { leadpoolCommand } from '../cli-command.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pgdb = usePgDatabase();

interface Server {
  name: string;
  proc: ChildProcess;
  url: string;
  dead: boolean;
  output(): string;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startServer(name: string, database: string, dataDir: string): Promise<Server> {
  // Four connections each: the test must fit in max_connections (100) beside other test files.
  const env: NodeJS.ProcessEnv = { ...process.env, LEADPOOL_PG_POOL_SIZE: '4' };
  for (const k of ['PORT', 'HOST', 'LEADPOOL_DATA', 'LOG_LEVEL', 'DATABASE_URL']) delete env[k];
  const proc = spawn(
    process.execPath,
    [...leadpoolCommand(), 'serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--database', database, '--no-demo', '--log-level', 'warn'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${name} did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /Leadpool is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      rej(new Error(`${name} exited (${code ?? sig}) before it was ready:\n${out}`));
    });
  });
  return { name, proc, url, dead: false, output: () => out };
}

function killHard(s: Server): Promise<void> {
  s.dead = true;
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    s.proc.once('exit', () => res());
    s.proc.kill('SIGKILL');
  });
}

interface Rep {
  id: number;
  token: string;
  home: number;
}

/** One request; a refused connection (a killed instance) is reported as status 0. */
async function call(url: string, token: string, method = 'POST', body?: unknown): Promise<{ status: number; body: any }> {
  try {
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch {
    return { status: 0, body: null };
  }
}

/** The rep's server, or the next live one when theirs is gone. */
function serverFor(rep: Rep, servers: Server[]): Server {
  for (let i = 0; i < servers.length; i++) {
    const s = servers[(rep.home + i) % servers.length]!;
    if (!s.dead) return s;
  }
  throw new Error('no server left');
}

/** Reads an instance's live stream in the background: event ids and types, until stopped. */
function watchStream(url: string, token: string): { seen: { id: number; type: string; leadId: number }[]; stop(): void } {
  const ac = new AbortController();
  const seen: { id: number; type: string; leadId: number }[] = [];
  void (async () => {
    const res = await fetch(`${url}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let at;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (data) {
          const d = JSON.parse(data[1]!) as { eventId: number; type: string; leadId: number };
          seen.push({ id: d.eventId, type: d.type, leadId: d.leadId });
        }
      }
    }
  })().catch(() => undefined);
  return { seen, stop: () => ac.abort() };
}

describe('three instances on one PostgreSQL database', () => {
  const servers: Server[] = [];
  let db: pg.Pool;
  let store: PostgresStore;
  let reps: Rep[] = [];
  let dataDir: string;
  let url: string;

  beforeEach((ctx) => {
    const why = pgdb.skipped();
    if (why) ctx.skip(`PostgreSQL tests skipped: ${why}`);
  });

  beforeAll(async () => {
    if (pgdb.skipped()) return;
    url = pgdb.get()!.url;
    dataDir = mkdtempSync(join(tmpdir(), 'leadpool-multi-'));
    // All three at once on the empty database: one applies the migrations, two wait.
    servers.push(...(await Promise.all(['A', 'B', 'C'].map((n) => startServer(n, url, dataDir)))));
    db = new pg.Pool({ connectionString: url, max: 4 });
    store = new PostgresStore({ connectionString: url, poolSize: 4 });
    await store.migrate();
    const now = Date.now();
    for (let i = 0; i < 100; i++) {
      const u = await store.createUser({ email: `rep${i}@multi.test`, name: `Rep ${i}`, role: 'rep', passwordHash: null }, SYSTEM, now);
      const token = newToken('lps');
      await store.createSession({ tokenHash: tokenHash(token), userId: u.id, expiresAt: now + 3600_000 }, now);
      reps.push({ id: u.id, token, home: i % 3 });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => killHard(s)));
    await store?.close();
    await db?.end();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const count = async (text: string, values: unknown[] = []) => Number((await db.query(text, values)).rows[0].n);

  it('migrations ran once although three instances started together', async () => {
    const r = await db.query('SELECT version, COUNT(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
    expect(r.rows.length).toBeGreaterThan(0);
    for (const row of r.rows) expect(row.n).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM pools WHERE name = 'General'`)).toBe(1);
  });

  it('100 reps claiming by id and taking next from 2,000 leads over three instances claim every lead exactly once', async () => {
    const now = Date.now();
    const browsePool = (await store.createPool({ name: 'Browse', mode: 'pool', lockTtlSeconds: 600 }, SYSTEM, now)).pool.id;
    const queue = (await store.createPool({ name: 'Queue', mode: 'queue', lockTtlSeconds: 600 }, SYSTEM, now)).pool.id;
    await store.insertLeads(Array.from({ length: 1000 }, () => buildLead()), browsePool, SYSTEM, now);
    await store.insertLeads(Array.from({ length: 1000 }, () => buildLead()), queue, SYSTEM, now);

    // A live client on instance A: it must see every claim made on any instance, once.
    const stream = watchStream(servers[0]!.url, reps[0]!.token);
    await new Promise((r) => setTimeout(r, 300));
    const won = new Map<number, number>(); // lead → rep
    const doubles: string[] = [];
    const statuses = new Map<number, number>();
    const note = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
    const record = (leadId: number, rep: Rep) => {
      if (won.has(leadId)) doubles.push(`lead ${leadId}: rep ${won.get(leadId)} and rep ${rep.id}`);
      won.set(leadId, rep.id);
    };
    let claims = 0;
    const contact = async (s: Server, rep: Rep, leadId: number) => {
      // Every fifth claim is worked at once (its lock timer stops): the activity path runs
      // under the same load without doubling the requests.
      if (++claims % 5 !== 0) return;
      const r = await call(`${s.url}/api/v1/leads/${leadId}/activities`, rep.token, 'POST', { type: 'call' });
      note(r.status);
      if (r.status !== 200) throw new Error(`activity: ${r.status} ${JSON.stringify(r.body)}`);
    };
    const byId = async (rep: Rep) => {
      for (let guard = 0; guard < 500; guard++) {
        const s = serverFor(rep, servers);
        const page = await call(`${s.url}/api/v1/pools/${browsePool}/leads?limit=50`, rep.token, 'GET');
        if (page.status !== 200) throw new Error(`browse: ${page.status} ${JSON.stringify(page.body)}\n${s.output().slice(-3000)}`);
        const items = page.body.items as { id: number }[];
        if (items.length === 0) return;
        const pick = items[Math.floor(Math.random() * items.length)]!;
        const r = await call(`${s.url}/api/v1/leads/${pick.id}/claim`, rep.token);
        note(r.status);
        if (r.status === 200) {
          record(pick.id, rep);
          await contact(s, rep, pick.id);
        } else if (r.status !== 409) throw new Error(`claim: ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    const takeNext = async (rep: Rep) => {
      for (let guard = 0; guard < 500; guard++) {
        const s = serverFor(rep, servers);
        const r = await call(`${s.url}/api/v1/pools/${queue}/next`, rep.token);
        note(r.status);
        if (r.status === 204) return;
        if (r.status !== 200) throw new Error(`next: ${r.status} ${JSON.stringify(r.body)}`);
        record(r.body.lead.id as number, rep);
        await contact(s, rep, r.body.lead.id as number);
      }
    };
    const started = Date.now();
    await Promise.all(reps.map((rep, i) => (i % 2 === 0 ? byId(rep) : takeNext(rep))));
    const secs = (Date.now() - started) / 1000;
    console.log(`multi-instance: 2,000 leads claimed in ${secs.toFixed(1)} s; responses ${JSON.stringify(Object.fromEntries(statuses))}`);

    expect(doubles).toEqual([]);
    expect(won.size).toBe(2000);
    expect(await count(`SELECT COUNT(*) AS n FROM leads WHERE pool_id = ANY($1) AND (status = 'available' OR owner_id IS NULL)`, [[browsePool, queue]])).toBe(0);
    const perLead = await db.query(
      `SELECT l.id, l.owner_id, COUNT(e.id) FILTER (WHERE e.type = 'lead.claimed')::int AS claims, MIN(e.actor_id) FILTER (WHERE e.type = 'lead.claimed') AS claimer
         FROM leads l LEFT JOIN events e ON e.lead_id = l.id WHERE l.pool_id = ANY($1) GROUP BY l.id`,
      [[browsePool, queue]],
    );
    expect(perLead.rows).toHaveLength(2000);
    expect(perLead.rows.filter((r) => r.claims !== 1)).toEqual([]);
    // The owner is the rep whose claim the API confirmed.
    expect(perLead.rows.filter((r) => won.get(Number(r.id)) !== Number(r.owner_id))).toEqual([]);

    // Live events crossed instances (LISTEN/NOTIFY wakes the hubs; the tail misses nothing).
    const claimedLive = () => stream.seen.filter((e) => e.type === 'lead.claimed' && won.has(e.leadId));
    // Generous: on a busy machine the stream may trail the load by seconds; a lost event
    // would leave the count short for good.
    const until = Date.now() + 20_000;
    while (claimedLive().length < 2000 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (claimedLive().length < 2000) {
      const got = new Set(claimedLive().map((e) => e.leadId));
      const missed = [...won.keys()].filter((id) => !got.has(id));
      const ids = (await db.query(`SELECT id FROM events WHERE type = 'lead.claimed' AND lead_id = ANY($1)`, [missed])).rows.map((r) => Number(r.id));
      const around = stream.seen.filter((e) => ids.some((id) => Math.abs(e.id - id) <= 5)).map((e) => e.id);
      console.log(`multi-instance: live stream missed leads ${missed.join(', ')} (events ${ids.join(', ')}); seen around them: ${around.join(', ')}\n${servers[0]!.output().slice(-2000)}`);
    }
    stream.stop();
    const live = claimedLive();
    expect(live).toHaveLength(2000);
    expect(new Set(live.map((e) => e.leadId)).size).toBe(2000);
    expect(new Set(stream.seen.map((e) => e.id)).size).toBe(stream.seen.length);
  }, 60_000);

  it('an instance killed with SIGKILL mid-load loses no claim, and its pending lock timers fire exactly once from the others', async () => {
    const now = Date.now();
    const queue = (await store.createPool({ name: 'Queue 2', mode: 'queue', lockTtlSeconds: 600 }, SYSTEM, now)).pool.id;
    const ids = (await store.insertLeads(Array.from({ length: 400 }, () => buildLead()), queue, SYSTEM, now)).created.map((l) => l.id);
    const victim = servers[2]!;
    let confirmed = 0;
    let killed: Promise<void> | null = null;
    const lost: number[] = [];
    const takeNext = async (rep: Rep) => {
      for (let guard = 0; guard < 200; guard++) {
        const s = serverFor(rep, servers);
        const r = await call(`${s.url}/api/v1/pools/${queue}/next`, rep.token);
        if (r.status === 0) {
          lost.push(rep.id); // the request died with the instance; its claim may or may not stand
          continue;
        }
        if (r.status === 204 || r.status === 403) return; // empty, or a fair-play limit: this rep is done
        if (r.status !== 200) throw new Error(`next: ${r.status} ${JSON.stringify(r.body)}`);
        confirmed++;
        // No contact: these locks stay pending. Kill the victim a quarter of the way through.
        if (confirmed === 100 && !killed) killed = killHard(victim);
      }
    };
    await Promise.all(reps.map((rep) => takeNext(rep)));
    await killed;
    expect(victim.dead).toBe(true);
    console.log(`multi-instance: victim killed after ${confirmed >= 100 ? 100 : confirmed} confirmed claims; ${lost.length} requests died with it`);

    // Every lead of the queue is held, each claimed exactly once, whichever instance took it.
    const claims = await db.query(
      `SELECT l.id, l.status, (SELECT COUNT(*)::int FROM events e WHERE e.lead_id = l.id AND e.type = 'lead.claimed') AS n FROM leads l WHERE l.pool_id = $1`,
      [queue],
    );
    expect(claims.rows.filter((r) => r.status !== 'claimed' || r.n !== 1)).toEqual([]);

    // The locks run out now (in the database: the servers' clock is the real one).
    const past = Date.now() - 1000;
    const moved = await db.query(`UPDATE leads SET lock_expires_at = $1 WHERE pool_id = $2 AND status = 'claimed'`, [past, queue]);
    expect(moved.rowCount).toBe(400);
    const deadline = Date.now() + 15_000;
    while ((await count(`SELECT COUNT(*) AS n FROM leads WHERE pool_id = $1 AND status = 'available'`, [queue])) < 400) {
      if (Date.now() > deadline) throw new Error('lock timers did not fire within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Give a second sweep on every survivor the chance to fire something twice.
    await new Promise((r) => setTimeout(r, 2500));
    const expired = await db.query(
      `SELECT l.id, (SELECT COUNT(*)::int FROM events e WHERE e.lead_id = l.id AND e.type = 'lead.expired') AS n FROM leads l WHERE l.pool_id = $1`,
      [queue],
    );
    expect(expired.rows).toHaveLength(ids.length);
    expect(expired.rows.filter((r) => r.n !== 1)).toEqual([]);
    for (const s of servers.slice(0, 2)) expect(s.proc.exitCode).toBeNull();
  }, 60_000);
});
