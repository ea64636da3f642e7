import { describe, expect, it } from 'vitest';
import { cherryPickIndex, durationStats, gini, industryTilt, percentile } from '../../src/core/metrics.js';

describe('metrics', () => {
  it('Gini is 0 for an even split and (n-1)/n when one rep gets everything', () => {
    expect(gini([5, 5, 5, 5])).toBe(0);
    expect(gini([0, 0, 0, 12])).toBeCloseTo(0.75);
    expect(gini([1, 2, 3, 4])).toBeCloseTo(0.25);
    expect(gini([])).toBe(0);
  });
  it('percentiles are nearest-rank', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 90)).toBe(90);
    expect(durationStats(v)).toEqual({ count: 10, meanMs: 55, p50Ms: 50, p90Ms: 90 });
    expect(durationStats([])).toEqual({ count: 0, meanMs: null, p50Ms: null, p90Ms: null });
  });
  it('the cherry-pick index is the mean claimed percentile on 0–100, only with enough claims', () => {
    expect(cherryPickIndex(0.83, 20)).toBe(83);
    expect(cherryPickIndex(0.83, 3)).toBeNull();
  });
  it('industry tilt is 0 when a rep takes the waiting mix and grows as they pick', () => {
    expect(industryTilt({ A: 5, B: 5 }, { A: 5, B: 5 })).toBe(0);
    expect(industryTilt({ A: 10 }, { A: 5, B: 5 })).toBe(50);
    // Only the claimed industries' shares are known; the rest of what waited was elsewhere.
    expect(industryTilt({ A: 10 }, { A: 5 })).toBe(50);
  });
});
