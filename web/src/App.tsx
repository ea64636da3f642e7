import { Suspense, lazy, useEffect, useRef } from 'react';
import { Header } from './components/Header.js';
import { ErrorState, Loading } from './components/States.js';
import { useI18n } from './i18n/i18n.js';
import { matchRoute, usePathname, Link, paths, type Route } from './lib/router.js';
import { useAuth } from './state/auth.js';
import { PoolsProvider } from './state/pools.js';
import { PushWatcher } from './components/PushWatcher.js';
import { GlobalShortcuts } from './components/ShortcutHelp.js';
import { HomeView } from './views/HomeView.js';
import { LoginView } from './views/LoginView.js';
import { MyLeadsView } from './views/MyLeadsView.js';
import { PoolView } from './views/PoolView.js';
import { PrefsView } from './views/PrefsView.js';
import { TeamBoardView } from './views/TeamBoardView.js';

// The manager's console is a separate chunk: reps never download it.
const DashboardView = lazy(() => import('./views/DashboardView.js').then((m) => ({ default: m.DashboardView })));
const ReviewView = lazy(() => import('./views/ReviewView.js').then((m) => ({ default: m.ReviewView })));
const ManagePoolsView = lazy(() => import('./views/ManagePoolsView.js').then((m) => ({ default: m.ManagePoolsView })));
const UsersView = lazy(() => import('./views/UsersView.js').then((m) => ({ default: m.UsersView })));
const ApiKeysView = lazy(() => import('./views/ApiKeysView.js').then((m) => ({ default: m.ApiKeysView })));
const ImportView = lazy(() => import('./views/ImportView.js').then((m) => ({ default: m.ImportView })));
const RoutingView = lazy(() => import('./views/RoutingView.js').then((m) => ({ default: m.RoutingView })));
const RepsView = lazy(() => import('./views/RepsView.js').then((m) => ({ default: m.RepsView })));
const AccountsView = lazy(() => import('./views/AccountsView.js').then((m) => ({ default: m.AccountsView })));
const WhatIfView = lazy(() => import('./views/WhatIfView.js').then((m) => ({ default: m.WhatIfView })));
const WebhooksView = lazy(() => import('./views/WebhooksView.js').then((m) => ({ default: m.WebhooksView })));
const IntakeView = lazy(() => import('./views/IntakeView.js').then((m) => ({ default: m.IntakeView })));

export function App() {
  const { state, bootError, retryBoot } = useAuth();
  const { t } = useI18n();

  if (state.phase === 'checking') {
    return (
      <main className="boot" id="main">
        {bootError ? <ErrorState error={bootError} onRetry={retryBoot} /> : <Loading label={t('common.loading')} />}
      </main>
    );
  }
  if (state.phase === 'signedOut') return <LoginView />;
  return (
    <PoolsProvider>
      <Shell />
    </PoolsProvider>
  );
}

function Shell() {
  const pathname = usePathname();
  const route = matchRoute(pathname);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // On navigation, move focus to the new page's heading so keyboard and screen-reader
  // users start at the top of the new content.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const h1 = main.current?.querySelector<HTMLElement>('h1');
    if (h1) {
      if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1');
      h1.focus();
    }
    window.scrollTo(0, 0);
  }, [pathname]);

  return (
    <div className="app">
      <Header route={route} />
      <PushWatcher />
      <main id="main" ref={main} className="app-main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <RouteView route={route} />
        </Suspense>
      </main>
      <GlobalShortcuts />
    </div>
  );
}

function RouteView({ route }: { route: Route }) {
  const { t } = useI18n();
  switch (route.name) {
    case 'home':
      return <HomeView />;
    case 'pool':
      return <PoolView key={route.poolId} poolId={route.poolId} />;
    case 'myLeads':
      return <MyLeadsView />;
    case 'managePools':
      return <ManagePoolsView />;
    case 'team':
      return <TeamBoardView />;
    case 'prefs':
      return <PrefsView />;
    case 'dashboard':
      return <DashboardView />;
    case 'review':
      return <ReviewView />;
    case 'manageUsers':
      return <UsersView />;
    case 'manageKeys':
      return <ApiKeysView />;
    case 'manageImport':
      return <ImportView />;
    case 'manageRouting':
      return <RoutingView />;
    case 'manageReps':
      return <RepsView />;
    case 'manageAccounts':
      return <AccountsView />;
    case 'whatIf':
      return <WhatIfView />;
    case 'manageWebhooks':
      return <WebhooksView />;
    case 'manageIntake':
      return <IntakeView />;
    case 'notFound':
      return (
        <div className="page">
          <h1>{t('notFound.title')}</h1>
          <p>
            <Link to={paths.home}>{t('notFound.home')}</Link>
          </p>
        </div>
      );
  }
}
