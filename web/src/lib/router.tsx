import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A tiny history router: the server falls back to index.html for every non-/api path. */
const listeners = new Set<() => void>();

function notify(): void {
  listeners.forEach((f) => f());
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

const getPathname = () => location.pathname;

export function usePathname(): string {
  return useSyncExternalStore(subscribe, getPathname);
}

export type Route =
  | { name: 'home' }
  | { name: 'pool'; poolId: string }
  | { name: 'myLeads' }
  | { name: 'managePools' }
  | { name: 'notFound' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/pools') return { name: 'home' };
  const pool = /^\/pools\/([^/]+)$/.exec(path);
  if (pool?.[1]) return { name: 'pool', poolId: decodeURIComponent(pool[1]) };
  if (path === '/my-leads') return { name: 'myLeads' };
  if (path === '/manage/pools') return { name: 'managePools' };
  return { name: 'notFound' };
}

export const paths = {
  home: '/',
  pool: (id: string | number) => `/pools/${encodeURIComponent(String(id))}`,
  myLeads: '/my-leads',
  managePools: '/manage/pools',
};

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
