import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, isAbort } from '../api/client.js';
import type { Role, User } from '../api/types.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { useToasts } from '../state/toasts.js';

export function UsersView() {
  const i18n = useI18n();
  const { t, tx, dateTime } = i18n;
  const { user: me, isManager } = useAuth();
  const toasts = useToasts();
  const id = useId();
  useTitle(t('users.title'));
  const [items, setItems] = useState<User[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('rep');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<ShownError | null>(null);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.users(c.signal).then(
      ({ items }) => {
        setItems([...items].sort((a, b) => a.role.localeCompare(b.role) || a.name.localeCompare(b.name)));
        setError(null);
      },
      (err: unknown) => !isAbort(err) && setError(err),
    );
    return () => c.abort();
  }, [key, isManager]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !name.trim() || password.length < 8) {
      setFormError({ code: 'LOCAL', message: t('users.missing') });
      return;
    }
    setBusy(true);
    setFormError(null);
    try {
      const u = await api.createUser({ email: email.trim(), name: name.trim(), role, password });
      toasts.show({ kind: 'success', message: t('users.created', { name: u.name }) });
      setEmail('');
      setName('');
      setPassword('');
      setKey((k) => k + 1);
    } catch (err) {
      setFormError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  if (!isManager) return <Forbidden title={t('users.title')} />;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('users.title')}</h1>
          <p className="muted">{t('users.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageUsers" />
      <section className="card" aria-labelledby={`${id}-add`}>
        <h2 id={`${id}-add`}>{t('users.add')}</h2>
        <form className="create-form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor={`${id}-name`}>{t('users.name')}</label>
            <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-email`}>{t('login.email')}</label>
            <input id={`${id}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={320} autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>{t('users.role')}</label>
            <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby={`${id}-role-hint`}>
              <option value="rep">{t('role.rep')}</option>
              <option value="manager">{t('role.manager')}</option>
              <option value="admin">{t('role.admin')}</option>
            </select>
            <span className="muted small" id={`${id}-role-hint`}>
              {me?.role === 'admin' ? '' : t('users.roleHint')}
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${id}-pw`}>{t('users.password')}</label>
            <input
              id={`${id}-pw`}
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              minLength={8}
              autoComplete="new-password"
              aria-describedby={`${id}-pw-hint`}
            />
            <span className="muted small" id={`${id}-pw-hint`}>
              {t('users.passwordHint')}
            </span>
          </div>
          {formError ? <ProblemBox error={formError} className={formError.code === 'LOCAL' ? 'form-note' : 'form-error'} /> : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : t('users.submit')}
            </button>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>{t('users.list')}</h2>
        {!items && error ? (
          <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
        ) : !items ? (
          <Loading compact />
        ) : items.length === 0 ? (
          <Empty title={t('users.empty')} />
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t('users.name')}</th>
                  <th scope="col">{t('login.email')}</th>
                  <th scope="col">{t('users.role')}</th>
                  <th scope="col">{t('users.since')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((u) => (
                  <tr key={String(u.id)}>
                    <th scope="row">{u.name}</th>
                    <td>{u.email}</td>
                    <td>
                      <span className={`badge badge-role-${u.role}`}>{tx(`role.${u.role}`, u.role)}</span>
                    </td>
                    <td>{dateTime(u.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

export function Forbidden({ title }: { title: string }) {
  const { t } = useI18n();
  return (
    <div className="page">
      <h1>{title}</h1>
      <p className="notice notice-warn">{t('manage.forbidden')}</p>
    </div>
  );
}
