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
export interface OpenOptions {
  /** Checkpoint from a worker thread instead of at commits (the server does). */
  checkpointInBackground?: boolean;
  /** Past this WAL size the background checkpointer makes the WAL start over (default WAL_RESET_BYTES). */
  walResetBytes?: number;
}

/**
 * The page cache of a connection, in KiB (16 MB). What it needs to keep are the inner pages of
 * the b-trees every claim and browse page passes through: 7 MB for a database of 1,000,000
 * leads. The leaves they touch are spread over hundreds of MB whatever the cache size, and
 * come from the OS's file cache in microseconds. The 64 MB this was filled up within a minute
 * of serving (the first scan or export does it) and was a quarter of the server's RSS.
 */
export const PAGE_CACHE_KIB = 16 * 1024;

/**
 * The WAL size past which the writer is asked to let it start over (256 MB). Each start-over
 * costs the writer one short checkpoint and sync (5-15 ms at a steady 2,000 claims/s, more when
 * claims come faster than the worker copies; a claim adds about 11 WAL frames): with 64 MB that
 * came every 0.6 s at 3,000 claims/s and set the p99 of every request; with 256 MB it comes every
 * 2-3 s. A WAL left to grow is no answer either: each page read searches a longer WAL index
 * (2,000 claims/s with no bound against 3,100).
 */
export const WAL_RESET_BYTES = 256 * 1024 * 1024;

export function openSqlite(file: string, opts: OpenOptions = {}): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.pragma('temp_store = MEMORY');
  if (opts.checkpointInBackground && file !== ':memory:') {
    // A checkpoint run by a commit blocks the event loop for 12-14 ms here (bench/ANCHORS.md),
    // which every open request then waits for. Checkpoint from a worker thread instead.
    db.pragma('wal_autocheckpoint = 0');
    const resetBytes = opts.walResetBytes ?? WAL_RESET_BYTES;
    db.pragma(`journal_size_limit = ${resetBytes}`); // a WAL that starts over shrinks back to this
    startCheckpointer(db, file, resetBytes);
  }
  return db;
}

const checkpointers = new WeakMap<SqliteDb, Worker>();

function startCheckpointer(db: SqliteDb, file: string, resetBytes: number): void {
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
    // PASSIVE never blocks the writer, but under a sustained stream of claims it never quite
    // catches up (frames land while it copies), so the WAL never starts over and grew to ~1 GB
    // in the benchmark. A RESTART from here would first have to win the write lock from a busy
    // writer and then block it while copying, measured at 0.4-1.5 s stalls. So once the WAL is
    // past its bound and a PASSIVE has copied nearly all of it, the worker asks the writing
    // connection to copy the last few hundred frames itself, between two of its transactions:
    // no lock race, a short copy and sync, and its next transaction starts the WAL over.
    // Also when the worker copied everything it saw: PASSIVE reports the frames of the WAL as
    // it was when it started, and claims committed meanwhile keep the WAL from starting over
    // by itself. Left to that, the WAL never started over while claims kept coming (0.5-1.2 GB
    // in 12 s at 1,500 claims/s, more the smaller the writer's page cache); asked, it stays
    // near its bound.
    // SQLite syncs the database file only after a checkpoint that copied every frame. Under a
    // steady stream of claims no PASSIVE ever does, so the pages it copied stayed dirty in the
    // OS cache and the writer's catch-up paid for all of them: a 100-150 ms fsync on the event
    // loop every 0.6 s at 3,000 claims/s, which was the p99 of every request. The worker
    // flushes both files itself after each copy, so the writer's syncs find little to write.
    const fds = new Map();
    let canFlush = true;
    const flush = (path) => {
      if (!canFlush) return;
      let fd = fds.get(path);
      try {
        if (fd === undefined) fds.set(path, (fd = fs.openSync(path, 'r')));
        fs.fdatasyncSync(fd);
      } catch (err) {
        if (fd !== undefined) { try { fs.closeSync(fd); } catch {} fds.delete(path); }
        // No WAL yet: the next round. Anything else (a system that syncs only handles opened for
        // writing): stop trying; SQLite's own syncs still make every checkpoint durable.
        if (err.code !== 'ENOENT') canFlush = false;
      }
    };
    const copy = () => {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (r && r.checkpointed > 0) flush(workerData.file);
      return r;
    };
    let timer = null;
    let stopped = false;
    const tick = () => {
      timer = null;
      try {
        let r = copy();
        let size = 0;
        try { size = fs.statSync(wal).size; } catch {}
        if (size > workerData.resetBytes) {
          // Each pass copies what the last one left behind, which shrinks while copying is faster
          // than writing. What the writer will copy is what lands after the last pass began, so
          // passes go on until one had little to copy (it was short), not merely until one copied
          // all it saw: at 2,000 claims/s that took the writer's pause from 40 ms to a few.
          let copied = Infinity;
          for (let pass = 0; pass < 16 && r && r.busy === 0 && (r.log - r.checkpointed >= workerData.catchUpFrames || copied >= workerData.catchUpFrames) && size <= 4 * workerData.resetBytes; pass++) {
            const before = r.checkpointed;
            r = copy();
            // A count below the last one means the WAL started over meanwhile: all of it is new.
            copied = !r ? 0 : r.checkpointed >= before ? r.checkpointed - before : r.checkpointed;
            try { size = fs.statSync(wal).size; } catch {}
          }
          // A writer faster than the copy never lets the rest get that small: past four times
          // the bound the writer copies what is left anyway, a longer pause but a bounded WAL.
          const rest = r ? r.log - r.checkpointed : 0;
          if (r && r.busy === 0 && (rest < workerData.catchUpFrames || size > 4 * workerData.resetBytes)) {
            flush(wal); // the writer's checkpoint syncs the WAL before it copies
            parentPort.postMessage('catch-up'); // the next round waits for the writer's 'resume'
            return;
          }
        }
      } catch { /* busy: next round */ }
      timer = setTimeout(tick, 100);
    };
    timer = setTimeout(tick, 100);
    parentPort.on('message', (m) => {
      if (m === 'resume' && timer === null && !stopped) timer = setTimeout(tick, 100);
      if (m === 'stop') { stopped = true; clearTimeout(timer); try { db.pragma('wal_checkpoint(TRUNCATE)'); } catch {} for (const fd of fds.values()) fs.closeSync(fd); db.close(); parentPort.postMessage('stopped'); }
    });
    `,
    // It allocates next to nothing: a small young generation keeps its heap small.
    { eval: true, workerData: { file, modulePath, resetBytes, catchUpFrames: 256 }, resourceLimits: { maxYoungGenerationSizeMb: 4 } },
  );
  worker.on('message', (m) => {
    if (m !== 'catch-up' || !db.open) return;
    try {
      if (!db.inTransaction) db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      worker.postMessage('resume');
    }
  });
  worker.unref();
  checkpointers.set(db, worker);
}

export async function closeSqlite(db: SqliteDb): Promise<void> {
  const worker = checkpointers.get(db);
  if (worker) {
    checkpointers.delete(db);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      worker.on('message', (m) => m === 'stopped' && done());
      worker.once('exit', done);
      worker.ref(); // the worker is unref'd; keep the process alive until it has stopped
      worker.postMessage('stop');
      setTimeout(done, 2000).unref();
    });
    await worker.terminate();
  }
  if (db.open) db.close();
}
