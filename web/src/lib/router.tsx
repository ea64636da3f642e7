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
  | { name: 'team' }
  | { name: 'prefs' }
  | { name: 'dashboard' }
  | { name: 'review' }
  | { name: 'managePools' }
  | { name: 'manageUsers' }
  | { name: 'manageKeys' }
  | { name: 'manageImport' }
  | { name: 'manageRouting' }
  | { name: 'manageReps' }
  | { name: 'manageAccounts' }
  | { name: 'whatIf' }
  | { name: 'manageWebhooks' }
  | { name: 'manageIntake' }
  | { name: 'notFound' };

export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/pools') return { name: 'home' };
  const pool = /^\/pools\/([^/]+)$/.exec(path);
  if (pool?.[1]) return { name: 'pool', poolId: decodeURIComponent(pool[1]) };
  if (path === '/my-leads') return { name: 'myLeads' };
  if (path === '/team') return { name: 'team' };
  if (path === '/settings') return { name: 'prefs' };
  if (path === '/manage' || path === '/manage/dashboard') return { name: 'dashboard' };
  if (path === '/manage/review') return { name: 'review' };
  if (path === '/manage/pools') return { name: 'managePools' };
  if (path === '/manage/users') return { name: 'manageUsers' };
  if (path === '/manage/api-keys') return { name: 'manageKeys' };
  if (path === '/manage/import') return { name: 'manageImport' };
  if (path === '/manage/routing') return { name: 'manageRouting' };
  if (path === '/manage/reps') return { name: 'manageReps' };
  if (path === '/manage/accounts') return { name: 'manageAccounts' };
  if (path === '/manage/what-if') return { name: 'whatIf' };
  if (path === '/manage/webhooks') return { name: 'manageWebhooks' };
  if (path === '/manage/intake') return { name: 'manageIntake' };
  return { name: 'notFound' };
}

export const paths = {
  home: '/',
  pool: (id: string | number) => `/pools/${encodeURIComponent(String(id))}`,
  myLeads: '/my-leads',
  team: '/team',
  prefs: '/settings',
  dashboard: '/manage',
  review: '/manage/review',
  managePools: '/manage/pools',
  manageUsers: '/manage/users',
  manageKeys: '/manage/api-keys',
  manageImport: '/manage/import',
  manageRouting: '/manage/routing',
  manageReps: '/manage/reps',
  manageAccounts: '/manage/accounts',
  whatIf: '/manage/what-if',
  manageWebhooks: '/manage/webhooks',
  manageIntake: '/manage/intake',
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
