import type { Pool } from '../api/types.js';
import { ModeBadge } from '../components/Badges.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, paths } from '../lib/router.js';
import { msSince, useNow } from '../lib/time.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useMyStats } from '../state/stats.js';
import { Meter } from '../components/Meter.js';

export function sortPools(pools: Pool[]): Pool[] {
  return [...pools].sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}

export function HomeView() {
  const { t } = useI18n();
  const { pools, error, reload } = usePools();
  const { isManager } = useAuth();
  useTitle(t('home.title'));

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>{t('home.title')}</h1>
          <p className="muted">{t('home.subtitle')}</p>
        </div>
      </div>
      <MyNumbers />
      <h2 className="section-heading">{t('home.poolsHeading')}</h2>
      {!pools && error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : !pools ? (
        <Loading />
      ) : pools.length === 0 ? (
        <Empty title={t('home.empty')}>
          {isManager ? (
            <p>
              <Link to={paths.managePools}>{t('home.emptyManager')}</Link>
            </p>
          ) : (
            <p className="muted">{t('home.emptyRep')}</p>
          )}
        </Empty>
      ) : (
        <ul className="pool-grid">
          {sortPools(pools).map((p) => (
            <li key={String(p.id)}>
              <PoolCard pool={p} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function OldestAge({ iso }: { iso: string | null }) {
  const { t, duration } = useI18n();
  const now = useNow(15000);
  const age = msSince(iso, now);
  if (age === null) return <span className="muted">{t('home.noneWaiting')}</span>;
  const tone = age >= 60 * 60000 ? 'age-late' : age >= 30 * 60000 ? 'age-warn' : '';
  return <span className={tone}>{t('home.oldest', { age: duration(age) })}</span>;
}

/**
 * How the signed-in rep meets a pool by their tier: null when the pool sets nothing for it,
 * or the rep's tier is unknown (then the server's answer on opening the pool decides).
 */
function tierAccess(pool: Pool, tier: string | null | undefined): 'none' | 'filter' | 'full' | 'preview' | null {
  if (!tier || !pool.access || pool.mode === 'queue') return null;
  const a = pool.access[tier];
  if (a === undefined) return null;
  return typeof a === 'string' ? a : 'filter';
}

function PoolCard({ pool }: { pool: Pool }) {
  const { t, tx, number } = useI18n();
  const { user, isManager } = useAuth();
  const access = isManager ? null : tierAccess(pool, user?.tier);
  if (access === 'none') {
    // Not open to this tier: leads reach these reps by push instead. Shown, not a link.
    return (
      <div className={`pool-card pool-card-closed mode-${pool.mode}`}>
        <span className="pool-card-top">
          <span className="pool-card-name">{pool.name}</span>
          <span className="badge">{t('home.closed')}</span>
        </span>
        <span className="pool-card-hint muted">{t('home.closedHint', { tier: tx(`tier.${user?.tier ?? ''}`, user?.tier ?? '') })}</span>
      </div>
    );
  }
  return (
    <Link to={paths.pool(pool.id)} className={`pool-card mode-${pool.mode}`}>
      <span className="pool-card-top">
        <span className="pool-card-name">{pool.name}</span>
        <ModeBadge mode={pool.mode} />
      </span>
      <span className="pool-card-count">
        <span className="big-number">{number(pool.available)}</span>
        <span className="muted"> {t('home.available', { n: '' }).trim()}</span>
      </span>
      <span className="pool-card-meta">
        <OldestAge iso={pool.oldestAvailableAt} />
      </span>
      <span className="pool-card-hint muted">
        {t(`modeHint.${pool.mode}`)} · {t('home.lockInfo', { min: Math.round(pool.lockTtlSeconds / 60) })}
        {pool.isDefault ? <> · {t('common.default')}</> : null}
      </span>
      {access === 'filter' ? <span className="pool-card-hint small">{t('home.filtered', { tier: tx(`tier.${user?.tier ?? ''}`, user?.tier ?? '') })}</span> : null}
      {access === 'full' && pool.mode === 'pool' ? <span className="pool-card-hint small">{t('home.fullAccess')}</span> : null}
    </Link>
  );
}

/** The rep's own numbers: claims today against the minimum, open uncontacted against the hoarding limit. */
function MyNumbers() {
  const { t, number } = useI18n();
  const { stats, error, reload } = useMyStats();
  return (
    <section className="card my-numbers" aria-labelledby="my-numbers-title">
      <div className="card-head">
        <h2 id="my-numbers-title">{t('stats.title')}</h2>
        {stats?.teamBoard ? (
          <Link to={paths.team} className="small">
            {t('stats.toTeam')}
          </Link>
        ) : null}
      </div>
      {!stats && error ? (
        <ErrorState error={error} onRetry={reload} />
      ) : !stats ? (
        <Loading compact />
      ) : (
        <div className="meters">
          <Meter
            label={t('stats.claimsToday')}
            value={stats.claimsToday}
            target={stats.minClaimsPerDay}
            kind="minimum"
            valueText={
              stats.minClaimsPerDay === null
                ? number(stats.claimsToday)
                : t('stats.ofMinimum', { n: number(stats.claimsToday), min: number(stats.minClaimsPerDay) })
            }
            hint={
              stats.minClaimsPerDay === null
                ? t('stats.noMinimum')
                : stats.claimsToday >= stats.minClaimsPerDay
                  ? t('stats.minimumMet')
                  : t('stats.minimumLeft', { n: number(stats.minClaimsPerDay - stats.claimsToday) })
            }
          />
          <Meter
            label={t('stats.open')}
            value={stats.openUncontacted}
            target={stats.hoardingLimit}
            kind="limit"
            valueText={
              stats.hoardingLimit === null
                ? number(stats.openUncontacted)
                : t('stats.ofLimit', { n: number(stats.openUncontacted), max: number(stats.hoardingLimit) })
            }
            hint={
              stats.hoardingLimit === null
                ? t('stats.noLimit')
                : stats.openUncontacted >= stats.hoardingLimit
                  ? t('stats.limitReached')
                  : t('stats.limitLeft', { n: number(stats.hoardingLimit - stats.openUncontacted) })
            }
          />
        </div>
      )}
    </section>
  );
}
