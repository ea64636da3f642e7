/**
 * Event ids come from a sequence, so a transaction can commit id 42 while 41 is still
 * running. The tail ("events after my last id") must neither skip 41 nor stall on a hole a
 * rolled-back transaction left for good. These tests hold a transaction open by hand.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { EventHub } from '../../src/server/hub.js';
import type { LeadEvent } from '../../src/core/types.js';
import { usePgDatabase } from '../contract/stores.js';
import { SYSTEM, T0 } from '../contract/builders.js';

const pgdb = usePgDatabase();

/** Inserts an event in a transaction left open: the caller commits or rolls back. */
async function openWriter(url: string): Promise<{ id: number; commit(): Promise<void>; rollback(): Promise<void> }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  const r = await c.query(
    `INSERT INTO events (type, at, actor_kind, actor_name, data) VALUES ('pool.updated', $1, 'system', 'slow writer', '{}') RETURNING id`,
    [T0],
  );
  const end = async (sql: string) => {
    await c.query(sql);
    await c.end();
  };
  return { id: Number(r.rows[0].id), commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

describe('the PostgreSQL events tail', () => {
  let url: string;
  let store: PostgresStore;
  const stores: PostgresStore[] = [];
  beforeEach(async (ctx) => {
    if (pgdb.skipped()) ctx.skip(`PostgreSQL tests skipped: ${pgdb.skipped()}`);
    url = await pgdb.get()!.freshSchema();
    store = new PostgresStore({ connectionString: url });
    stores.push(store);
    await store.migrate();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('does not pass an event that commits after a later one, and delivers both once it has', async () => {
    const start = await store.lastEventId();
    const slow = await openWriter(url);
    const fast = (await store.createPool({ name: 'Fast', mode: 'pool' }, SYSTEM, T0)).events[0]!;
    expect(fast.id).toBeGreaterThan(slow.id);
    expect(await store.eventsAfter(start, 100)).toEqual([]);
    await slow.commit();
    expect((await store.eventsAfter(start, 100)).map((e) => e.id)).toEqual([slow.id, fast.id]);
  });

  it('passes a hole left by a rolled-back transaction', async () => {
    const start = await store.lastEventId();
    const gone = await openWriter(url);
    await gone.rollback();
    const after = (await store.createPool({ name: 'After', mode: 'pool' }, SYSTEM, T0)).events[0]!;
    expect(after.id).toBeGreaterThan(gone.id);
    expect((await store.eventsAfter(start, 100)).map((e) => e.id)).toEqual([after.id]);
  });

  it('a hub on another instance sees every event once, in commit order or not', async () => {
    const other = new PostgresStore({ connectionString: url });
    stores.push(other);
    await other.migrate();
    const hub = new EventHub(other);
    await hub.start(50);
    await hub.wakeOn((wake) => other.listen(wake));
    const seen: LeadEvent[] = [];
    hub.subscribe((batch) => seen.push(...batch));
    try {
      const slow = await openWriter(url);
      const fast = (await store.createPool({ name: 'Fast', mode: 'pool' }, SYSTEM, T0)).events[0]!;
      await new Promise((r) => setTimeout(r, 300)); // several polls and a NOTIFY pass meanwhile
      expect(seen.map((e) => e.id)).toEqual([]);
      await slow.commit();
      const until = Date.now() + 3000;
      while (seen.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(seen.map((e) => e.id)).toEqual([slow.id, fast.id]);
    } finally {
      hub.stop();
    }
  });

  it('gives a resume position that stays below an id not yet committed', async () => {
    const hub = new EventHub(store);
    await hub.start(50);
    const got: { id: number; resumeFrom: number }[] = [];
    hub.subscribe((batch, resumeFrom) => batch.forEach((e, i) => got.push({ id: e.id, resumeFrom: resumeFrom[i]! })));
    try {
      const before = await store.lastEventId();
      const slow = await openWriter(url);
      const fast = (await store.createPool({ name: 'Fast', mode: 'pool' }, SYSTEM, T0)).events[0]!;
      // The tail may hold the later event back until the earlier commits, or deliver it at
      // once: either way a client resuming from what it was given must not lose `slow`.
      await hub.tail();
      for (const g of got) expect(g.resumeFrom).toBeLessThan(slow.id);
      await slow.commit();
      const until = Date.now() + 3000;
      while (got.length < 2 && Date.now() < until) await hub.tail();
      expect(got.map((g) => g.id).sort((a, b) => a - b)).toEqual([slow.id, fast.id]);
      expect(Math.max(...got.map((g) => g.resumeFrom))).toBe(fast.id);
      expect(Math.min(...got.map((g) => g.resumeFrom))).toBeGreaterThanOrEqual(before);
    } finally {
      hub.stop();
    }
  });

  it('three instances migrating one empty schema at once apply each migration once', async () => {
    const fresh = await pgdb.get()!.freshSchema();
    const three = [0, 1, 2].map(() => new PostgresStore({ connectionString: fresh }));
    stores.push(...three);
    await Promise.all(three.map((s) => s.migrate()));
    const c = new pg.Client({ connectionString: fresh });
    await c.connect();
    const r = await c.query('SELECT version, COUNT(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version');
    await c.end();
    expect(r.rows.map((x) => x.n)).toEqual(r.rows.map(() => 1));
    expect(r.rows.length).toBeGreaterThanOrEqual(2);
  });
});
