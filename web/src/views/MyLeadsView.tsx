import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api, isAbort } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import { sameId, type Lead } from '../api/types.js';
import { StatusBadge } from '../components/Badges.js';
import { LeadWorkPanel } from '../components/LeadWorkPanel.js';
import { LockTimer, WARN_MS } from '../components/LockTimer.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useRelease } from '../components/useRelease.js';
import { clock, useI18n } from '../i18n/i18n.js';
import { Link, paths } from '../lib/router.js';
import { currentRow, moveRow, useShortcuts } from '../lib/shortcuts.js';
import { msUntil, useNow } from '../lib/time.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { OPEN_LEAD_EVENT } from '../components/PushWatcher.js';

function lockOrder(l: Lead): number {
  const t = l.lockExpiresAt ? Date.parse(l.lockExpiresAt) : NaN;
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

export function MyLeadsView() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { pools } = usePools();
  useTitle(t('my.title'));

  const [items, setItems] = useState<Lead[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | null>(() => new URLSearchParams(location.search).get('lead'));
  const [activityFor, setActivityFor] = useState<string | null>(null);
  const [historyKeys, setHistoryKeys] = useState<Record<string, number>>({});
  /** Leads pushed to the rep while this page is open: marked until they are opened. */
  const [pushed, setPushed] = useState<ReadonlySet<string>>(new Set());
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const listRef = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    const c = new AbortController();
    api.myLeads(c.signal).then(
      ({ items }) => {
        setItems(items);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(err);
      },
    );
    return () => c.abort();
  }, [reloadKey]);

  useEffect(() => () => clearTimeout(refetchTimer.current), []);

  useEffect(() => {
    const onOpen = (e: Event) => setSelectedId(String((e as CustomEvent<string>).detail));
    window.addEventListener(OPEN_LEAD_EVENT, onOpen);
    return () => window.removeEventListener(OPEN_LEAD_EVENT, onOpen);
  }, []);

  const refetchSoon = useCallback((ms = 300) => {
    clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => setReloadKey((k) => k + 1), ms);
  }, []);

  useLeadStream((m) => {
    if (m.kind === 'resync') {
      refetchSoon(0);
      return;
    }
    const ev = m.event;
    if (ev.type === 'lead.pushed' && sameId(ev.ownerId, user?.id)) {
      const lid = String(ev.leadId);
      setPushed((s) => new Set(s).add(lid));
      // On screen at once (the stream carries the lead); the refetch below fills in the rest.
      if (ev.lead) {
        const lead = { ...ev.lead, status: ev.status, ownerId: ev.ownerId };
        setItems((cur) => (cur && !cur.some((l) => sameId(l.id, lead.id)) ? [lead, ...cur] : cur));
      }
    }
    const mine = items?.some((l) => sameId(l.id, ev.leadId)) ?? false;
    if (mine || sameId(ev.ownerId, user?.id)) {
      refetchSoon();
      const id = String(ev.leadId);
      setHistoryKeys((h) => ({ ...h, [id]: (h[id] ?? 0) + 1 }));
    }
  });

  // Keep ?lead= in the address so a reload reopens the same lead.
  useEffect(() => {
    const url = selectedId ? `${location.pathname}?lead=${encodeURIComponent(selectedId)}` : location.pathname;
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  }, [selectedId]);

  const replace = useCallback((lead: Lead) => {
    setItems((cur) => (cur ? cur.map((l) => (sameId(l.id, lead.id) ? { ...l, ...lead } : l)) : cur));
  }, []);

  const release = useRelease({
    onHide: (lead) => {
      setHidden((h) => new Set(h).add(String(lead.id)));
      if (selectedId === String(lead.id)) setSelectedId(null);
    },
    onRestore: (lead) =>
      setHidden((h) => {
        const n = new Set(h);
        n.delete(String(lead.id));
        return n;
      }),
    onDone: (lead) => {
      setItems((cur) => (cur ? cur.filter((l) => !sameId(l.id, lead.id)) : cur));
      setHidden((h) => {
        const n = new Set(h);
        n.delete(String(lead.id));
        return n;
      });
    },
  });

  const visible = useMemo(
    () =>
      (items ?? [])
        .filter((l) => !hidden.has(String(l.id)))
        .sort((a, b) => lockOrder(a) - lockOrder(b) || String(b.claimedAt ?? '').localeCompare(String(a.claimedAt ?? ''))),
    [items, hidden],
  );
  const selected = selectedId ? visible.find((l) => String(l.id) === selectedId) ?? null : null;
  const poolName = (l: Lead) => pools?.find((p) => sameId(p.id, l.poolId))?.name ?? '';

  const focusRow = (id: string) =>
    requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(id)}"]`)?.focus());

  const open = (id: string, withActivity = false) => {
    setSelectedId(id);
    setPushed((s) => {
      if (!s.has(id)) return s;
      const n = new Set(s);
      n.delete(id);
      return n;
    });
    setActivityFor(withActivity ? id : null);
  };

  const [activeId, setActiveId] = useState<string | null>(null);
  /** The lead the keys act on: the focused or marked row, else the open one. */
  const keyLead = () => {
    const id = currentRow(listRef.current)?.dataset.rowId ?? selectedId;
    return id ? visible.find((l) => String(l.id) === id) ?? null : null;
  };
  useShortcuts({
    j: () => setActiveId(moveRow(listRef.current, 1) ?? activeId),
    k: () => setActiveId(moveRow(listRef.current, -1) ?? activeId),
    l: () => {
      const lead = keyLead();
      if (lead && lead.status !== 'disqualified' && lead.status !== 'converted') open(String(lead.id), true);
    },
    r: () => {
      const lead = keyLead();
      if (lead && (lead.status === 'assigned' || lead.status === 'claimed' || lead.status === 'contacted')) release(lead);
    },
  });

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      open(id);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      moveRow(listRef.current, e.key === 'ArrowDown' ? 1 : -1);
    }
  };

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{t('my.title')}</h1>
          <p className="muted">{t('my.subtitle')}</p>
        </div>
      </div>
      {items ? <LockWatch leads={visible} onExpired={() => refetchSoon(2000)} /> : null}
      {!items && error ? (
        <ErrorState error={error} onRetry={() => setReloadKey((k) => k + 1)} />
      ) : !items ? (
        <Loading />
      ) : visible.length === 0 ? (
        <Empty title={t('my.empty')}>
          <p className="muted">{t('my.emptyHint')}</p>
          <Link to={paths.home} className="btn btn-primary">
            {t('my.toPools')}
          </Link>
        </Empty>
      ) : (
        <div className={selected ? 'browser-body with-panel' : 'browser-body'}>
          <div className="table-wrap">
            {error ? <ErrorState error={error} onRetry={() => setReloadKey((k) => k + 1)} /> : null}
            <p className="sr-only" id="my-row-help">
              {t('keys.myRowHelp')}
            </p>
            <table className="lead-table my-table">
              <caption className="sr-only">{t('my.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.company')}</th>
                  <th scope="col" className="col-status">
                    {t('field.status')}
                  </th>
                  <th scope="col" className="col-lock">
                    {t('field.lock')}
                  </th>
                  <th scope="col" className="col-pool">
                    {t('field.pool')}
                  </th>
                  <th scope="col" className="col-actions">
                    <span className="sr-only">{t('field.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody ref={listRef}>
                {visible.map((lead) => {
                  const id = String(lead.id);
                  const closed = lead.status === 'disqualified' || lead.status === 'converted';
                  const releasable = lead.status === 'assigned' || lead.status === 'claimed' || lead.status === 'contacted';
                  return (
                    <tr
                      key={id}
                      data-row-id={id}
                      tabIndex={0}
                      aria-selected={selectedId === id || activeId === id}
                      aria-describedby="my-row-help"
                      onFocus={() => setActiveId(id)}
                      className={`lead-row${selectedId === id ? ' selected' : ''}${activeId === id ? ' is-active' : ''}${pushed.has(id) ? ' is-new' : ''}`}
                      onClick={(e) => {
                        if ((e.target as HTMLElement).closest('button, a')) return;
                        open(id);
                      }}
                      onKeyDown={(e) => onRowKey(e, id)}
                    >
                      <td data-label={t('field.company')}>
                        <span className="company-name">{lead.company ?? `#${id}`}</span>
                        {pushed.has(id) ? <span className="badge badge-new">{t('push.badge')}</span> : null}
                        {lead.industry ? <span className="muted small cell-sub">{lead.industry}</span> : null}
                      </td>
                      <td data-label={t('field.status')} className="col-status">
                        <StatusBadge status={lead.status} />
                      </td>
                      <td data-label={t('field.lock')} className="col-lock">
                        <LockTimer lead={lead} />
                      </td>
                      <td data-label={t('field.pool')} className="col-pool">
                        {poolName(lead) || '—'}
                      </td>
                      <td className="col-actions">
                        <div className="button-row">
                          {!closed ? (
                            <button type="button" className="btn btn-small btn-primary" onClick={() => open(id, true)}>
                              {t('act.logActivity')}
                            </button>
                          ) : null}
                          {releasable ? (
                            <button type="button" className="btn btn-small btn-ghost" onClick={() => release(lead)}>
                              {t('act.release')}
                            </button>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {selected ? (
            <aside
              className="side-panel"
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.stopPropagation();
                  setSelectedId(null);
                  focusRow(String(selected.id));
                }
              }}
            >
              <LeadWorkPanel
                lead={selected}
                onLeadChange={replace}
                onRelease={release}
                historyKey={historyKeys[String(selected.id)] ?? 0}
                activityOpen={activityFor === String(selected.id)}
                onActivityOpenChange={(o) => setActivityFor(o ? String(selected.id) : null)}
                onClose={() => {
                  setSelectedId(null);
                  focusRow(String(selected.id));
                }}
                focusOnOpen={activityFor !== String(selected.id)}
              />
            </aside>
          ) : (
            <p className="panel-placeholder muted">{t('my.select')}</p>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * Soft warning near the end of a lock: one toast per lead (no modal), and a refetch
 * once a lock has run out (the server releases it).
 */
function LockWatch({ leads, onExpired }: { leads: Lead[]; onExpired: () => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const now = useNow(1000);
  const warned = useRef(new Set<string>());
  const expired = useRef(new Set<string>());

  useEffect(() => {
    const warnNow: Lead[] = [];
    let minLeft = Infinity;
    for (const l of leads) {
      const left = msUntil(l.lockExpiresAt, now);
      if (left === null) continue;
      const key = `${String(l.id)}@${l.lockExpiresAt}`;
      if (left <= 0) {
        if (!expired.current.has(key)) {
          expired.current.add(key);
          onExpired();
        }
      } else if (left <= WARN_MS && !warned.current.has(key)) {
        warned.current.add(key);
        warnNow.push(l);
        minLeft = Math.min(minLeft, left);
      }
    }
    // One toast however many locks cross the line together.
    if (warnNow.length === 1) {
      const l = warnNow[0]!;
      toasts.show({
        kind: 'warning',
        message: t('lock.warn', { company: l.company ?? `#${String(l.id)}`, time: clock(minLeft) }),
        timeoutMs: 10000,
      });
    } else if (warnNow.length > 1) {
      toasts.show({ kind: 'warning', message: t('lock.warnMany', { n: warnNow.length, time: clock(minLeft) }), timeoutMs: 10000 });
    }
  }, [leads, now, onExpired, t, toasts]);

  return null;
}
