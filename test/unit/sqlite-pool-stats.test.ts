import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { addLeads, buildPool, buildRep, T0 } from '../contract/builders.js';

/**
 * The waiting counts of a SQLite file are read on a thread of their own and given again while
 * nothing has been committed since; a commit by this store or by anyone else on the file (a
 * second process: here a second store) makes the next call count again.
 */
describe('SQLite pool stats', () => {
  let dir: string;
  let file: string;
  let a: SqliteStore;
  let b: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadpool-stats-'));
    file = join(dir, 'leadpool.db');
    a = new SqliteStore(file);
    await a.migrate();
    b = new SqliteStore(file);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same answer while nothing is committed, and counts again after any commit to the file', async () => {
    const p = await buildPool(a);
    await addLeads(a, p, 3, T0);
    const first = await a.poolStats();
    expect(first).toEqual([{ poolId: p, available: 3, oldestAvailableAt: T0 }]);
    // Nothing committed since: the same answer, not a second count.
    expect(await a.poolStats()).toBe(first);

    // Another connection (another process) adds a lead and claims the oldest one.
    const [older] = await addLeads(b, p, 1, T0 - 60_000);
    expect(await a.poolStats()).toEqual([{ poolId: p, available: 4, oldestAvailableAt: T0 - 60_000 }]);
    await b.claim(older!, await buildRep(b), T0 + 1000);
    expect(await a.poolStats()).toEqual([{ poolId: p, available: 3, oldestAvailableAt: T0 }]);

    // This store's own writes count too.
    await addLeads(a, p, 2, T0 + 2000);
    const after = await a.poolStats();
    expect(after).toEqual([{ poolId: p, available: 5, oldestAvailableAt: T0 }]);
    expect(await a.poolStats()).toBe(after);
  });
});
