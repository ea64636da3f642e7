/**
 * The import's second pass, off the main thread: parses and maps the CSV and hands the leads
 * over in batches, while the main thread inserts the previous batch. At most two batches wait,
 * so a file of a million rows never sits in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanCsv, type CsvMapping } from './csv-import.js';
import type { LeadInput } from '../core/lead-input.js';
import type { ParseWorkerMessage } from './csv-pipeline.js';

const { file, mapping, poolId, batchSize } = workerData as { file: string; mapping: CsvMapping; poolId: number; batchSize: number };
const port = parentPort!;
const post = (m: ParseWorkerMessage) => port.postMessage(m);

let credits = 2;
let wake: (() => void) | null = null;
port.on('message', (m: 'more') => {
  if (m !== 'more') return;
  credits++;
  wake?.();
  wake = null;
});

let batch: LeadInput[] = [];
const send = async () => {
  if (credits === 0) await new Promise<void>((r) => (wake = r));
  credits--;
  post({ kind: 'batch', leads: batch });
  batch = [];
};

const result = await scanCsv(file, {
  mapping,
  poolId,
  onRow: async (lead) => {
    batch.push(lead);
    if (batch.length === batchSize) await send();
  },
});
if (batch.length && result.errors.length === 0) await send();
post({ kind: 'done', rows: result.rows, errors: result.errors });
