import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { durationBucket, histogramStats, PERCENTILE_MAX_ERROR, type DurationHistogram } from '../../src/core/duration-histogram.js';
import { splitRange, DAY_MS } from '../../src/core/metrics-rollup.js';
import { percentile } from '../../src/core/metrics.js';

const D = Date.parse('2026-03-02T00:00:00Z');
const H = 3_600_000;

describe('duration histograms', () => {
  it('buckets are 8 per doubling from 1 ms, and sub-millisecond durations have their own', () => {
    expect([0, 0.5, 1, 2, 4, 1024].map(durationBucket)).toEqual([0, 0, 1, 9, 17, 81]);
    expect(durationBucket(2 ** (1 / 8) - 1e-9)).toBe(1);
  });

  it('count and mean are exact; percentiles are within one bucket of the nearest rank, exact when a bucket holds equal values', () => {
    const h: DurationHistogram = new Map();
    for (const ms of [300_000, 300_000, 300_000, 600_000]) {
      const cell = h.get(durationBucket(ms)) ?? [0, 0];
      h.set(durationBucket(ms), [cell[0] + 1, cell[1] + ms]);
    }
    expect(histogramStats(h)).toEqual({ count: 4, meanMs: 375_000, p50Ms: 300_000, p90Ms: 600_000 });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * DAY_MS }), { minLength: 1, maxLength: 300 }), (values) => {
        const hist: DurationHistogram = new Map();
        for (const v of values) {
          const cell = hist.get(durationBucket(v)) ?? [0, 0];
          hist.set(durationBucket(v), [cell[0] + 1, cell[1] + v]);
        }
        const sorted = [...values].sort((a, b) => a - b);
        const s = histogramStats(hist);
        expect(s.count).toBe(values.length);
        expect(s.meanMs).toBeCloseTo(values.reduce((a, v) => a + v, 0) / values.length, 6);
        for (const [p, got] of [[50, s.p50Ms!], [90, s.p90Ms!]] as const) {
          const exact = percentile(sorted, p)!;
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * PERCENTILE_MAX_ERROR + 1e-6);
        }
      }),
    );
  });
});

describe('splitting a range into rollup days and raw edges', () => {
  it('whole days read no raw claims; a partial day is added or subtracted, whichever is shorter; the future is free', () => {
    expect(splitRange(D, D + 3 * DAY_MS)).toEqual({ days: { from: D, to: D + 3 * DAY_MS }, add: [], subtract: [] });
    // 20:00 on day 1 to 03:00 on day 4: add 4 h at the start, 3 h at the end.
    expect(splitRange(D + 20 * H, D + 3 * DAY_MS + 3 * H)).toEqual({
      days: { from: D + DAY_MS, to: D + 3 * DAY_MS },
      add: [{ from: D + 20 * H, to: D + DAY_MS }, { from: D + 3 * DAY_MS, to: D + 3 * DAY_MS + 3 * H }],
      subtract: [],
    });
    // 04:00 to 21:00 three days later: whole edge days less 4 h and 3 h.
    expect(splitRange(D + 4 * H, D + 3 * DAY_MS + 21 * H)).toEqual({
      days: { from: D, to: D + 4 * DAY_MS },
      add: [],
      subtract: [{ from: D, to: D + 4 * H }, { from: D + 3 * DAY_MS + 21 * H, to: D + 4 * DAY_MS }],
    });
    // Ending now at 01:00: the rest of today has no claims yet, so today comes whole from the rollup.
    expect(splitRange(D, D + DAY_MS + H, D + DAY_MS + H - 1)).toEqual({ days: { from: D, to: D + 2 * DAY_MS }, add: [], subtract: [{ from: D + DAY_MS + H, to: D + 2 * DAY_MS }] });
    // With claim counts, the side with fewer claims: 04:00 is early, but if the night had more claims, add the day's rest.
    const busyNight = (a: number, b: number) => (a < D + 4 * H ? 1000 : 10);
    expect(splitRange(D + 4 * H, D + 2 * DAY_MS, Number.POSITIVE_INFINITY, busyNight)).toEqual({ days: { from: D + DAY_MS, to: D + 2 * DAY_MS }, add: [{ from: D + 4 * H, to: D + DAY_MS }], subtract: [] });
    // Inside one day: its raw claims when short.
    expect(splitRange(D + H, D + 2 * H)).toEqual({ days: null, add: [{ from: D + H, to: D + 2 * H }], subtract: [] });
  });

  it('the pieces always cover exactly the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * DAY_MS }), fc.integer({ min: 1, max: 10 * DAY_MS }), fc.integer({ min: 0, max: 20 * DAY_MS }), (a, len, n) => {
        const from = D + a;
        const to = from + len;
        const now = D + n;
        const plan = splitRange(from, to, now);
        // Sample instants: each is counted once inside the range and zero times outside it.
        for (let k = 0; k < 50; k++) {
          const t = D - DAY_MS + Math.floor((k / 50) * 23 * DAY_MS);
          const inside = (r: { from: number; to: number } | null) => (r && t >= r.from && t < r.to ? 1 : 0);
          const count = inside(plan.days) + plan.add.reduce((s, r) => s + inside(r), 0) - plan.subtract.reduce((s, r) => s + inside(r), 0);
          expect(count).toBe(t >= from && t < to ? 1 : 0);
        }
        const raw = [...plan.add, ...plan.subtract].reduce((s, r) => s + Math.max(0, Math.min(r.to, now + 1) - r.from), 0);
        expect(raw).toBeLessThanOrEqual(DAY_MS); // at most half a day at each edge
      }),
    );
  });
});
