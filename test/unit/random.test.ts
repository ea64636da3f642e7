import { describe, it, expect } from 'vitest';
import { Random } from '../../src/core/random.js';

describe('Random', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const r = new Random(seed);
      return Array.from({ length: 50 }, () => r.next());
    };
    expect(draw(123)).toEqual(draw(123));
    expect(draw(123)).not.toEqual(draw(124));
    // Seeds beyond 32 bits are not silently truncated onto small ones.
    expect(draw(2 ** 32 + 5)).not.toEqual(draw(5));
  });

  it('next() stays in [0, 1)', () => {
    const r = new Random(1);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
    }
    expect(outside).toBe(0);
  });

  it('int() includes both bounds and nothing outside them', () => {
    const r = new Random(7);
    const seen = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const x = r.int(-2, 3);
      expect(Number.isInteger(x)).toBe(true);
      seen.set(x, (seen.get(x) ?? 0) + 1);
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2, 3]);
    for (const n of seen.values()) expect(Math.abs(n / 20_000 - 1 / 6)).toBeLessThan(0.02);
    expect(r.int(5, 5)).toBe(5);
    expect(() => r.int(3, 2)).toThrow(RangeError);
    expect(() => r.int(0.5, 2)).toThrow(RangeError);
  });

  it('weighted() draws roughly in proportion to the weights over 100k draws', () => {
    const r = new Random(99);
    const items = [['a', 1], ['b', 2], ['c', 7], ['never', 0]] as const;
    const counts = { a: 0, b: 0, c: 0, never: 0 };
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[r.weighted(items)]++;
    expect(Math.abs(counts.a / n - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(counts.b / n - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(counts.c / n - 0.7)).toBeLessThan(0.01);
    expect(counts.never).toBe(0);
    expect(() => r.weighted([])).toThrow(RangeError);
    expect(() => r.weighted([['x', 0]])).toThrow(RangeError);
    expect(() => r.weighted([['x', -1]])).toThrow(RangeError);
  });

  it('pick() returns members and throws on an empty list', () => {
    const r = new Random(3);
    const items = ['x', 'y', 'z'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) seen.add(r.pick(items));
    expect([...seen].sort()).toEqual(['x', 'y', 'z']);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('normal() has roughly the requested mean and standard deviation', () => {
    const r = new Random(11);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal(50, 10);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sumSq / n - mean * mean);
    expect(Math.abs(mean - 50)).toBeLessThan(0.2);
    expect(Math.abs(sd - 10)).toBeLessThan(0.2);
  });

  it('chance() respects its extremes and rough proportion', () => {
    const r = new Random(5);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      expect(r.chance(0)).toBe(false);
      expect(r.chance(1)).toBe(true);
      if (r.chance(0.3)) hits++;
    }
    expect(Math.abs(hits / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(() => r.chance(1.5)).toThrow(RangeError);
  });

  it('shuffle() permutes in place and is deterministic', () => {
    const original = Array.from({ length: 100 }, (_, i) => i);
    const a = [...original];
    const returned = new Random(42).shuffle(a);
    expect(returned).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(original);
    expect(a).not.toEqual(original);
    expect(new Random(42).shuffle([...original])).toEqual(a);
    expect(new Random(1).shuffle([])).toEqual([]);
  });

  it('shuffle() makes every permutation of three about equally likely', () => {
    const r = new Random(8);
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const key = r.shuffle([1, 2, 3]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.01);
  });
});
