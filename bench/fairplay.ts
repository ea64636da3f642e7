/**
 * Issue 4's fair-play target: a claim with ALL rules on stays within 80% of a claim with none,
 * in the same run. On a copy of the bench database:
 * - in process, `store.claim()`; then over HTTP, POST /api/v1/leads/{id}/claim against the server
 *   child with the same number of connections as the claims part;
 * - each as eight blocks off, on, on, off, off, on, on, off (ABBA twice, so the slow growth of what a rep holds weighs on
 *   both modes alike), rules switched with the pool's own rules (PATCH /api/v1/pools/{id}) and the
 *   team's rules kept empty (PUT /api/v1/settings/rules {});
 * - "all rules": every limit at the API's maximum (hoardingLimit 1000, dailyCap 10000,
 *   detailViewLimit 1000), minClaimsPerDay 5, and diversity in percent mode with threshold 100,
 *   minPercent 1, window 20, so the rep's window is read on every claim and nothing is refused.
 *   After each block the leads it claimed are marked contacted (one UPDATE on a side connection),
 *   as reps who work their leads would: what a rep holds uncontacted stays at one block's share
 *   (~1/50 of it), never near the limit of 1,000 (refusals are counted: 0 expected). The claims
 *   table still grows with every claim (the daily cap counts today's claims: a pessimistic load).
 * - proof that the checks run: each rule query's executions per claim with rules on and off
 *   (statements counted on a second store instance), its EXPLAIN QUERY PLAN and its cost alone.
 */
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { RuleRefusal, type PoolRules } from '../src/core/fair-play.js';
import { runLoad, type LoadResult } from './http-load.js';
import { IdFeed } from './claims.js';
import { Samples, stats, progress, progressDone, httpJson, login, fmt, fmtInt, type Stats, type ServerChild } from './lib.js';
import { MANAGER, PASSWORD, REPS, repEmail } from './load-db.js';
import { SqlProfile } from './sql-profile.js';

export const ALL_RULES: PoolRules = {
  hoardingLimit: 1000,
  diversity: { mode: 'percent', threshold: 100, minPercent: 1, window: 20 },
  dailyCap: 10000,
  detailViewLimit: 1000,
  minClaimsPerDay: 5,
};
const NO_RULES: PoolRules = {};
const ACTOR_SYS = { kind: 'system' as const, name: 'bench fairplay' };

export interface Phase {
  mode: 'off' | 'on';
  claims: number;
  seconds: number;
  perSecond: number;
  latency: Stats;
  refused: number;
  statuses?: Record<string, number>;
  /** CPU time (user + system) per claim of the process doing the claims: this process in process, the server child over HTTP. Less sensitive to other work on the machine than wall time. */
  cpuUsPerClaim: number;
}

export interface ModeTotals {
  off: { claims: number; seconds: number; perSecond: number; p50: number; p99: number; cpuUsPerClaim: number };
  on: { claims: number; seconds: number; perSecond: number; p50: number; p99: number; cpuUsPerClaim: number };
  ratio: number;
  /** off's CPU per claim / on's: the throughput ratio a CPU-bound server would see. */
  cpuRatio: number;
  refused: number;
}

export interface RuleQueryCheck {
  sql: string;
  perClaimOn: number;
  perClaimOff: number;
  plan: string[];
  usAlone: number;
}

export interface FairplayResult {
  inProcess: { phases: Phase[]; totals: ModeTotals };
  http: { phases: Phase[]; totals: ModeTotals; connections: number };
  refusedEvents: number;
  checks: RuleQueryCheck[];
  heldPerRepAtEnd: { max: number; mean: number };
}

function totals(phases: Phase[]): ModeTotals {
  const sum = (mode: 'on' | 'off') => {
    const ps = phases.filter((p) => p.mode === mode && p.claims > 0);
    const claims = ps.reduce((a, p) => a + p.claims, 0);
    const seconds = ps.reduce((a, p) => a + p.seconds, 0);
    // Percentiles of the two blocks together are not derivable from theirs; the worse block's are reported.
    const cpu = ps.reduce((a, p) => a + p.cpuUsPerClaim * p.claims, 0) / claims;
    return { claims, seconds, perSecond: claims / seconds, p50: Math.max(...ps.map((p) => p.latency.p50)), p99: Math.max(...ps.map((p) => p.latency.p99)), cpuUsPerClaim: cpu };
  };
  const off = sum('off');
  const on = sum('on');
  return { off, on, ratio: on.perSecond / off.perSecond, cpuRatio: off.cpuUsPerClaim / on.cpuUsPerClaim, refused: phases.reduce((a, p) => a + p.refused, 0) };
}

function repIds(file: string): number[] {
  const db = new Database(file, { readonly: true });
  const ids = db.prepare(`SELECT id FROM users WHERE role = 'rep' ORDER BY id`).pluck().all() as number[];
  db.close();
  return ids;
}

/** ABBA twice: a drift in time (what reps hold grows, other work on the machine) weighs on both modes alike. */
const ORDER: ('off' | 'on')[] = ['off', 'on', 'on', 'off', 'off', 'on', 'on', 'off'];

/** utime + stime of a process in µs (/proc/<pid>/stat, clock ticks of 10 ms). */
function procCpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10_000;
}

/** Reps work their leads: everything claimed and not yet contacted becomes contacted (leaves the hoarding count). */
function contactPass(side: Database.Database): number {
  return side.prepare(`UPDATE leads SET status = 'contacted', contacted_at = ?, lock_expires_at = NULL WHERE owner_id IS NOT NULL AND status = 'claimed'`).run(Date.now()).changes;
}

async function inProcess(file: string, poolId: number, feeds: IdFeed[], seconds: number, side: Database.Database): Promise<Phase[]> {
  const reps = repIds(file);
  const store = new SqliteStore(file, { checkpointInBackground: true });
  await store.setTeamRules(NO_RULES, ACTOR_SYS, Date.now());
  const phases: Phase[] = [];
  let k = 0;
  try {
    for (const [b, mode] of ORDER.entries()) {
      await store.updatePool(poolId, { rules: mode === 'on' ? ALL_RULES : NO_RULES }, ACTOR_SYS, Date.now());
      const feed = feeds[b]!;
      const lat = new Samples();
      let refused = 0;
      let n = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      const end = start + seconds * 1000;
      for (;;) {
        const t = performance.now();
        if (t >= end) break;
        const id = feed.next();
        if (id === null) break;
        const rep = reps[k++ % reps.length]!;
        try {
          await store.claim(id, { kind: 'user', userId: rep, role: 'rep', name: 'Bench Rep' }, Date.now());
        } catch (err) {
          if (err instanceof RuleRefusal) refused++;
          else throw err;
        }
        lat.push(performance.now() - t);
        n++;
        if ((n & 511) === 0) progress(`fair play in process, rules ${mode}: ${fmtInt(n)} claims`);
      }
      const secs = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpu0);
      contactPass(side);
      const p: Phase = { mode, claims: n, seconds: secs, perSecond: n / secs, latency: stats(lat.view()), refused, cpuUsPerClaim: (cpu.user + cpu.system) / n };
      phases.push(p);
      progressDone(
        `  store.claim(), rules ${mode.padEnd(3)} (block ${b + 1}/${ORDER.length}) ${fmtInt(p.perSecond).padStart(7)} claims/s  p50 ${fmt(p.latency.p50, 3)} ms  p99 ${fmt(p.latency.p99, 3)} ms  CPU ${fmtInt(p.cpuUsPerClaim)} µs/claim  (${fmtInt(n)} in ${secs.toFixed(1)} s; refused ${refused})`,
      );
    }
  } finally {
    await store.close();
  }
  return phases;
}

async function overHttp(server: ServerChild, poolId: number, feeds: IdFeed[], seconds: number, connections: number, side: Database.Database, warmup: number): Promise<Phase[]> {
  const mgr = await login(server.url, MANAGER, PASSWORD);
  const tokens: string[] = [];
  for (let i = 0; i < REPS; i += 10) {
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(10, REPS - i) }, (_, k) => login(server.url, repEmail(i + k), PASSWORD)))));
  }
  const team = await httpJson(server.url, 'PUT', '/api/v1/settings/rules', NO_RULES, mgr);
  if (team.status !== 200) throw new Error(`PUT /settings/rules: ${team.status} ${JSON.stringify(team.body)}`);
  const phases: Phase[] = [];
  for (const [b, mode] of ORDER.entries()) {
    const set = await httpJson(server.url, 'PATCH', `/api/v1/pools/${poolId}`, { rules: mode === 'on' ? ALL_RULES : NO_RULES }, mgr);
    if (set.status !== 200) throw new Error(`PATCH /pools/${poolId}: ${set.status} ${JSON.stringify(set.body)}`);
    const got = (set.body.effectiveRules ?? set.body.rules ?? {}) as PoolRules;
    if (mode === 'on' ? got.hoardingLimit !== 1000 || got.diversity?.mode !== 'percent' || got.dailyCap === undefined : Object.keys(got).length !== 0) {
      throw new Error(`pool rules not as set: ${JSON.stringify(set.body)}`);
    }
    const feed = feeds[b]!;
    let cpuAtMeasure = -1;
    const cpuStart = setTimeout(() => (cpuAtMeasure = procCpuUs(server.pid)), warmup * 1000); // after the warm-up
    const r: LoadResult = await runLoad({
      url: server.url,
      connections,
      seconds,
      warmupSeconds: warmup,
      next: (w) => {
        const id = feed.next();
        return id === null ? null : { method: 'POST', path: `/api/v1/leads/${id}/claim`, token: tokens[w % tokens.length]! };
      },
      onTick: (n, el) => progress(`fair play over HTTP, rules ${mode}: ${fmtInt(n)} measured, ${el.toFixed(1)} s`),
    });
    clearTimeout(cpuStart);
    const cpuUs = cpuAtMeasure < 0 ? NaN : procCpuUs(server.pid) - cpuAtMeasure;
    contactPass(side);
    const ok = r.statuses['200'] ?? 0;
    const p: Phase = { mode, claims: r.requests, seconds: r.seconds, perSecond: r.perSecond, latency: r.latency, refused: r.requests - ok, statuses: r.statuses, cpuUsPerClaim: cpuUs / r.requests };
    phases.push(p);
    progressDone(
      `  HTTP claim, ${connections} conns, rules ${mode.padEnd(3)} (block ${b + 1}/${ORDER.length}) ${fmtInt(p.perSecond).padStart(7)} claims/s  p50 ${fmt(p.latency.p50, 2)} ms  p99 ${fmt(p.latency.p99, 2)} ms  server CPU ${fmtInt(p.cpuUsPerClaim)} µs/claim  (${fmtInt(r.requests)} in ${r.seconds.toFixed(1)} s; statuses ${JSON.stringify(r.statuses)}${r.errors ? `, ${r.errors} errors` : ''})`,
    );
    for (const f of r.failures) console.log(`    ! ${f}`);
  }
  return phases;
}

/** Counts executions per SQL text on a second store instance: which statements a claim runs with rules on and off. */
async function ruleQueryChecks(file: string, poolId: number, feed: IdFeed, claims: number): Promise<RuleQueryCheck[]> {
  const reps = repIds(file);
  const store = new SqliteStore(file, { checkpointInBackground: true });
  const prof = new SqlProfile(store.db);
  const run = async (rules: PoolRules) => {
    await store.updatePool(poolId, { rules }, ACTOR_SYS, Date.now());
    prof.reset();
    for (let i = 0; i < claims; i++) {
      const id = feed.next();
      if (id === null) throw new Error('fairplay: id feed ran out');
      await store.claim(id, { kind: 'user', userId: reps[i % reps.length]!, role: 'rep', name: 'Bench Rep' }, Date.now());
    }
    return new Map(prof.snapshot().map((x) => [x.sql, x.calls]));
  };
  const off = await run(NO_RULES);
  const on = await run(ALL_RULES);
  await store.close();
  const ro = new Database(file, { readonly: true });
  const rep = reps[0]!;
  const now = Date.now();
  const day = now - (now % 86_400_000);
  const params = (sql: string): unknown[] =>
    sql.includes('owner_id = ?') ? [rep] : sql.includes('claimed_at >= ?') ? [rep, poolId, day] : sql.includes('LIMIT ?') ? [rep, poolId, 20] : [rep, poolId];
  const out: RuleQueryCheck[] = [];
  for (const [sql, n] of on) {
    const perOn = n / claims;
    const perOff = (off.get(sql) ?? 0) / claims;
    if (perOn - perOff < 0.5 || !/^\s*SELECT/i.test(sql)) continue;
    const p = params(sql);
    const plan = (ro.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as { detail: string }[]).map((x) => x.detail);
    const st = ro.prepare(sql);
    const t = performance.now();
    const reps2 = 2000;
    for (let i = 0; i < reps2; i++) (sql.includes('LIMIT ?') ? st.all(...p) : st.get(...p));
    out.push({ sql: sql.replace(/\s+/g, ' ').trim(), perClaimOn: perOn, perClaimOff: perOff, plan, usAlone: ((performance.now() - t) * 1000) / reps2 });
  }
  // For comparison: the one primary-key read a counter row would cost instead (rep_pool_counters).
  {
    const sql = 'SELECT * FROM rep_pool_counters WHERE user_id = ? AND pool_id = ?';
    const st = ro.prepare(sql);
    const t = performance.now();
    for (let i = 0; i < 2000; i++) st.get(rep, poolId);
    out.push({ sql: `(comparison, not run by a claim) ${sql}`, perClaimOn: 0, perClaimOff: 0, plan: (ro.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(rep, poolId) as { detail: string }[]).map((x) => x.detail), usAlone: ((performance.now() - t) * 1000) / 2000 });
  }
  ro.close();
  return out;
}

export async function runFairplay(
  file: string,
  poolId: number,
  ids: Int32Array,
  startServer: () => Promise<ServerChild>,
  opts: { seconds: number; connections: number; leads: number },
): Promise<FairplayResult> {
  // Id ranges: the in-process blocks, the HTTP blocks, a verification range. A block ends after
  // `seconds` or when its range runs out (the quick mode's small database). Each block may hold
  // at most 1,000 × 50 reps / 2 uncontacted leads, so no rep nears the hoarding limit of 1,000.
  const perIp = Math.min(Math.floor(opts.leads * 0.3 / ORDER.length), 25_000);
  const perHttp = Math.min(Math.floor(opts.leads * 0.45 / ORDER.length), 25_000);
  let at = 0;
  const take = (n: number) => {
    const f = new IdFeed(ids, at, at + n);
    at += n;
    return f;
  };
  const ipFeeds = ORDER.map(() => take(perIp));
  const httpFeeds = ORDER.map(() => take(perHttp));
  const checkFeed = take(400);

  console.log(`  in process (store.claim(), one caller; blocks of ≤ ${fmtInt(perIp)} claims or ${opts.seconds} s):`);
  const side = new Database(file);
  side.pragma('busy_timeout = 10000');
  const ipPhases = await inProcess(file, poolId, ipFeeds, opts.seconds, side);
  const ipTotals = totals(ipPhases);
  console.log(
    `  in process: rules on ${fmtInt(ipTotals.on.perSecond)}/s vs off ${fmtInt(ipTotals.off.perSecond)}/s = ${fmt(ipTotals.ratio, 2)}× (refused ${ipTotals.refused}); CPU per claim ${fmtInt(ipTotals.on.cpuUsPerClaim)} vs ${fmtInt(ipTotals.off.cpuUsPerClaim)} µs = ${fmt(ipTotals.cpuRatio, 2)}×`,
  );

  const server = await startServer();
  let httpPhases: Phase[];
  try {
    console.log(`  over HTTP (server child pid ${server.pid}, ${opts.connections} connections, blocks of ≤ ${fmtInt(perHttp)} claims or ${opts.seconds} s after ${perHttp >= 10_000 ? 1 : 0.2} s warm-up):`);
    // A small block (quick mode) would be used up by a whole second of warm-up.
    httpPhases = await overHttp(server, poolId, httpFeeds, opts.seconds, opts.connections, side, perHttp >= 10_000 ? 1 : 0.2);
  } catch (err) {
    console.error(`server stderr tail:\n${server.stderrTail()}`);
    throw err;
  } finally {
    await server.stop();
  }
  const httpTotals = totals(httpPhases);
  console.log(
    `  over HTTP: rules on ${fmtInt(httpTotals.on.perSecond)}/s vs off ${fmtInt(httpTotals.off.perSecond)}/s = ${fmt(httpTotals.ratio, 2)}× (non-200 ${httpTotals.refused}); server CPU per claim ${fmtInt(httpTotals.on.cpuUsPerClaim)} vs ${fmtInt(httpTotals.off.cpuUsPerClaim)} µs = ${fmt(httpTotals.cpuRatio, 2)}×`,
  );

  side.close();
  const checks = await ruleQueryChecks(file, poolId, checkFeed, 200);
  console.log(`  the rule checks run (statements executed per claim, rules on vs off; plan; cost of the statement alone on this database):`);
  for (const c of checks) {
    console.log(`    ${fmt(c.perClaimOn, 2)} vs ${fmt(c.perClaimOff, 2)}  ${fmt(c.usAlone, 1).padStart(6)} µs  ${c.sql.slice(0, 110)}`);
    for (const p of c.plan) console.log(`        plan: ${p}`);
  }
  const ro = new Database(file, { readonly: true });
  const refusedEvents = ro.prepare(`SELECT COUNT(*) FROM events WHERE type = 'lead.claim_refused'`).pluck().get() as number;
  const held = ro.prepare(`SELECT COUNT(*) AS n FROM leads WHERE owner_id IS NOT NULL AND status IN ('claimed', 'assigned') GROUP BY owner_id`).pluck().all() as number[];
  ro.close();
  const heldPerRepAtEnd = { max: Math.max(0, ...held), mean: held.length ? held.reduce((a, b) => a + b, 0) / held.length : 0 };
  console.log(`  lead.claim_refused events in the database: ${refusedEvents}; leads held uncontacted per rep at the end: max ${heldPerRepAtEnd.max}, mean ${fmt(heldPerRepAtEnd.mean, 0)}`);
  return { inProcess: { phases: ipPhases, totals: ipTotals }, http: { phases: httpPhases, totals: httpTotals, connections: opts.connections }, refusedEvents, checks, heldPerRepAtEnd };
}
