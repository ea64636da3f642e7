import type { Store, PoolStats } from '../store/store.js';

/**
 * Waiting counts per pool, at most a second old. Counting a million waiting leads costs
 * milliseconds; doing it on every page of every rep would cost more than the page itself,
 * and a counter row updated by every claim would serialise all claims on one row.
 */
export class PoolStatsCache {
  readonly #store: Store;
  readonly #ttlMs: number;
  #value: Map<number, PoolStats> | null = null;
  #at = 0;
  #pending: Promise<Map<number, PoolStats>> | null = null;

  constructor(store: Store, ttlMs = 1000) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  async get(poolId: number): Promise<PoolStats> {
    return (await this.all()).get(poolId) ?? { poolId, available: 0, oldestAvailableAt: null };
  }

  async all(): Promise<Map<number, PoolStats>> {
    if (this.#value && Date.now() - this.#at < this.#ttlMs) return this.#value;
    this.#pending ??= this.#store
      .poolStats()
      .then((rows) => {
        this.#value = new Map(rows.map((r) => [r.poolId, r]));
        this.#at = Date.now();
        return this.#value;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }

  invalidate(): void {
    this.#value = null;
  }
}
