import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PoolStatsCache } from '../../src/server/pool-stats-cache.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { T0, addLeads, buildPool } from '../contract/builders.js';
import { tempDir } from '../helpers.js';

describe('the waiting counts per pool', () => {
  let dir: string;
  let store: SqliteStore;
  beforeAll(async () => {
    dir = tempDir('leadpool-pool-stats-');
    store = new SqliteStore(join(dir, 'leadpool.db'));
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are counted once per ttl; past it the last counts answer at once while a fresh count runs', async () => {
    const pool = await buildPool(store);
    await addLeads(store, pool, 5, T0);
    let now = 1_000_000;
    const cache = new PoolStatsCache(store, 1000, () => now);
    expect(await cache.get(pool)).toEqual({ poolId: pool, available: 5, oldestAvailableAt: T0 }); // the first count is waited for
    await addLeads(store, pool, 3, T0 + 1);
    now += 999;
    expect((await cache.get(pool)).available).toBe(5); // within the ttl: no count
    await cache.settled();
    expect((await cache.get(pool)).available).toBe(5);
    now += 1;
    expect((await cache.get(pool)).available).toBe(5); // expired: the last counts, and a count starts
    await cache.settled();
    expect((await cache.get(pool)).available).toBe(8);
    expect(await cache.get(pool + 1000)).toEqual({ poolId: pool + 1000, available: 0, oldestAvailableAt: null });
  });
});
