/**
 * Durations kept as log-scale histograms, so the measurements need no list of every claim.
 *
 * Bucket 0 holds durations under 1 ms; bucket b ≥ 1 holds [2^((b−1)/8), 2^(b/8)) ms: eight
 * buckets per doubling, each 9.05% wide. Every bucket keeps its count and the sum of its
 * durations, so a percentile is read as the mean of the bucket the nearest rank falls in.
 * That is exact when the bucket's durations are equal and otherwise off by less than the
 * bucket's width: within 9.1% of the true nearest-rank percentile, typically far less
 * (the values in a bucket are spread over it). Counts and means are exact.
 *
 * The stores compute the same bucket in SQL (migration 7: 1 + CAST(log2(ms) * 8 AS INTEGER)).
 */
import type { DurationStats } from './metrics.js';

export const BUCKETS_PER_DOUBLING = 8;
/** Largest relative error of a percentile read from the buckets (one bucket's width). */
export const PERCENTILE_MAX_ERROR = 2 ** (1 / BUCKETS_PER_DOUBLING) - 1;

export function durationBucket(ms: number): number {
  return ms < 1 ? 0 : 1 + Math.floor(Math.log2(ms) * BUCKETS_PER_DOUBLING);
}

/** bucket → [count, sum of ms]. */
export type DurationHistogram = Map<number, [number, number]>;

export function addToHistogram(h: DurationHistogram, bucket: number, n: number, total: number): void {
  const cell = h.get(bucket);
  if (cell) {
    cell[0] += n;
    cell[1] += total;
  } else if (n !== 0) h.set(bucket, [n, total]);
}

export function mergeHistograms(into: DurationHistogram, from: DurationHistogram): void {
  for (const [b, [n, t]] of from) addToHistogram(into, b, n, t);
}

/** Count, exact mean, and p50/p90 from the buckets (nearest rank, as `percentile`). */
export function histogramStats(h: DurationHistogram): DurationStats {
  const cells = [...h.entries()].filter(([, [n]]) => n > 0).sort((a, b) => a[0] - b[0]);
  let count = 0;
  let sum = 0;
  for (const [, [n, t]] of cells) {
    count += n;
    sum += t;
  }
  if (count === 0) return { count: 0, meanMs: null, p50Ms: null, p90Ms: null };
  const at = (p: number): number => {
    const rank = Math.max(1, Math.ceil((p / 100) * count));
    let seen = 0;
    for (const [, [n, t]] of cells) {
      seen += n;
      if (seen >= rank) return t / n;
    }
    const [, [n, t]] = cells[cells.length - 1]!;
    return t / n;
  };
  return { count, meanMs: sum / count, p50Ms: at(50), p90Ms: at(90) };
}
