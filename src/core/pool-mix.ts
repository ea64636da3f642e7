/**
 * The mix of leads waiting in a pool: counts by industry and score band (0-9, 10-19, …, 90-100).
 * A claim is placed against it to see whether a rep takes what is there or picks the best.
 */
export interface PoolMix {
  waiting: number;
  /** industry → 10 band counts */
  byIndustry: Record<string, number[]>;
}

export const BANDS = 10;
export const bandOf = (score: number): number => Math.min(BANDS - 1, Math.floor(score / 10));

export function emptyMix(): PoolMix {
  return { waiting: 0, byIndustry: {} };
}

/**
 * Where a score stands among the waiting leads, 0 to 1: the share below it plus half the
 * share in its own band (the mid-rank, so taking a random lead averages 0.5).
 */
export function scorePercentile(mix: PoolMix, score: number): number | null {
  if (mix.waiting === 0) return null;
  return percentileNumerators(mix)[bandOf(score)]! / mix.waiting;
}

/**
 * Per band: the waiting leads below it plus half of those in it, the numerator of
 * `scorePercentile`. Counts are integers, so the sums are exact in any order; a store may
 * keep these ten numbers with the snapshot instead of summing the mix at every claim.
 */
export function percentileNumerators(mix: PoolMix): number[] {
  const totals = Array<number>(BANDS).fill(0);
  for (const bands of Object.values(mix.byIndustry)) for (let i = 0; i < BANDS; i++) totals[i]! += bands[i] ?? 0;
  let below = 0;
  return totals.map((n) => {
    const at = below + n / 2;
    below += n;
    return at;
  });
}

/** industry → waiting leads of that industry. */
export function industryTotals(mix: PoolMix): Record<string, number> {
  return Object.fromEntries(Object.entries(mix.byIndustry).map(([k, bands]) => [k, bands.reduce((a, n) => a + n, 0)]));
}

export function industryShare(mix: PoolMix, industry: string): number | null {
  if (mix.waiting === 0) return null;
  const bands = mix.byIndustry[industry];
  return bands ? bands.reduce((a, n) => a + n, 0) / mix.waiting : 0;
}
