import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { companyKey, escapeLike, type BrowseQuery } from '../core/browse.js';
import type { Database } from './db.js';

export interface BrowsePlan {
  /** Rows to fetch: the page size plus one, to know whether there is more. */
  take: number;
  /** Walk at most this many waiting leads in sort order, then stop (phase one of a search). */
  walkLimit?: number;
  /** Narrow a search by the company index instead of walking the sort order (phase two). */
  useSearchIndex?: boolean;
}

/** Short searches match the start of the name; longer ones anywhere in it. */
export const PREFIX_SEARCH_MAX = 2;

/**
 * Where the two databases differ in a browse, as named capabilities (the rest of the query
 * is shared). SQLite folds case with `COLLATE NOCASE` on the column and finds substrings in
 * an FTS5 trigram table; PostgreSQL folds with `lower(company)` (compared in byte order,
 * `COLLATE "C"`, so its order matches SQLite's NOCASE for ASCII names and one btree serves
 * the sort, the cursor and prefix ranges) and finds substrings with a pg_trgm GIN index on
 * the same expression.
 */
export interface BrowseDialect {
  /** How the company name is compared case-insensitively in sorts, cursors and ranges. */
  companyFold: 'collate_nocase' | 'lower_c';
  /** Which index phase two of a substring search asks. */
  substringIndex: 'fts5_table' | 'trigram_on_lower';
}

export const SQLITE_BROWSE: BrowseDialect = { companyFold: 'collate_nocase', substringIndex: 'fts5_table' };
export const POSTGRES_BROWSE: BrowseDialect = { companyFold: 'lower_c', substringIndex: 'trigram_on_lower' };

export function searchNeedsIndex(q: BrowseQuery): boolean {
  return q.q !== undefined && q.q.length > 0;
}

type Q = SelectQueryBuilder<Database, 'leads', any>;

/**
 * One browse query for both stores. `status = 'available'` is written as a literal, not a
 * parameter: SQLite uses a partial index only when the WHERE clause matches it textually.
 */
export function buildBrowseQuery(qb: Kysely<Database>, poolId: number, q: BrowseQuery, now: number, plan: BrowsePlan, dialect: BrowseDialect = SQLITE_BROWSE): Q {
  if (dialect.companyFold === 'lower_c') return buildPostgresBrowse(qb, poolId, q, now, plan);
  const { column, dir } = sortColumn(q);
  let base: Q = qb
    .selectFrom('leads')
    .selectAll()
    .where('pool_id', '=', poolId)
    .where(sql<boolean>`status = 'available'`);
  if (q.industry?.length) base = base.where('industry', 'in', q.industry);
  if (q.companySize?.length) base = base.where('company_size', 'in', q.companySize);
  if (q.source?.length) base = base.where('source', 'in', q.source);
  if (q.region?.length) base = base.where('region', 'in', q.region);
  if (q.minScore !== undefined) base = base.where('score', '>=', q.minScore);
  if (q.maxScore !== undefined) base = base.where('score', '<=', q.maxScore);
  if (q.minAgeMinutes !== undefined) base = base.where('created_at', '<=', now - q.minAgeMinutes * 60_000);
  if (q.maxAgeMinutes !== undefined) base = base.where('created_at', '>=', now - q.maxAgeMinutes * 60_000);
  if (q.cursor) {
    const c = q.cursor;
    const op = dir === 'desc' ? sql.raw('<') : sql.raw('>');
    const colExpr = column === 'company' ? sql`company COLLATE NOCASE` : sql.ref(column);
    const val = column === 'company' ? sql`${c.value} COLLATE NOCASE` : sql`${c.value}`;
    base = base.where(sql<boolean>`(${colExpr} ${op} ${val} OR (${colExpr} = ${val} AND id ${op} ${c.id}))`);
  }
  const order = (b: Q): Q =>
    (column === 'company' ? b.orderBy(sql`company COLLATE NOCASE`, dir) : b.orderBy(column, dir)).orderBy('id', dir);

  const text = q.q;
  if (!text) return order(base).limit(plan.take);

  const like = text.length <= PREFIX_SEARCH_MAX ? `${escapeLike(text)}%` : `%${escapeLike(text)}%`;
  const matches = sql<boolean>`company LIKE ${like} ESCAPE '\\'`;
  if (plan.walkLimit !== undefined) {
    const walked = order(base).limit(plan.walkLimit).as('walked');
    const outer = qb.selectFrom(walked).selectAll().where(matches) as unknown as Q;
    return (column === 'company' ? outer.orderBy(sql`company COLLATE NOCASE`, dir) : outer.orderBy(column, dir)).orderBy('id', dir).limit(plan.take);
  }
  if (text.length <= PREFIX_SEARCH_MAX) {
    // A short prefix is a range on the NOCASE company index.
    const lo = text;
    const hi = text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + 1);
    return order(base.where(sql<boolean>`company COLLATE NOCASE >= ${lo} AND company COLLATE NOCASE < ${hi}`).where(matches)).limit(plan.take);
  }
  // The FTS table is detail='none', which refuses phrase queries ("fts5: phrase queries are
  // not supported"), and a quoted name longer than three letters is a phrase of trigrams.
  // Ask for every trigram of the text instead; the LIKE below re-checks their order.
  const chars = Array.from(text);
  const trigrams = chars.slice(0, -2).map((_, i) => `"${chars.slice(i, i + 3).join('').replace(/"/g, '""')}"`);
  const phrase = [...new Set(trigrams)].join(' AND ');
  return order(
    base.where('id', 'in', qb.selectFrom('lead_company_fts').select('rowid').where(sql<boolean>`lead_company_fts MATCH ${phrase}`)).where(matches),
  ).limit(plan.take);
}

/**
 * The PostgreSQL form of the same query. The company is compared as `company_key COLLATE
 * "C"` (the folded name the store writes, in byte order), the expression the pg indexes are
 * built on (postgres/migrations.ts); search matches `company_key LIKE companyKey(pattern)`.
 */
function buildPostgresBrowse(qb: Kysely<Database>, poolId: number, q: BrowseQuery, now: number, plan: BrowsePlan): Q {
  const { column, dir } = sortColumn(q);
  const text = q.q === undefined ? undefined : companyKey(q.q);
  const folded = sql`company_key COLLATE "C"`;
  const like = text ? (text.length <= PREFIX_SEARCH_MAX ? `${escapeLike(text)}%` : `%${escapeLike(text)}%`) : '';
  const matches = sql<boolean>`company_key LIKE ${like} ESCAPE '\\'`;
  const substring = text !== undefined && text.length > PREFIX_SEARCH_MAX && plan.useSearchIndex === true;
  // Phase two of a substring search: the trigram index yields the (rare) matches first; the
  // OFFSET 0 keeps the planner from folding the subquery back in and walking the sort index
  // instead (which cost 240 ms p99 for rare names in the machine's probes, bench/ANCHORS.md).
  const source = substring
    ? (qb
        .selectFrom('leads')
        .selectAll()
        .where('pool_id', '=', poolId)
        .where(sql<boolean>`status = 'available'`)
        .where(matches)
        .offset(0)
        .as('leads') as never)
    : ('leads' as const);
  let base: Q = (qb.selectFrom(source) as unknown as Q).selectAll().where('pool_id', '=', poolId).where(sql<boolean>`status = 'available'`);
  if (q.industry?.length) base = base.where('industry', 'in', q.industry);
  if (q.companySize?.length) base = base.where('company_size', 'in', q.companySize);
  if (q.source?.length) base = base.where('source', 'in', q.source);
  if (q.region?.length) base = base.where('region', 'in', q.region);
  if (q.minScore !== undefined) base = base.where('score', '>=', q.minScore);
  if (q.maxScore !== undefined) base = base.where('score', '<=', q.maxScore);
  if (q.minAgeMinutes !== undefined) base = base.where('created_at', '<=', now - q.minAgeMinutes * 60_000);
  if (q.maxAgeMinutes !== undefined) base = base.where('created_at', '>=', now - q.maxAgeMinutes * 60_000);
  if (q.cursor) {
    const c = q.cursor;
    const op = dir === 'desc' ? sql.raw('<') : sql.raw('>');
    const colExpr = column === 'company' ? folded : sql.ref(column);
    const val = column === 'company' ? sql`${companyKey(String(c.value))} COLLATE "C"` : sql`${c.value}`;
    // Row comparison: one index range instead of an OR the planner cannot use.
    base = base.where(sql<boolean>`(${colExpr}, id) ${op} (${val}, ${c.id})`);
  }
  const order = (b: Q): Q => (column === 'company' ? b.orderBy(folded, dir) : b.orderBy(column, dir)).orderBy('id', dir);
  if (!text) return order(base).limit(plan.take);
  if (plan.walkLimit !== undefined) {
    const walked = order(base).limit(plan.walkLimit).as('walked');
    const outer = qb.selectFrom(walked).selectAll().where(matches) as unknown as Q;
    return (column === 'company' ? outer.orderBy(folded, dir) : outer.orderBy(column, dir)).orderBy('id', dir).limit(plan.take);
  }
  if (text.length <= PREFIX_SEARCH_MAX) {
    // A short prefix is a range on the (pool, company_key COLLATE "C", id) index.
    const lo = text;
    const hi = lo.slice(0, -1) + String.fromCharCode(lo.charCodeAt(lo.length - 1) + 1);
    return order(base.where(sql<boolean>`${folded} >= ${lo} AND ${folded} < ${hi}`).where(matches)).limit(plan.take);
  }
  return order(substring ? base : base.where(matches)).limit(plan.take);
}

function sortColumn(q: BrowseQuery): { column: 'score' | 'created_at' | 'company'; dir: 'asc' | 'desc' } {
  switch (q.sort) {
    case 'score':
      return { column: 'score', dir: q.order };
    case 'company':
      return { column: 'company', dir: q.order };
    case 'age':
      // Oldest first (age descending) is arrival ascending.
      return { column: 'created_at', dir: q.order === 'desc' ? 'asc' : 'desc' };
  }
}

/** The sort value of a lead for the next page's cursor. */
export function cursorValue(q: BrowseQuery, lead: { score: number; createdAt: number; company: string }): string | number {
  return q.sort === 'score' ? lead.score : q.sort === 'age' ? lead.createdAt : companyKey(lead.company);
}
