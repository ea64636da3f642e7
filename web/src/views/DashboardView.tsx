import '../i18n/setup-messages.js';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, isAbort } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import type { Overview } from '../api/types.js';
import { HBarChart, Histogram, LineChart, StackedBarChart, Tile } from '../components/charts.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, paths } from '../lib/router.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';

type Range = 'today' | '7d' | '30d';
const RANGES: Range[] = ['today', '7d', '30d'];

/** Score bands of 10 from the server, grouped into four a person can tell apart. */
const BAND_GROUPS: [number, number][] = [
  [0, 4],
  [4, 6],
  [6, 8],
  [8, 10],
];
const BAND_LABELS = ['0–39', '40–59', '60–79', '80–100'];

function rangeStart(r: Range, now: number): number {
  if (r === 'today') {
    const d = new Date(now);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  }
  return now - (r === '7d' ? 7 : 30) * 86_400_000;
}

/** The manager's dashboard: what is going wrong, at a glance, with the numbers on hover. */
export function DashboardView() {
  const i18n = useI18n();
  const { t, number, duration, shortDateTime } = i18n;
  const { isManager } = useAuth();
  const { pools } = usePools();
  const id = useId();
  useTitle(t('dash.title'));
  const [range, setRange] = useState<Range>('7d');
  const [poolId, setPoolId] = useState('');
  const [data, setData] = useState<Overview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [key, setKey] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    setLoading(true);
    api.overview({ from: new Date(rangeStart(range, Date.now())).toISOString(), ...(poolId ? { poolId } : {}) }, c.signal).then(
      (o) => {
        setData(o);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => c.abort();
  }, [range, poolId, key, isManager]);

  useEffect(() => () => clearTimeout(timer.current), []);
  // Live, but calm: a burst of claims costs one refetch a few seconds later.
  useLeadStream(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setKey((k) => k + 1), 4000);
  });

  const fmt = (n: number) => number(n);
  const dur = (ms: number | null) => (ms === null ? '—' : duration(ms));

  // Every day of the range that has claims, with the gaps as empty days (the line breaks there).
  const daily = useMemo(() => {
    const rows = [...(data?.arrivalToClaimDaily ?? [])].sort((a, b) => a.day - b.day);
    if (!rows.length) return null;
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days: number[] = [];
    for (let d = rows[0]!.day; d <= rows[rows.length - 1]!.day && days.length < 400; d += 86_400_000) days.push(d);
    // Axis in minutes, or in hours once the p90 passes two hours (round ticks either way).
    const top = Math.max(0, ...rows.map((r) => r.p90Ms ?? 0));
    const unit = top > 2 * 3_600_000 ? 3_600_000 : 60_000;
    const min = (v: number | null | undefined) => (v === null || v === undefined ? null : v / unit);
    return {
      days,
      p50: days.map((d) => min(byDay.get(d)?.p50Ms)),
      p90: days.map((d) => min(byDay.get(d)?.p90Ms)),
      count: days.map((d) => byDay.get(d)?.count ?? 0),
      unit,
    };
  }, [data]);
  const dayFmt = useMemo(() => new Intl.DateTimeFormat(i18n.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }), [i18n.locale]);

  const reps = useMemo(() => [...(data?.reps ?? [])].sort((a, b) => b.claims - a.claims || a.name.localeCompare(b.name)), [data]);

  if (!isManager) {
    return (
      <div className="page">
        <h1>{t('dash.title')}</h1>
        <p className="notice notice-warn">{t('manage.forbidden')}</p>
      </div>
    );
  }

  const waiting = data?.waiting ?? [];
  const totalWaiting = waiting.reduce((a, w) => a + w.total, 0);
  const oldest = waiting.reduce<number | null>((m, w) => (w.oldestAt !== null && (m === null || w.oldestAt < m) ? w.oldestAt : m), null);

  return (
    <div className="page page-wide dashboard">
      <div className="page-head">
        <div>
          <h1>{t('dash.title')}</h1>
          <p className="muted">
            {data ? t('dash.range', { from: shortDateTime(data.range.from), to: shortDateTime(Math.min(data.range.to, Date.now())) }) : t('dash.subtitle')}
          </p>
        </div>
        <div className="dash-controls">
          <div className="segmented" role="radiogroup" aria-label={t('dash.rangeLabel')}>
            {RANGES.map((r) => (
              <button key={r} type="button" role="radio" aria-checked={range === r} className={range === r ? 'active' : ''} onClick={() => setRange(r)}>
                {t(`dash.range.${r}`)}
              </button>
            ))}
          </div>
          <div className="field field-inline">
            <label htmlFor={`${id}-pool`}>{t('field.pool')}</label>
            <select id={`${id}-pool`} value={poolId} onChange={(e) => setPoolId(e.target.value)}>
              <option value="">{t('dash.allPools')}</option>
              {(pools ?? []).map((p) => (
                <option key={String(p.id)} value={String(p.id)}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>

      {!data && error ? (
        <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} />
      ) : !data ? (
        <Loading label={t('dash.loading')} />
      ) : (
        <div aria-busy={loading}>
          {error ? <ErrorState error={error} onRetry={() => setKey((k) => k + 1)} title={t('dash.stale')} /> : null}
          <section className="tiles" aria-label={t('dash.kpis')}>
            <Tile
              label={t('dash.timeToClaim')}
              value={dur(data.arrivalToClaim.p50Ms)}
              sub={t('dash.p90', { v: dur(data.arrivalToClaim.p90Ms), n: fmt(data.arrivalToClaim.count) })}
              tone={data.arrivalToClaim.p50Ms !== null && data.arrivalToClaim.p50Ms > 30 * 60_000 ? 'warn' : undefined}
            />
            <Tile
              label={t('dash.claimToContact')}
              value={dur(data.claimToContact.p50Ms)}
              sub={t('dash.p90', { v: dur(data.claimToContact.p90Ms), n: fmt(data.claimToContact.count) })}
            />
            <Tile
              label={t('dash.waitingNow')}
              value={fmt(totalWaiting)}
              sub={oldest === null ? t('home.noneWaiting') : t('home.oldest', { age: duration(Date.now() - oldest) })}
              tone={oldest !== null && Date.now() - oldest > 60 * 60_000 ? 'bad' : oldest !== null && Date.now() - oldest > 30 * 60_000 ? 'warn' : 'ok'}
            />
            <Tile label={t('dash.review')} value={fmt(data.reviewWaiting)} sub={t('dash.reviewSub')} tone={data.reviewWaiting > 0 ? 'warn' : 'ok'}>
              <Link to={paths.review} className="small">
                {t('dash.toReview')}
              </Link>
            </Tile>
            <Tile
              label={t('dash.under')}
              value={fmt(data.repsUnderMinimum.length)}
              sub={t('dash.underSub', { n: fmt(data.reps.length) })}
              tone={data.repsUnderMinimum.length ? 'warn' : 'ok'}
            />
            <Tile label={t('dash.gini')} value={number(data.fairness.giniClaims, { maximumFractionDigits: 2 })} sub={t('dash.giniSub')} />
          </section>

          <div className="chart-grid">
            <section className="card chart-card wide" aria-labelledby={`${id}-age`}>
              <h2 id={`${id}-age`}>{t('dash.age')}</h2>
              <p className="muted small">{t('dash.ageHint')}</p>
              {waiting.length === 0 ? (
                <Empty title={t('home.noneWaiting')} />
              ) : (
                <div className="small-multiples">
                  {waiting.map((w) => (
                    <div key={w.poolId} className="multiple">
                      <h3 className="chart-title">
                        <Link to={paths.pool(w.poolId)}>{w.poolName}</Link>{' '}
                        <span className="muted small">
                          {t('home.available', { n: fmt(w.total) })}
                          {w.oldestAt !== null ? ` · ${t('home.oldest', { age: duration(Date.now() - w.oldestAt) })}` : ''}
                        </span>
                      </h3>
                      <Histogram
                        buckets={w.buckets}
                        format={fmt}
                        label={t('dash.ageOf', { pool: w.poolName, n: fmt(w.total) })}
                        toneOf={(i) => (i >= 4 ? 'tone-bad' : i === 3 ? 'tone-warn' : '')}
                      />
                    </div>
                  ))}
                </div>
              )}
            </section>

            <section className="card chart-card wide" aria-labelledby={`${id}-ttc`}>
              <h2 id={`${id}-ttc`}>{t('dash.ttcOverTime')}</h2>
              <p className="muted small">{t('dash.ttcHint')}</p>
              {!daily ? (
                <Empty title={t('dash.noClaims')} />
              ) : (
                <LineChart
                  label={t('dash.ttcLabel', { n: fmt(daily.days.length) })}
                  xs={daily.days}
                  formatX={(d) => dayFmt.format(d)}
                  formatY={(v) => (v === 0 ? '0' : duration(v * daily.unit))}
                  extra={(i) => t('dash.claimsN', { n: fmt(daily.count[i] ?? 0) })}
                  series={[
                    { key: 'p50', label: t('dash.p50Line'), values: daily.p50, className: 'line-p50' },
                    { key: 'p90', label: t('dash.p90Line'), values: daily.p90, className: 'line-p90' },
                  ]}
                />
              )}
            </section>

            <section className="card chart-card" aria-labelledby={`${id}-mix`}>
              <h2 id={`${id}-mix`}>{t('dash.mix')}</h2>
              <p className="muted small">{t('dash.mixHint')}</p>
              {reps.length === 0 ? (
                <Empty title={t('dash.noReps')} />
              ) : (
                <StackedBarChart
                  label={t('dash.mix')}
                  stacks={reps.map((r) => ({
                    key: String(r.userId),
                    label: r.name,
                    segments: BAND_GROUPS.map(([a, b]) => r.scoreBands.slice(a, b).reduce((s, n) => s + n, 0)),
                  }))}
                  segmentLabels={BAND_LABELS.map((l) => t('dash.band', { band: l }))}
                  format={fmt}
                />
              )}
            </section>

            <section className="card chart-card" aria-labelledby={`${id}-cpi`}>
              <h2 id={`${id}-cpi`}>{t('dash.cpi')}</h2>
              <p className="muted small">{t('dash.cpiHint')}</p>
              <HBarChart
                label={t('dash.cpi')}
                max={100}
                refLine={50}
                refLabel={t('dash.neutral')}
                format={fmt}
                bars={reps.map((r) => ({
                  key: String(r.userId),
                  label: r.name,
                  value: r.cherryPickIndex,
                  emptyText: t('dash.tooFew'),
                  tone: r.cherryPickIndex !== null && r.cherryPickIndex >= 70 ? 'tone-bad' : r.cherryPickIndex !== null && r.cherryPickIndex >= 60 ? 'tone-warn' : '',
                  title:
                    r.cherryPickIndex === null
                      ? `${r.name}: ${t('dash.tooFew')}`
                      : t('dash.cpiTitle', { name: r.name, v: fmt(r.cherryPickIndex), claims: fmt(r.claims), skipped: fmt(r.skipped) }),
                }))}
              />
            </section>

            <section className="card chart-card" aria-labelledby={`${id}-exp`}>
              <h2 id={`${id}-exp`}>{t('dash.expiries')}</h2>
              <p className="muted small">{t('dash.expiriesHint')}</p>
              <HBarChart
                label={t('dash.expiries')}
                format={fmt}
                bars={reps.map((r) => ({
                  key: String(r.userId),
                  label: r.name,
                  value: r.expired,
                  tone: r.expired > 0 ? 'tone-warn' : '',
                  title: t('dash.expTitle', { name: r.name, expired: fmt(r.expired), released: fmt(r.released), claims: fmt(r.claims) }),
                }))}
              />
            </section>

            <section className="card chart-card" aria-labelledby={`${id}-conv`}>
              <h2 id={`${id}-conv`}>{t('dash.conversion')}</h2>
              <p className="muted small">{t('dash.conversionHint')}</p>
              {data.conversionBySource.length === 0 ? (
                <Empty title={t('dash.noClaims')} />
              ) : (
                <HBarChart
                  label={t('dash.conversion')}
                  max={100}
                  format={(n) => `${number(n, { maximumFractionDigits: 1 })} %`}
                  bars={data.conversionBySource.map((s) => ({
                    key: s.source,
                    label: i18n.tx(`claimSource.${s.source}`, s.source),
                    value: s.conversionRate,
                    title: t('dash.convTitle', {
                      source: i18n.tx(`claimSource.${s.source}`, s.source),
                      claims: fmt(s.claims),
                      contacted: fmt(s.contacted),
                      converted: fmt(s.converted),
                    }),
                  }))}
                />
              )}
            </section>

            <section className="card chart-card" aria-labelledby={`${id}-under`}>
              <h2 id={`${id}-under`}>{t('dash.under')}</h2>
              <p className="muted small">{t('dash.underHint')}</p>
              {data.repsUnderMinimum.length === 0 ? (
                <Empty title={t('dash.allMet')} icon="✓" />
              ) : (
                <HBarChart
                  label={t('dash.under')}
                  max={Math.max(...data.repsUnderMinimum.map((r) => r.minimum))}
                  format={fmt}
                  bars={data.repsUnderMinimum.map((r) => ({
                    key: String(r.userId),
                    label: r.name,
                    value: r.claimsToday,
                    tone: 'tone-warn',
                    title: t('dash.underTitle', { name: r.name, n: fmt(r.claimsToday), min: fmt(r.minimum) }),
                  }))}
                />
              )}
            </section>
          </div>
        </div>
      )}
    </div>
  );
}
