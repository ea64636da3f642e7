import { useEffect, useId, useRef, useState } from 'react';
import { isAbort } from '../../api/client.js';
import { integrationsApi, type IntakeLogEntry, type IntakeSource } from '../../api/integrations.js';
import { useI18n } from '../../i18n/i18n.js';
import { Empty, ErrorState, Loading } from '../States.js';

const STATUSES: IntakeLogEntry['status'][] = ['rejected', 'created', 'duplicate'];
const BADGE = { created: 'badge badge-ok', duplicate: 'badge', rejected: 'badge badge-bad' } as const;
const REFRESH_MS = 3000;

/** Every post to a source, newest first; rejected ones with the fields that were wrong and what was sent. */
export function IntakeLog({ source, onClose }: { source: IntakeSource; onClose: () => void }) {
  const { t, dateTime } = useI18n();
  const id = useId();
  const [status, setStatus] = useState<IntakeLogEntry['status'] | ''>('');
  const [items, setItems] = useState<IntakeLogEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    const iv = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(iv);
  }, []);
  useEffect(() => {
    const c = new AbortController();
    integrationsApi.intakeLog(source.id, { status }, c.signal).then(
      (page) => {
        setItems(page.items);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(err);
      },
    );
    return () => c.abort();
  }, [source.id, status, tick]);

  return (
    <section className="card intake-log" aria-labelledby={`${id}-h`}>
      <div className="card-head">
        <h2 id={`${id}-h`} tabIndex={-1} ref={heading}>
          {t('in.log', { name: source.name })}
        </h2>
        <div className="button-row">
          <label className="field-inline">
            <span>{t('in.filter')}</span>
            <select value={status} onChange={(e) => setStatus(e.target.value as IntakeLogEntry['status'] | '')}>
              <option value="">{t('in.all')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`in.status.${s}`)}
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
      {!items && error ? (
        <ErrorState error={error} onRetry={() => setTick((n) => n + 1)} />
      ) : !items ? (
        <Loading compact />
      ) : items.length === 0 ? (
        <Empty title={t('in.logEmpty')} icon="⇣">
          <p className="muted">{t('in.logEmptyHint')}</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t('in.log', { name: source.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('in.col.at')}</th>
                <th scope="col">{t('in.col.status')}</th>
                <th scope="col">{t('in.col.problems')}</th>
                <th scope="col">{t('in.col.body')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-status={e.status}>
                  <th scope="row">
                    <time dateTime={e.receivedAt}>{dateTime(e.receivedAt)}</time>
                  </th>
                  <td>
                    <span className={BADGE[e.status]}>{t(`in.status.${e.status}`)}</span> <span className="muted small">HTTP {e.httpStatus}</span>
                    {e.leadId !== null ? <span className="small block">{t('in.leadLink', { id: e.leadId })}</span> : null}
                  </td>
                  <td>
                    {e.problems?.length ? (
                      <ul className="problem-list">
                        {e.problems.map((p, i) => (
                          <li key={i}>
                            <code>{p.field}</code> {p.problem}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {e.rawExcerpt ? <code className="excerpt small block">{e.rawExcerpt.slice(0, 300)}</code> : '—'}
                    {e.contentType ? <span className="muted small block">{e.contentType}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
