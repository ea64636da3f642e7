import { useId, useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import { POOL_MODES, PREVIEW_FIELDS, type Pool, type PoolMode, type PreviewField } from '../api/types.js';
import { ModeBadge } from '../components/Badges.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { Link, paths } from '../lib/router.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { sortPools } from './HomeView.js';

const DEFAULT_PREVIEW: PreviewField[] = ['company', 'industry', 'companySize', 'source', 'score', 'region', 'createdAt'];

function parseMinutes(text: string): number | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 1440 ? n : null;
}

export function ManagePoolsView() {
  const { t } = useI18n();
  const { isManager } = useAuth();
  const { pools, error, reload } = usePools();
  useTitle(t('manage.title'));

  if (!isManager) {
    return (
      <div className="page">
        <h1>{t('manage.title')}</h1>
        <p className="notice notice-warn">{t('manage.forbidden')}</p>
      </div>
    );
  }

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('manage.title')}</h1>
          <p className="muted">{t('manage.subtitle')}</p>
        </div>
      </div>
      <CreatePoolForm onCreated={reload} />
      <section aria-labelledby="existing-pools" className="card">
        <h2 id="existing-pools">{t('manage.existing')}</h2>
        {!pools && error ? (
          <ErrorState error={error} onRetry={reload} />
        ) : !pools ? (
          <Loading />
        ) : pools.length === 0 ? (
          <Empty title={t('manage.empty')} />
        ) : (
          <ul className="pool-settings">
            {sortPools(pools).map((p) => (
              <li key={String(p.id)}>
                <PoolSettingsRow pool={p} onSaved={reload} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function CreatePoolForm({ onCreated }: { onCreated: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [name, setName] = useState('');
  const [mode, setMode] = useState<PoolMode>('pool');
  const [minutes, setMinutes] = useState('15');
  const [preview, setPreview] = useState<PreviewField[]>(DEFAULT_PREVIEW);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    const mins = parseMinutes(minutes);
    if (!trimmed) return setError({ code: 'LOCAL', message: t('manage.nameRequired') });
    if (mins === null) return setError({ code: 'LOCAL', message: t('manage.lockInvalid') });
    setBusy(true);
    setError(null);
    try {
      await api.createPool({ name: trimmed, mode, lockTtlSeconds: mins * 60, previewFields: preview });
      toasts.show({ kind: 'success', message: t('manage.created', { name: trimmed }) });
      setName('');
      onCreated();
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('manage.create')}</h2>
      <form className="create-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('manage.name')}</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-mode`}>{t('manage.mode')}</label>
          <select
            id={`${id}-mode`}
            value={mode}
            onChange={(e) => setMode(e.target.value as PoolMode)}
            aria-describedby={`${id}-mode-hint`}
          >
            {POOL_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`mode.${m}`)}
              </option>
            ))}
          </select>
          <span className="muted small" id={`${id}-mode-hint`}>
            {t(`modeHint.${mode}`)}
          </span>
        </div>
        <div className="field field-num">
          <label htmlFor={`${id}-lock`}>{t('manage.lockMinutes')}</label>
          <input
            id={`${id}-lock`}
            type="number"
            inputMode="numeric"
            min={1}
            max={1440}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            required
          />
        </div>
        {mode === 'pool' ? (
          <fieldset className="field-set">
            <legend>{t('manage.previewFields')}</legend>
            <div className="check-grid">
              {PREVIEW_FIELDS.map((f) => (
                <label key={f} className="check">
                  <input
                    type="checkbox"
                    checked={preview.includes(f)}
                    onChange={() => setPreview((p) => (p.includes(f) ? p.filter((x) => x !== f) : [...p, f]))}
                  />
                  <span>{t(`field.${f}`)}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        {error ? (
          <div className="form-error" role="alert">
            <p>{error.message}</p>
          </div>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('manage.createSubmit')}
          </button>
        </div>
      </form>
    </section>
  );
}

function PoolSettingsRow({ pool, onSaved }: { pool: Pool; onSaved: () => void }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [mode, setMode] = useState<PoolMode>(pool.mode);
  const [minutes, setMinutes] = useState(String(Math.round(pool.lockTtlSeconds / 60)));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const mins = parseMinutes(minutes);
    if (mins === null) return setError({ code: 'LOCAL', message: t('manage.lockInvalid') });
    const body: { mode?: PoolMode; lockTtlSeconds?: number } = {};
    if (mode !== pool.mode) body.mode = mode;
    if (mins * 60 !== pool.lockTtlSeconds) body.lockTtlSeconds = mins * 60;
    if (!body.mode && body.lockTtlSeconds === undefined) return setError({ code: 'LOCAL', message: t('manage.unchanged') });
    setBusy(true);
    setError(null);
    try {
      await api.updatePool(pool.id, body);
      toasts.show({ kind: 'success', message: t('manage.saved', { name: pool.name }) });
      onSaved();
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="pool-setting" onSubmit={save} noValidate>
      <div className="pool-setting-name">
        <Link to={paths.pool(pool.id)} className="strong-link">
          {pool.name}
        </Link>
        <span className="muted small">
          <ModeBadge mode={pool.mode} /> {t('home.available', { n: number(pool.available) })}
          {pool.isDefault ? <> · {t('common.default')}</> : null}
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-mode`}>{t('manage.mode')}</label>
        <select
          id={`${id}-mode`}
          aria-label={t('manage.modeFor', { name: pool.name })}
          value={mode}
          onChange={(e) => setMode(e.target.value as PoolMode)}
        >
          {POOL_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`mode.${m}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-num">
        <label htmlFor={`${id}-lock`}>{t('manage.lockMinutes')}</label>
        <input
          id={`${id}-lock`}
          aria-label={t('manage.lockFor', { name: pool.name })}
          type="number"
          inputMode="numeric"
          min={1}
          max={1440}
          step={1}
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
      </div>
      <button type="submit" className="btn" disabled={busy} aria-label={t('manage.saveFor', { name: pool.name })}>
        {busy ? t('common.saving') : t('common.save')}
      </button>
      {error ? (
        <p className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} role="alert">
          {error.message}
        </p>
      ) : null}
    </form>
  );
}
