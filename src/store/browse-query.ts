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

export function searchNeedsIndex(q: BrowseQuery): boolean {
  return q.q !== undefined && q.q.length > 0;
}

type Q = SelectQueryBuilder<Database, 'leads', any>;

/**
 * The PostgreSQL browse (SQLite has its own plan in sqlite/browse.ts). The company is compared as `company_key COLLATE
 * "C"` (the folded name the store writes, in byte order), the expression the pg indexes are
 * built on (postgres/migrations.ts); search matches `company_key LIKE companyKey(pattern)`.
 */
export function buildBrowseQuery(qb: Kysely<Database>, poolId: number, q: BrowseQuery, now: number, plan: BrowsePlan): Q {
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
