import { filtersFromSearch, filtersToParams } from './filters.js';

/**
 * The requests a page load needs first: who is signed in, the pool list and, on a pool's
 * address, the first page of its leads. A small script inlined into index.html at build time
 * (boot-inline.ts, see vite.config.ts) sends them as soon as the browser reads the page, so
 * they are answered while the app's scripts are still loading and compiling. The app
 * (first-page.ts) takes their answers instead of asking again; where the inline script did
 * not run (the development server) it sends the same requests itself as it starts.
 * Keep this module small: all of it is inlined into every page.
 */
export const FIRST_PAGE_SIZE = 50;

export interface BootRequests {
  me: Promise<Response>;
  pools: Promise<Response>;
  /** On a pool's address: the first page of leads of the pool and query named by `key`. */
  page: { key: string; res: Promise<Response> } | null;
}

declare global {
  interface Window {
    __leadpoolBoot?: BootRequests | undefined;
  }
}

export const firstPageKey = (poolId: string, qs: string): string => `${poolId}?${qs}`;

export function startBoot(): BootRequests {
  // As api/client.ts asks: JSON, with the session cookie.
  const get = (path: string) => fetch(`/api/v1${path}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  let page: BootRequests['page'] = null;
  const m = /^\/pools\/([^/]+)\/?$/.exec(location.pathname);
  if (m?.[1]) {
    const poolId = decodeURIComponent(m[1]);
    const qs = filtersToParams(filtersFromSearch(location.search)).toString();
    const params = new URLSearchParams(qs);
    params.set('limit', String(FIRST_PAGE_SIZE));
    page = { key: firstPageKey(poolId, qs), res: get(`/pools/${encodeURIComponent(poolId)}/leads?${params.toString()}`) };
  }
  const boot: BootRequests = { me: get('/me'), page, pools: get('/pools') };
  // A request that fails before the app takes it (server down) is not an unhandled rejection.
  for (const r of [boot.me, boot.pools, page?.res]) r?.catch(() => undefined);
  window.__leadpoolBoot = boot;
  return boot;
}
