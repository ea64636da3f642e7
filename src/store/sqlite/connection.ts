import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';

export type SqliteDb = Database.Database;

/**
 * Opens the database the way every Leadpool process wants it: WAL so readers never wait
 * for the writer, NORMAL sync (durable at each checkpoint, and a crash loses no committed
 * transaction in WAL mode, only possibly the last ones on power loss), and a busy timeout
 * so a CLI import and the server can share the file.
 */
export function openSqlite(file: string, opts: { checkpointInBackground?: boolean } = {}): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536'); // 64 MB page cache
  db.pragma('temp_store = MEMORY');
  if (opts.checkpointInBackground && file !== ':memory:') {
    // A checkpoint run by a commit blocks the event loop for 12-14 ms here (bench/ANCHORS.md),
    // which every open request then waits for. Checkpoint from a worker thread instead.
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('journal_size_limit = 67108864'); // a checkpointed WAL shrinks back to 64 MB
    startCheckpointer(db, file);
  }
  return db;
}

const checkpointers = new WeakMap<SqliteDb, Worker>();

function startCheckpointer(db: SqliteDb, file: string): void {
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  // An eval'd CommonJS worker: works the same from compiled JS and from TypeScript sources.
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.modulePath);
    const fs = require('node:fs');
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 1000');
    const wal = workerData.file + '-wal';
    let timer = setInterval(() => {
      try {
        // PASSIVE never blocks the writer, but under a sustained stream of claims it may never
        // catch up, and the WAL grew to ~1 GB in the benchmark. Past a bound, RESTART: writers
        // wait for the copy once, and the WAL starts over from the beginning.
        let size = 0;
        try { size = fs.statSync(wal).size; } catch {}
        db.pragma(size > workerData.restartBytes ? 'wal_checkpoint(RESTART)' : 'wal_checkpoint(PASSIVE)');
      } catch { /* busy: next round */ }
    }, 500);
    parentPort.on('message', (m) => {
      if (m === 'stop') { clearInterval(timer); try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {} db.close(); parentPort.postMessage('stopped'); }
    });
    `,
    { eval: true, workerData: { file, modulePath, restartBytes: 128 * 1024 * 1024 } },
  );
  worker.unref();
  checkpointers.set(db, worker);
}

export async function closeSqlite(db: SqliteDb): Promise<void> {
  const worker = checkpointers.get(db);
  if (worker) {
    checkpointers.delete(db);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      worker.once('message', done);
      worker.once('exit', done);
      worker.postMessage('stop');
      setTimeout(done, 2000).unref();
    });
    await worker.terminate();
  }
  if (db.open) db.close();
}
