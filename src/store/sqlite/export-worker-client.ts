import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../server/module-worker.js';
import type { MetricsRange } from '../store.js';

export interface ExportJob {
  file: string;
  kind: 'leads' | 'events';
  format: 'csv' | 'json';
  range: MetricsRange;
}

export type ExportMessage = { text: string | null; done: boolean } | { error: string };

/**
 * An export made on a worker thread (export-worker.ts), as the text to send. Formatting 5,000,000
 * events in the server's own thread left their garbage in its heap, which V8 (sizing it for a
 * machine with 24 GB) let grow by 100-150 MB before a full collection, and kept the event loop
 * busy for the whole export. The worker's heap is capped, and with a small maximum V8 collects
 * as it goes; the event loop only passes chunks of 32 KB on. Stopping early (the client went
 * away) ends the worker.
 */
export async function* exportInWorker(job: ExportJob): AsyncGenerator<string> {
  const worker = startModuleWorker(import.meta.url, 'export-worker', job, { resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 } });
  try {
    for (;;) {
      const m = await ask(worker);
      if ('error' in m) throw new Error(`export failed: ${m.error}`);
      if (m.text) yield m.text;
      if (m.done) return;
    }
  } finally {
    await worker.terminate();
  }
}

/** Asks the worker for its next chunk. */
function ask(worker: Worker): Promise<ExportMessage> {
  return new Promise<ExportMessage>((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: ExportMessage) => (done(), resolve(m));
    const onError = (err: Error) => (done(), reject(err));
    const onExit = (code: number) => (done(), reject(new Error(`the export worker stopped (exit code ${code})`)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage('next');
  });
}
