/**
 * The queue floor (PostgreSQL migration 8): claim-next starts its scan at a per-pool key at
 * or below every available lead, so it does not walk the dead index entries claimed leads
 * leave behind. Whatever the order of inserts, claims, releases, expiries, priority changes
 * and raises, the floor must never pass an available lead, and claim-next must hand out the
 * true front of the queue. A raise racing a transaction that puts a lead back must lose.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { Random } from '../../src/core/random.js';
import { usePgDatabase } from '../contract/stores.js';
import { T0, addLeads, buildPool, buildRep } from '../contract/builders.js';
import type { UserActor } from '../../src/store/store.js';

const pgdb = usePgDatabase();

type Key = [number, number, number];
const less = (a: Key, b: Key) => a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];

describe('the PostgreSQL queue floor', () => {
  let url: string;
  let store: PostgresStore;
  let sql: pg.Client;
  beforeEach(async (ctx) => {
    if (pgdb.skipped()) ctx.skip(`PostgreSQL tests skipped: ${pgdb.skipped()}`);
    url = await pgdb.get()!.freshSchema();
    store = new PostgresStore({ connectionString: url });
    await store.migrate();
    sql = new pg.Client({ connectionString: url });
    await sql.connect();
  });
  afterEach(async () => {
    await sql?.end();
    await store?.close();
  });

  async function floorOf(poolId: number): Promise<Key> {
    const r = await sql.query('SELECT neg_priority, created_at, lead_id FROM queue_floors WHERE pool_id = $1', [poolId]);
    const f = r.rows[0];
    return [Number(f.neg_priority), Number(f.created_at), Number(f.lead_id)];
  }

  /** The front of the queue for a rep, read without the floor. */
  async function trueFront(poolId: number, rep: UserActor): Promise<number | null> {
    const r = await sql.query(
      `SELECT l.id FROM leads l WHERE l.pool_id = $1 AND l.status = 'available'
          AND NOT EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = $2)
        ORDER BY l.priority DESC, l.created_at, l.id LIMIT 1`,
      [poolId, rep.userId],
    );
    return r.rows[0] ? Number(r.rows[0].id) : null;
  }

  /** Until a raise sits waiting for a row lock: only then is the race the one meant. */
  async function raiseWaitingForALock(): Promise<void> {
    await vi.waitFor(
      async () => {
        const r = await sql.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE queue_floors f%'`);
        expect(r.rowCount).toBe(1);
      },
      { timeout: 5000, interval: 10 },
    );
  }

  async function expectFloorBelowEveryAvailableLead(poolId: number): Promise<void> {
    const r = await sql.query(`SELECT -priority AS np, created_at, id FROM leads WHERE pool_id = $1 AND status = 'available'`, [poolId]);
    const floor = await floorOf(poolId);
    for (const l of r.rows) {
      const key: Key = [Number(l.np), Number(l.created_at), Number(l.id)];
      if (less(key, floor)) throw new Error(`lead ${l.id} (${key}) is below the floor (${floor})`);
    }
  }

  it('a new pool starts with no floor, and a raise moves it to the front and, when empty, past everything', async () => {
    const queue = await buildPool(store, 'queue');
    expect((await floorOf(queue))[0]).toBe(-2147483648);
    const ids = await addLeads(store, queue, 3);
    expect(await store.raiseQueueFloor(queue)).toBe(true);
    expect((await floorOf(queue))[2]).toBe(ids[0]);
    expect(await store.raiseQueueFloor(queue)).toBe(false); // already there
    const rep = await buildRep(store);
    for (let i = 0; i < 3; i++) await store.claimNext(queue, rep, T0 + i);
    expect(await store.raiseQueueFloor(queue)).toBe(true);
    expect((await floorOf(queue))[0]).toBe(2147483647);
    expect(await store.claimNext(queue, rep, T0 + 10)).toBeNull();
    // The first lead in lowers it again.
    const [fresh] = await addLeads(store, queue, 1, T0 + 20);
    expect((await store.claimNext(queue, rep, T0 + 21))?.lead.id).toBe(fresh);
  });

  it('never passes an available lead, and claim-next always takes the true front (random operations)', async () => {
    const queue = await buildPool(store, 'queue', 60);
    const other = await buildPool(store, 'queue', 60);
    const reps = [await buildRep(store), await buildRep(store), await buildRep(store)];
    const manager = await buildRep(store, 'manager');
    const rnd = new Random(20261202);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd.next() * xs.length)]!;
    let now = T0;
    await addLeads(store, queue, 20, now);
    for (let step = 0; step < 400; step++) {
      now += 1000;
      const op = rnd.next();
      if (op < 0.15) {
        const n = 1 + Math.floor(rnd.next() * 5);
        await addLeads(store, pick([queue, queue, other]), Array.from({ length: n }, () => ({ priority: pick([0, 0, 0, 5, 10]) })), now);
      } else if (op < 0.55) {
        const rep = pick(reps);
        const front = await trueFront(queue, rep);
        const got = await store.claimNext(queue, rep, now);
        expect(got?.lead.id ?? null).toBe(front);
      } else if (op < 0.7) {
        const held = (await sql.query(`SELECT id, owner_id FROM leads WHERE status = 'claimed' ORDER BY random() LIMIT 1`)).rows[0];
        if (held) await store.release(Number(held.id), manager, 'test', now);
      } else if (op < 0.78) {
        // A manager moves a lead between the queues (a pool change is a new key in that queue).
        const held = (await sql.query(`SELECT id FROM leads WHERE status = 'claimed' ORDER BY random() LIMIT 1`)).rows[0];
        if (held) await sql.query(`UPDATE leads SET status = 'available', owner_id = NULL, pool_id = $2 WHERE id = $1`, [held.id, pick([queue, other])]);
      } else if (op < 0.83) {
        now += 61_000; // past the 60 s lock
        await store.expireDueLocks(now, 1000);
      } else if (op < 0.88) {
        await sql.query(`UPDATE leads SET priority = $1 WHERE id = (SELECT id FROM leads WHERE status = 'available' ORDER BY random() LIMIT 1)`, [pick([0, 3, 20])]);
      } else {
        await store.raiseQueueFloor(pick([queue, other]));
      }
      await expectFloorBelowEveryAvailableLead(queue);
      await expectFloorBelowEveryAvailableLead(other);
    }
  });

  it('a raise racing a transaction that puts a lead back loses, whether the lead goes below the floor or above it', async () => {
    const queue = await buildPool(store, 'queue');
    const ids = await addLeads(store, queue, 6);
    const rep = await buildRep(store);
    const other = await buildRep(store);
    for (let i = 0; i < 3; i++) await store.claimNext(queue, rep, T0 + i); // ids 0..2
    await store.raiseQueueFloor(queue);
    expect((await floorOf(queue))[2]).toBe(ids[3]);

    // A transaction puts lead 1 back (below the floor) and stays open.
    const w = new pg.Client({ connectionString: url });
    await w.connect();
    try {
      await w.query('BEGIN');
      await w.query(`UPDATE leads SET status = 'available', owner_id = NULL, claimed_at = NULL, lock_expires_at = NULL, claim_source = NULL WHERE id = $1`, [ids[1]]);
      // Meanwhile another rep takes lead 3 and a raise tries to move the floor to lead 4.
      expect((await store.claimNext(queue, other, T0 + 10))?.lead.id).toBe(ids[3]);
      const raise = store.raiseQueueFloor(queue);
      await raiseWaitingForALock(); // on the open transaction's floor row
      await w.query('COMMIT');
      expect(await raise).toBe(false);
    } finally {
      await w.end();
    }
    expect((await floorOf(queue))[2]).toBe(ids[1]);
    expect((await store.claimNext(queue, other, T0 + 20))?.lead.id).toBe(ids[1]);

    // A lead put back above the floor but below where a raise would go: lead 2 (ids 1 and 3
    // are claimed, the front is lead 4) while the floor still sits lower.
    const w2 = new pg.Client({ connectionString: url });
    await w2.connect();
    try {
      await w2.query('BEGIN');
      await w2.query(`UPDATE leads SET status = 'available', owner_id = NULL, claimed_at = NULL, lock_expires_at = NULL, claim_source = NULL WHERE id = $1`, [ids[2]]);
      const raise = store.raiseQueueFloor(queue);
      await raiseWaitingForALock();
      await w2.query('COMMIT');
      expect(await raise).toBe(false);
    } finally {
      await w2.end();
    }
    await expectFloorBelowEveryAvailableLead(queue);
    expect((await store.claimNext(queue, other, T0 + 30))?.lead.id).toBe(ids[2]);
  });

  it('one statement putting back leads of two queues lowers both floors; two such statements cross without a deadlock; a failed one leaves no note', async () => {
    const a = await buildPool(store, 'queue');
    const b = await buildPool(store, 'queue');
    const as = await addLeads(store, a, 3);
    const bs = await addLeads(store, b, 3, T0 + 100);
    const rep = await buildRep(store);
    for (let i = 0; i < 3; i++) {
      await store.claimNext(a, rep, T0 + 200 + i);
      await store.claimNext(b, rep, T0 + 300 + i);
    }
    await store.raiseQueueFloor(a);
    await store.raiseQueueFloor(b);
    expect((await floorOf(a))[0]).toBe(2147483647);
    const putBack = `UPDATE leads SET status = 'available', owner_id = NULL, claimed_at = NULL, lock_expires_at = NULL, claim_source = NULL WHERE id = ANY($1::bigint[])`;

    // One statement, two pools: both floors come down to their lowest lead.
    await sql.query(putBack, [[bs[1], as[2], as[1]]]);
    expect((await floorOf(a))[2]).toBe(as[1]);
    expect((await floorOf(b))[2]).toBe(bs[1]);
    expect((await sql.query(`SELECT current_setting('leadpool.floor_pending', true) AS v`)).rows[0].v || '').toBe('');

    // Two transactions, each putting back a lead of each pool, rows in opposite orders: the
    // floors are locked in pool order by both, so the second waits instead of deadlocking.
    await sql.query(`UPDATE leads SET status = 'claimed', owner_id = $2 WHERE id = ANY($1::bigint[])`, [[as[1], as[2], bs[1]], rep.userId]);
    const t1 = new pg.Client({ connectionString: url });
    const t2 = new pg.Client({ connectionString: url });
    await t1.connect();
    await t2.connect();
    try {
      await t1.query('BEGIN');
      await t2.query('BEGIN');
      await t1.query(`${putBack.replace('= ANY($1::bigint[])', 'IN ($1, $2)')}`, [as[1], bs[1]]);
      const second = t2.query(`${putBack.replace('= ANY($1::bigint[])', 'IN ($1, $2)')}`, [bs[2], as[2]]);
      await vi.waitFor(
        async () => {
          const r = await sql.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE leads SET status%'`);
          expect(r.rowCount).toBe(1);
        },
        { timeout: 5000, interval: 10 },
      );
      await t1.query('COMMIT');
      await second;
      await t2.query('COMMIT');
    } finally {
      await t1.end();
      await t2.end();
    }
    await expectFloorBelowEveryAvailableLead(a);
    await expectFloorBelowEveryAvailableLead(b);

    // A statement that fails after its rows were noted: its note goes with it.
    await sql.query(`UPDATE leads SET status = 'claimed', owner_id = $2 WHERE id = ANY($1::bigint[])`, [[as[1], as[2]], rep.userId]);
    await store.raiseQueueFloor(a);
    const before = await floorOf(a);
    await sql.query('BEGIN');
    await sql.query('SAVEPOINT s');
    await expect(sql.query(`UPDATE leads SET status = 'available', owner_id = NULL, score = CASE WHEN id = $2 THEN 1000 ELSE score END WHERE id IN ($1, $2)`, [as[1], as[2]])).rejects.toThrow();
    await sql.query('ROLLBACK TO SAVEPOINT s');
    expect((await sql.query(`SELECT current_setting('leadpool.floor_pending', true) AS v`)).rows[0].v || '').toBe('');
    await sql.query('COMMIT');
    expect(await floorOf(a)).toEqual(before);
  });

  it('claim-next raises the floor by itself as it drains a queue', async () => {
    const queue = await buildPool(store, 'queue');
    await addLeads(store, queue, 400);
    const rep = await buildRep(store);
    for (let i = 0; i < 300; i++) await store.claimNext(queue, rep, T0 + i);
    await vi.waitFor(async () => expect((await floorOf(queue))[2]).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
    await expectFloorBelowEveryAvailableLead(queue);
  });
});

