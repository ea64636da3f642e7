/**
 * Group commit on a real SQLite file: jobs of one turn share a transaction (a second
 * connection sees none of them until all are done), a job that throws leaves no trace while
 * the others stand, and a failed commit fails every job of the group with nothing written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/sqlite/group-commit.js';

describe('GroupCommit', () => {
  let dir: string;
  let db: Database.Database;
  let other: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leadpool-group-'));
    db = new Database(join(dir, 'g.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL,
                             parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    other = new Database(join(dir, 'g.db'), { readonly: true });
  });
  afterEach(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const seen = () => (other.prepare('SELECT v FROM t ORDER BY id').all() as { v: string }[]).map((r) => r.v);
  const insert = (v: string, parent: number | null = null) => db.prepare('INSERT INTO t (v, parent_id) VALUES (?, ?)').run(v, parent);

  it('runs the jobs of one turn in one transaction, in order, and settles them after the commit', async () => {
    const g = new GroupCommit(db);
    const visibleDuring: string[][] = [];
    const a = g.run(() => {
      insert('a');
      return 1;
    });
    const b = g.run(() => {
      insert('b');
      visibleDuring.push(seen()); // another connection: nothing committed yet
      return (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n; // this one sees a
    });
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(visibleDuring).toEqual([[]]);
    expect(seen()).toEqual(['a', 'b']);
  });

  it('rolls back only the job that throws', async () => {
    const g = new GroupCommit(db);
    const a = g.run(() => insert('a'));
    const bad = g.run(() => {
      insert('half-written');
      throw new Error('refused');
    });
    const c = g.run(() => insert('c'));
    await expect(bad).rejects.toThrow('refused');
    await Promise.all([a, c]);
    expect(seen()).toEqual(['a', 'c']);
  });

  it('fails every job of the group when the commit fails, and writes none of them', async () => {
    const g = new GroupCommit(db);
    const a = g.run(() => insert('a'));
    const orphan = g.run(() => insert('orphan', 42)); // the deferred key is checked at COMMIT
    await expect(a).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(seen()).toEqual([]);
    // The next group starts clean.
    await g.run(() => insert('after'));
    expect(seen()).toEqual(['after']);
  });

  it('splits a long queue into transactions of at most maxJobs', async () => {
    const g = new GroupCommit(db, 2);
    const seenAtThird: string[][] = [];
    const jobs = [
      g.run(() => insert('1')),
      g.run(() => insert('2')),
      g.run(() => {
        seenAtThird.push(seen());
        insert('3');
      }),
    ];
    await Promise.all(jobs);
    expect(seenAtThird).toEqual([['1', '2']]);
    expect(seen()).toEqual(['1', '2', '3']);
  });
});
