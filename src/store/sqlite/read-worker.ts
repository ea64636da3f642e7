import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread with its own read-only connection, for the few reads that scan a whole
 * pool (the values present for filter menus, the waiting counts). better-sqlite3 is synchronous: the same scan on
 * the server's connection blocks every request for as long as it runs (8.9 s on a cold
 * 1,000,000-lead file). In WAL mode the worker reads a consistent snapshot beside the writer.
 */
export class SqliteReadWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }>();
  #next = 0;
  #closed = false;

  constructor(file: string) {
    const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
    // An eval'd CommonJS worker: works the same from compiled JS and from TypeScript sources.
    this.#worker = new Worker(
      `
      const { parentPort, workerData } = require('node:worker_threads');
      const Database = require(workerData.modulePath);
      const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      db.pragma('cache_size = -4096'); // its reads scan: a page is read once per scan, kept or not
      const stmts = new Map();
      parentPort.on('message', ({ id, sql, params }) => {
        try {
          let st = stmts.get(sql);
          if (!st) stmts.set(sql, (st = db.prepare(sql)));
          parentPort.postMessage({ id, rows: st.all(...params) });
        } catch (err) {
          parentPort.postMessage({ id, error: String(err && err.message ? err.message : err) });
        }
      });
      `,
      // Its answers are a few dozen values: a small young generation is plenty. With it and the
      // small page cache the thread adds 13 MB to the server's RSS instead of 26 MB.
      { eval: true, workerData: { file, modulePath }, resourceLimits: { maxYoungGenerationSizeMb: 4 } },
    );
    this.#worker.on('message', (m: { id: number; rows?: unknown[]; error?: string }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.rows!);
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.unref(); // an idle reader never keeps the process alive
  }

  all<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (this.#closed) return Promise.reject(new Error('the read worker is closed'));
    const id = ++this.#next;
    this.#worker.ref(); // but a pending read does
    return new Promise<T[]>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (rows: unknown[]) => void, reject });
      this.#worker.postMessage({ id, sql, params });
    }).finally(() => {
      if (this.#pending.size === 0) this.#worker.unref();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#failAll(new Error('the read worker is closed'));
    await this.#worker.terminate();
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
