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
  const b = bandOf(score);
  let below = 0;
  let same = 0;
  for (const bands of Object.values(mix.byIndustry)) {
    for (let i = 0; i < b; i++) below += bands[i] ?? 0;
    same += bands[b] ?? 0;
  }
  return (below + same / 2) / mix.waiting;
}

export function industryShare(mix: PoolMix, industry: string): number | null {
  if (mix.waiting === 0) return null;
  const bands = mix.byIndustry[industry];
  return bands ? bands.reduce((a, n) => a + n, 0) / mix.waiting : 0;
}
