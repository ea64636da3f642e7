import { AppError } from './errors.js';
import type { CompanySize } from './types.js';

export const BROWSE_SORTS = ['score', 'age', 'company'] as const;
export type BrowseSort = (typeof BROWSE_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface BrowseFilters {
  industry?: string[];
  companySize?: CompanySize[];
  source?: string[];
  region?: string[];
  minScore?: number;
  maxScore?: number;
  /** Only leads that arrived at least this many minutes ago. */
  minAgeMinutes?: number;
  /** Only leads that arrived at most this many minutes ago. */
  maxAgeMinutes?: number;
  /**
   * Company search, case-insensitive. One or two characters match the start of the name
   * (a substring that short matches nearly everything); three or more match anywhere in it.
   */
  q?: string;
}

export interface BrowseQuery extends BrowseFilters {
  sort: BrowseSort;
  order: SortOrder;
  limit: number;
  cursor?: BrowseCursor;
}

/** Keyset position: the sort value and id of the last item of the previous page. */
export interface BrowseCursor {
  sort: BrowseSort;
  order: SortOrder;
  value: string | number;
  id: number;
}

export const DEFAULT_BROWSE_LIMIT = 50;
export const MAX_BROWSE_LIMIT = 200;

export function encodeCursor(c: BrowseCursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.order, c.value, c.id])).toString('base64url');
}

export function decodeCursor(raw: string, sort: BrowseSort, order: SortOrder): BrowseCursor {
  const bad = (why: string) => new AppError('BAD_CURSOR', `cursor: ${why}; start again without a cursor.`, { field: 'cursor' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('is not a cursor this server issued');
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad('is not a cursor this server issued');
  const [s, o, value, id] = parsed as unknown[];
  if (s !== sort || o !== order) throw bad('belongs to a different sort order');
  if (typeof id !== 'number' || !Number.isInteger(id)) throw bad('is damaged');
  if (sort === 'company' ? typeof value !== 'string' : typeof value !== 'number') throw bad('is damaged');
  return { sort, order, value: value as string | number, id };
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%" (the store uses ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The form a company name is searched and sorted by: Unicode lower case, so "MÜLLER" and
 * "müller" are the same name (SQLite's own folding covers ASCII only).
 */
export function companyKey(company: string): string {
  return company.toLowerCase();
}
