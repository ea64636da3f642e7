import type { Store, PoolStats } from '../store/store.js';

/**
 * Waiting counts per pool, about a second old. Counting a million waiting leads took 30-37 ms
 * here; doing it on every page of every rep would cost more than the page itself, and a counter
 * row updated by every claim would serialise all claims on one row.
 *
 * Once the counts are older than the ttl, the next caller still gets them at once and a fresh
 * count starts beside it (the SQLite store counts on its read worker): no request waits for a
 * count except the very first. Before, once a second some browse page or claim waited the
 * whole count, which alone put browse's p99 over 20 ms.
 */
export class PoolStatsCache {
  readonly #store: Store;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #value: Map<number, PoolStats> | null = null;
  #at = 0;
  #pending: Promise<Map<number, PoolStats>> | null = null;

  constructor(store: Store, ttlMs = 1000, now: () => number = Date.now) {
    this.#store = store;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  async get(poolId: number): Promise<PoolStats> {
    return (await this.all()).get(poolId) ?? { poolId, available: 0, oldestAvailableAt: null };
  }

  async all(): Promise<Map<number, PoolStats>> {
    if (this.#value && this.#now() - this.#at < this.#ttlMs) return this.#value;
    const refresh = this.#refresh();
    if (this.#value) {
      refresh.catch(() => {}); // the last counts stay; the next caller tries again
      return this.#value;
    }
    return refresh;
  }

  /** The count running now, if any (tests wait for it). */
  settled(): Promise<unknown> {
    return this.#pending ?? Promise.resolve();
  }

  invalidate(): void {
    this.#value = null;
  }

  #refresh(): Promise<Map<number, PoolStats>> {
    this.#pending ??= this.#store
      .poolStats()
      .then((rows) => {
        this.#value = new Map(rows.map((r) => [r.poolId, r]));
        this.#at = this.#now();
        return this.#value;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }
}
