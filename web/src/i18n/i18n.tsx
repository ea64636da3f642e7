import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { de, en, type MessageKey } from './dict.js';
import { peekMe } from '../lib/first-page.js';

export type Lang = 'en' | 'de';
export const LANGS: readonly { code: Lang; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
];

const STORAGE_KEY = 'leadpool.lang';
// The setup strings join these objects at run time (setup-messages.ts), so lookups go through them.
const dicts = { en, de } as unknown as Record<Lang, Record<MessageKey, string>>;

type Vars = Record<string, string | number>;

export interface I18n {
  lang: Lang;
  /** BCP 47 locale for Intl: the browser's own variant of the chosen language when it has one. */
  locale: string;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  /** A key built at run time (status, event type…); falls back when it is not in the dictionary. */
  tx: (key: string, fallback: string, vars?: Vars) => string;
  number: (n: number, opts?: Intl.NumberFormatOptions) => string;
  dateTime: (iso: string | number | null | undefined) => string;
  /** Day and time, short (chart axes, tooltips). */
  shortDateTime: (ms: number) => string;
  /** The IANA time zone dates are shown in ('' = the browser's). */
  timeZone: string;
  setTimeZone: (tz: string) => void;
  /** Per-user preferences: called with the signed-in user's id (or null when signed out). */
  bindUser: (userId: string | null) => void;
  /** The account's own preferences from the server: a language (null: keep this device's) and a zone (null: the browser's). */
  applyPrefs: (p: { lang: Lang | null; tz: string | null }) => void;
  /** "2 h 5 min" */
  duration: (ms: number) => string;
}

function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'de' ? v : null;
  } catch {
    return null;
  }
}

export function browserLang(): Lang {
  const langs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  for (const l of langs) {
    if (l.toLowerCase().startsWith('de')) return 'de';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

function localeFor(lang: Lang): string {
  const langs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  return langs.find((l) => l.toLowerCase().startsWith(lang)) ?? lang;
}

export function fill(text: string, vars?: Vars): string {
  if (!vars) return text;
  // A value that ends a sentence itself ("Acme Co.") takes the place of the template's full stop.
  return text.replace(/\{(\w+)\}(\.?)/g, (m, name: string, stop: string) => {
    if (!(name in vars)) return m;
    const value = String(vars[name]);
    return stop && value.endsWith('.') ? value : value + stop;
  });
}

/** Whether the user picked a language themselves (then the account's locale does not override it). */
export function hasStoredLang(): boolean {
  return storedLang() !== null;
}

const I18nContext = createContext<I18n | null>(null);

interface UserPrefs {
  lang?: Lang;
  tz?: string;
}

const prefsKey = (userId: string) => `leadpool.prefs.${userId}`;

function readPrefs(userId: string): UserPrefs {
  try {
    const raw = localStorage.getItem(prefsKey(userId));
    const v = raw ? (JSON.parse(raw) as UserPrefs) : {};
    return {
      ...(v.lang === 'en' || v.lang === 'de' ? { lang: v.lang } : {}),
      ...(typeof v.tz === 'string' && validZone(v.tz) ? { tz: v.tz } : {}),
    };
  } catch {
    return {};
  }
}

function writePrefs(userId: string, patch: UserPrefs): void {
  try {
    localStorage.setItem(prefsKey(userId), JSON.stringify({ ...readPrefs(userId), ...patch }));
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

export function validZone(tz: string): boolean {
  if (tz === '') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Whether this user chose a language on this device (then the account's locale does not override it). */
export function userHasLang(userId: string): boolean {
  return readPrefs(userId).lang !== undefined;
}

/** The account's own language (from its locale) and time zone: they win over this browser's choices. */
export function accountPrefs(user: { locale?: string | null; timeZone?: string | null }): { lang: Lang | null; tz: string | null } {
  const loc = user.locale?.toLowerCase();
  return { lang: loc?.startsWith('de') ? 'de' : loc?.startsWith('en') ? 'en' : null, tz: user.timeZone ?? null };
}

export function I18nProvider({ children }: { children: ReactNode }) {
  // Signed in already at the first render (the early session check has answered): start with what
  // bindUser and applyPrefs will set for that user, so the first page is drawn once, in its language.
  const [signedIn] = useState(() => {
    const user = peekMe();
    if (!user) return null;
    const id = String(user.id);
    const account = accountPrefs(user);
    return { id, lang: account.lang ?? readPrefs(id).lang ?? null, tz: account.tz && validZone(account.tz) ? account.tz : '' };
  });
  const [lang, setLangState] = useState<Lang>(() => signedIn?.lang ?? storedLang() ?? browserLang());
  const [timeZone, setTz] = useState(signedIn?.tz ?? '');
  const [userId, setUserId] = useState<string | null>(signedIn?.id ?? null);

  const setLang = useCallback(
    (l: Lang) => {
      setLangState(l);
      try {
        localStorage.setItem(STORAGE_KEY, l);
      } catch {
        /* private mode: the choice lasts for this page only */
      }
      if (userId) writePrefs(userId, { lang: l });
    },
    [userId],
  );

  const setTimeZone = useCallback(
    (tz: string) => {
      if (!validZone(tz)) return;
      setTz(tz);
      if (userId) writePrefs(userId, { tz });
    },
    [userId],
  );

  const bindUser = useCallback((id: string | null) => {
    setUserId(id);
    if (id === null) {
      setTz('');
      return;
    }
    const p = readPrefs(id);
    if (p.lang) setLangState(p.lang);
    setTz(p.tz ?? '');
  }, []);

  const applyPrefs = useCallback((p: { lang: Lang | null; tz: string | null }) => {
    if (p.lang) {
      setLangState(p.lang);
      try {
        localStorage.setItem(STORAGE_KEY, p.lang);
      } catch {
        /* private mode */
      }
    }
    setTz(p.tz && validZone(p.tz) ? p.tz : '');
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const value = useMemo<I18n>(() => {
    const dict = dicts[lang];
    const locale = localeFor(lang);
    const nf = new Intl.NumberFormat(locale);
    const zone = timeZone ? { timeZone } : {};
    // Made when first used: each costs milliseconds to set up, and the first page shows no dates.
    let df: Intl.DateTimeFormat | undefined;
    let sdf: Intl.DateTimeFormat | undefined;
    const t = (key: MessageKey, vars?: Vars) => fill(dict[key] ?? dicts.en[key] ?? key, vars);
    const tx = (key: string, fallback: string, vars?: Vars) => {
      const text = (dict as Record<string, string>)[key];
      return fill(text ?? fallback, vars);
    };
    const number = (n: number, opts?: Intl.NumberFormatOptions) => (opts ? new Intl.NumberFormat(locale, opts).format(n) : nf.format(n));
    return {
      lang,
      locale,
      setLang,
      t,
      tx,
      number,
      timeZone,
      setTimeZone,
      bindUser,
      applyPrefs,
      shortDateTime: (ms) =>
        (sdf ??= new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', ...zone })).format(new Date(ms)),
      dateTime: (iso) => {
        if (iso === null || iso === undefined || iso === '') return '—';
        const d = new Date(iso);
        return Number.isNaN(d.getTime()) ? '—' : (df ??= new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...zone })).format(d);
      },
      duration: (ms) => {
        const totalMin = Math.floor(Math.max(0, ms) / 60000);
        if (totalMin < 1) return t('age.lessMinute');
        if (totalMin < 60) return t('age.minutes', { m: number(totalMin) });
        const totalH = Math.floor(totalMin / 60);
        if (totalH < 24) {
          const m = totalMin % 60;
          return m === 0 ? t('age.hoursOnly', { h: number(totalH) }) : t('age.hours', { h: number(totalH), m: number(m) });
        }
        return t('age.days', { d: number(Math.floor(totalH / 24)), h: number(totalH % 24) });
      },
    };
  }, [lang, setLang, timeZone, setTimeZone, bindUser, applyPrefs]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

/** "mm:ss" (or "h:mm:ss" for an hour or more) for a lock countdown. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
