import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileStamp, insertCheckedCsv } from '../../src/cli/csv-pipeline.js';
import type { LeadInput } from '../../src/core/lead-input.js';
import { tempDir } from '../helpers.js';

const HEADER = 'Company,Industry,Company Size,Source,Score,Region,Contact Name,Email,External ID';
const row = (i: number) => [`Firma ${i} GmbH`, 'Software', '11-50', 'Webinar', String(i % 101), 'DACH-Süd', `Person ${i}`, `p${i}@firma${i}.de`, `crm-${i}`].join(',');

describe("the import's insert pass (a worker thread reads while the caller inserts)", () => {
  let dir: string;
  let csv: string;
  beforeEach(() => {
    dir = tempDir();
    csv = join(dir, 'leads.csv');
    writeFileSync(csv, [HEADER, ...Array.from({ length: 1000 }, (_, i) => row(i + 1))].join('\n') + '\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([true, false])('hands every row over, in order, in batches, to a slow insert (worker thread: %s)', async (inWorker) => {
    const got: LeadInput[][] = [];
    const r = await insertCheckedCsv(csv, await fileStamp(csv), {
      mapping: {},
      poolId: 7,
      batchSize: 64,
      inWorker,
      insert: async (batch) => {
        await new Promise((r) => setImmediate(r)); // slower than the reader
        got.push(batch);
      },
    });
    expect(r).toEqual({ rows: 1000, errors: [] });
    expect(got.map((b) => b.length)).toEqual([...Array<number>(15).fill(64), 40]);
    const all = got.flat();
    expect(all.map((l) => l.externalId)).toEqual(Array.from({ length: 1000 }, (_, i) => `crm-${i + 1}`));
    expect(all.every((l) => l.poolId === 7)).toBe(true);
  });

  it('refuses a file that changed after it was checked, before inserting anything', async () => {
    const stamp = await fileStamp(csv);
    utimesSync(csv, new Date(), new Date(stamp.mtimeMs + 5000));
    let inserted = 0;
    await expect(
      insertCheckedCsv(csv, stamp, { mapping: {}, poolId: 1, batchSize: 100, insert: async (b) => void (inserted += b.length) }),
    ).rejects.toThrow(/changed after it was checked; nothing was imported/);
    expect(inserted).toBe(0);
  });

  it.each([true, false])('reports a row that no longer passes and stops there (worker thread: %s)', async (inWorker) => {
    writeFileSync(csv, [HEADER, row(1), row(2), 'Bad GmbH,Software,11-50,Webinar,900,DACH,P,p@x.de,crm-x', row(4)].join('\n') + '\n');
    let inserted = 0;
    const r = await insertCheckedCsv(csv, await fileStamp(csv), { mapping: {}, poolId: 1, batchSize: 2, inWorker, insert: async (b) => void (inserted += b.length) });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(4);
    expect(r.errors[0]!.problems[0]!.field).toBe('score');
    expect(inserted).toBe(2); // the first full batch, read before the bad row
  });
});
