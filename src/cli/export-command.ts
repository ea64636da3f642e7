import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { progressClear, progressLine } from './progress.js';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { systemClock } from '../core/clock.js';
import type { MetricsRange, Store } from '../store/store.js';
import { openStore } from '../store/open-store.js';
import type { ExportFormat, ExportKind } from '../integrations/export-format.js';

export interface ExportOptions {
  kind: ExportKind;
  format: ExportFormat;
  range: MetricsRange;
  onProgress?: (rows: number) => void;
}

/**
 * Writes an export to a stream a page at a time, waiting for the stream to drain, so a
 * million rows never sit in memory. Returns the number of rows written (without the header).
 */
export async function writeExport(store: Store, out: Writable, o: ExportOptions): Promise<number> {
  let rows = 0;
  // Loaded here, not at the top: every other command would load them at start.
  const [{ integrationStoreOf }, { exportChunks }] = await Promise.all([import('../integrations/integrations.js'), import('../integrations/export-format.js')]);
  for await (const chunk of exportChunks({ store, integrations: integrationStoreOf(store) }, o.kind, o.format, o.range, (n) => {
    rows = n;
    o.onProgress?.(n);
  })) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  return rows;
}

const time = (name: string) => (v: string) => {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`${name} must be a date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  return t;
};

/** `leadpool export leads|events --format csv|json --from --to --out FILE`: the same files as GET /api/v1/exports/*. */
export function exportCommand(): Command {
  return new Command('export')
    .description('write leads (with claim, rep and outcome) or the event history to CSV or NDJSON, streamed')
    .addArgument(new Argument('<what>', 'leads or events').choices(['leads', 'events']))
    .addOption(new Option('--format <format>', 'csv, or json (one object per line)').choices(['csv', 'json']).default('csv'))
    .addOption(new Option('--from <time>', 'only what was created/happened at or after this (default: the beginning)').argParser(time('--from')))
    .addOption(new Option('--to <time>', 'only what was created/happened before this (default: now)').argParser(time('--to')))
    .addOption(new Option('--pool <id>', 'only this pool').argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('--pool must be a pool id');
      return n;
    }))
    .option('--out <file>', 'file to write (default: standard output)')
    .addOption(new Option('--data <dir>', 'folder of the SQLite database').default('./data').env('LEADPOOL_DATA'))
    .addOption(new Option('--database <url>', 'postgres://… to read PostgreSQL instead of SQLite').env('DATABASE_URL'))
    .action(async (what: ExportKind, o: { format: ExportFormat; from?: number; to?: number; pool?: number; out?: string; data: string; database?: string }) => {
      const from = o.from ?? 0;
      const to = o.to ?? systemClock.now() + 1;
      if (from >= to) throw new InvalidArgumentError('--from must be before --to');
      const store = await openStore(resolve(o.data), o.database);
      const out = o.out ? createWriteStream(o.out) : process.stdout;
      const started = Date.now();
      try {
        const rows = await writeExport(store, out, {
          kind: what,
          format: o.format,
          range: { from, to, ...(o.pool !== undefined ? { poolId: o.pool } : {}) },
          onProgress: (n) => progressLine(`exporting: ${n.toLocaleString('en')} ${what}…`),
        });
        if (o.out) {
          out.end();
          await once(out, 'finish');
        }
        progressClear();
        process.stderr.write(`${rows.toLocaleString('en')} ${what} exported${o.out ? ` to ${o.out}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
      } finally {
        await store.close();
      }
    });
}
