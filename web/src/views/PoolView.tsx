import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import { sameId, type Lead, type Pool, type SkipReason } from '../api/types.js';
import { ModeBadge } from '../components/Badges.js';
import { LeadWorkPanel } from '../components/LeadWorkPanel.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SkipMenu } from '../components/SkipMenu.js';
import { rememberPool } from '../components/ShortcutHelp.js';
import { useShortcuts } from '../lib/shortcuts.js';
import { ErrorState, Loading } from '../components/States.js';
import { useRelease } from '../components/useRelease.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { Link, paths } from '../lib/router.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { OldestAge } from './HomeView.js';
import { PoolBrowser } from './PoolBrowser.js';

export function PoolView({ poolId }: { poolId: string }) {
  const { t, number } = useI18n();
  const { pools, error, reload } = usePools();
  const { isManager } = useAuth();
  const pool = pools?.find((p) => String(p.id) === poolId) ?? null;
  useTitle(pool?.name ?? null);
  useEffect(() => rememberPool(poolId), [poolId]);

  if (!pools) {
    return (
      <div className="page">
        {error ? <ErrorState error={error} onRetry={reload} /> : <Loading />}
      </div>
    );
  }
  if (!pool) {
    return (
      <div className="page">
        <p>
          <Link to={paths.home} className="back-link">
            ← {t('pool.back')}
          </Link>
        </p>
        <h1>{t('error.POOL_NOT_FOUND')}</h1>
        <p className="muted">{t('pool.notFound')}</p>
      </div>
    );
  }

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <Link to={paths.home} className="back-link">
            ← {t('pool.back')}
          </Link>
          <h1>
            {pool.name} <ModeBadge mode={pool.mode} />
          </h1>
          <p className="muted stat-line">
            <span>{t('home.available', { n: number(pool.available) })}</span>
            <span aria-hidden="true"> · </span>
            <OldestAge iso={pool.oldestAvailableAt} />
            <span aria-hidden="true"> · </span>
            <span>{t('home.lockInfo', { min: Math.round(pool.lockTtlSeconds / 60) })}</span>
          </p>
        </div>
      </div>
      {pool.mode === 'queue' ? (
        <>
          <QueuePanel pool={pool} />
          {isManager ? (
            <section className="manager-queue" aria-label={t('pool.table', { pool: pool.name })}>
              <p className="notice">{t('pool.managerQueueNote')}</p>
              <PoolBrowser pool={pool} readOnly />
            </section>
          ) : null}
        </>
      ) : (
        <PoolBrowser pool={pool} />
      )}
    </div>
  );
}

/** A queue: no list, one big "Next lead" button, and the lead it gave you (with Skip). */
function QueuePanel({ pool }: { pool: Pool }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const { user } = useAuth();
  const toasts = useToasts();
  const { reload: reloadPools } = usePools();
  const [busy, setBusy] = useState(false);
  const [empty, setEmpty] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [lead, setLead] = useState<Lead | null>(null);
  const [hidden, setHidden] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const [skipOpen, setSkipOpen] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const [skipError, setSkipError] = useState<ShownError | null>(null);
  const [activityOpen, setActivityOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);

  const next = async () => {
    setBusy(true);
    setError(null);
    setEmpty(false);
    setSkipError(null);
    setSkipOpen(false);
    try {
      const got = await api.next(pool.id);
      if (got) {
        setActivityOpen(false);
        setLead(got);
        setHidden(false);
        reloadPools();
      } else {
        setLead(null);
        setEmpty(true);
        requestAnimationFrame(() => button.current?.focus());
      }
    } catch (err) {
      setError(describeError(err, i18n));
      requestAnimationFrame(() => button.current?.focus());
    } finally {
      setBusy(false);
    }
  };

  const skip = async (reason: SkipReason, note?: string) => {
    if (!lead) return;
    setSkipping(true);
    setSkipError(null);
    try {
      await api.skip(lead.id, reason, note);
      const company = lead.company ?? `#${String(lead.id)}`;
      toasts.show({ kind: 'info', message: t('skip.done', { company, reason: t(`skip.${reason}`) }) });
      setSkipOpen(false);
      setLead(null);
      // Like "Play" in a guided queue: skipping moves straight on to the next lead.
      await next();
    } catch (err) {
      setSkipError(describeError(err, i18n));
      setSkipOpen(false);
    } finally {
      setSkipping(false);
    }
  };

  const release = useRelease({
    onHide: () => setHidden(true),
    onRestore: () => setHidden(false),
    onDone: (l) => {
      setLead((cur) => (cur && sameId(cur.id, l.id) ? null : cur));
      requestAnimationFrame(() => button.current?.focus());
    },
  });

  useLeadStream((m) => {
    if (m.kind === 'event' && lead && sameId(m.event.leadId, lead.id)) {
      if (!sameId(m.event.ownerId, user?.id)) {
        setLead({ ...lead, status: m.event.status, ownerId: m.event.ownerId, lockExpiresAt: null });
      } else {
        api.lead(lead.id).then(({ lead: fresh }) => setLead(fresh), () => undefined);
      }
      setHistoryKey((k) => k + 1);
    }
  });

  const shownLead = lead && !hidden ? lead : null;
  const stillMine = shownLead && sameId(shownLead.ownerId ?? user?.id, user?.id);
  const open = shownLead && !['disqualified', 'converted'].includes(shownLead.status);

  useShortcuts({
    n: () => {
      if (!busy) void next();
    },
    s: () => {
      if (shownLead && stillMine && shownLead.status === 'claimed' && !shownLead.contactedAt) setSkipOpen(true);
    },
    r: () => {
      if (shownLead && stillMine && ['assigned', 'claimed', 'contacted'].includes(shownLead.status)) release(shownLead);
    },
    l: () => {
      if (open && stillMine) setActivityOpen(true);
    },
  });

  return (
    <div className={shownLead ? 'queue-layout with-lead' : 'queue-layout'}>
      <section className="queue-card" aria-labelledby="queue-title">
        <h2 id="queue-title" className="sr-only">
          {pool.name}
        </h2>
        <p className="queue-count">
          <span className="big-number">{number(pool.available)}</span> {t('queue.waiting', { n: '' }).trim()}
        </p>
        <p className="muted">
          <OldestAge iso={pool.oldestAvailableAt} />
        </p>
        <button
          ref={button}
          type="button"
          className="btn btn-primary btn-hero"
          onClick={() => void next()}
          disabled={busy}
          aria-describedby="queue-explainer"
        >
          {t('queue.next')}
        </button>
        {busy ? <p className="muted" role="status">{t('queue.taking')}</p> : null}
        <p className="muted small" id="queue-explainer">
          {t('queue.explainer')}
        </p>
        <div aria-live="polite">
          {empty ? (
            <div className="state state-empty state-inline">
              <p className="state-title">{t('queue.empty')}</p>
              <p className="muted">{t('queue.emptyHint')}</p>
            </div>
          ) : null}
        </div>
        {error ? <ProblemBox error={error} /> : null}
      </section>
      {shownLead ? (
        <section className="queue-lead" aria-label={t('queue.yourLead')}>
          <p className="eyebrow">{t('queue.yourLead')}</p>
          {stillMine ? null : <p className="notice notice-warn">{t('error.NOT_YOUR_LEAD')}</p>}
          <LeadWorkPanel
            lead={shownLead}
            onLeadChange={setLead}
            onRelease={release}
            historyKey={historyKey}
            activityOpen={activityOpen}
            onActivityOpenChange={setActivityOpen}
            focusOnOpen
            onSkip={stillMine ? () => setSkipOpen((o) => !o) : undefined}
            skipOpen={skipOpen}
            skipMenu={<SkipMenu busy={skipping} onPick={(r, n) => void skip(r, n)} onCancel={() => setSkipOpen(false)} />}
            problem={skipError}
          />
          <p className="muted small">{t('queue.takeAnother')}</p>
        </section>
      ) : null}
    </div>
  );
}
