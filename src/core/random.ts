/**
 * A seeded, deterministic pseudo-random generator for the pure core, demo data and the
 * simulator. Same seed, same sequence, on every platform: tests and runs can be replayed.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator, from PractRand).
 * It is chosen over mulberry32 for its 128-bit state: mulberry32 has a single 32-bit state,
 * so its period is only 2^32 and it cannot produce every 32-bit output, which matters once a
 * simulator draws millions of numbers. sfc32 passes PractRand/BigCrush, needs only 32-bit
 * integer operations (fast in V8) and, thanks to its counter word, has no all-zero trap state.
 *
 * Not cryptographic: never use it for tokens, keys or anything an attacker may predict.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller makes two normals per draw; the second is kept for the next call. */
  private spareNormal: number | null = null;

  /**
   * @param seed any integer (negative or above 2^32 too); both 32-bit halves are used, so
   *   distinct safe-integer seeds give distinct streams.
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`Random seed must be an integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    // sfc32 wants a well-mixed state; neighbouring seeds (1, 2, 3…) would otherwise start
    // with near-identical outputs. splitmix32 is a bijection, so distinct seeds stay distinct.
    this.a = splitmix32(lo);
    this.b = splitmix32(this.a ^ 0x6a09e667);
    this.c = splitmix32(hi ^ 0xbb67ae85);
    this.d = splitmix32(this.c ^ 0x3c6ef372);
    // Discard the first outputs, as the sfc32 author recommends, to leave the seeding transient.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** One raw 32-bit output, as an unsigned integer in [0, 2^32). */
  private nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of resolution: plenty for sampling, and cheap. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * A uniform integer in [min, maxInclusive]. Uses rejection sampling rather than
   * `floor(next() * n)` so no value is favoured, even for ranges that do not divide 2^32.
   */
  int(min: number, maxInclusive: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(maxInclusive)) {
      throw new RangeError(`Random.int bounds must be integers, got ${min}, ${maxInclusive}`);
    }
    if (maxInclusive < min) throw new RangeError(`Random.int: max ${maxInclusive} is below min ${min}`);
    const range = maxInclusive - min + 1;
    if (range > 4294967296) throw new RangeError(`Random.int: range ${range} exceeds 2^32`);
    // Largest multiple of `range` that fits in 2^32: draws at or above it would bias the modulo.
    const limit = 4294967296 - (4294967296 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return min + (x % range);
  }

  /** A uniformly chosen element. Throws on an empty list, as there is nothing sensible to return. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * An element chosen with probability proportional to its weight. Weights need not sum to 1;
   * zero-weight items are never chosen. Linear scan: meant for short lists (callers drawing
   * millions of times from one list should precompute cumulative weights).
   */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`Random.weighted: invalid weight ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError('Random.weighted: no item has a positive weight');
    let r = this.next() * total;
    let last: T | undefined;
    for (const [item, w] of items) {
      if (w <= 0) continue;
      if (r < w) return item;
      r -= w;
      last = item;
    }
    // Only reachable through floating-point rounding at the very top of the range.
    return last as T;
  }

  /** A normally distributed number (Box–Muller transform). */
  normal(mean: number, sd: number): number {
    if (!(sd >= 0)) throw new RangeError(`Random.normal: sd must be >= 0, got ${sd}`);
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    // 1 - next() is in (0, 1], so the logarithm never sees 0.
    const u1 = 1 - this.next();
    const u2 = this.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  /** True with probability p (0 never, 1 always). */
  chance(p: number): boolean {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Random.chance: p must be in [0, 1], got ${p}`);
    return this.next() < p;
  }

  /** Shuffles in place (Fisher–Yates, every permutation equally likely) and returns the same array. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = tmp;
    }
    return arr;
  }
}

/** splitmix32 finaliser: a bijective 32-bit hash used only to spread the seed over the state. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}
