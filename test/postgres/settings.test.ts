/**
 * `serve` on PostgreSQL warns about server settings that quietly degrade a long-running
 * deployment: autovacuum off (on the server or for the leads table) and track_counts off.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { usePgDatabase } from '../contract/stores.js';

const pgdb = usePgDatabase();

describe('PostgreSQL setting warnings', () => {
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

  it('names autovacuum exactly when the server has it off, and a leads table with autovacuum turned off', async () => {
    const serverOff = (await sql.query(`SELECT current_setting('autovacuum') AS v`)).rows[0].v !== 'on';
    const before = await store.settingWarnings();
    expect(before.some((w) => w.startsWith('autovacuum is off on this PostgreSQL server'))).toBe(serverOff);
    expect(before.some((w) => w.includes('for the leads table'))).toBe(false);

    await sql.query('ALTER TABLE leads SET (autovacuum_enabled = false)');
    const after = await store.settingWarnings();
    expect(after.filter((w) => w.includes('for the leads table'))).toEqual([
      'autovacuum is turned off for the leads table (autovacuum_enabled = false): turn it back on with ALTER TABLE leads RESET (autovacuum_enabled).',
    ]);

    await sql.query('ALTER TABLE leads RESET (autovacuum_enabled)');
    expect(await store.settingWarnings()).toEqual(before);
  });
});
