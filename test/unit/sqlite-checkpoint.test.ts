import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeSqlite, openSqlite } from '../../src/store/sqlite/connection.js';

function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

describe('the background checkpointer', () => {
  // Under a steady stream of writes a PASSIVE checkpoint never catches up, so without the
  // writer's catch-up the WAL would grow by every byte written. The worker runs on real time
  // (it is a thread, not a timer of ours), so the test writes until enough has gone through.
  it('keeps the WAL bounded under sustained writes and loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpool-ckpt-'));
    const file = join(dir, 'db.sqlite');
    const resetBytes = 256 * 1024;
    const db = openSqlite(file, { checkpointInBackground: true, walResetBytes: resetBytes });
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)');
      const insert = db.prepare('INSERT INTO t (body) VALUES (randomblob(3000))');
      const tx = db.transaction(() => insert.run());
      let rows = 0;
      let maxWal = 0;
      let last = 0;
      let grown = 0; // bytes the file grew by, summed
      let startsOver = 0; // the WAL file shrinks only when it starts over
      const deadline = Date.now() + 30_000;
      while (startsOver < 6 && Date.now() < deadline) {
        for (let k = 0; k < 20; k++, rows++) tx();
        const size = walSize(file);
        if (size < last) startsOver++;
        else grown += size - last;
        last = size;
        if (startsOver > 0) maxWal = Math.max(maxWal, size); // once the worker is up
        await new Promise((r) => setImmediate(r)); // as a server does between requests
      }
      expect(startsOver).toBe(6);
      // Without the catch-up the WAL only grows: its largest size would be all it ever grew by.
      expect(maxWal).toBeLessThan(grown / 2);
      expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(rows);
    } finally {
      await closeSqlite(db);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Small transactions that each rewrite a few scattered pages (as claims do) are copied by the
  // worker as fast as they come: its PASSIVE copies all the frames it saw, and those committed
  // meanwhile kept the WAL from starting over, so it grew without bound (to 400 MB in 4 s here).
  it('starts the WAL over under a stream of small scattered transactions the worker keeps up with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadpool-ckpt-'));
    const file = join(dir, 'db.sqlite');
    const resetBytes = 1024 * 1024;
    const db = openSqlite(file, { checkpointInBackground: true, walResetBytes: resetBytes });
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c TEXT)');
      db.exec('CREATE INDEX t_a ON t(a) WHERE a > 0; CREATE INDEX t_b ON t(b, c) WHERE a > 0');
      const insert = db.prepare('INSERT INTO t (a, b, c) VALUES (?, ?, ?)');
      db.transaction(() => {
        for (let i = 0; i < 200_000; i++) insert.run(i + 1, (i * 7919) % 100_000, 'x'.repeat(20));
      })();
      const take = db.prepare('UPDATE t SET a = 0 WHERE id = ? AND a > 0');
      const tx = db.transaction((id: number) => take.run(id).changes);
      let n = 0;
      let taken = 0;
      let last = walSize(file);
      let startsOver = 0;
      let maxWal = 0;
      let grown = 0; // bytes the file grew by once the worker was up, summed
      const deadline = Date.now() + 30_000;
      while (startsOver < 10 && Date.now() < deadline && n < 200_000) {
        for (let k = 0; k < 5; k++) taken += tx.immediate(((n++ * 104729) % 200_000) + 1);
        const size = walSize(file);
        if (size < last) startsOver++;
        else if (startsOver > 0) grown += size - last;
        last = size;
        if (startsOver > 0) maxWal = Math.max(maxWal, size); // once the worker is up
        await new Promise((r) => setImmediate(r)); // as a server does between requests
      }
      expect(startsOver).toBe(10);
      // Without the catch-up the WAL's largest size was about all it grew by (596 MB of 600 MB).
      expect(maxWal).toBeLessThan(grown / 4);
      expect(db.prepare('SELECT count(*) FROM t WHERE a = 0').pluck().get()).toBe(taken);
    } finally {
      await closeSqlite(db);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
