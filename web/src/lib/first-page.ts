import { must, readResponse } from '../api/client.js';
import type { Id, LeadPage, Pool, User } from '../api/types.js';
import { FIRST_PAGE_SIZE, firstPageKey, startBoot } from './boot.js';

export { FIRST_PAGE_SIZE };

/**
 * The answers to the first requests of a page load (sent by the inline script in index.html,
 * see boot.ts), each taken once by the part of the app that would otherwise ask: the session
 * check, the pool list, the pool table. An answer that has already come can also be read at
 * once (peek), so the first render after the session check draws the whole page, rows
 * included, instead of a chain of loading states each waiting for the last one's effects.
 */
interface Early<T> {
  promise: Promise<T>;
  /** Set once the answer has come. */
  value?: T;
  /** The request failed (signed out, server down): whoever would take it asks again. */
  failed?: boolean;
}

function early<T>(res: Promise<Response>): Early<T> {
  // quiet401: signed out, the session check decides what to show, not these early requests.
  const e: Early<T> = { promise: must(res.then((r) => readResponse<T>(r, { quiet401: true }))) };
  e.promise.then(
    (v) => (e.value = v),
    () => (e.failed = true),
  );
  return e;
}

const usable = <T,>(e: Early<T> | null | undefined): Promise<T> | null => (e && !e.failed ? e.promise : null);

let me: Early<{ user: User }> | null = null;
let pools: Early<{ items: Pool[] }> | null = null;
let page: { key: string; early: Early<LeadPage> } | null = null;

/** Takes over the inline script's requests, or sends them now where it did not run. */
export function takeBootRequests(): void {
  const boot = window.__leadpoolBoot ?? startBoot();
  window.__leadpoolBoot = undefined;
  me = early(boot.me);
  pools = early(boot.pools);
  page = boot.page ? { key: boot.page.key, early: early(boot.page.res) } : null;
}

/**
 * Forgets every early answer: they belong to the session the page was opened with, so a sign-in
 * or sign-out makes them stale.
 */
export function dropBootRequests(): void {
  me = null;
  pools = null;
  page = null;
}

/** The signed-in user, if the early session check has answered yes (until it is taken). */
export function peekMe(): User | null {
  return me?.value?.user ?? null;
}

/** The early session check, once. */
export function takeMe(): Promise<{ user: User }> | null {
  const hit = me?.promise ?? null; // a 401 too: that is the answer ("signed out")
  me = null;
  return hit;
}

/** The early pool list, if it has come (until it is taken). */
export function peekPools(): Pool[] | null {
  return pools?.value?.items ?? null;
}

/** The early pool list, once (the pool list's first load takes it). */
export function takePools(): Promise<{ items: Pool[] }> | null {
  const hit = usable(pools);
  pools = null;
  return hit;
}

/** The early first page for this pool and query, if it has come (until it is taken). */
export function peekFirstPage(poolId: Id, qs: string): LeadPage | null {
  return page && page.key === firstPageKey(String(poolId), qs) ? (page.early.value ?? null) : null;
}

/** The early first page for this pool and query, once; any other pool or query drops it. */
export function takeFirstPage(poolId: Id, qs: string): Promise<LeadPage> | null {
  const hit = page && page.key === firstPageKey(String(poolId), qs) ? usable(page.early) : null;
  page = null;
  return hit;
}
