import { must, request } from '../api/client.js';
import type { Id, LeadPage, Pool } from '../api/types.js';
import { filtersFromSearch, filtersToParams } from './filters.js';

/**
 * Opening a pool's address directly (a reload, a link): its first page of leads is asked for
 * as the app starts, side by side with the session and pool list, instead of after them. That
 * takes two round trips off the time to the first rows. The pool table takes the answer if it
 * asks for the same pool and query; otherwise it is dropped.
 */
export const FIRST_PAGE_SIZE = 50;

let early: { key: string; page: Promise<LeadPage> } | null = null;
let earlyPools: Promise<{ items: Pool[] }> | null = null;
const keyOf = (poolId: Id, qs: string) => `${String(poolId)}?${qs}`;

export function prefetchFirstPage(): void {
  const m = /^\/pools\/([^/]+)\/?$/.exec(location.pathname);
  if (!m?.[1]) return;
  const poolId = decodeURIComponent(m[1]);
  const qs = filtersToParams(filtersFromSearch(location.search)).toString();
  const params = new URLSearchParams(qs);
  params.set('limit', String(FIRST_PAGE_SIZE));
  // quiet401: signed out, the session check decides what to show, not this early request.
  const page = must(request<LeadPage>('GET', `/pools/${encodeURIComponent(poolId)}/leads?${params.toString()}`, undefined, { quiet401: true }));
  page.catch(() => undefined); // not signed in, or gone: the table asks again and shows why
  early = { key: keyOf(poolId, qs), page };
  // The pool itself (mode, preview fields) comes from the pool list: ask for it now as well.
  earlyPools = must(request<{ items: Pool[] }>('GET', '/pools', undefined, { quiet401: true }));
  earlyPools.catch(() => undefined);
}

/** The prefetched pool list, once (the pool list's first load takes it). */
export function takePools(): Promise<{ items: Pool[] }> | null {
  const hit = earlyPools;
  earlyPools = null;
  return hit;
}

/** The prefetched first page for this pool and query, once. */
export function takeFirstPage(poolId: Id, qs: string): Promise<LeadPage> | null {
  const hit = early && early.key === keyOf(poolId, qs) ? early.page : null;
  early = null;
  return hit;
}
