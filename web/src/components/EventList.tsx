import { useEffect, useState } from 'react';
import { api, isAbort } from '../api/client.js';
import type { Id, LeadEvent } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorState, Loading } from './States.js';

/** A lead's history, newest first. `refreshKey` changes when the live stream says it moved. */
export function EventList({ leadId, refreshKey }: { leadId: Id; refreshKey: number }) {
  const { t, tx, dateTime } = useI18n();
  const [items, setItems] = useState<LeadEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [retry, setRetry] = useState(0);

  useEffect(() => {
    setItems(null);
    setError(null);
  }, [leadId]);

  useEffect(() => {
    const c = new AbortController();
    api.events(leadId, c.signal).then(
      ({ items }) => {
        setItems([...items].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)));
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(err);
      },
    );
    return () => c.abort();
  }, [leadId, refreshKey, retry]);

  return (
    <section className="history" aria-labelledby={`history-${leadId}`}>
      <h3 className="section-title" id={`history-${leadId}`}>
        {t('detail.history')}
      </h3>
      {error && !items ? (
        <ErrorState error={error} onRetry={() => setRetry((n) => n + 1)} />
      ) : !items ? (
        <Loading compact />
      ) : items.length === 0 ? (
        <p className="muted">{t('detail.noHistory')}</p>
      ) : (
        <ol className="timeline">
          {items.map((ev) => {
            const status = typeof ev.data?.['status'] === 'string' ? (ev.data['status'] as string) : null;
            const activity = typeof ev.data?.['type'] === 'string' ? (ev.data['type'] as string) : null;
            const note = typeof ev.data?.['note'] === 'string' ? (ev.data['note'] as string) : null;
            return (
              <li key={String(ev.id)} className={`timeline-item ev-${ev.type.replace(/\W/g, '-')}`}>
                <span className="timeline-dot" aria-hidden="true" />
                <div>
                  <p className="timeline-title">
                    {tx(`event.${ev.type}`, ev.type)}
                    {ev.type === 'lead.status_changed' && status ? <> · {tx(`status.${status}`, status)}</> : null}
                    {ev.type === 'lead.activity' && activity ? (
                      <> · {tx(activity === 'note' ? 'activity.note.type' : `activity.${activity}`, activity)}</>
                    ) : null}
                  </p>
                  <p className="timeline-meta">
                    <time dateTime={ev.at}>{dateTime(ev.at)}</time>
                    {' · '}
                    {t('detail.by', { name: ev.actorName || (ev.actorKind === 'system' ? t('detail.system') : '—') })}
                  </p>
                  {ev.reason ? <p className="timeline-reason">{t('detail.reason', { reason: ev.reason })}</p> : null}
                  {note ? <p className="timeline-note">{note}</p> : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
