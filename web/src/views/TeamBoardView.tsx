import { useEffect, useState } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import { sameId, type TeamBoardRow } from '../api/types.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';

/** Claim patterns of the whole team, visible to reps (transparency is a fair-play rule). */
export function TeamBoardView() {
  const { t, number } = useI18n();
  const { user } = useAuth();
  useTitle(t('team.title'));
  const [rows, setRows] = useState<TeamBoardRow[] | null>(null);
  const [off, setOff] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [key, setKey] = useState(0);

  useEffect(() => {
    const c = new AbortController();
    api.teamBoard(c.signal).then(
      (b) => {
        setRows([...b.reps].sort((a, z) => z.claimsWeek - a.claimsWeek || a.name.localeCompare(z.name)));
        setOff(!b.enabled);
        setError(null);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 403) setOff(true);
        else setError(err);
      },
    );
    return () => c.abort();
  }, [key]);

  const fmt = (n: number | null, digits = 0) => (n === null ? '—' : number(n, { maximumFractionDigits: digits }));

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{t('team.title')}</h1>
          <p className="muted">{t('team.subtitle')}</p>
        </div>
      </div>
      {off && !rows ? (
        <Empty title={t('team.off')} icon="◐">
          <p className="muted">{t('team.offHint')}</p>
        </Empty>
      ) : error && !rows ? (
        <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
      ) : !rows ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Empty title={t('team.empty')} />
      ) : (
        <>
          {off ? <p className="notice">{t('team.offManager')}</p> : null}
          <div className="table-wrap">
            <table className="data-table">
              <caption className="sr-only">{t('team.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('team.rep')}</th>
                  <th scope="col" className="num">{t('team.today')}</th>
                  <th scope="col" className="num">{t('team.week')}</th>
                  <th scope="col" className="num">{t('team.avgScore')}</th>
                  <th scope="col" className="num">
                    <abbr title={t('team.cpiHelp')}>{t('team.cpi')}</abbr>
                  </th>
                  <th scope="col" className="num">{t('team.expired')}</th>
                  <th scope="col" className="num">{t('team.skipped')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={String(r.userId)} className={sameId(r.userId, user?.id) ? 'is-me' : undefined}>
                    <th scope="row">
                      {r.name}
                      {sameId(r.userId, user?.id) ? <span className="badge">{t('team.you')}</span> : null}
                      {r.underMinimum ? <span className="badge badge-warn">{t('team.under')}</span> : null}
                    </th>
                    <td className="num">{number(r.claimsToday)}</td>
                    <td className="num">{number(r.claimsWeek)}</td>
                    <td className="num">{fmt(r.averageScore, 1)}</td>
                    <td className="num">{fmt(r.cherryPickIndex)}</td>
                    <td className="num">{number(r.expired)}</td>
                    <td className="num">{number(r.skipped)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">{t('team.cpiHelp')}</p>
        </>
      )}
    </div>
  );
}
