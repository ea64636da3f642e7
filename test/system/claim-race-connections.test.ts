/**
 * Claims racing across SEPARATE database connections on one SQLite file: worker threads and
 * child processes, each with its own `new SqliteStore(file)`, released at once by a shared
 * start signal. The product promise: two reps can never hold the same lead, "also when many
 * reps on many server instances click in the same millisecond".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { buildLead, SYSTEM, tempDir } from '../helpers.js';
import { REPO_ROOT, dbFile, doubleClaimIn, eventsByLead, killAllChildren, seedUsers, trackChild, type SeededUser } from './sys-helpers.js';
import type { ClaimResult } from './claim-worker.js';

const WORKER_FILE = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));
const N = 8;
const LEADS_PER_RACE = 200;
const QUEUE_LEADS = 2000;

/** One claimant: a thread or a process, with an ordered inbox of its replies. */
interface Claimant {
  kind: 'thread' | 'process';
  user: SeededUser;
  post(m: unknown): void;
  next<T = any>(type: string): Promise<T>;
  close(): Promise<void>;
}

function inbox(onError: (cb: (e: Error) => void) => void) {
  const queue: any[] = [];
  const waiting: { resolve: (v: any) => void; reject: (e: Error) => void }[] = [];
  let failed: Error | null = null;
  const push = (m: any) => {
    if (m?.type === 'error') return fail(new Error(`claimant failed: ${m.message}`));
    const w = waiting.shift();
    if (w) w.resolve(m);
    else queue.push(m);
  };
  const fail = (e: Error) => {
    failed = e;
    for (const w of waiting.splice(0)) w.reject(e);
  };
  onError(fail);
  const next = <T,>(type: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (failed) return reject(failed);
      const check = (m: any) => (m.type === type ? resolve(m) : reject(new Error(`expected ${type}, got ${JSON.stringify(m).slice(0, 300)}`)));
      const m = queue.shift();
      if (m) check(m);
      else waiting.push({ resolve: check, reject });
    });
  return { push, next };
}

/** tsx's `--import` in a Worker's execArgv does not reach the worker on Node 20; registering its loader in an eval'd bootstrap does. */
const THREAD_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api').then(({ register }) => { register(); return import(workerData.entry); });
`;

function startThread(user: SeededUser): Claimant {
  const w = new Worker(THREAD_BOOTSTRAP, { eval: true, workerData: { entry: pathToFileURL(WORKER_FILE).href } });
  const box = inbox((fail) => {
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`worker exited with ${code}`)));
  });
  w.on('message', box.push);
  return {
    kind: 'thread',
    user,
    post: (m) => w.postMessage(m),
    next: box.next,
    async close() {
      await w.terminate();
    },
  };
}

function startProcess(user: SeededUser): Claimant {
  const c: ChildProcess = trackChild(
    fork(WORKER_FILE, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const box = inbox((fail) => {
    c.on('error', fail);
    c.on('exit', (code, sig) => fail(new Error(`child exited with ${code ?? sig}`)));
  });
  c.on('message', box.push);
  return {
    kind: 'process',
    user,
    post: (m) => c.send(m as never),
    next: box.next,
    async close() {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.send({ type: 'close' } as never);
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    },
  };
}

interface RaceStats {
  leads: number;
  overlappingRounds: number;
  distinctWinners: number;
  maxCallMs: number;
}

/** Checks one finished race: exactly one winner per lead, the rest LEAD_ALREADY_CLAIMED, and the file agrees. */
function checkRace(file: string, leadIds: number[], results: ClaimResult[], claimants: Claimant[]): RaceStats {
  const db = new Database(file, { readonly: true });
  try {
    const byLead = new Map<number, ClaimResult[]>(leadIds.map((id) => [id, []]));
    for (const r of results) byLead.get(r.leadId)!.push(r);
    const problems: string[] = [];
    let overlappingRounds = 0;
    let maxCallMs = 0;
    const winners = new Set<number>();
    const rows = new Map(
      (db.prepare(`SELECT id, status, owner_id FROM leads WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(leadIds)) as {
        id: number;
        status: string;
        owner_id: number | null;
      }[]).map((r) => [r.id, r]),
    );
    const events = eventsByLead(db, leadIds);
    for (const id of leadIds) {
      const rs = byLead.get(id)!;
      if (rs.length !== claimants.length) problems.push(`lead ${id}: ${rs.length} results, expected ${claimants.length}`);
      const won = rs.filter((r) => r.ok);
      const lost = rs.filter((r) => !r.ok);
      if (won.length !== 1) problems.push(`lead ${id}: ${won.length} winners (${won.map((w) => w.userId).join(', ')})`);
      for (const l of lost) if (l.code !== 'LEAD_ALREADY_CLAIMED') problems.push(`lead ${id}: user ${l.userId} got ${l.code}`);
      const w = won[0];
      if (w) {
        winners.add(w.userId);
        if (w.ownerId !== w.userId) problems.push(`lead ${id}: winner ${w.userId} got back owner ${w.ownerId}`);
        const row = rows.get(id);
        if (row?.status !== 'claimed' || row.owner_id !== w.userId) problems.push(`lead ${id}: DB has ${row?.status}/${row?.owner_id}, winner was ${w.userId}`);
      }
      const claimed = events.get(id)!.filter((e) => e.type === 'lead.claimed');
      if (claimed.length !== 1) problems.push(`lead ${id}: ${claimed.length} lead.claimed events`);
      else if (w && (claimed[0]!.actor_id !== w.userId || JSON.parse(claimed[0]!.data).ownerId !== w.userId))
        problems.push(`lead ${id}: lead.claimed event names ${claimed[0]!.actor_id}, winner was ${w.userId}`);
      // Did the calls really run at the same time? Some call started before another had finished.
      const sorted = [...rs].sort((a, b) => a.t0 - b.t0);
      let end = -Infinity;
      let overlapped = false;
      for (const r of sorted) {
        if (r.t0 < end) overlapped = true;
        end = Math.max(end, r.t1);
        maxCallMs = Math.max(maxCallMs, r.t1 - r.t0);
      }
      if (overlapped) overlappingRounds++;
    }
    expect(problems, problems.slice(0, 20).join('\n')).toEqual([]);
    return { leads: leadIds.length, overlappingRounds, distinctWinners: winners.size, maxCallMs: Math.round(maxCallMs * 10) / 10 };
  } finally {
    db.close();
  }
}

describe('claims racing over separate SQLite connections', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let reps: SeededUser[];
  const claimants: Claimant[] = [];

  beforeAll(async () => {
    dir = tempDir('leadpool-race-');
    file = dbFile(dir);
    store = new SqliteStore(file);
    await store.migrate();
    reps = await seedUsers(store, 'rep', N * 2);
  });

  afterAll(async () => {
    await Promise.allSettled(claimants.map((c) => c.close()));
    await killAllChildren();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const started = new Map<'thread' | 'process', Promise<Claimant[]>>();
  /** Each kind is started once (tsx compiling the sources is most of the cost) and shared by the tests below. */
  function claimantsOf(kind: 'thread' | 'process'): Promise<Claimant[]> {
    let p = started.get(kind);
    if (!p) {
      const users = kind === 'thread' ? reps.slice(0, N) : reps.slice(N, 2 * N);
      p = (async () => {
        const cs = users.map((u) => (kind === 'thread' ? startThread(u) : startProcess(u)));
        claimants.push(...cs);
        cs.forEach((c) => c.post({ type: 'init', file, userId: c.user.id, name: `rep ${c.user.id}` }));
        await Promise.all(cs.map((c) => c.next('ready')));
        return cs;
      })();
      started.set(kind, p);
    }
    return p;
  }

  async function poolWithLeads(name: string, mode: 'pool' | 'queue', n: number): Promise<{ poolId: number; leadIds: number[] }> {
    const { pool } = await store.createPool({ name, mode, lockTtlSeconds: 3600 }, SYSTEM, Date.now());
    const res = await store.insertLeads(Array.from({ length: n }, () => buildLead({ poolId: pool.id })), pool.id, SYSTEM, Date.now());
    return { poolId: pool.id, leadIds: res.created.map((l) => l.id) };
  }

  it(`${N} worker threads, one connection each, released together by an Atomics barrier: one winner per lead over ${LEADS_PER_RACE} leads`, async () => {
    const { leadIds } = await poolWithLeads('Race threads', 'pool', LEADS_PER_RACE);
    const cs = await claimantsOf('thread');
    const barrier = new SharedArrayBuffer(8);
    const t = Date.now();
    cs.forEach((c) => c.post({ type: 'race', leadIds, barrier, parties: N }));
    const replies = await Promise.all(cs.map((c) => c.next<{ results: ClaimResult[] }>('raced')));
    const ms = Date.now() - t;
    const stats = checkRace(file, leadIds, replies.flatMap((r) => r.results), cs);
    console.log(`[threads] ${N}x${LEADS_PER_RACE} claims in ${ms} ms`, stats);
    // The test only means something if the calls really overlapped.
    expect(stats.overlappingRounds).toBeGreaterThanOrEqual(10);
  }, 90_000);

  it('control: the same harness catches a deliberately broken check-then-write claim (so a pass above means something)', async () => {
    const { leadIds } = await poolWithLeads('Race control', 'pool', 100);
    const cs = await claimantsOf('thread');
    const barrier = new SharedArrayBuffer(8);
    cs.forEach((c) => c.post({ type: 'naiveRace', leadIds, barrier, parties: N }));
    const results = (await Promise.all(cs.map((c) => c.next<{ results: ClaimResult[] }>('raced')))).flatMap((r) => r.results);
    const winnersPerLead = leadIds.map((id) => results.filter((r) => r.leadId === id && r.ok).length);
    const doubled = winnersPerLead.filter((n) => n > 1).length;
    console.log(`[control] broken claim: ${doubled} of ${leadIds.length} leads had more than one "winner"`);
    expect(doubled).toBeGreaterThan(0);
    // The threads are done; free the CPU for the processes.
    await Promise.all(cs.map((c) => c.close()));
    for (const c of cs) claimants.splice(claimants.indexOf(c), 1);
  }, 90_000);

  it(`${N} child processes, one connection each, released together by a broadcast: one winner per lead over ${LEADS_PER_RACE} leads`, async () => {
    const { leadIds } = await poolWithLeads('Race processes', 'pool', LEADS_PER_RACE);
    const cs = await claimantsOf('process');
    const results: ClaimResult[] = [];
    const t = Date.now();
    for (const leadId of leadIds) {
      for (const c of cs) c.post({ type: 'claimOne', leadId });
      const replies = await Promise.all(cs.map((c) => c.next<{ result: ClaimResult }>('claimed')));
      results.push(...replies.map((r) => r.result));
    }
    const ms = Date.now() - t;
    const stats = checkRace(file, leadIds, results, cs);
    console.log(`[processes] ${N}x${LEADS_PER_RACE} claims in ${ms} ms`, stats);
    expect(stats.overlappingRounds).toBeGreaterThanOrEqual(10);
  }, 90_000);

  it(`${N} child processes drain one queue of ${QUEUE_LEADS} leads with claimNext: every lead claimed exactly once, none lost`, async () => {
    const { poolId, leadIds } = await poolWithLeads('Drain queue', 'queue', QUEUE_LEADS);
    const cs = await claimantsOf('process');
    const t = Date.now();
    cs.forEach((c) => c.post({ type: 'drain', poolId }));
    const replies = await Promise.all(cs.map((c) => c.next<{ ids: number[]; errors: string[] }>('drained')));
    const ms = Date.now() - t;
    expect(replies.flatMap((r) => r.errors)).toEqual([]);

    const got = new Map<number, number[]>(); // lead -> every claimant that was handed it
    replies.forEach((r, i) => r.ids.forEach((id) => got.set(id, [...(got.get(id) ?? []), cs[i]!.user.id])));
    const doubles = [...got].filter(([, us]) => us.length > 1);
    expect(doubles, `handed out twice: ${JSON.stringify(doubles.slice(0, 10))}`).toEqual([]);
    expect([...got.keys()].sort((a, b) => a - b)).toEqual([...leadIds].sort((a, b) => a - b));

    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare(`SELECT id, status, owner_id FROM leads WHERE pool_id = ?`).all(poolId) as { id: number; status: string; owner_id: number }[];
      expect(rows).toHaveLength(QUEUE_LEADS);
      const wrong = rows.filter((r) => r.status !== 'claimed' || r.owner_id !== got.get(r.id)?.[0]);
      expect(wrong.slice(0, 10)).toEqual([]);
      const events = eventsByLead(db, leadIds);
      const badHistory = leadIds.filter((id) => events.get(id)!.filter((e) => e.type === 'lead.claimed').length !== 1 || doubleClaimIn(events.get(id)!));
      expect(badHistory.slice(0, 10)).toEqual([]);
    } finally {
      db.close();
    }
    const perWorker = replies.map((r) => r.ids.length);
    console.log(`[drain] ${QUEUE_LEADS} leads by ${N} processes in ${ms} ms; per worker`, perWorker);
    // Everyone got a share: the drain was concurrent, not one process after another.
    expect(perWorker.filter((n) => n > 0).length).toBeGreaterThan(1);
  }, 90_000);
});
