import { companyKey, escapeLike, type BrowseQuery } from '../../core/browse.js';
import { PREFIX_SEARCH_MAX } from '../browse-query.js';

/**
 * Browse on SQLite, measured against a million waiting leads (bench/explain.ts).
 *
 * Every browse index holds every filter column, and the three sort indexes (score, age,
 * company) the search key too (migration 8); the industry index is a filter's own range. A
 * walk along a sort order tests the filters and the search on the index entry and reads the
 * table only for a lead that matches (a rare combination in company order: 12-35 ms through
 * the table, about 1 ms on the index). The keyset cursor is a row value, `(column, id) > (?,
 * ?)`: one seek into the index instead of a walk from its start (page 20 cost twice page 1
 * before); a filter's bound on the sort column that the cursor already implies is left out
 * (see impliedByCursor).
 *
 * Which index answers a page depends on how common the filters are, estimated per request:
 * - The next `probe` entries of the sort order are counted against the filters (on the index;
 *   a condition an index does not hold, on the rows that passed). When they hold a page, or
 *   promise one within `shortWalk` entries, the sort order is walked.
 * - Otherwise each filter with its own index range (industry, a score range, an age range) is
 *   weighed: its size, counted up to what the walk would cost, plus a table read for each
 *   entry expected to pass the other filters. The cheapest is scanned whole and its matches
 *   sorted: a rare combination reads its industry's few thousand entries instead of most of
 *   the company index.
 * - Else the sort order is walked. Filters that are rare together but have no range of their
 *   own (say region + size + source, 0.01% of leads) walk all of it: about 40 ms on 1,000,000.
 * Every plan runs the same WHERE and ORDER BY (ties broken by id), so a page is the same
 * whichever plan found it (test/unit/sqlite-browse-plans.test.ts).
 *
 * A search first asks how common its text is, from the company index (prefix) or the trigram
 * table (substring), reading at most `probe` entries: rare text is found through that index
 * and its few matches sorted; common text is one more condition for the plan above.
 */
export interface BrowseLimits {
  /** Index entries read to estimate how common the filters (or a search text) are. */
  probe: number;
  /** The most entries a filter's own range may hold to be scanned and sorted instead of walking the sort order. */
  rangeMax: number;
  /** An expected walk this short (in entries) is taken without weighing the ranges. */
  shortWalk: number;
}

export const BROWSE_LIMITS: BrowseLimits = { probe: 2000, rangeMax: 100_000, shortWalk: 20_000 };

type Run = (sql: string, params: unknown[]) => Record<string, unknown>[];

type Column = 'industry' | 'company_size' | 'source' | 'region' | 'score' | 'created_at' | 'company_key';
type IndexName = 'leads_score' | 'leads_age' | 'leads_company' | 'leads_industry';

/** The columns each browse index holds (migration 8); a condition on one of them costs no table read. */
const INDEX_COLUMNS: Record<IndexName, readonly Column[]> = {
  leads_score: ['score', 'industry', 'company_size', 'source', 'region', 'created_at', 'company_key'],
  leads_age: ['created_at', 'industry', 'company_size', 'source', 'region', 'score', 'company_key'],
  leads_company: ['company_key', 'industry', 'company_size', 'source', 'region', 'score', 'created_at'],
  leads_industry: ['industry', 'score', 'company_size', 'source', 'region', 'created_at'],
};

/** A filter whose column leads an index: that index's range holds exactly the leads it keeps. */
const RANGE_INDEX: Partial<Record<Column, IndexName>> = {
  industry: 'leads_industry',
  score: 'leads_score',
  created_at: 'leads_age',
};

interface Clause {
  sql: string;
  params: unknown[];
}

/**
 * The browse indexes hold the leads of a pool that wait or are held under a lock timer
 * (`listed`, migration 9): estimates count on the index alone, and the held ones among them
 * are few; a page tests the status on the rows it returns.
 */
const WAITING: Clause = { sql: `status = 'available'`, params: [] };

interface Cond extends Clause {
  column: Column;
  /** A bound of its column, which a cursor may make redundant. */
  bound?: { side: 'lower' | 'upper'; value: number | string; strict: boolean };
  /** A range of its column (usable to seek an index that leads with it), not only a test. */
  range: boolean;
}

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

/** The filters (without the search), one condition each. */
function filterConds(q: BrowseQuery, now: number): Cond[] {
  const conds: Cond[] = [];
  const inList = (column: Column, values: readonly string[] | undefined) => {
    if (values?.length) conds.push({ column, sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: [...values], range: true });
  };
  inList('industry', q.industry);
  inList('company_size', q.companySize);
  inList('source', q.source);
  inList('region', q.region);
  const bound = (column: Column, side: 'lower' | 'upper', value: number) =>
    conds.push({ column, sql: `${column} ${side === 'lower' ? '>=' : '<='} ?`, params: [value], range: true, bound: { side, value, strict: false } });
  if (q.minScore !== undefined) bound('score', 'lower', q.minScore);
  if (q.maxScore !== undefined) bound('score', 'upper', q.maxScore);
  if (q.minAgeMinutes !== undefined) bound('created_at', 'upper', now - q.minAgeMinutes * 60_000);
  if (q.maxAgeMinutes !== undefined) bound('created_at', 'lower', now - q.maxAgeMinutes * 60_000);
  return conds;
}

/**
 * Whether the cursor already implies a bound on the sort column: past (v, id) ascending means
 * at least v. Such a bound is left out of the SQL. Given both, SQLite's planner (which weighs
 * the bound values against its statistics) at times started the walk at the filter's bound,
 * or even skip-scanned the index and sorted every match: pages 2 to 13 of a rare combination
 * by score took 56-96 ms where pages 1 and 14-20 took 2 ms.
 */
function impliedByCursor(c: Cond, q: BrowseQuery, sort: Sort): boolean {
  if (!q.cursor || !c.bound || c.column !== sort.column) return false;
  const v = q.cursor.value;
  const b = c.bound.value;
  // As SQLite compares: numbers by value, text by its UTF-8 bytes.
  const cmp = typeof v === 'number' && typeof b === 'number' ? v - b : typeof v === 'string' && typeof b === 'string' ? Buffer.compare(Buffer.from(v), Buffer.from(b)) : NaN;
  if (Number.isNaN(cmp)) return false;
  return sort.dir === 'ASC' ? c.bound.side === 'lower' && (c.bound.strict ? cmp > 0 : cmp >= 0) : c.bound.side === 'upper' && (c.bound.strict ? cmp < 0 : cmp <= 0);
}

/** Past the cursor in sort order: a row value, so the index seeks straight to it. */
function cursorCond(q: BrowseQuery, sort: Sort): Cond | null {
  if (!q.cursor) return null;
  const op = sort.dir === 'DESC' ? '<' : '>';
  return { column: sort.column, sql: `(${sort.column}, id) ${op} (?, ?)`, params: [q.cursor.value, q.cursor.id], range: true };
}

function where(conds: readonly (Clause | null)[]): Clause {
  const present = conds.filter((c): c is Clause => c !== null);
  return { sql: present.map((c) => c.sql).join(' AND '), params: present.flatMap((c) => c.params) };
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

export function browseSqlite(run: Run, poolId: number, q: BrowseQuery, now: number, take: number, limits: BrowseLimits = BROWSE_LIMITS): Record<string, unknown>[] {
  const sort = sortOf(q);
  const order = `ORDER BY ${sort.column} ${sort.dir}, id ${sort.dir}`;
  const pool: Clause = { sql: `pool_id = ? AND listed = 1`, params: [poolId] };
  const needed = (c: Cond) => !impliedByCursor(c, q, sort);
  const conds = filterConds(q, now).filter(needed);
  const cursor = cursorCond(q, sort);
  const text = q.q ? companyKey(q.q) : undefined;
  const page = (index: IndexName, extra: Cond[]) => {
    const w = where([pool, WAITING, ...conds, ...extra.filter(needed), cursor]);
    return run(`SELECT * FROM leads INDEXED BY ${index} WHERE ${w.sql} ${order} LIMIT ?`, [...w.params, take]);
  };

  if (!text) return choosePlan(run, pool, conds, [], cursor, sort, order, take, limits);

  if (text.length <= PREFIX_SEARCH_MAX) {
    const [lo, hi] = prefixRange(text);
    const range: Cond[] = [
      { column: 'company_key', sql: 'company_key >= ?', params: [lo], range: true, bound: { side: 'lower', value: lo, strict: false } },
      { column: 'company_key', sql: 'company_key < ?', params: [hi], range: true, bound: { side: 'upper', value: hi, strict: true } },
    ];
    // Sorted by company, the prefix range of the company index is the answer in order; rare
    // text is found there too, its few matches sorted.
    if (sort.column === 'company_key' || !atLeast(run, 'leads_company', [pool, ...range], limits.probe)) return page('leads_company', range);
    return choosePlan(run, pool, conds, range, cursor, sort, order, take, limits);
  }
  const like: Cond = { column: 'company_key', sql: `company_key LIKE ? ESCAPE '\\'`, params: [`%${escapeLike(text)}%`], range: false };
  const fts = trigramQuery(text);
  const common = (run(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM lead_company_fts WHERE lead_company_fts MATCH ? LIMIT ${limits.probe})`, [fts])[0] as { n: number }).n >= limits.probe;
  if (common) return choosePlan(run, pool, conds, [like], cursor, sort, order, take, limits);
  const w = where([pool, WAITING, ...conds, like, cursor]);
  return run(`SELECT * FROM leads WHERE id IN (SELECT rowid FROM lead_company_fts WHERE lead_company_fts MATCH ?) AND ${w.sql} ${order} LIMIT ?`, [fts, ...w.params, take]);
}

/** Whether an index range holds at least `n` entries (reads at most n of them). */
function atLeast(run: Run, index: IndexName, conds: Clause[], n: number): boolean {
  const w = where(conds);
  return (run(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM leads INDEXED BY ${index} WHERE ${w.sql} LIMIT ${n})`, w.params)[0] as { n: number }).n >= n;
}

/** A table read costs about this many index entries walked (1.4 us against 37 ns measured on 1,000,000 leads). */
const LOOKUP = 30;

/**
 * Walk the sort order, or scan a rare filter's own range and sort its matches: see the top of
 * this file. `extra` conditions (a search text) are applied, but only tested along the walk
 * when the sort index holds their column, and never chosen as a range.
 */
function choosePlan(run: Run, pool: Clause, conds: Cond[], extra: Cond[], cursor: Cond | null, sort: Sort, order: string, take: number, limits: BrowseLimits): Record<string, unknown>[] {
  const select = (index: IndexName) => {
    const w = where([pool, WAITING, ...conds, ...extra, cursor]);
    return run(`SELECT * FROM leads INDEXED BY ${index} WHERE ${w.sql} ${order} LIMIT ?`, [...w.params, take]);
  };
  // Conditions on the sort column narrow the walk itself; the others are tested along it.
  const along = conds.filter((c) => c.column !== sort.column);
  if (along.length === 0) return select(sort.index);

  // How many of the next `probe` entries in sort order match? The index tests what it holds
  // (every filter); a search text it does not hold is tested on the table rows of the entries
  // that passed, as the walk itself would.
  const held = INDEX_COLUMNS[sort.index];
  const tested = [...along, ...extra].filter((c) => held.includes(c.column));
  const untested = extra.filter((c) => !held.includes(c.column));
  const window = where([pool, ...conds.filter((c) => c.column === sort.column), cursor]);
  const test = where(tested);
  const columns = [...new Set(['id', sort.column, ...tested.map((c) => c.column)])].join(', ');
  const passing = `SELECT id FROM (SELECT ${columns} FROM leads INDEXED BY ${sort.index} WHERE ${window.sql} ${order} LIMIT ${limits.probe}) WHERE ${test.sql}`;
  const tableTest = where(untested);
  const probe = run(
    untested.length === 0
      ? `SELECT COUNT(*) AS passed, COUNT(*) AS hits FROM (${passing})`
      : `SELECT COUNT(*) AS passed, COALESCE(SUM(${tableTest.sql}), 0) AS hits FROM leads WHERE id IN (${passing})`,
    [...tableTest.params, ...window.params, ...test.params],
  )[0] as { passed: number; hits: number };
  if (probe.hits >= take) return select(sort.index);
  // The walk reads about take * probe / hits entries, and a table row for each one the index passes.
  const walkCost = probe.hits > 0 ? (take * limits.probe) / probe.hits + (LOOKUP * take * probe.passed) / probe.hits : Infinity;
  // A short walk costs less than weighing the ranges would.
  if (walkCost <= limits.shortWalk) return select(sort.index);

  // Rare: would a filter's own range, scanned whole, cost less than the expected walk? Its
  // size is counted (up to what the walk would cost), and the share of its entries that pass
  // the other filters (each a table read) sampled from its first `probe` entries.
  let best: { index: IndexName; cost: number } | null = null;
  for (const index of new Set(along.filter((c) => c.range).map((c) => RANGE_INDEX[c.column]))) {
    if (!index || index === sort.index) continue;
    // What narrows this index's range: conditions on its first column (and the score, second in the industry index).
    const first = INDEX_COLUMNS[index][0]!;
    const narrowing = conds.filter((c) => c.range && (c.column === first || (index === 'leads_industry' && c.column === 'score')));
    const range = where([pool, ...narrowing]);
    const bound = Math.ceil(Math.min(limits.rangeMax, walkCost, best?.cost ?? Infinity));
    const size = (run(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM leads INDEXED BY ${index} WHERE ${range.sql} LIMIT ?)`, [...range.params, bound])[0] as { n: number }).n;
    if (size >= bound) continue;
    const rest = conds.filter((c) => !narrowing.includes(c) && INDEX_COLUMNS[index].includes(c.column));
    let share = 1;
    if (rest.length > 0 && size > 0) {
      const test = where(rest);
      const columns = [...new Set(['id', ...narrowing.map((c) => c.column), ...rest.map((c) => c.column)])].join(', ');
      const sample = Math.min(size, limits.probe);
      const passed = (
        run(`SELECT COUNT(*) AS n FROM (SELECT ${columns} FROM leads INDEXED BY ${index} WHERE ${range.sql} LIMIT ?) WHERE ${test.sql}`, [...range.params, sample, ...test.params])[0] as {
          n: number;
        }
      ).n;
      share = passed / sample;
    }
    const cost = size + LOOKUP * size * share;
    if (cost < (best?.cost ?? walkCost)) best = { index, cost };
  }
  return select(best ? best.index : sort.index);
}
