import '../i18n/integrations-messages.js';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isAbort } from '../api/client.js';
import { integrationsApi, type IntakeSource } from '../api/integrations.js';
import { IntakeLog } from '../components/integrations/IntakeLog.js';
import { MappingEditor, mappingFromRows, newRow, rowsFromMapping, type MappingRow } from '../components/integrations/MappingEditor.js';
import { CopyField } from '../components/integrations/SecretOnce.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { Forbidden } from './UsersView.js';

const fullUrl = (path: string) => `${location.origin}${path}`;

/** Intake sources: a URL and token per web form, its field mapping and duplicate window, and its log. */
export function IntakeView() {
  const i18n = useI18n();
  const { t, number } = i18n;
  const { isManager } = useAuth();
  const { pools } = usePools();
  const toasts = useToasts();
  const id = useId();
  useTitle(t('in.title'));
  const [items, setItems] = useState<IntakeSource[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<IntakeSource | null>(null);
  const [fresh, setFresh] = useState<{ source: IntakeSource; token: string } | null>(null);
  const [logOf, setLogOf] = useState<number | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    integrationsApi.sources(c.signal).then(
      ({ items }) => {
        setItems(items);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(err);
      },
    );
    return () => c.abort();
  }, [reload, isManager]);

  const fail = (err: unknown) => toasts.show({ kind: 'error', message: describeError(err, i18n).message });
  const poolName = (pid: number | null) => (pid === null ? t('in.defaultPool') : pools?.find((p) => Number(p.id) === pid)?.name ?? `#${pid}`);

  if (!isManager) return <Forbidden title={t('in.title')} />;
  const logSource = items?.find((s) => s.id === logOf) ?? null;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('in.title')}</h1>
          <p className="muted">{t('in.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageIntake" />
      <section className="card" aria-labelledby={`${id}-form`}>
        <h2 id={`${id}-form`}>{editing ? t('in.editFor', { name: editing.name }) : t('in.create')}</h2>
        <SourceForm
          key={editing?.id ?? 'new'}
          editing={editing}
          onCancel={() => setEditing(null)}
          onCreated={(r) => {
            setFresh(r);
            setReload((n) => n + 1);
          }}
          onSaved={(s) => {
            toasts.show({ kind: 'success', message: t('in.saved', { name: s.name }) });
            setEditing(null);
            setReload((n) => n + 1);
          }}
        />
        {fresh ? (
          <div className="key-once" role="status">
            <p className="state-title">{t('in.tokenOnce', { name: fresh.source.name })}</p>
            <CopyField label={t('in.url')} value={fullUrl(fresh.source.intakeUrl)} />
            <CopyField label={t('in.token')} value={fresh.token} autoSelect />
            <p className="muted small">{t('in.usage')}</p>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setFresh(null)}>
              {t('wh.done')}
            </button>
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>{t('in.list')}</h2>
        {!items && error ? (
          <ErrorState error={error} onRetry={() => setReload((k) => k + 1)} />
        ) : !items ? (
          <Loading compact />
        ) : items.length === 0 ? (
          <Empty title={t('in.empty')} icon="⇣">
            <p className="muted">{t('in.emptyHint')}</p>
          </Empty>
        ) : (
          <ul className="integration-list">
            {items.map((s) => (
              <li key={s.id} className={s.enabled ? 'integration' : 'integration is-off'}>
                <div className="integration-main">
                  <p className="integration-name">
                    <strong>{s.name}</strong> <span className={s.enabled ? 'badge badge-ok' : 'badge badge-warn'}>{s.enabled ? t('in.on') : t('in.off')}</span>
                  </p>
                  <p className="muted small">
                    <span className="mono">{fullUrl(s.intakeUrl)}</span> · <span className="mono">{s.tokenHint}</span> · {poolName(s.poolId)} · {t(`in.dedupe.${s.dedupeBy}`)},{' '}
                    {t('in.minutes', { n: number(s.dedupeWindowMinutes) })}
                    {Object.keys(s.mapping).length ? ` · ${Object.entries(s.mapping).map(([a, b]) => `${a}→${b}`).join(', ')}` : ''}
                  </p>
                </div>
                <div className="button-row">
                  <button type="button" className="btn btn-small" aria-pressed={logOf === s.id} aria-label={t('in.showLogFor', { name: s.name })} onClick={() => setLogOf((o) => (o === s.id ? null : s.id))}>
                    {t('in.showLog')}
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" aria-label={t('in.editFor', { name: s.name })} onClick={() => setEditing(s)}>
                    {t('in.edit')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={t('in.rotateFor', { name: s.name })}
                    onClick={() =>
                      void integrationsApi.rotateToken(s.id).then((r) => {
                        setFresh(r);
                        toasts.show({ kind: 'success', message: t('in.rotated', { name: s.name }) });
                        setReload((n) => n + 1);
                      }, fail)
                    }
                  >
                    {t('in.rotate')}
                  </button>
                  {confirmDelete === s.id ? (
                    <span className="confirm-inline" role="group" aria-label={t('in.deleteConfirm', { name: s.name })}>
                      <span className="small">{t('in.deleteConfirm', { name: s.name })}</span>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        onClick={() => {
                          setConfirmDelete(null);
                          if (logOf === s.id) setLogOf(null);
                          void integrationsApi.deleteSource(s.id).then(() => {
                            toasts.show({ kind: 'success', message: t('in.deleted', { name: s.name }) });
                            setReload((n) => n + 1);
                          }, fail);
                        }}
                      >
                        {t('in.delete')}
                      </button>
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirmDelete(null)}>
                        {t('common.cancel')}
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="btn btn-small btn-ghost" aria-label={t('in.deleteFor', { name: s.name })} onClick={() => setConfirmDelete(s.id)}>
                      {t('in.delete')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {logSource ? <IntakeLog key={logSource.id} source={logSource} onClose={() => setLogOf(null)} /> : null}
    </div>
  );
}

function SourceForm({
  editing,
  onCreated,
  onSaved,
  onCancel,
}: {
  editing: IntakeSource | null;
  onCreated: (r: { source: IntakeSource; token: string }) => void;
  onSaved: (s: IntakeSource) => void;
  onCancel: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { pools } = usePools();
  const id = useId();
  const [name, setName] = useState(editing?.name ?? '');
  const [poolId, setPoolId] = useState<string>(editing?.poolId != null ? String(editing.poolId) : '');
  const [dedupeBy, setDedupeBy] = useState<'email' | 'externalId'>(editing?.dedupeBy ?? 'email');
  const [windowMin, setWindowMin] = useState(String(editing?.dedupeWindowMinutes ?? 1440));
  const [enabled, setEnabled] = useState(editing?.enabled ?? true);
  const [rows, setRows] = useState<MappingRow[]>(() => (editing ? rowsFromMapping(editing.mapping) : [newRow()]));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) nameRef.current?.focus();
  }, [editing]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError({ code: 'LOCAL', message: t('in.nameRequired') });
    const minutes = Number(windowMin);
    if (!/^\d+$/.test(windowMin.trim()) || minutes > 525_600) return setError({ code: 'LOCAL', message: t('in.windowInvalid') });
    const mapping = mappingFromRows(rows);
    if (!mapping) return setError({ code: 'LOCAL', message: t('in.rowIncomplete') });
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), poolId: poolId ? Number(poolId) : null, mapping, dedupeBy, dedupeWindowMinutes: minutes, enabled };
    try {
      if (editing) onSaved((await integrationsApi.updateSource(editing.id, body)).source);
      else {
        onCreated(await integrationsApi.createSource(body));
        setName('');
        setRows([newRow()]);
      }
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="create-form" onSubmit={submit} noValidate>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('in.name')}</label>
          <input id={`${id}-name`} ref={nameRef} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pool`}>{t('in.pool')}</label>
          <select id={`${id}-pool`} value={poolId} onChange={(e) => setPoolId(e.target.value)}>
            <option value="">{t('in.defaultPool')}</option>
            {(pools ?? []).map((p) => (
              <option key={String(p.id)} value={String(p.id)}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={`${id}-dedupe`}>{t('in.dedupeBy')}</label>
          <select id={`${id}-dedupe`} value={dedupeBy} onChange={(e) => setDedupeBy(e.target.value as 'email' | 'externalId')}>
            <option value="email">{t('in.dedupe.email')}</option>
            <option value="externalId">{t('in.dedupe.externalId')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-window`}>{t('in.window')}</label>
          <input id={`${id}-window`} inputMode="numeric" value={windowMin} onChange={(e) => setWindowMin(e.target.value)} aria-describedby={`${id}-window-hint`} />
          <span className="muted small" id={`${id}-window-hint`}>
            {t('in.windowHint')}
          </span>
        </div>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <span>{t('in.on')}</span>
        </label>
      </div>
      <MappingEditor rows={rows} onChange={setRows} />
      {error ? <ProblemBox error={error} className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : editing ? t('in.save') : t('in.submit')}
        </button>
        {editing ? (
          <button type="button" className="btn btn-ghost" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
