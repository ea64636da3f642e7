import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import type { ApiKey } from '../api/types.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { useToasts } from '../state/toasts.js';
import { Forbidden } from './UsersView.js';

export function ApiKeysView() {
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const { isManager } = useAuth();
  const toasts = useToasts();
  const id = useId();
  useTitle(t('apikeys.title'));
  const [items, setItems] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [adminOnly, setAdminOnly] = useState(false);
  const [key, setKey] = useState(0);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'ingest' | 'full'>('ingest');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<ShownError | null>(null);
  const [fresh, setFresh] = useState<{ key: string; name: string } | null>(null);
  const freshRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.apiKeys(c.signal).then(
      ({ items }) => {
        setItems(items);
        setError(null);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 403) setAdminOnly(true);
        else setError(err);
      },
    );
    return () => c.abort();
  }, [key, isManager]);

  useEffect(() => {
    if (fresh) freshRef.current?.select();
  }, [fresh]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setFormError({ code: 'LOCAL', message: t('apikeys.nameRequired') });
    setBusy(true);
    setFormError(null);
    try {
      const r = await api.createApiKey({ name: name.trim(), scope });
      setFresh({ key: r.key, name: r.apiKey.name });
      setName('');
      setKey((k) => k + 1);
    } catch (err) {
      setFormError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: ApiKey) => {
    try {
      await api.revokeApiKey(k.id);
      toasts.show({ kind: 'success', message: t('apikeys.revoked', { name: k.name }) });
      setKey((n) => n + 1);
    } catch (err) {
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    }
  };

  if (!isManager) return <Forbidden title={t('apikeys.title')} />;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('apikeys.title')}</h1>
          <p className="muted">{t('apikeys.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageKeys" />
      {adminOnly ? (
        <Empty title={t('apikeys.adminOnly')} icon="⊘">
          <p className="muted">{t('apikeys.adminOnlyHint')}</p>
        </Empty>
      ) : (
        <>
          <section className="card" aria-labelledby={`${id}-new`}>
            <h2 id={`${id}-new`}>{t('apikeys.create')}</h2>
            <form className="create-form" onSubmit={create} noValidate>
              <div className="field">
                <label htmlFor={`${id}-name`}>{t('apikeys.name')}</label>
                <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder={t('apikeys.namePlaceholder')} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-scope`}>{t('apikeys.scope')}</label>
                <select id={`${id}-scope`} value={scope} onChange={(e) => setScope(e.target.value as 'ingest' | 'full')} aria-describedby={`${id}-scope-hint`}>
                  <option value="ingest">{t('apikeys.scope.ingest')}</option>
                  <option value="full">{t('apikeys.scope.full')}</option>
                </select>
                <span className="muted small" id={`${id}-scope-hint`}>
                  {t(`apikeys.scopeHint.${scope}`)}
                </span>
              </div>
              {formError ? <ProblemBox error={formError} className={formError.code === 'LOCAL' ? 'form-note' : 'form-error'} /> : null}
              <div className="form-actions">
                <button type="submit" className="btn btn-primary" disabled={busy}>
                  {busy ? t('common.saving') : t('apikeys.submit')}
                </button>
              </div>
            </form>
            {fresh ? (
              <div className="key-once" role="status">
                <p className="state-title">{t('apikeys.once', { name: fresh.name })}</p>
                <label htmlFor={`${id}-fresh`} className="sr-only">
                  {t('apikeys.theKey')}
                </label>
                <div className="copy-row">
                  <input id={`${id}-fresh`} ref={freshRef} readOnly value={fresh.key} className="mono" onFocus={(e) => e.target.select()} />
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => {
                      void navigator.clipboard?.writeText(fresh.key).then(
                        () => toasts.show({ kind: 'success', message: t('apikeys.copied') }),
                        () => undefined,
                      );
                    }}
                  >
                    {t('apikeys.copy')}
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" onClick={() => setFresh(null)}>
                    {t('apikeys.done')}
                  </button>
                </div>
                <p className="muted small">{t('apikeys.usage')}</p>
              </div>
            ) : null}
          </section>
          <section className="card" aria-labelledby={`${id}-list`}>
            <h2 id={`${id}-list`}>{t('apikeys.list')}</h2>
            {!items && error ? (
              <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
            ) : !items ? (
              <Loading compact />
            ) : items.length === 0 ? (
              <Empty title={t('apikeys.empty')} />
            ) : (
              <div className="table-wrap">
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('apikeys.name')}</th>
                      <th scope="col">{t('apikeys.scope')}</th>
                      <th scope="col">{t('apikeys.prefix')}</th>
                      <th scope="col">{t('apikeys.createdAt')}</th>
                      <th scope="col">
                        <span className="sr-only">{t('field.actions')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((k) => (
                      <tr key={String(k.id)} className={k.revokedAt ? 'is-revoked' : undefined}>
                        <th scope="row">{k.name}</th>
                        <td>{t(`apikeys.scope.${k.scope}`)}</td>
                        <td className="mono">{k.prefix}…</td>
                        <td>{dateTime(k.createdAt)}</td>
                        <td>
                          {k.revokedAt ? (
                            <span className="muted small">{t('apikeys.revokedAt', { at: dateTime(k.revokedAt) })}</span>
                          ) : (
                            <button type="button" className="btn btn-small btn-ghost" onClick={() => void revoke(k)} aria-label={t('apikeys.revokeFor', { name: k.name })}>
                              {t('apikeys.revoke')}
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </div>
  );
}
