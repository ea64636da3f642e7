/**
 * The browse indexes on SQLite hold the leads that wait or are held under a lock timer
 * (`listed`, migration 9), so a claim leaves them alone. These tests hold the column true to
 * the status whichever statement changes it, and the counts taken over those indexes exact
 * while held leads sit in them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { SYSTEM, T0, buildLead, buildRep } from '../contract/builders.js';
import { sqliteAtVersion, tempDir } from '../helpers.js';

const MIN = 60_000;

describe('SQLite listed leads (migration 9)', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('leadpool-listed-');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrating lists the waiting and held leads of an older database, and browse shows only the waiting ones', async () => {
    const file = join(dir, 'leadpool.db');
    const old = sqliteAtVersion(file, 8);
    const add = old.prepare(
      `INSERT INTO leads (pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, created_at, available_since, updated_at)
       VALUES (1, ?, ?, lower(?), 'Software', '11-50', 'Website form', 50, 'DACH-Nord', 'K', ?, ?, ?)`,
    );
    const statuses = ['available', 'claimed', 'assigned', 'contacted', 'converted', 'available'] as const;
    for (const [i, status] of statuses.entries()) add.run(status, `Firma ${i}`, `Firma ${i}`, i, i, i);
    old.close();

    const store = new SqliteStore(file);
    try {
      await store.migrate();
      const rows = store.db.prepare('SELECT status, listed FROM leads ORDER BY id').all();
      expect(rows).toEqual(statuses.map((status) => ({ status, listed: ['available', 'claimed', 'assigned'].includes(status) ? 1 : 0 })));
      const page = await store.browse(1, { sort: 'company', order: 'asc', limit: 10 }, 10);
      expect(page.items.map((l) => l.company)).toEqual(['Firma 0', 'Firma 5']);
    } finally {
      await store.close();
    }
  });

  it('keeps listed true to the status for updates that do not set it; inserts default to listed', async () => {
    const store = new SqliteStore(join(dir, 'leadpool.db'));
    try {
      await store.migrate();
      const poolId = (await store.createPool({ name: 'P', mode: 'pool' }, SYSTEM, T0)).pool.id;
      const { created: leads } = await store.insertLeads([buildLead({ poolId })], poolId, SYSTEM, T0);
      const id = leads[0]!.id;
      const listed = () => store.db.prepare('SELECT listed FROM leads WHERE id = ?').pluck().get(id);
      expect(listed()).toBe(1);
      for (const [status, want] of [['claimed', 1], ['contacted', 0], ['qualified', 0], ['available', 1], ['assigned', 1], ['review', 0], ['available', 1]] as const) {
        store.db.prepare('UPDATE leads SET status = ? WHERE id = ?').run(status, id);
        expect(listed(), status).toBe(want);
      }
      // A statement that sets it wrongly is corrected too.
      store.db.prepare('UPDATE leads SET listed = 0 WHERE id = ?').run(id);
      expect(listed()).toBe(1);
      // An insert that leaves it out is listed (the harmless default): a waiting lead shows,
      // any other is one more entry browse passes over until its status changes.
      const raw = store.db.prepare(
        `INSERT INTO leads (pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, created_at, available_since, updated_at)
         VALUES (${poolId}, ?, 'Raw', 'raw', 'Retail', '1-10', 'Partner', 10, 'Iberia', 'R', 0, 0, 0) RETURNING id, listed`,
      );
      expect(raw.get('available')).toMatchObject({ listed: 1 });
      const review = raw.get('review') as { id: number; listed: number };
      expect(review.listed).toBe(1);
      store.db.prepare(`UPDATE leads SET status = 'contacted' WHERE id = ?`).run(review.id);
      expect(store.db.prepare('SELECT listed FROM leads WHERE id = ?').pluck().get(review.id)).toBe(0);
      // What the store inserts is listed by its status from the start.
      expect(store.db.prepare(`SELECT COUNT(*) FROM leads WHERE company <> 'Raw' AND listed IS NOT (status IN ('available', 'claimed', 'assigned'))`).pluck().get()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('counts over the browse indexes leave out the held leads in them: oldest waiting, age buckets, pool mix', async () => {
    const store = new SqliteStore(join(dir, 'leadpool.db'));
    try {
      await store.migrate();
      const poolId = (await store.createPool({ name: 'P', mode: 'pool' }, SYSTEM, T0)).pool.id;
      const rep = await buildRep(store);
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) {
        const { created: leads } = await store.insertLeads([buildLead({ poolId, industry: i % 3 === 0 ? 'Energy' : 'Retail', score: i * 8 })], poolId, SYSTEM, T0 + i * 10 * MIN);
        ids.push(leads[0]!.id);
      }
      const now = T0 + 200 * MIN;
      // The oldest two are held (still listed), the third worked (no longer listed), the fourth released again.
      for (const id of ids.slice(0, 4)) await store.claim(id, rep, now);
      await store.logActivity(ids[2]!, rep, { type: 'call', note: null }, now);
      await store.release(ids[3]!, rep, null, now);
      const waiting = store.db.prepare(`SELECT created_at, industry, score FROM leads WHERE pool_id = ? AND status = 'available' ORDER BY created_at`).all(poolId) as {
        created_at: number;
        industry: string;
        score: number;
      }[];
      expect(waiting).toHaveLength(9);
      expect(store.db.prepare(`SELECT COUNT(*) FROM leads WHERE pool_id = ? AND listed = 1`).pluck().get(poolId)).toBe(11);

      const stats = (await store.poolStats()).find((s) => s.poolId === poolId)!;
      expect(stats).toEqual({ poolId, available: 9, oldestAvailableAt: waiting[0]!.created_at });

      const facts = await store.metricsFacts({ from: T0, to: now, poolId }, now);
      const w = facts.waiting.find((x) => x.poolId === poolId)!;
      expect(w.oldestAt).toBe(waiting[0]!.created_at);
      expect(w.buckets.reduce((a, n) => a + n, 0)).toBe(9);

      const mix = await store.snapshotPoolMix(poolId, now);
      expect(mix.waiting).toBe(9);
      const energy = waiting.filter((l) => l.industry === 'Energy');
      expect(mix.byIndustry['Energy']!.reduce((a, n) => a + n, 0)).toBe(energy.length);
      for (const l of energy) expect(mix.byIndustry['Energy']![Math.min(9, Math.floor(l.score / 10))]).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
