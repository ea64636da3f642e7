/**
 * On SQLite the server's exports are made on a worker thread (SqliteStore.exportStream). They
 * must be the very text the in-process export (what `leadpool export` and PostgreSQL write)
 * gives, for every kind, format and range; and a client that goes away ends the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { exportChunks, exportStream, type ExportFormat, type ExportKind } from '../../src/integrations/export-format.js';
import { integrationStoreOf } from '../../src/integrations/integrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { MetricsRange } from '../../src/store/store.js';
import { SYSTEM, T0, buildLead, buildPool, buildRep } from '../contract/builders.js';
import { tempDir } from '../helpers.js';

let dir: string;
let store: SqliteStore;
let poolId: number;

beforeAll(async () => {
  dir = tempDir('leadpool-export-worker-');
  store = new SqliteStore(join(dir, 'leadpool.db'));
  await store.migrate();
  poolId = await buildPool(store);
  const other = await buildPool(store);
  const rep = await buildRep(store);
  // Text that needs quoting, a formula-looking name, non-ASCII, attributes; 5,000 leads (several pages).
  const odd = ['Firma "Zitat", GmbH', '=HYPERLINK("x")', 'Müller & Söhne\nZweite Zeile', 'Ærø ApS'];
  for (let b = 0; b < 5; b++) {
    const leads = Array.from({ length: 1000 }, (_, i) => buildLead({ company: i < odd.length ? odd[i]! : `Firma ${b}-${i}`, attributes: { n: i, tag: i % 7 ? 'a' : 'b,"c"' } }));
    await store.insertLeads(leads, b % 2 ? other : poolId, SYSTEM, T0 + b * 60_000);
  }
  const ids = (store.db.prepare('SELECT id FROM leads ORDER BY id LIMIT 20').pluck().all() as number[]).filter((_, i) => i % 2 === 0);
  for (const id of ids) await store.claim(id, rep, T0 + 10 * 60_000);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

describe('exports made on a worker thread (SQLite)', () => {
  const ranges: [string, () => MetricsRange][] = [
    ['everything', () => ({ from: 0, to: T0 + 3_600_000 })],
    ['a time range', () => ({ from: T0 + 60_000, to: T0 + 180_000 })],
    ['one pool', () => ({ from: 0, to: T0 + 3_600_000, poolId })],
  ];
  for (const kind of ['leads', 'events'] as ExportKind[])
    for (const format of ['csv', 'json'] as ExportFormat[])
      for (const [name, range] of ranges)
        it(`${kind}.${format}, ${name}: the same text as in process`, async () => {
          const src = { store, integrations: integrationStoreOf(store) };
          const worker = store.exportStream(kind, format, range());
          expect(worker).not.toBeNull();
          const inWorker = await text(worker!);
          const inProcess = await text(exportChunks(src, kind, format, range()));
          expect(inWorker.split('\n').length).toBeGreaterThan(kind === 'leads' && name === 'a time range' ? 2000 : 2);
          expect(inWorker).toBe(inProcess);
          expect(await text(exportStream(src, kind, format, range()))).toBe(inProcess);
        });

  it('a client that stops reading ends the worker, and the next export runs', async () => {
    const chunks = store.exportStream('events', 'csv', { from: 0, to: T0 + 3_600_000 })!;
    for await (const c of chunks) {
      expect(c.length).toBeGreaterThan(0);
      break; // the generator's return ends the worker
    }
    const again = await text(store.exportStream('leads', 'csv', { from: 0, to: T0 + 3_600_000 })!);
    expect(again.trim().split('\n')).toHaveLength(1 + 5000 + 5); // the header, and one name in each batch of 1,000 holds a quoted line break
  });

  it('an in-memory database exports in process', async () => {
    const mem = new SqliteStore(':memory:');
    await mem.migrate();
    expect(mem.exportStream('events', 'csv', { from: 0, to: 1 })).toBeNull();
    await mem.close();
  });
});
