import { useId, useMemo } from 'react';
import { LANGS, useI18n, type Lang } from '../i18n/i18n.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';

const COMMON_ZONES = ['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/London', 'UTC', 'America/New_York', 'America/Los_Angeles', 'Asia/Singapore'];

/** Per-user preferences on this device: language and time zone. */
export function PrefsView() {
  const { t, tx, lang, setLang, timeZone, setTimeZone, dateTime } = useI18n();
  const { user } = useAuth();
  const id = useId();
  useTitle(t('prefs.title'));
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : COMMON_ZONES;
    return [...new Set([...COMMON_ZONES, ...all])];
  }, []);

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
          <select id={`${id}-lang`} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            {LANGS.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-tz`}>{t('prefs.timeZone')}</label>
          <select id={`${id}-tz`} value={timeZone} onChange={(e) => setTimeZone(e.target.value)} aria-describedby={`${id}-tz-now`}>
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
        <p className="muted small">{t('prefs.stored')}</p>
      </section>
    </div>
  );
}
