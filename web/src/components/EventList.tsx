import { useEffect, useState } from 'react';
import { api, isAbort } from '../api/client.js';
import type { DecisionTrace, Id, LeadEvent } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { ErrorState, Loading } from './States.js';
import { TraceSummary } from './TraceSummary.js';

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
            const d = ev.data ?? {};
            const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : null);
            const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : null);
            const to = str('to');
            const activity = str('activity');
            const skipReason = str('skipReason');
            const rule = str('rule');
            // The routing decision: worded from its codes instead of the English reason.
            const trace = ev.type === 'lead.routed' && d.trace && typeof d.trace === 'object' ? (d.trace as DecisionTrace) : null;
            // Activities and skips carry the rep's note in `reason`; other events a reason.
            const isNote = ev.type === 'lead.activity' || ev.type === 'lead.skipped';
            let detail: string | null = null;
            if (ev.type === 'lead.status_changed' && to) detail = tx(`status.${to}`, to);
            else if (ev.type === 'lead.activity' && activity)
              detail = tx(activity === 'note' ? 'activity.note.type' : `activity.${activity}`, activity);
            else if (ev.type === 'lead.skipped' && skipReason) detail = tx(`skip.${skipReason}`, skipReason);
            else if (ev.type === 'lead.claim_refused' && rule) {
              const cur = num('current');
              const lim = num('limit');
              detail = tx(`rule.${rule}`, rule) + (cur !== null && lim !== null ? ` (${cur}/${lim})` : '');
            }
            return (
              <li key={String(ev.id)} className={`timeline-item ev-${ev.type.replace(/\W/g, '-')}`}>
                <span className="timeline-dot" aria-hidden="true" />
                <div>
                  <p className="timeline-title">
                    {tx(`event.${ev.type}`, ev.type)}
                    {detail ? <> · {detail}</> : null}
                  </p>
                  <p className="timeline-meta">
                    <time dateTime={ev.at}>{dateTime(ev.at)}</time>
                    {' · '}
                    {t('detail.by', { name: ev.actorName || (ev.actorKind === 'system' ? t('detail.system') : '—') })}
                  </p>
                  {trace ? <TraceSummary trace={trace} /> : null}
                  {ev.reason && !isNote && !trace ? <p className="timeline-reason">{t('detail.reason', { reason: ev.reason })}</p> : null}
                  {ev.reason && isNote ? <p className="timeline-note">{ev.reason}</p> : null}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
