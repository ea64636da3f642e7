/**
 * `node --import tsx bench/explain.ts [--leads N] [filter-substring]`: the SQL the store builds
 * for each browse shape of the bench, with SQLite's EXPLAIN QUERY PLAN and an in-process timing
 * (no HTTP), read-only on the cached bench database. For diagnosing browse failures.
 */
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import type { Compilable } from 'kysely';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { buildBrowseQuery, searchNeedsIndex } from '../src/store/browse-query.js';
import type { BrowseQuery } from '../src/core/browse.js';
import { benchDb } from './load-db.js';
import { browseFilters } from './browse.js';
import { stats, fmt } from './lib.js';

const argv = process.argv.slice(2);
const li = argv.indexOf('--leads');
const leads = li >= 0 ? Number(argv.splice(li, 2)[1]) : 1_000_000;
const match = argv[0] ?? '';

const meta = await benchDb(leads);
const store = new SqliteStore(meta.file);
const ro = new Database(meta.file, { readonly: true });

function queryFor(qs: string, sort: BrowseQuery['sort'], order: BrowseQuery['order']): BrowseQuery {
  const p = new URLSearchParams(qs);
  const q: BrowseQuery = { sort, order, limit: 50 };
  for (const k of ['industry', 'companySize', 'source', 'region'] as const) if (p.getAll(k).length) (q as any)[k] = p.getAll(k);
  for (const k of ['minScore', 'maxScore', 'minAgeMinutes', 'maxAgeMinutes'] as const) if (p.get(k) !== null) q[k] = Number(p.get(k));
  if (p.get('q')) q.q = p.get('q')!;
  return q;
}

const sorts = [
  ['score', 'desc'],
  ['score', 'asc'],
  ['age', 'desc'],
  ['age', 'asc'],
  ['company', 'asc'],
  ['company', 'desc'],
] as const;
for (const [label, qs] of browseFilters(meta.probes)) {
  if (match && !label.includes(match)) continue;
  for (const [sort, order] of sorts) {
    const q = queryFor(qs, sort, order);
    const now = Date.now();
    const plans: Compilable[] = searchNeedsIndex(q)
      ? [buildBrowseQuery(store.qb, meta.poolId, q, now, { take: 51, walkLimit: 4000 }), buildBrowseQuery(store.qb, meta.poolId, q, now, { take: 51, useSearchIndex: true })]
      : [buildBrowseQuery(store.qb, meta.poolId, q, now, { take: 51 })];
    console.log(`\n=== ${label}  sort=${sort} ${order}`);
    for (const [i, b] of plans.entries()) {
      const c = b.compile();
      const params = c.parameters as unknown[];
      const st = ro.prepare(c.sql);
      const lat: number[] = [];
      let rows = 0;
      for (let k = 0; k < 15; k++) {
        const t = performance.now();
        rows = st.all(...params).length;
        lat.push(performance.now() - t);
      }
      const s = stats(lat);
      const plan = ro.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...params) as { detail: string }[];
      console.log(`  [${plans.length > 1 ? (i === 0 ? 'phase 1: walk' : 'phase 2: index') : 'query'}] ${rows} rows, p50 ${fmt(s.p50)} ms, max ${fmt(s.max)} ms`);
      for (const p of plan) console.log(`    ${p.detail}`);
      if (match) console.log(`    SQL: ${c.sql}\n    params: ${JSON.stringify(params)}`);
    }
  }
}
ro.close();
await store.close();
