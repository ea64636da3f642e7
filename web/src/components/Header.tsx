import { useState } from 'react';
import { api } from '../api/client.js';
import { useStreamStatus } from '../api/stream.js';
import type { Availability } from '../api/types.js';
import { LANGS, useI18n, type Lang } from '../i18n/i18n.js';
import { describeError } from '../lib/errors.js';
import { Link, paths, type Route } from '../lib/router.js';
import { useAuth } from '../state/auth.js';
import { useToasts } from '../state/toasts.js';

export function LanguageSwitch() {
  const i18n = useI18n();
  const { t, lang, setLang } = i18n;
  const { user, savePrefs } = useAuth();
  const toasts = useToasts();
  const change = (l: Lang) => {
    setLang(l);
    // Signed in: the choice follows the account to every device.
    if (user) savePrefs({ locale: l }).catch((err: unknown) => toasts.show({ kind: 'error', message: describeError(err, i18n).message }));
  };
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('header.language')}</span>
      <select value={lang} onChange={(e) => change(e.target.value as Lang)} aria-label={t('header.language')}>
        {LANGS.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function LiveIndicator() {
  const { t } = useI18n();
  const status = useStreamStatus();
  const label =
    status === 'live'
      ? t('stream.live')
      : status === 'connecting'
        ? t('stream.connecting')
        : status === 'offline'
          ? t('stream.offline')
          : t('stream.idle');
  return (
    <span className={`live live-${status}`} title={t('stream.label', { state: label })}>
      <span className="live-dot" aria-hidden="true" />
      <span className="live-text">{label}</span>
    </span>
  );
}

/** A rep says whether pushed leads may reach them now. */
function AvailabilitySwitch() {
  const i18n = useI18n();
  const { t } = i18n;
  const { user, updateUser } = useAuth();
  const toasts = useToasts();
  const [busy, setBusy] = useState(false);
  if (!user || user.role !== 'rep' || !user.availability) return null;
  const value = user.availability;
  const change = async (next: Availability) => {
    setBusy(true);
    updateUser({ availability: next });
    try {
      const rep = await api.updateRep(user.id, { availability: next });
      updateUser({ availability: rep.availability });
      toasts.show({ kind: 'success', message: next === 'away' ? t('avail.nowAway') : t('avail.nowAvailable') });
    } catch (err) {
      updateUser({ availability: value });
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <label className={`avail-switch avail-${value}`} title={t('avail.hint')}>
      <span className="avail-dot" aria-hidden="true" />
      <span className="sr-only">{t('avail.label')}</span>
      <select value={value} disabled={busy} aria-label={t('avail.label')} onChange={(e) => void change(e.target.value as Availability)}>
        <option value="available">{t('avail.available')}</option>
        <option value="away">{t('avail.away')}</option>
      </select>
    </label>
  );
}

export function Header({ route }: { route: Route }) {
  const { t, tx } = useI18n();
  const { user, isManager, signOut } = useAuth();
  const current = (name: Route['name'] | Route['name'][]) =>
    (Array.isArray(name) ? name.includes(route.name) : route.name === name) ? 'page' : undefined;

  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <div className="header-inner">
        <Link to={paths.home} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.main')} className="main-nav">
          <Link to={paths.home} aria-current={current(['home', 'pool'])}>
            {t('nav.pools')}
          </Link>
          <Link to={paths.myLeads} aria-current={current('myLeads')}>
            {t('nav.myLeads')}
          </Link>
          <Link to={paths.team} aria-current={current('team')}>
            {t('nav.team')}
          </Link>
          {isManager ? (
            <>
              <Link to={paths.dashboard} aria-current={current('dashboard')}>
                {t('nav.dashboard')}
              </Link>
              <Link to={paths.review} aria-current={current('review')}>
                {t('nav.review')}
              </Link>
              <Link
                to={paths.managePools}
                aria-current={current(['managePools', 'manageUsers', 'manageKeys', 'manageImport', 'manageRouting', 'manageReps', 'manageAccounts', 'manageWebhooks', 'manageIntake', 'whatIf'])}
              >
                {t('nav.manage')}
              </Link>
            </>
          ) : null}
        </nav>
        <div className="header-tools">
          <LiveIndicator />
          <AvailabilitySwitch />
          <LanguageSwitch />
          {user ? (
            <Link
              to={paths.prefs}
              className="user-name"
              aria-current={current('prefs')}
              title={t('header.signedInAs', { name: user.name, role: tx(`role.${user.role}`, user.role) })}
              aria-label={t('header.prefsFor', { name: user.name })}
            >
              {user.name}
            </Link>
          ) : null}
          <button type="button" className="btn btn-small btn-ghost" onClick={() => void signOut()}>
            {t('header.signOut')}
          </button>
        </div>
      </div>
    </header>
  );
}
