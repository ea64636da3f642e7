import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { escapeLike, type BrowseQuery } from '../core/browse.js';
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

export function searchNeedsIndex(q: BrowseQuery): boolean {
  return q.q !== undefined && q.q.length > 0;
}

type Q = SelectQueryBuilder<Database, 'leads', any>;

/**
 * One browse query for both stores. `status = 'available'` is written as a literal, not a
 * parameter: SQLite uses a partial index only when the WHERE clause matches it textually.
 */
export function buildBrowseQuery(qb: Kysely<Database>, poolId: number, q: BrowseQuery, now: number, plan: BrowsePlan): Q {
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
  const phrase = `"${text.replace(/"/g, '""')}"`;
  return order(
    base.where('id', 'in', qb.selectFrom('lead_company_fts').select('rowid').where(sql<boolean>`lead_company_fts MATCH ${phrase}`)).where(matches),
  ).limit(plan.take);
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
  return q.sort === 'score' ? lead.score : q.sort === 'age' ? lead.createdAt : lead.company;
}
