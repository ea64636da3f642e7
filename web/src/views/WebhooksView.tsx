import '../i18n/integrations-messages.js';
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isAbort } from '../api/client.js';
import { integrationsApi, WEBHOOK_EVENT_TYPES, type Webhook } from '../api/integrations.js';
import { DeliveryLog } from '../components/integrations/DeliveryLog.js';
import { CopyField } from '../components/integrations/SecretOnce.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { useToasts } from '../state/toasts.js';
import { Forbidden } from './UsersView.js';

/** Webhook endpoints: add, edit, pause, rotate the secret, delete; each with its delivery log. */
export function WebhooksView() {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const { isManager } = useAuth();
  const toasts = useToasts();
  const id = useId();
  useTitle(t('wh.title'));
  const [items, setItems] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [fresh, setFresh] = useState<Webhook | null>(null);
  const [logOf, setLogOf] = useState<number | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<number | null>(null);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    integrationsApi.webhooks(c.signal).then(
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

  const act = async (fn: () => Promise<unknown>, message: string) => {
    try {
      await fn();
      toasts.show({ kind: 'success', message });
      setReload((n) => n + 1);
    } catch (err) {
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    }
  };

  if (!isManager) return <Forbidden title={t('wh.title')} />;
  const logEndpoint = items?.find((w) => w.id === logOf) ?? null;

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('wh.title')}</h1>
          <p className="muted">{t('wh.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageWebhooks" />
      <section className="card" aria-labelledby={`${id}-form`}>
        <h2 id={`${id}-form`}>{editing ? t('wh.edit', { url: editing.url }) : t('wh.create')}</h2>
        <WebhookForm
          key={editing?.id ?? 'new'}
          editing={editing}
          onCancel={() => setEditing(null)}
          onSaved={(w, created) => {
            toasts.show({ kind: 'success', message: created ? t('wh.created') : t('wh.saved') });
            if (w.secret) setFresh(w);
            setEditing(null);
            setReload((n) => n + 1);
          }}
        />
        {fresh?.secret ? (
          <div className="key-once" role="status">
            <p className="state-title">{t('wh.secretOnce', { url: fresh.url })}</p>
            <CopyField label={t('wh.secret')} value={fresh.secret} autoSelect />
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setFresh(null)}>
              {t('wh.done')}
            </button>
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>{t('wh.list')}</h2>
        {!items && error ? (
          <ErrorState error={error} onRetry={() => setReload((k) => k + 1)} />
        ) : !items ? (
          <Loading compact />
        ) : items.length === 0 ? (
          <Empty title={t('wh.empty')} icon="⇄">
            <p className="muted">{t('wh.emptyHint')}</p>
          </Empty>
        ) : (
          <ul className="integration-list">
            {items.map((w) => (
              <li key={w.id} className={w.enabled ? 'integration' : 'integration is-off'}>
                <div className="integration-main">
                  <p className="integration-name mono">{w.url}</p>
                  <p className="muted small">
                    <span className={w.enabled ? 'badge badge-ok' : 'badge badge-warn'}>{w.enabled ? t('wh.status.on') : t('wh.status.off')}</span>{' '}
                    {w.eventTypes.length === WEBHOOK_EVENT_TYPES.length ? t('wh.allEvents') : w.eventTypes.map((e) => tx(`whEvent.${e}`, e)).join(', ')}
                    {w.description ? ` · ${w.description}` : ''} · <span className="mono">{w.secretHint}</span>
                  </p>
                </div>
                <div className="button-row">
                  <button type="button" className="btn btn-small" aria-pressed={logOf === w.id} aria-label={t('wh.showLogFor', { url: w.url })} onClick={() => setLogOf((o) => (o === w.id ? null : w.id))}>
                    {t('wh.showLog')}
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" aria-label={t('wh.editFor', { url: w.url })} onClick={() => setEditing(w)}>
                    {t('in.edit')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={w.enabled ? t('wh.pauseFor', { url: w.url }) : t('wh.resumeFor', { url: w.url })}
                    onClick={() => void act(() => integrationsApi.updateWebhook(w.id, { enabled: !w.enabled }), w.enabled ? t('wh.paused', { url: w.url }) : t('wh.resumed', { url: w.url }))}
                  >
                    {w.enabled ? t('wh.pause') : t('wh.resume')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={t('wh.rotateFor', { url: w.url })}
                    onClick={() =>
                      void integrationsApi.updateWebhook(w.id, { rotateSecret: true }).then(
                        ({ webhook }) => {
                          setFresh(webhook);
                          setReload((n) => n + 1);
                        },
                        (err: unknown) => toasts.show({ kind: 'error', message: describeError(err, i18n).message }),
                      )
                    }
                  >
                    {t('wh.rotate')}
                  </button>
                  {confirmDelete === w.id ? (
                    <span className="confirm-inline" role="group" aria-label={t('wh.deleteConfirm', { url: w.url })}>
                      <span className="small">{t('wh.deleteConfirm', { url: w.url })}</span>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        onClick={() => {
                          setConfirmDelete(null);
                          if (logOf === w.id) setLogOf(null);
                          void act(() => integrationsApi.deleteWebhook(w.id), t('wh.deleted', { url: w.url }));
                        }}
                      >
                        {t('wh.delete')}
                      </button>
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirmDelete(null)}>
                        {t('common.cancel')}
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="btn btn-small btn-ghost" aria-label={t('wh.deleteFor', { url: w.url })} onClick={() => setConfirmDelete(w.id)}>
                      {t('wh.delete')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {logEndpoint ? <DeliveryLog key={logEndpoint.id} endpoint={logEndpoint} onClose={() => setLogOf(null)} /> : null}
    </div>
  );
}

function WebhookForm({ editing, onSaved, onCancel }: { editing: Webhook | null; onSaved: (w: Webhook, created: boolean) => void; onCancel: () => void }) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const id = useId();
  const [url, setUrl] = useState(editing?.url ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [events, setEvents] = useState<string[]>(editing?.eventTypes ?? [...WEBHOOK_EVENT_TYPES]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) urlRef.current?.focus();
  }, [editing]);

  const toggle = useCallback((e: string) => setEvents((cur) => (cur.includes(e) ? cur.filter((x) => x !== e) : [...cur, e])), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^https?:\/\/\S+$/.test(url.trim())) return setError({ code: 'LOCAL', message: t('wh.urlInvalid') });
    if (events.length === 0) return setError({ code: 'LOCAL', message: t('wh.eventsNone') });
    setBusy(true);
    setError(null);
    try {
      const body = { url: url.trim(), eventTypes: WEBHOOK_EVENT_TYPES.filter((x) => events.includes(x)), description: description.trim() || null };
      if (editing) {
        const { webhook } = await integrationsApi.updateWebhook(editing.id, body);
        onSaved(webhook, false);
      } else {
        const { webhook } = await integrationsApi.createWebhook({ ...body, description: body.description ?? undefined });
        onSaved(webhook, true);
        setUrl('');
        setDescription('');
      }
    } catch (err) {
      setError(describeError(err, i18n));
    } finally {
      setBusy(false);
    }
  };

  const all = events.length === WEBHOOK_EVENT_TYPES.length;
  return (
    <form className="create-form" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={`${id}-url`}>{t('wh.url')}</label>
        <input id={`${id}-url`} ref={urlRef} type="url" inputMode="url" value={url} onChange={(e) => setUrl(e.target.value)} maxLength={2000} placeholder="https://" aria-describedby={`${id}-url-hint`} />
        <span className="muted small" id={`${id}-url-hint`}>
          {t('wh.urlHint')}
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-desc`}>{t('wh.description')}</label>
        <input id={`${id}-desc`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
      </div>
      <fieldset className="field-set">
        <legend>{t('wh.events')}</legend>
        <label className="check">
          <input type="checkbox" checked={all} onChange={() => setEvents(all ? [] : [...WEBHOOK_EVENT_TYPES])} />
          <span>{t('wh.allEvents')}</span>
        </label>
        <div className="check-grid check-grid-wide">
          {WEBHOOK_EVENT_TYPES.map((e) => (
            <label key={e} className="check">
              <input type="checkbox" checked={events.includes(e)} onChange={() => toggle(e)} />
              <span>
                {tx(`whEvent.${e}`, e)} <code className="muted small">{e}</code>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {error ? <ProblemBox error={error} className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : editing ? t('wh.save') : t('wh.submit')}
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
