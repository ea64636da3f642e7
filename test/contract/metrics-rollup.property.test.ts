/**
 * The measurement rollup against the raw facts, on both stores: random claims, contacts,
 * outcomes, releases, skips, reassignments and expiries over several days of a TestClock,
 * then random ranges (whole days, edges inside a day, shorter than a day, per pool). Counts,
 * sums and means must equal a computation from the claims table; percentiles must be within
 * the documented bucket error of the exact nearest-rank value.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Random } from '../../src/core/random.js';
import { DAY, HOUR, MINUTE, TestClock } from '../../src/core/clock.js';
import { percentile } from '../../src/core/metrics.js';
import { PERCENTILE_MAX_ERROR } from '../../src/core/duration-histogram.js';
import type { DurationStats, MetricsFacts } from '../../src/core/metrics.js';
import type { Store, UserActor } from '../../src/store/store.js';
import type { Lead } from '../../src/core/types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { STORES, openStore, usePgDatabase } from './stores.js';
import { SYSTEM, buildLead, buildPool, buildRep } from './builders.js';

const pgdb = STORES.includes('postgres') ? usePgDatabase() : null;
const INDUSTRIES = ['Retail', 'Software', 'Banking'];

interface RawClaim {
  user_id: number;
  pool_id: number;
  source: string;
  claimed_at: number;
  lead_created_at: number;
  score: number;
  industry: string;
  score_percentile: number | null;
  industry_share: number | null;
  first_contact_at: number | null;
  end_reason: string | null;
  outcome: string | null;
}

async function rawClaims(store: Store): Promise<RawClaim[]> {
  const sql = 'SELECT user_id, pool_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share, first_contact_at, end_reason, outcome FROM claims';
  const rows = store instanceof SqliteStore ? (store.db.prepare(sql).all() as Record<string, unknown>[]) : (await (store as PostgresStore).pool.query(sql)).rows;
  return rows.map((r) => ({
    ...(r as unknown as RawClaim),
    user_id: Number(r.user_id),
    pool_id: Number(r.pool_id),
    claimed_at: Number(r.claimed_at),
    lead_created_at: Number(r.lead_created_at),
    first_contact_at: r.first_contact_at === null ? null : Number(r.first_contact_at),
  }));
}

/** A percentile read from buckets is within one bucket's width of the exact one. */
function expectDuration(got: DurationStats, values: number[], what: string): void {
  const sorted = [...values].sort((a, b) => a - b);
  expect(got.count, what).toBe(sorted.length);
  if (sorted.length === 0) {
    expect(got, what).toEqual({ count: 0, meanMs: null, p50Ms: null, p90Ms: null });
    return;
  }
  expect(got.meanMs!, what).toBeCloseTo(sorted.reduce((a, v) => a + v, 0) / sorted.length, 3);
  for (const [p, v] of [[50, got.p50Ms], [90, got.p90Ms]] as const) {
    const exact = percentile(sorted, p)!;
    expect(Math.abs(v! - exact), `${what} p${p}: ${v} vs exact ${exact}`).toBeLessThanOrEqual(exact * PERCENTILE_MAX_ERROR + 1e-6);
  }
}

interface RawRefusal {
  user_id: number;
  pool_id: number | null;
  at: number;
  rule: string;
}

async function rawRefusals(store: Store): Promise<RawRefusal[]> {
  const events = await store.eventsAfter(0, 100_000);
  return events
    .filter((e) => e.type === 'lead.claim_refused')
    .map((e) => ({ user_id: e.actorId!, pool_id: e.poolId, at: e.at, rule: String((e.data as { rule: string }).rule) }));
}

function check(f: MetricsFacts, raw: RawClaim[], from: number, to: number, poolId: number | null, refused: RawRefusal[]): void {
  const inRange = raw.filter((c) => c.claimed_at >= from && c.claimed_at < to && (poolId === null || c.pool_id === poolId));
  const byReps = inRange.filter((c) => c.source !== 'manager');
  const where = `[${new Date(from).toISOString()}, ${new Date(to).toISOString()}) pool ${poolId}`;
  expectDuration(f.arrivalToClaim, byReps.map((c) => c.claimed_at - c.lead_created_at), `arrival→claim ${where}`);
  const contacted = byReps.filter((c) => c.first_contact_at !== null);
  expectDuration(f.claimToContact, contacted.map((c) => c.first_contact_at! - c.claimed_at), `claim→contact ${where}`);
  const days = [...new Set(byReps.map((c) => c.claimed_at - (c.claimed_at % DAY)))].sort((a, b) => a - b);
  expect(f.arrivalToClaimDaily.map((d) => d.day), where).toEqual(days);
  for (const d of f.arrivalToClaimDaily) {
    expectDuration(d, byReps.filter((c) => c.claimed_at - (c.claimed_at % DAY) === d.day).map((c) => c.claimed_at - c.lead_created_at), `daily ${d.day} ${where}`);
  }
  const sources = [...new Set(inRange.map((c) => c.source))].sort();
  expect(f.bySource, where).toEqual(
    sources.map((source) => {
      const of = inRange.filter((c) => c.source === source);
      return { source, claims: of.length, contacted: of.filter((c) => c.first_contact_at !== null).length, converted: of.filter((c) => c.outcome === 'converted').length };
    }),
  );
  const refusals = new Map<string, { userId: number; rule: string; count: number }>();
  for (const r of refused.filter((x) => x.at >= from && x.at < to && (poolId === null || x.pool_id === poolId))) {
    const cell = refusals.get(`${r.user_id}|${r.rule}`) ?? { userId: r.user_id, rule: r.rule, count: 0 };
    cell.count++;
    refusals.set(`${r.user_id}|${r.rule}`, cell);
  }
  const byKey = (a: { userId: number; rule: string }, b: { userId: number; rule: string }) => a.userId - b.userId || a.rule.localeCompare(b.rule);
  expect([...f.refusals].sort(byKey), `refusals ${where}`).toEqual([...refusals.values()].sort(byKey));
  const reps = [...new Set(byReps.map((c) => c.user_id))].sort((a, b) => a - b);
  expect(f.perRep.map((r) => r.userId).sort((a, b) => a - b), where).toEqual(reps);
  for (const r of f.perRep) {
    const mine = byReps.filter((c) => c.user_id === r.userId);
    const measured = mine.filter((c) => c.score_percentile !== null);
    expect(r, `rep ${r.userId} ${where}`).toMatchObject({
      claims: mine.length,
      measured: measured.length,
      expired: mine.filter((c) => c.end_reason === 'expired').length,
      released: mine.filter((c) => c.end_reason === 'released').length,
      skipped: mine.filter((c) => c.end_reason === 'skipped').length,
      contacted: mine.filter((c) => c.first_contact_at !== null).length,
      converted: mine.filter((c) => c.outcome === 'converted').length,
      scoreSum: mine.reduce((a, c) => a + c.score, 0),
      bands: Array.from({ length: 10 }, (_, b) => mine.filter((c) => Math.min(9, Math.floor(c.score / 10)) === b).length),
    });
    if (measured.length === 0) expect(r.meanPercentile).toBeNull();
    else expect(r.meanPercentile!).toBeCloseTo(measured.reduce((a, c) => a + c.score_percentile!, 0) / measured.length, 9);
    const industries = [...new Set(mine.map((c) => c.industry))].sort();
    expect(Object.keys(r.industries).sort()).toEqual(industries);
    for (const i of industries) {
      const of = mine.filter((c) => c.industry === i);
      expect(r.industries[i]!.claimed).toBe(of.length);
      expect(r.industries[i]!.expectedShareSum).toBeCloseTo(of.reduce((a, c) => a + (c.industry_share ?? 0), 0), 9);
    }
    expectDuration(r.claimToContact, mine.filter((c) => c.first_contact_at !== null).map((c) => c.first_contact_at! - c.claimed_at), `rep ${r.userId} claim→contact ${where}`);
  }
}

/** Random work on a few days of a TestClock: every path that writes or changes a claim. */
async function randomHistory(store: Store, seed: number, clock: TestClock): Promise<number[]> {
  const rnd = new Random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rnd.int(0, xs.length - 1)]!;
  const pool = await buildPool(store, 'pool', 900, clock.now());
  const queue = await buildPool(store, 'queue', 600, clock.now());
  // Limits that refuse some claims (each refusal is an audit event the rollup counts).
  await store.updatePool(pool, { rules: { hoardingLimit: 2, diversity: { mode: 'ratio', threshold: 70 } } }, SYSTEM, clock.now());
  await store.updatePool(queue, { rules: { dailyCap: 3 } }, SYSTEM, clock.now());
  const reps: UserActor[] = [];
  for (let i = 0; i < 3; i++) reps.push(await buildRep(store, 'rep', clock.now()));
  const manager = await buildRep(store, 'manager', clock.now());
  const leadIds: number[] = [];
  const ignore = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      if (!(err as { code?: string }).code) throw err; // only refusals of the domain are expected
    }
  };
  const leads = async (): Promise<Lead[]> => store.getLeads(leadIds);
  const held = (ls: Lead[]) => ls.filter((l) => l.ownerId !== null && ['claimed', 'assigned', 'contacted', 'qualified'].includes(l.status));
  const actorOf = (l: Lead) => reps.find((r) => r.userId === l.ownerId) ?? manager;
  for (let step = 0; step < 100; step++) {
    const op = rnd.int(0, 17);
    const now = clock.now();
    if (op <= 1) {
      const p = pick([pool, queue]);
      const r = await store.insertLeads(
        Array.from({ length: rnd.int(1, 4) }, () => buildLead({ poolId: p, score: rnd.int(0, 100), industry: pick(INDUSTRIES) })),
        p,
        SYSTEM,
        now,
      );
      leadIds.push(...r.created.map((l) => l.id));
    } else if (op === 2) {
      await store.snapshotPoolMix(pick([pool, queue]), now);
    } else if (op <= 4) {
      const waiting = (await leads()).filter((l) => l.status === 'available' && l.poolId === pool);
      if (waiting.length) await ignore(store.claim(pick(waiting).id, pick(reps), now));
    } else if (op === 5) {
      await ignore(store.claimNext(queue, pick(reps), now));
    } else if (op <= 7) {
      const h = held(await leads());
      if (h.length) {
        const l = pick(h);
        await ignore(store.logActivity(l.id, actorOf(l), { type: 'call', note: null }, now));
      }
    } else if (op === 8) {
      const h = held(await leads()).filter((l) => l.status === 'contacted' || l.status === 'qualified');
      if (h.length) {
        const l = pick(h);
        await ignore(store.setStatus(l.id, actorOf(l), pick(['qualified', 'converted', 'disqualified'] as const), null, now));
      }
    } else if (op === 9) {
      const h = held(await leads());
      if (h.length) {
        const l = pick(h);
        await ignore(store.release(l.id, actorOf(l), null, now));
      }
    } else if (op === 10) {
      const h = held(await leads()).filter((l) => l.claimSource === 'queue');
      if (h.length) {
        const l = pick(h);
        await ignore(store.skip(l.id, actorOf(l) as UserActor, 'other', null, now));
      }
    } else if (op === 11) {
      const open = (await leads()).filter((l) => !['converted', 'disqualified'].includes(l.status));
      if (open.length) await ignore(store.reassign(pick(open).id, pick(reps).userId, manager, null, now));
    } else if (op === 12) {
      await store.expireDueLocks(now, 100);
    } else {
      // Mostly minutes, sometimes hours: several UTC days with claims near their edges.
      clock.tick(rnd.chance(0.7) ? rnd.int(0, 40 * MINUTE) : rnd.int(2 * HOUR, 14 * HOUR));
    }
  }
  return [pool, queue];
}

for (const kind of STORES) {
  describe(`${kind} store: the measurement rollup`, () => {
    it('equals the raw facts for random histories and ranges (percentiles within one bucket)', async (ctx) => {
      if (kind === 'postgres' && pgdb?.skipped()) ctx.skip(`PostgreSQL tests skipped: ${pgdb.skipped()}`);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: DAY - 1 }), async (seed, offset) => {
          const opened = await openStore(kind, pgdb?.get() ?? null);
          try {
            const store = opened.store;
            const clock = new TestClock(Date.parse('2026-03-01T00:00:00Z') + offset);
            const start = clock.now();
            const pools = await randomHistory(store, seed, clock);
            const end = clock.now() + 1;
            const raw = await rawClaims(store);
            const refused = await rawRefusals(store);
            const rnd = new Random(seed ^ 0x5bd1e995);
            const dayStart = start - (start % DAY);
            const ranges: [number, number][] = [
              [start, end],
              [dayStart, dayStart + 3 * DAY], // whole days only
              [dayStart + DAY, end], // starts on a day edge, ends inside one
              [start + rnd.int(0, 6 * HOUR), start + rnd.int(6 * HOUR, 12 * HOUR)], // shorter than a day
            ];
            for (let i = 0; i < 3; i++) {
              const a = rnd.int(start - HOUR, end);
              const b = rnd.int(a + 1, end + DAY);
              ranges.push([a, b]);
            }
            for (const [from, to] of ranges) {
              for (const poolId of [null, ...pools]) {
                const f = await store.metricsFacts({ from, to, ...(poolId === null ? {} : { poolId }) }, end);
                check(f, raw, from, to, poolId, refused);
              }
            }
            // The oldest age bucket from the pools' waiting totals equals the one counted.
            const totals = new Map((await store.poolStats()).map((p) => [p.poolId, p.available]));
            const counted = await store.metricsFacts({ from: start, to: end }, end);
            expect((await store.metricsFacts({ from: start, to: end }, end, totals)).waiting).toEqual(counted.waiting);
            expect(counted.waiting.map((w) => w.buckets.reduce((a, n) => a + n, 0))).toEqual(pools.map((p) => totals.get(p)));
            for (const since of [dayStart, dayStart + DAY, start + rnd.int(0, end - start)]) {
              const exact = new Map<string, { userId: number; poolId: number; claims: number }>();
              for (const c of raw.filter((x) => x.claimed_at >= since && x.source !== 'manager')) {
                const k = `${c.user_id}|${c.pool_id}`;
                const e = exact.get(k) ?? { userId: c.user_id, poolId: c.pool_id, claims: 0 };
                e.claims++;
                exact.set(k, e);
              }
              const order = (xs: { userId: number; poolId: number }[]) => [...xs].sort((a, b) => a.userId - b.userId || a.poolId - b.poolId);
              expect(order(await store.claimCountsSince(since))).toEqual(order([...exact.values()]));
            }
          } finally {
            await opened.cleanup();
          }
        }),
        { numRuns: kind === 'postgres' ? 4 : 8 },
      );
    }, 240_000);
  });
}
