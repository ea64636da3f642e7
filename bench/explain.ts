/**
 * `node --import tsx bench/explain.ts [--leads N] [filter-substring]`: for each browse shape of
 * the bench (first page and page 20, and the slowest page between them), the statements the SQLite store's browse runs, each with
 * its time, its rows and SQLite's EXPLAIN QUERY PLAN; in process (no HTTP), on a read-only
 * connection to the cached bench database. For diagnosing browse failures.
 */
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import { browseSqlite } from '../src/store/sqlite/browse.js';
import { cursorValue } from '../src/store/browse-query.js';
import type { BrowseQuery } from '../src/core/browse.js';
import type { Lead } from '../src/core/types.js';
import { leadFromRow, type LeadRow } from '../src/store/rows.js';
import { benchDb } from './load-db.js';
import { browseFilters, DEEP_PAGE } from './browse.js';
import { stats, fmt } from './lib.js';

const argv = process.argv.slice(2);
const li = argv.indexOf('--leads');
const leads = li >= 0 ? Number(argv.splice(li, 2)[1]) : 1_000_000;
const match = argv[0] ?? '';

const meta = await benchDb(leads);
const ro = new Database(meta.file, { readonly: true });
ro.pragma('cache_size = -16384');
const stmts = new Map<string, Database.Statement>();
const prepared = (text: string) => {
  let st = stmts.get(text);
  if (!st) stmts.set(text, (st = ro.prepare(text)));
  return st;
};

function queryFor(qs: string, sort: BrowseQuery['sort'], order: BrowseQuery['order']): BrowseQuery {
  const p = new URLSearchParams(qs);
  const q: BrowseQuery = { sort, order, limit: 50 };
  for (const k of ['industry', 'companySize', 'source', 'region'] as const) if (p.getAll(k).length) (q as any)[k] = p.getAll(k);
  for (const k of ['minScore', 'maxScore', 'minAgeMinutes', 'maxAgeMinutes'] as const) if (p.get(k) !== null) q[k] = Number(p.get(k));
  if (p.get('q')) q.q = p.get('q')!;
  return q;
}

interface Traced {
  sql: string;
  params: unknown[];
  rows: number;
  ms: number;
}

/** One page, every statement recorded. */
function page(q: BrowseQuery, now: number): { rows: LeadRow[]; trace: Traced[]; ms: number } {
  const trace: Traced[] = [];
  const t0 = performance.now();
  const rows = browseSqlite(
    (sql, params) => {
      const t = performance.now();
      const r = prepared(sql).all(...params) as Record<string, unknown>[];
      trace.push({ sql, params, rows: r.length, ms: performance.now() - t });
      return r;
    },
    meta.poolId,
    q,
    now,
    q.limit + 1,
  ) as unknown as LeadRow[];
  return { rows, trace, ms: performance.now() - t0 };
}

const sorts = [
  ['score', 'desc'],
  ['score', 'asc'],
  ['age', 'desc'],
  ['age', 'asc'],
  ['company', 'asc'],
  ['company', 'desc'],
] as const;
const now = Date.now();
for (const [label, qs] of browseFilters(meta.probes)) {
  if (match && !label.includes(match)) continue;
  for (const [sort, order] of sorts) {
    const q = queryFor(qs, sort, order);
    // Pages 2 to DEEP_PAGE - 1 through the cursors the API hands out (each timed three times:
    // a plan can depend on the cursor's values), then page DEEP_PAGE in detail.
    let deep: BrowseQuery | null = q;
    let worst = { ms: 0, page: 0 };
    for (let p = 1; p < DEEP_PAGE && deep; p++) {
      const r: LeadRow[] = page(deep, now).rows;
      for (let k = 0; k < 2 && p > 1; k++) {
        const ms = page(deep, now).ms;
        if (ms > worst.ms) worst = { ms, page: p };
      }
      const last: Lead | null = r.length > q.limit ? leadFromRow(r[q.limit - 1]!) : null;
      deep = last ? { ...q, cursor: { sort, order, value: cursorValue(q, last), id: last.id } } : null;
    }
    console.log(`\n=== ${label}  sort=${sort} ${order}`);
    if (worst.page) console.log(`  [pages 2-${DEEP_PAGE - 1}] slowest: page ${worst.page}, ${fmt(worst.ms)} ms`);
    for (const [name, pq] of [['page 1', q], [`page ${DEEP_PAGE}`, deep]] as const) {
      if (!pq) {
        console.log(`  [${name}] fewer pages`);
        continue;
      }
      const lat: number[] = [];
      let last = page(pq, now);
      for (let k = 0; k < 15; k++) {
        last = page(pq, now);
        lat.push(last.ms);
      }
      const s = stats(lat);
      console.log(`  [${name}] ${last.rows.length} rows, p50 ${fmt(s.p50)} ms, max ${fmt(s.max)} ms; ${last.trace.length} statement(s):`);
      for (const t of last.trace) {
        console.log(`    ${fmt(t.ms).padStart(8)} ms  ${String(t.rows).padStart(5)} rows`);
        for (const p of ro.prepare(`EXPLAIN QUERY PLAN ${t.sql}`).all(...t.params) as { detail: string }[]) console.log(`        ${p.detail}`);
        if (match) console.log(`        SQL: ${t.sql}\n        params: ${JSON.stringify(t.params)}`);
      }
    }
  }
}
ro.close();
