import { useEffect, useId, useRef, useState } from 'react';
import { isAbort } from '../../api/client.js';
import { integrationsApi, type Delivery, type DeliveryStatus, type Webhook } from '../../api/integrations.js';
import { useI18n } from '../../i18n/i18n.js';
import { describeError } from '../../lib/errors.js';
import { useToasts } from '../../state/toasts.js';
import { Empty, ErrorState, Loading } from '../States.js';

const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed', 'dead'];
const BADGE: Record<DeliveryStatus, string> = { pending: 'badge', delivered: 'badge badge-ok', failed: 'badge badge-warn', dead: 'badge badge-bad' };
/** The log refreshes itself while it is open: deliveries move on their own (retries). */
const REFRESH_MS = 3000;

/** One endpoint's deliveries, newest first: status, attempts, last response, next attempt, Replay. */
export function DeliveryLog({ endpoint, onClose }: { endpoint: Webhook; onClose: () => void }) {
  const i18n = useI18n();
  const { t, tx, dateTime, number } = i18n;
  const toasts = useToasts();
  const id = useId();
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [items, setItems] = useState<Delivery[] | null>(null);
  const [older, setOlder] = useState<Delivery[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    const iv = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(iv);
  }, []);
  useEffect(() => {
    setOlder([]);
  }, [status]);
  useEffect(() => {
    const c = new AbortController();
    integrationsApi.deliveries(endpoint.id, { status }, c.signal).then(
      (page) => {
        setItems(page.items);
        setNextBefore((nb) => (older.length ? nb : page.nextBefore));
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(err);
      },
    );
    return () => c.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [endpoint.id, status, tick]);

  const more = async () => {
    if (nextBefore === null) return;
    try {
      const page = await integrationsApi.deliveries(endpoint.id, { status, before: nextBefore });
      setOlder((o) => [...o, ...page.items]);
      setNextBefore(page.nextBefore);
    } catch (err) {
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    }
  };

  const replay = async (d: Delivery) => {
    try {
      await integrationsApi.replay(d.id);
      toasts.show({ kind: 'success', message: t('wh.replayed', { id: d.id }) });
      setTick((n) => n + 1);
    } catch (err) {
      toasts.show({ kind: 'error', message: describeError(err, i18n).message });
    }
  };

  const rows = items ? [...items, ...older.filter((o) => !items.some((i) => i.id === o.id))] : null;
  return (
    <section className="card delivery-log" aria-labelledby={`${id}-h`}>
      <div className="card-head">
        <h2 id={`${id}-h`} tabIndex={-1} ref={heading}>
          {t('wh.logFor', { url: endpoint.url })}
        </h2>
        <div className="button-row">
          <label className="field-inline">
            <span>{t('wh.filterStatus')}</span>
            <select value={status} onChange={(e) => setStatus(e.target.value as DeliveryStatus | '')}>
              <option value="">{t('wh.anyStatus')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`delivery.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn btn-small" onClick={() => setTick((n) => n + 1)}>
            {t('wh.refresh')}
          </button>
          <button type="button" className="icon-btn" aria-label={t('wh.close')} onClick={onClose}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      </div>
      {!rows && error ? (
        <ErrorState error={error} onRetry={() => setTick((n) => n + 1)} />
      ) : !rows ? (
        <Loading compact />
      ) : rows.length === 0 ? (
        <Empty title={t('wh.logEmpty')} icon="⇄">
          <p className="muted">{t('wh.logEmptyHint')}</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table delivery-table">
            <caption className="sr-only">{t('wh.logFor', { url: endpoint.url })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('wh.col.event')}</th>
                <th scope="col">{t('wh.col.status')}</th>
                <th scope="col" className="num">
                  {t('wh.col.attempts')}
                </th>
                <th scope="col">{t('wh.col.response')}</th>
                <th scope="col">{t('wh.col.next')}</th>
                <th scope="col">
                  <span className="sr-only">{t('field.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id} data-delivery-id={d.id} data-status={d.status}>
                  <th scope="row">
                    {tx(`whEvent.${d.eventType}`, d.eventType)}
                    <span className="muted small block">
                      <code>{d.eventType}</code>
                      {d.leadId !== null ? ` · ${t('wh.lead', { id: d.leadId })}` : ''} · <time dateTime={d.createdAt}>{dateTime(d.createdAt)}</time>
                    </span>
                  </th>
                  <td>
                    <span className={BADGE[d.status]}>{t(`delivery.${d.status}`)}</span>
                    {d.inFlight ? <span className="muted small block">{t('wh.inFlight')}</span> : d.waiting ? <span className="muted small block">{t('wh.waiting')}</span> : null}
                  </td>
                  <td className="num">{number(d.attempts)}</td>
                  <td className="response-cell">
                    {d.lastStatusCode !== null ? <span className={d.lastStatusCode < 300 ? 'badge badge-ok' : 'badge badge-warn'}>HTTP {d.lastStatusCode}</span> : null}
                    {d.lastError ? <span className="small block">{d.lastError}</span> : null}
                    {d.lastResponseExcerpt ? <code className="excerpt small block">{d.lastResponseExcerpt.slice(0, 200)}</code> : null}
                    {d.lastStatusCode === null && !d.lastError ? <span className="muted small">{t('wh.noResponse')}</span> : null}
                  </td>
                  <td>{d.nextAttemptAt ? <time dateTime={d.nextAttemptAt}>{dateTime(d.nextAttemptAt)}</time> : '—'}</td>
                  <td>
                    <button type="button" className="btn btn-small" aria-label={t('wh.replayFor', { id: d.id })} onClick={() => void replay(d)}>
                      {t('wh.replay')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {nextBefore !== null ? (
            <button type="button" className="btn" onClick={() => void more()}>
              {t('wh.more')}
            </button>
          ) : null}
        </div>
      )}
    </section>
  );
}
