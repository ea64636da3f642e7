import type { Statement } from 'better-sqlite3';
import { companyKey, escapeLike, type BrowseQuery } from '../../core/browse.js';
import { PREFIX_SEARCH_MAX } from '../browse-query.js';

/**
 * Browse on SQLite, measured against a million waiting leads (bench/explain.ts):
 *
 * - The sort order is walked on its own partial index (INDEXED BY): left to itself the
 *   planner took a filter index and sorted every match for a 50-row page (177-590 ms), and
 *   with one pool in the statistics it even skip-scanned, losing the index order.
 * - A search first asks how common its text is, from the company index (prefix) or the
 *   trigram table (substring), reading at most PROBE entries. Common text is found within a
 *   few rows of the sort order; rare text is found through the index and its few matches sorted.
 * - Filters alone walk the sort order for at most WALK rows; when that does not fill the page
 *   the rest is left to the planner, which can use the industry index.
 */
const PROBE = 2000;
const WALK = 3000;

type Run = (sql: string, params: unknown[]) => Record<string, unknown>[];

interface Sort {
  column: 'score' | 'created_at' | 'company_key';
  dir: 'ASC' | 'DESC';
  index: 'leads_score' | 'leads_age' | 'leads_company';
}

function sortOf(q: BrowseQuery): Sort {
  switch (q.sort) {
    case 'score':
      return { column: 'score', dir: q.order === 'asc' ? 'ASC' : 'DESC', index: 'leads_score' };
    case 'company':
      return { column: 'company_key', dir: q.order === 'asc' ? 'ASC' : 'DESC', index: 'leads_company' };
    case 'age':
      // Oldest first (age descending) is arrival ascending.
      return { column: 'created_at', dir: q.order === 'desc' ? 'ASC' : 'DESC', index: 'leads_age' };
  }
}

/** WHERE clauses of the filters (without the search), with their parameters. */
function filters(poolId: number, q: BrowseQuery, now: number, sort: Sort): { where: string[]; params: unknown[] } {
  const where = [`pool_id = ?`, `status = 'available'`];
  const params: unknown[] = [poolId];
  const inList = (col: string, values: readonly string[] | undefined) => {
    if (!values?.length) return;
    where.push(`${col} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  inList('industry', q.industry);
  inList('company_size', q.companySize);
  inList('source', q.source);
  inList('region', q.region);
  if (q.minScore !== undefined) (where.push('score >= ?'), params.push(q.minScore));
  if (q.maxScore !== undefined) (where.push('score <= ?'), params.push(q.maxScore));
  if (q.minAgeMinutes !== undefined) (where.push('created_at <= ?'), params.push(now - q.minAgeMinutes * 60_000));
  if (q.maxAgeMinutes !== undefined) (where.push('created_at >= ?'), params.push(now - q.maxAgeMinutes * 60_000));
  if (q.cursor) {
    const op = sort.dir === 'DESC' ? '<' : '>';
    where.push(`(${sort.column} ${op} ? OR (${sort.column} = ? AND id ${op} ?))`);
    params.push(q.cursor.value, q.cursor.value, q.cursor.id);
  }
  return { where, params };
}

function prefixRange(text: string): [string, string] {
  const lo = companyKey(text);
  const last = lo.charCodeAt(lo.length - 1);
  return [lo, lo.slice(0, -1) + String.fromCharCode(last + 1)];
}

/** The trigrams of a text as an FTS5 query (the table is detail='none': no phrase queries). */
function trigramQuery(text: string): string {
  const chars = Array.from(companyKey(text));
  const grams = chars.slice(0, -2).map((_, i) => `"${chars.slice(i, i + 3).join('').replace(/"/g, '""')}"`);
  return [...new Set(grams)].join(' AND ');
}

export function browseSqlite(run: Run, poolId: number, q: BrowseQuery, now: number, take: number): Record<string, unknown>[] {
  const sort = sortOf(q);
  const { where, params } = filters(poolId, q, now, sort);
  const order = `ORDER BY ${sort.column} ${sort.dir}, id ${sort.dir}`;
  const text = q.q ? companyKey(q.q) : undefined;

  if (!text) {
    const walked = run(
      `SELECT * FROM (SELECT * FROM leads INDEXED BY ${sort.index} WHERE ${where.join(' AND ')} ${order} LIMIT ${WALK}) ${order} LIMIT ${take}`,
      params,
    );
    const onlyPoolFilter = where.length === 2 || (where.length === 3 && q.cursor !== undefined);
    if (walked.length >= take || onlyPoolFilter) return walked;
    // The filters are rare: let the planner pick (the industry index, then a short sort).
    return run(`SELECT * FROM leads WHERE ${where.join(' AND ')} ${order} LIMIT ${take}`, params);
  }

  const prefix = text.length <= PREFIX_SEARCH_MAX;
  const like = prefix ? `${escapeLike(text)}%` : `%${escapeLike(text)}%`;
  const match = `company_key LIKE ? ESCAPE '\\'`;
  if (prefix) {
    const [lo, hi] = prefixRange(text);
    const range = `company_key >= ? AND company_key < ?`;
    // Sorted by company, the prefix range on the company index is the answer in order.
    if (sort.column === 'company_key') {
      return run(`SELECT * FROM leads INDEXED BY leads_company WHERE ${where.join(' AND ')} AND ${range} ${order} LIMIT ${take}`, [...params, lo, hi]);
    }
    const common = countAtMost(run, `SELECT 1 FROM leads INDEXED BY leads_company WHERE pool_id = ? AND status = 'available' AND ${range}`, [poolId, lo, hi]);
    if (common) return walkWithMatch(run, sort, where, params, order, match, like, take);
    return run(`SELECT * FROM leads INDEXED BY leads_company WHERE ${where.join(' AND ')} AND ${range} ${order} LIMIT ${take}`, [...params, lo, hi]);
  }
  const fts = trigramQuery(text);
  const common = countAtMost(run, `SELECT 1 FROM lead_company_fts WHERE lead_company_fts MATCH ?`, [fts]);
  if (common) return walkWithMatch(run, sort, where, params, order, match, like, take);
  return run(
    `SELECT * FROM leads WHERE id IN (SELECT rowid FROM lead_company_fts WHERE lead_company_fts MATCH ?) AND ${where.join(' AND ')} AND ${match} ${order} LIMIT ${take}`,
    [fts, ...params, like],
  );
}

function countAtMost(run: Run, inner: string, params: unknown[]): boolean {
  const r = run(`SELECT COUNT(*) AS n FROM (${inner} LIMIT ${PROBE})`, params)[0] as { n: number };
  return r.n >= PROBE;
}

/** A common search text: matches are dense along the sort order. */
function walkWithMatch(run: Run, sort: Sort, where: string[], params: unknown[], order: string, match: string, like: string, take: number) {
  const walked = run(
    `SELECT * FROM (SELECT * FROM leads INDEXED BY ${sort.index} WHERE ${where.join(' AND ')} ${order} LIMIT ${WALK * 4}) WHERE ${match} ${order} LIMIT ${take}`,
    [...params, like],
  );
  if (walked.length >= take) return walked;
  return run(`SELECT * FROM leads INDEXED BY ${sort.index} WHERE ${where.join(' AND ')} AND ${match} ${order} LIMIT ${take}`, [...params, like]);
}

export type { Statement };
