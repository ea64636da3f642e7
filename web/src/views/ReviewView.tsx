import { useEffect, useId, useState } from 'react';
import { api, isAbort } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import { sameId, type Lead, type User } from '../api/types.js';
import { Score } from '../components/Badges.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { useNow } from '../lib/time.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { Forbidden } from './UsersView.js';

/** Leads escalated to a manager: assign to a rep, put back in the pool, or disqualify. */
export function ReviewView() {
  const i18n = useI18n();
  const { t, duration } = i18n;
  const { isManager } = useAuth();
  const { pools } = usePools();
  const toasts = useToasts();
  const id = useId();
  const now = useNow(30000);
  useTitle(t('review.title'));
  const [items, setItems] = useState<Lead[] | null>(null);
  const [reps, setReps] = useState<User[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<Record<string, ShownError>>({});

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.review(c.signal).then(
      ({ items }) => {
        setItems(items);
        setError(null);
      },
      (err: unknown) => !isAbort(err) && setError(err),
    );
    return () => c.abort();
  }, [key, isManager]);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.users(c.signal).then(
      ({ items }) => setReps(items.filter((u) => u.role === 'rep').sort((a, b) => a.name.localeCompare(b.name))),
      () => undefined,
    );
    return () => c.abort();
  }, [isManager]);

  useLeadStream((m) => {
    if (m.kind === 'resync' || m.event.status === 'review' || items?.some((l) => sameId(l.id, m.event.leadId))) setKey((k) => k + 1);
  });

  if (!isManager) return <Forbidden title={t('review.title')} />;

  const act = async (lead: Lead, kind: 'assign' | 'back' | 'disqualify') => {
    const lid = String(lead.id);
    const company = lead.company ?? `#${lid}`;
    setBusy(lid);
    setRowError((r) => {
      const { [lid]: _drop, ...rest } = r;
      return rest;
    });
    try {
      if (kind === 'assign') {
        const userId = chosen[lid];
        if (!userId) throw new Error('no rep');
        await api.reassign(lead.id, Number(userId), t('review.reason'));
        const rep = reps.find((r) => String(r.id) === userId)?.name ?? '';
        toasts.show({ kind: 'success', message: t('review.assigned', { company, rep }) });
      } else if (kind === 'back') {
        await api.release(lead.id, t('review.reason'));
        toasts.show({ kind: 'success', message: t('review.putBack', { company }) });
      } else {
        await api.setStatus(lead.id, 'disqualified', t('review.reason'));
        toasts.show({ kind: 'success', message: t('review.disqualified', { company }) });
      }
      setItems((cur) => (cur ? cur.filter((l) => !sameId(l.id, lead.id)) : cur));
    } catch (err) {
      setRowError((r) => ({ ...r, [lid]: err instanceof Error && err.message === 'no rep' ? { code: 'LOCAL', message: t('review.pickRep') } : describeError(err, i18n) }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{t('review.title')}</h1>
          <p className="muted">{t('review.subtitle')}</p>
        </div>
      </div>
      {!items && error ? (
        <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
      ) : !items ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty title={t('review.empty')} icon="✓">
          <p className="muted">{t('review.emptyHint')}</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table review-table">
            <caption className="sr-only">{t('review.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.company')}</th>
                <th scope="col">{t('field.pool')}</th>
                <th scope="col">{t('field.score')}</th>
                <th scope="col">{t('field.createdAt')}</th>
                <th scope="col">{t('field.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((lead) => {
                const lid = String(lead.id);
                const company = lead.company ?? `#${lid}`;
                const arrived = lead.createdAt ? Date.parse(lead.createdAt) : null;
                return (
                  <tr key={lid} data-row-id={lid}>
                    <th scope="row">
                      {company}
                      {lead.industry ? <span className="muted small cell-sub">{lead.industry}</span> : null}
                      {rowError[lid] ? <ProblemBox error={rowError[lid]} /> : null}
                    </th>
                    <td>{pools?.find((p) => sameId(p.id, lead.poolId))?.name ?? '—'}</td>
                    <td>
                      <Score value={lead.score} />
                    </td>
                    <td>{arrived === null ? '—' : duration(now - arrived)}</td>
                    <td>
                      <div className="review-actions">
                        <label htmlFor={`${id}-${lid}`} className="sr-only">
                          {t('review.repFor', { company })}
                        </label>
                        <select id={`${id}-${lid}`} value={chosen[lid] ?? ''} onChange={(e) => setChosen((c) => ({ ...c, [lid]: e.target.value }))}>
                          <option value="">{t('review.chooseRep')}</option>
                          {reps.map((r) => (
                            <option key={String(r.id)} value={String(r.id)}>
                              {r.name}
                            </option>
                          ))}
                        </select>
                        <button type="button" className="btn btn-small btn-primary" disabled={busy === lid} onClick={() => void act(lead, 'assign')}>
                          {t('review.assign')}
                        </button>
                        <button type="button" className="btn btn-small" disabled={busy === lid} onClick={() => void act(lead, 'back')}>
                          {t('review.back')}
                        </button>
                        <button type="button" className="btn btn-small btn-ghost" disabled={busy === lid} onClick={() => void act(lead, 'disqualify')}>
                          {t('review.disqualify')}
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
