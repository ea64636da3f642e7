/**
 * The manager's measurements, computed from aggregates the store fetched. Pure functions:
 * the simulator reports the same numbers from its own runs.
 */

/** Gini coefficient of non-negative values: 0 is perfectly even, towards 1 one rep gets everything. */
export function gini(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const total = sorted.reduce((a, v) => a + v, 0);
  if (total === 0) return 0;
  // G = (2 Σ i·x_i) / (n Σ x) − (n + 1) / n, with i from 1 over ascending x.
  let weighted = 0;
  sorted.forEach((v, i) => (weighted += (i + 1) * v));
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/** Nearest-rank percentile of ascending values (p in 0..100); null when there are none. */
export function percentile(sortedAsc: readonly number[], p: number): number | null {
  if (sortedAsc.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[rank - 1]!;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, v) => a + v, 0) / values.length;
}

export interface DurationStats {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
}

export function durationStats(sortedAsc: readonly number[]): DurationStats {
  return { count: sortedAsc.length, meanMs: mean(sortedAsc), p50Ms: percentile(sortedAsc, 50), p90Ms: percentile(sortedAsc, 90) };
}

/** Age buckets for waiting leads, upper bounds in minutes; the last bucket is open. */
export const AGE_BUCKETS_MIN = [5, 15, 30, 60, 120, 240, 480, 1440] as const;
export const AGE_BUCKET_LABELS = ['<5m', '5–15m', '15–30m', '30–60m', '1–2h', '2–4h', '4–8h', '8–24h', '>24h'] as const;

/**
 * The age buckets of a pool from the counts of its young buckets (AGE_BUCKETS_MIN, newest
 * first) and either a count of the open oldest bucket or the pool's waiting total: counting
 * the young ones reads a day of arrivals, counting the oldest would read every waiting lead.
 */
export function ageBuckets(young: readonly number[], oldest: { count: number } | { total: number }): number[] {
  const sum = young.reduce((a, n) => a + n, 0);
  return [...young, 'count' in oldest ? oldest.count : Math.max(0, oldest.total - sum)];
}

/**
 * The cherry-pick index of a rep: the mean percentile of the scores they claimed among the
 * leads waiting at the time, on 0–100. Taking whatever comes scores about 50; always taking
 * the best scores near 100. Null without enough measured claims to mean anything.
 */
export function cherryPickIndex(meanPercentile: number | null, measuredClaims: number, minClaims = 5): number | null {
  if (meanPercentile === null || measuredClaims < minClaims) return null;
  return Math.round(meanPercentile * 1000) / 10;
}

/**
 * Industry tilt: how far a rep's claimed industry mix is from the mix that was waiting when
 * they claimed (total variation distance, 0–100). 0 takes the pool as it comes.
 */
export function industryTilt(claimedByIndustry: Record<string, number>, expectedShareSum: Record<string, number>): number | null {
  const total = Object.values(claimedByIndustry).reduce((a, n) => a + n, 0);
  if (total === 0) return null;
  const industries = new Set([...Object.keys(claimedByIndustry), ...Object.keys(expectedShareSum)]);
  let distance = 0;
  let expectedSeen = 0;
  for (const i of industries) {
    distance += Math.abs((claimedByIndustry[i] ?? 0) / total - (expectedShareSum[i] ?? 0) / total);
    expectedSeen += expectedShareSum[i] ?? 0;
  }
  // The industries the rep never claimed were waiting too: their share is what is left.
  distance += Math.max(0, total - expectedSeen) / total;
  return Math.round((distance / 2) * 1000) / 10;
}

/** What the store aggregates for the measurements (see Store.metricsFacts and metrics-rollup.ts). */
export interface RepFacts {
  userId: number;
  claims: number;
  /** Claims with a measured percentile (a mix snapshot existed), and their mean. */
  measured: number;
  meanPercentile: number | null;
  expired: number;
  released: number;
  skipped: number;
  contacted: number;
  converted: number;
  scoreSum: number;
  /** Claims by score band 0-9 … 90-100. */
  bands: number[];
  /** industry → claims, and the sum of that industry's waiting share at each of the rep's claims. */
  industries: Record<string, { claimed: number; expectedShareSum: number }>;
  /** Percentiles from log-scale buckets (duration-histogram.ts); count and mean exact. */
  claimToContact: DurationStats;
}

export interface MetricsFacts {
  /** Arrival to claim of the claims in the range; percentiles from buckets. */
  arrivalToClaim: DurationStats;
  /** The same by UTC day of the claim, for a chart over time. */
  arrivalToClaimDaily: DailyDuration[];
  /** Claim to first contact; percentiles from buckets. */
  claimToContact: DurationStats;
  perRep: RepFacts[];
  bySource: { source: string; claims: number; contacted: number; converted: number }[];
  /** Per pool: waiting leads now by age bucket (AGE_BUCKETS_MIN), and the oldest arrival. */
  waiting: { poolId: number; buckets: number[]; oldestAt: number | null }[];
  reviewWaiting: number;
  refusals: { userId: number; rule: string; count: number }[];
}

export interface DailyDuration extends DurationStats {
  /** Start of the UTC day, epoch ms. */
  day: number;
}
