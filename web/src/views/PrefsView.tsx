import { useId, useMemo, useState } from 'react';
import { browserLang, LANGS, useI18n, validZone, type Lang } from '../i18n/i18n.js';
import { describeError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';

const COMMON_ZONES = ['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/London', 'UTC', 'America/New_York', 'America/Los_Angeles', 'Asia/Singapore'];

/** The user's preferences, kept with the account: language and time zone (unset: the browser's). */
export function PrefsView() {
  const i18n = useI18n();
  const { t, tx, setLang, applyPrefs, dateTime } = i18n;
  const { user, savePrefs } = useAuth();
  const id = useId();
  useTitle(t('prefs.title'));
  const [status, setStatus] = useState<{ kind: 'saving' | 'saved' | 'error'; text: string } | null>(null);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : COMMON_ZONES;
    return [...new Set([...COMMON_ZONES, ...all])];
  }, []);
  const localeValue = user?.locale === 'en' || user?.locale === 'de' ? user.locale : '';
  const zoneValue = user?.timeZone && validZone(user.timeZone) ? user.timeZone : '';

  const save = async (patch: { locale?: Lang | null; timeZone?: string | null }) => {
    setStatus({ kind: 'saving', text: t('common.saving') });
    try {
      await savePrefs(patch);
      setStatus({ kind: 'saved', text: t('prefs.saved') });
    } catch (err) {
      setStatus({ kind: 'error', text: describeError(err, i18n).message });
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('prefs.title')}</h1>
          <p className="muted">{user ? t('prefs.subtitle', { name: user.name, role: tx(`role.${user.role}`, user.role) }) : null}</p>
        </div>
      </div>
      <section className="card form-card">
        <div className="field">
          <label htmlFor={`${id}-lang`}>{t('header.language')}</label>
          <select
            id={`${id}-lang`}
            value={localeValue}
            onChange={(e) => {
              const v = e.target.value as Lang | '';
              setLang(v || browserLang());
              void save({ locale: v || null });
            }}
          >
            <option value="">{t('prefs.browserLang', { lang: LANGS.find((l) => l.code === browserLang())?.label ?? '' })}</option>
            {LANGS.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-tz`}>{t('prefs.timeZone')}</label>
          <select
            id={`${id}-tz`}
            value={zoneValue}
            onChange={(e) => {
              const v = e.target.value;
              applyPrefs({ lang: null, tz: v || null });
              void save({ timeZone: v || null });
            }}
            aria-describedby={`${id}-tz-now`}
          >
            <option value="">{t('prefs.browserZone', { zone: browserZone })}</option>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <span className="muted small" id={`${id}-tz-now`}>
            {t('prefs.now', { time: dateTime(new Date().toISOString()) })}
          </span>
        </div>
        <p className={status?.kind === 'error' ? 'form-error' : 'muted small'} role="status">
          {status ? status.text : t('prefs.storedServer')}
        </p>
      </section>
    </div>
  );
}
