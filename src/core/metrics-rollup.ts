/**
 * The measurement rollup's arithmetic. The stores keep, per UTC day of the claim, pool, rep
 * and claim source, the counts and sums of every claim (migration 7, maintained by triggers
 * in the claim's transaction), duration histograms and the industry mix. A range reads the
 * rollup for its whole days and the raw claims of the partial days at its edges, folded here
 * the same way the triggers fold them, so counts, sums and means are exact for any range;
 * percentiles come from the buckets (duration-histogram.ts).
 */
import { addToHistogram, durationBucket, histogramStats, type DurationHistogram } from './duration-histogram.js';
import type { DailyDuration, MetricsFacts, RepFacts } from './metrics.js';

export const DAY_MS = 86_400_000;
const dayOf = (t: number) => t - (((t % DAY_MS) + DAY_MS) % DAY_MS);

/** Counts and sums of a set of claims, per rep and claim source (the pool already chosen). */
export interface RollupRow {
  userId: number;
  source: string;
  claims: number;
  measured: number;
  pctSum: number;
  scoreSum: number;
  contacted: number;
  expired: number;
  released: number;
  skipped: number;
  converted: number;
  /** Claims by score band 0-9 … 90-100. */
  bands: number[];
}

/** 'a': arrival to claim, per day (userId 0); 'c': claim to first contact, per rep (day 0). */
export interface HistRow {
  kind: 'a' | 'c';
  day: number;
  userId: number;
  bucket: number;
  n: number;
  total: number;
}

export interface MixRow {
  userId: number;
  industry: string;
  n: number;
  shareSum: number;
}

export interface RollupSlice {
  rows: RollupRow[];
  hist: HistRow[];
  mix: MixRow[];
}

/** One claim as stored (the facts row), for the partial days at a range's edges. */
export interface ClaimFact {
  userId: number;
  source: string;
  claimedAt: number;
  leadCreatedAt: number;
  score: number;
  industry: string;
  scorePercentile: number | null;
  industryShare: number | null;
  firstContactAt: number | null;
  endReason: string | null;
  outcome: string | null;
}

/** A range as the stores read it: rollup days, plus or minus the raw claims of partial days. */
export interface RangePlan {
  days: { from: number; to: number } | null;
  add: { from: number; to: number }[];
  subtract: { from: number; to: number }[];
}

/**
 * Splits [from, to) into whole UTC days read from the rollup and at most half a day of raw
 * claims at each edge: a partial day is either added from its claims inside the range, or
 * taken whole from the rollup with its claims outside the range subtracted, whichever reads
 * fewer hours. Nothing is stamped after `now`, so the part of today still to come is free:
 * a range that ends now reads no raw claims at its end.
 */
export function splitRange(from: number, to: number, now: number = Number.POSITIVE_INFINITY, claimsIn?: (from: number, to: number) => number): RangePlan {
  const plan: RangePlan = { days: null, add: [], subtract: [] };
  if (from >= to) return plan;
  // What reading a window's raw claims costs: their number when the store can count them
  // (an index count), else its length; nothing after now.
  const cost = (a: number, b: number) => (Math.min(b, now + 1) <= a ? 0 : claimsIn ? claimsIn(a, Math.min(b, now + 1)) : Math.min(b, now + 1) - a);
  let first = dayOf(from);
  let last = dayOf(to) === to ? to : dayOf(to) + DAY_MS; // days [first, last) cover the range
  if (last - first === DAY_MS) {
    // Inside one day: its raw claims in range, or the whole day less those outside it.
    if (cost(from, to) <= cost(first, from) + cost(to, last)) return { days: null, add: [{ from, to }], subtract: [] };
    plan.subtract.push(...[{ from: first, to: from }, { from: to, to: last }].filter((r) => r.from < r.to));
    return { ...plan, days: { from: first, to: last } };
  }
  if (from > first) {
    if (cost(from, first + DAY_MS) <= cost(first, from)) {
      plan.add.push({ from, to: first + DAY_MS });
      first += DAY_MS;
    } else plan.subtract.push({ from: first, to: from });
  }
  if (to < last) {
    if (cost(last - DAY_MS, to) < cost(to, last)) {
      plan.add.push({ from: last - DAY_MS, to });
      last -= DAY_MS;
    } else plan.subtract.push({ from: to, to: last });
  }
  if (first < last) plan.days = { from: first, to: last };
  return plan;
}

/** Every window splitRange may weigh, so a store can count their claims in one go first. */
export function edgeWindows(from: number, to: number, now: number = Number.POSITIVE_INFINITY): { from: number; to: number }[] {
  const asked: { from: number; to: number }[] = [];
  splitRange(from, to, now, (a, b) => {
    asked.push({ from: a, to: b });
    return b - a;
  });
  return asked;
}

/** The slice that takes these claims back out (all figures are sums). */
export function negated(s: RollupSlice): RollupSlice {
  return {
    rows: s.rows.map((r) => ({
      ...r,
      claims: -r.claims,
      measured: -r.measured,
      pctSum: -r.pctSum,
      scoreSum: -r.scoreSum,
      contacted: -r.contacted,
      expired: -r.expired,
      released: -r.released,
      skipped: -r.skipped,
      converted: -r.converted,
      bands: r.bands.map((n) => -n),
    })),
    hist: s.hist.map((h) => ({ ...h, n: -h.n, total: -h.total })),
    mix: s.mix.map((m) => ({ ...m, n: -m.n, shareSum: -m.shareSum })),
  };
}

const emptyRow = (userId: number, source: string): RollupRow => ({
  userId,
  source,
  claims: 0,
  measured: 0,
  pctSum: 0,
  scoreSum: 0,
  contacted: 0,
  expired: 0,
  released: 0,
  skipped: 0,
  converted: 0,
  bands: Array<number>(10).fill(0),
});

/** What the triggers would have added for these claims (managers' reassignments stay out of histograms and mix). */
export function rollupOfClaims(claims: readonly ClaimFact[]): RollupSlice {
  const rows = new Map<string, RollupRow>();
  const hist = new Map<string, HistRow>();
  const mix = new Map<string, MixRow>();
  const bump = (kind: 'a' | 'c', day: number, userId: number, ms: number) => {
    const bucket = durationBucket(ms);
    const k = `${kind}|${day}|${userId}|${bucket}`;
    const h = hist.get(k);
    if (h) {
      h.n++;
      h.total += ms;
    } else hist.set(k, { kind, day, userId, bucket, n: 1, total: ms });
  };
  for (const c of claims) {
    const key = `${c.userId}|${c.source}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = emptyRow(c.userId, c.source)));
    r.claims++;
    if (c.scorePercentile !== null) {
      r.measured++;
      r.pctSum += c.scorePercentile;
    }
    r.scoreSum += c.score;
    r.bands[Math.min(9, Math.floor(c.score / 10))]!++;
    if (c.firstContactAt !== null) r.contacted++;
    if (c.endReason === 'expired') r.expired++;
    if (c.endReason === 'released') r.released++;
    if (c.endReason === 'skipped') r.skipped++;
    if (c.outcome === 'converted') r.converted++;
    if (c.source === 'manager') continue;
    bump('a', dayOf(c.claimedAt), 0, c.claimedAt - c.leadCreatedAt);
    if (c.firstContactAt !== null) bump('c', 0, c.userId, c.firstContactAt - c.claimedAt);
    const mk = `${c.userId}|${c.industry}`;
    const m = mix.get(mk);
    if (m) {
      m.n++;
      m.shareSum += c.industryShare ?? 0;
    } else mix.set(mk, { userId: c.userId, industry: c.industry, n: 1, shareSum: c.industryShare ?? 0 });
  }
  return { rows: [...rows.values()], hist: [...hist.values()], mix: [...mix.values()] };
}

/** The claim figures of the overview from the slices of a range (rollup days and raw edges). */
export function factsFromRollup(slices: readonly RollupSlice[]): Pick<MetricsFacts, 'arrivalToClaim' | 'arrivalToClaimDaily' | 'claimToContact' | 'perRep' | 'bySource'> {
  const reps = new Map<number, RollupRow>();
  const sources = new Map<string, { source: string; claims: number; contacted: number; converted: number }>();
  const arrival: DurationHistogram = new Map();
  const daily = new Map<number, DurationHistogram>();
  const contact: DurationHistogram = new Map();
  const contactByRep = new Map<number, DurationHistogram>();
  const industries = new Map<number, Record<string, { claimed: number; expectedShareSum: number }>>();
  for (const s of slices) {
    for (const r of s.rows) {
      const src = sources.get(r.source) ?? { source: r.source, claims: 0, contacted: 0, converted: 0 };
      src.claims += r.claims;
      src.contacted += r.contacted;
      src.converted += r.converted;
      sources.set(r.source, src);
      if (r.source === 'manager') continue;
      let rep = reps.get(r.userId);
      if (!rep) reps.set(r.userId, (rep = emptyRow(r.userId, '')));
      rep.claims += r.claims;
      rep.measured += r.measured;
      rep.pctSum += r.pctSum;
      rep.scoreSum += r.scoreSum;
      rep.contacted += r.contacted;
      rep.expired += r.expired;
      rep.released += r.released;
      rep.skipped += r.skipped;
      rep.converted += r.converted;
      r.bands.forEach((n, i) => (rep.bands[i]! += n));
    }
    for (const h of s.hist) {
      if (h.kind === 'a') {
        addToHistogram(arrival, h.bucket, h.n, h.total);
        let d = daily.get(h.day);
        if (!d) daily.set(h.day, (d = new Map()));
        addToHistogram(d, h.bucket, h.n, h.total);
      } else {
        addToHistogram(contact, h.bucket, h.n, h.total);
        let d = contactByRep.get(h.userId);
        if (!d) contactByRep.set(h.userId, (d = new Map()));
        addToHistogram(d, h.bucket, h.n, h.total);
      }
    }
    for (const m of s.mix) {
      let ind = industries.get(m.userId);
      if (!ind) industries.set(m.userId, (ind = {}));
      const cell = (ind[m.industry] ??= { claimed: 0, expectedShareSum: 0 });
      cell.claimed += m.n;
      cell.expectedShareSum += m.shareSum;
    }
  }
  const perRep: RepFacts[] = [...reps.values()]
    .filter((r) => r.claims > 0)
    .map((r) => ({
      userId: r.userId,
      claims: r.claims,
      measured: r.measured,
      meanPercentile: r.measured ? r.pctSum / r.measured : null,
      expired: r.expired,
      released: r.released,
      skipped: r.skipped,
      contacted: r.contacted,
      converted: r.converted,
      scoreSum: r.scoreSum,
      bands: r.bands,
      industries: Object.fromEntries(Object.entries(industries.get(r.userId) ?? {}).filter(([, v]) => v.claimed > 0)),
      claimToContact: histogramStats(contactByRep.get(r.userId) ?? new Map()),
    }));
  const arrivalToClaimDaily: DailyDuration[] = [...daily.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([day, h]) => ({ day, ...histogramStats(h) }))
    .filter((d) => d.count > 0);
  return {
    arrivalToClaim: histogramStats(arrival),
    arrivalToClaimDaily,
    claimToContact: histogramStats(contact),
    perRep,
    bySource: [...sources.values()].filter((s) => s.claims > 0).sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)),
  };
}

export interface RefusalCount {
  userId: number;
  rule: string;
  count: number;
}

/** Refusals of a range: the rollup's days plus and minus the raw events at the edges. */
export function sumRefusals(parts: readonly { sign: 1 | -1; rows: readonly RefusalCount[] }[]): RefusalCount[] {
  const sums = new Map<string, RefusalCount>();
  for (const p of parts) {
    for (const r of p.rows) {
      const k = `${r.userId}|${r.rule}`;
      const cell = sums.get(k) ?? { userId: r.userId, rule: r.rule, count: 0 };
      cell.count += p.sign * r.count;
      sums.set(k, cell);
    }
  }
  return [...sums.values()].filter((r) => r.count > 0);
}
