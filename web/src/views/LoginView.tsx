import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { LanguageSwitch } from '../components/Header.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';

export function LoginView() {
  const i18n = useI18n();
  const { t } = i18n;
  const { signIn } = useAuth();
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  useTitle(t('login.submit'));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError(t('login.missing'));
      (email.trim() ? passwordRef : emailRef).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_CREDENTIALS') setError(t('login.invalid'));
      else if (err instanceof ApiError && (err.code === 'TOO_MANY_ATTEMPTS' || err.status === 429)) setError(t('login.tooMany'));
      else setError(describeError(err, i18n).message);
      setBusy(false);
      setPassword('');
      passwordRef.current?.focus();
    }
  };

  return (
    <div className="login-page">
      <div className="login-lang">
        <LanguageSwitch />
      </div>
      <main className="login-card" id="main">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          {t('app.name')}
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.tagline')}</p>
        <form onSubmit={submit} noValidate aria-describedby={error ? `${id}-error` : undefined}>
          <div className="field">
            <label htmlFor={`${id}-email`}>{t('login.email')}</label>
            <input
              id={`${id}-email`}
              ref={emailRef}
              type="email"
              name="email"
              autoComplete="username"
              autoFocus
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>{t('login.password')}</label>
            <input
              id={`${id}-password`}
              ref={passwordRef}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={error ? true : undefined}
            />
          </div>
          {error ? (
            <p className="form-error" role="alert" id={`${id}-error`}>
              {error}
            </p>
          ) : null}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p className="demo-hint">{t('login.demo')}</p>
      </main>
    </div>
  );
}
