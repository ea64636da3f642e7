/**
 * Browse: GET /api/v1/pools/{id}/leads for every filter × every sort × {first page, page 20},
 * sequential requests through HTTP against the server child, as a rep of a `pool` pool.
 */
import { performance } from 'node:perf_hooks';
import { Conn } from './http-load.js';
import { stats, progress, progressDone, fmt, type Stats, type ServerChild } from './lib.js';
import type { Probes } from './load-db.js';

export interface BrowseRow {
  filter: string;
  sort: string;
  page: 'first' | 'deep';
  /** Page number actually timed (20, or the last page when there are fewer). */
  pageNo: number;
  items: number;
  latency: Stats | null;
  pass: boolean | null;
  note?: string;
}

export const DEEP_PAGE = 20;
const SORTS = [
  ['score', 'desc'],
  ['score', 'asc'],
  ['age', 'desc'],
  ['age', 'asc'],
  ['company', 'asc'],
  ['company', 'desc'],
] as const;

export function browseFilters(p: Probes): [string, string][] {
  const e = encodeURIComponent;
  return [
    ['(none)', ''],
    [`industry=${p.industry.common}`, `industry=${e(p.industry.common)}`],
    [`industry=${p.industry.rare} (rarest)`, `industry=${e(p.industry.rare)}`],
    [`companySize=${p.companySize}`, `companySize=${e(p.companySize)}`],
    [`source=${p.source}`, `source=${e(p.source)}`],
    [`region=${p.region}`, `region=${e(p.region)}`],
    ['minScore=80', 'minScore=80'],
    ['maxScore=20', 'maxScore=20'],
    ['minScore=40&maxScore=60', 'minScore=40&maxScore=60'],
    ['minAgeMinutes=86400 (>60 d)', 'minAgeMinutes=86400'],
    ['maxAgeMinutes=1440 (<1 d)', 'maxAgeMinutes=1440'],
    [
      `industry+size+source+score 50-90`,
      `industry=${e(p.industry.common)}&companySize=${e(p.companySize)}&source=${e(p.source)}&minScore=50&maxScore=90`,
    ],
    [`q=${p.prefix2.common} (prefix, ${p.prefix2.commonCount})`, `q=${e(p.prefix2.common)}`],
    [`q=${p.prefix2.rare} (prefix, ${p.prefix2.rareCount})`, `q=${e(p.prefix2.rare)}`],
    [`q=${p.sub3.common} (substr, ${p.sub3.commonCount})`, `q=${e(p.sub3.common)}`],
    [`q=${p.sub3.rare} (substr, ${p.sub3.rareCount})`, `q=${e(p.sub3.rare)}`],
  ];
}

export async function runBrowse(
  server: ServerChild,
  token: string,
  poolId: number,
  probes: Probes,
  opts: { maxSamples: number; minSamples: number; maxSecondsPerQuery: number; targetP99Ms: number },
): Promise<BrowseRow[]> {
  const conn = new Conn(new URL(server.url));
  const get = (path: string, keepBody = false) => conn.request({ method: 'GET', path, token }, keepBody);
  const rows: BrowseRow[] = [];
  const filters = browseFilters(probes);
  const total = filters.length * SORTS.length;
  let done = 0;

  const sample = async (path: string, label: string) => {
    const lat: number[] = [];
    const start = performance.now();
    while (lat.length < opts.maxSamples && (lat.length < opts.minSamples || performance.now() - start < opts.maxSecondsPerQuery * 1000)) {
      const r = await get(path);
      if (r.status !== 200) throw new Error(`${label}: ${r.status} ${r.body.slice(0, 300)}`);
      lat.push(r.ms);
    }
    return stats(lat);
  };

  // Warm the server and the OS cache a little, like a server that has been up a while.
  for (let i = 0; i < 50; i++) await get(`/api/v1/pools/${poolId}/leads`);

  for (const [label, qs] of filters) {
    for (const [sort, order] of SORTS) {
      const path = (cursor?: string) =>
        `/api/v1/pools/${poolId}/leads?${qs ? `${qs}&` : ''}sort=${sort}&order=${order}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      progress(`browse ${++done}/${total}: ${label} sort=${sort} ${order}`, false);
      const first = await get(path(), true);
      if (first.status !== 200) throw new Error(`browse ${label}: ${first.status} ${first.body.slice(0, 300)}`);
      const firstBody = JSON.parse(first.body) as { items: unknown[]; nextCursor: string | null };
      const firstStats = await sample(path(), label);
      rows.push({ filter: label, sort: `${sort} ${order}`, page: 'first', pageNo: 1, items: firstBody.items.length, latency: firstStats, pass: firstStats.p99 < opts.targetP99Ms });

      // Walk to page 20 with the cursors the server hands out, then time that page.
      let cursor = firstBody.nextCursor;
      let pageNo = 1;
      let lastCursor: string | null = null;
      let items = firstBody.items.length;
      while (cursor && pageNo < DEEP_PAGE) {
        const r = await get(path(cursor), true);
        if (r.status !== 200) throw new Error(`browse ${label} page ${pageNo + 1}: ${r.status} ${r.body.slice(0, 300)}`);
        const b = JSON.parse(r.body) as { items: unknown[]; nextCursor: string | null };
        lastCursor = cursor;
        pageNo++;
        items = b.items.length;
        cursor = b.nextCursor;
      }
      if (pageNo < DEEP_PAGE) {
        rows.push({ filter: label, sort: `${sort} ${order}`, page: 'deep', pageNo, items, latency: null, pass: null, note: `only ${pageNo} page(s)` });
      } else {
        const deepStats = await sample(path(lastCursor!), `${label} page ${pageNo}`);
        rows.push({ filter: label, sort: `${sort} ${order}`, page: 'deep', pageNo, items, latency: deepStats, pass: deepStats.p99 < opts.targetP99Ms });
      }
    }
  }
  conn.close();
  progressDone(`browse: ${rows.length} query shapes timed`);
  return rows;
}

export function printBrowse(rows: BrowseRow[], target: number): void {
  const w = Math.max(...rows.map((r) => r.filter.length), 10);
  console.log(`\n${'filter'.padEnd(w)}  ${'sort'.padEnd(12)} page  items   n   p50 ms   p99 ms  p99<${target}`);
  for (const r of rows) {
    const l = r.latency;
    console.log(
      `${r.filter.padEnd(w)}  ${r.sort.padEnd(12)} ${String(r.pageNo).padStart(4)}  ${String(r.items).padStart(5)} ${String(l?.n ?? '—').padStart(3)} ${fmt(l?.p50 ?? NaN).padStart(8)} ${fmt(l?.p99 ?? NaN).padStart(8)}  ${r.pass === null ? `n/a (${r.note})` : r.pass ? 'PASS' : 'FAIL'}`,
    );
  }
}
