import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type SimJob, type SimProgress } from './sim-job.js';

/**
 * The worker thread of one "what if" run: the simulation takes seconds to minutes of CPU, so
 * it runs here, off the server's event loop. Messages: progress (at most every 250 ms), then
 * the report or the error.
 */
export type WorkerMessage = { type: 'progress'; progress: SimProgress } | { type: 'done'; report: unknown } | { type: 'failed'; message: string };

const port = parentPort;
if (port) {
  const post = (m: WorkerMessage) => port.postMessage(m);
  let last = 0;
  try {
    const report = runJob((workerData as { job: SimJob }).job, (progress) => {
      const now = Date.now();
      if (now - last < 250 && progress.fraction < 1) return;
      last = now;
      post({ type: 'progress', progress });
    });
    post({ type: 'done', report });
  } catch (err) {
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}
