/**
 * The export worker thread (started by export-worker-client.ts): reads the pages on its own
 * read-only connection, formats them as the in-process export does, and hands over the text
 * one chunk each time it is asked ('next'), so it never runs ahead of the client.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { EXPORT_PAGE, formatExport } from '../../integrations/export-format.js';
import { eventPagesFrom, leadExportPagesFrom } from './export-pages.js';
import type { ExportJob, ExportMessage } from './export-worker-client.js';

/**
 * Text per message. A string of 128 KB or more lands in V8's large-object space, which only a
 * full collection frees: chunks of 128 K characters piled up 100 MB there on the server's side.
 * (Bytes instead of text went the same way as external memory, which waits for a collection too.)
 */
const CHUNK_CHARS = 32 * 1024;

const job = workerData as ExportJob;
const port = parentPort!;
const db = new Database(job.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -2048'); // each page is read once
const prepare = (sql: string) => db.prepare(sql);
const text = formatExport(
  job.kind === 'events' ? { kind: 'events', pages: eventPagesFrom(prepare, job.range, EXPORT_PAGE) } : { kind: 'leads', pages: leadExportPagesFrom(prepare, job.range, EXPORT_PAGE) },
  job.format,
);

port.on('message', () => {
  void (async () => {
    let reply: ExportMessage;
    try {
      const parts: string[] = [];
      let size = 0;
      let done = false;
      while (size < CHUNK_CHARS) {
        const r = await text.next();
        if (r.done) {
          done = true;
          break;
        }
        parts.push(r.value);
        size += r.value.length;
      }
      reply = { text: parts.length ? parts.join('') : null, done };
    } catch (err) {
      reply = { error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  })();
});
