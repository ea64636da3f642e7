import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { sqliteAtVersion, tempDir } from '../helpers.js';

describe('SQLite migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('leadpool-migrate-');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('leads from before the search key get theirs (Unicode lower case) with migration 4, found by search and sorted by it', async () => {
    const file = join(dir, 'leadpool.db');
    // A database as version 3 left it, with leads.
    const old = sqliteAtVersion(file, 3);
    const add = old.prepare(
      `INSERT INTO leads (pool_id, status, company, industry, company_size, source, score, region, contact_name, created_at, available_since, updated_at)
       VALUES (1, 'available', ?, 'Software', '11-50', 'Website form', 50, 'DACH-Nord', 'K', ?, ?, ?)`,
    );
    const names = ['MÜLLER AG', 'Zeta GmbH', 'Ärzte Verbund', 'alpha KG'];
    for (const [i, name] of names.entries()) add.run(name, i, i, i);
    old.close();

    const store = new SqliteStore(file);
    try {
      await store.migrate();
      const keys = store.db.prepare('SELECT company, company_key FROM leads ORDER BY id').all() as { company: string; company_key: string | null }[];
      expect(keys.map((k) => k.company_key)).toEqual(['müller ag', 'zeta gmbh', 'ärzte verbund', 'alpha kg']);
      const browse = async (q?: string) =>
        (await store.browse(1, { sort: 'company', order: 'asc', limit: 10, ...(q ? { q } : {}) }, 10)).items.map((l) => l.company);
      expect(await browse('mü')).toEqual(['MÜLLER AG']);
      expect(await browse('Ä')).toEqual(['Ärzte Verbund']);
      expect(await browse()).toEqual(['alpha KG', 'MÜLLER AG', 'Zeta GmbH', 'Ärzte Verbund']);
      // Migrating again is a no-op.
      await store.migrate();
      expect(store.db.prepare('SELECT COUNT(*) FROM leads WHERE company_key IS NULL').pluck().get()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
