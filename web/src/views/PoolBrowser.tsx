import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import { useLeadStream } from '../api/stream.js';
import {
  FACET_KEYS,
  PREVIEW_FIELDS,
  sameId,
  type FacetKey,
  type Facets,
  type Lead,
  type Pool,
  type PreviewField,
  type SortKey,
} from '../api/types.js';
import { Score } from '../components/Badges.js';
import { FilterBar } from '../components/FilterBar.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SegmentBar } from '../components/SegmentBar.js';
import { AttributeList, ContactCard, LeadFacts } from '../components/LeadFacts.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import {
  DEFAULT_ORDER,
  EMPTY_FILTERS,
  arrivedAt,
  filtersFromSearch,
  filtersToParams,
  hasActiveFilters,
  insertionIndex,
  matchesFilters,
  type Filters,
} from '../lib/filters.js';
import { navigate, paths } from '../lib/router.js';
import { FIRST_PAGE_SIZE, peekFirstPage, takeFirstPage } from '../lib/first-page.js';
import { currentRow, moveRow, useShortcuts } from '../lib/shortcuts.js';
import { useNow } from '../lib/time.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';

const PAGE_SIZE = FIRST_PAGE_SIZE;
const SORTABLE: Partial<Record<PreviewField, SortKey>> = { company: 'company', score: 'score', createdAt: 'age' };

interface RowError extends ShownError {
  /** The lead is gone (someone else has it): the row shows briefly, then leaves. */
  gone: boolean;
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/**
 * The pool table: preview fields, filters, sort, search, paging, optimistic claims and
 * live updates. `readOnly` (a manager looking into a queue) shows the list without Claim.
 */
export function PoolBrowser({ pool, readOnly = false }: { pool: Pool; readOnly?: boolean }) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const toasts = useToasts();
  const { reload: reloadPools } = usePools();
  const { isManager } = useAuth();

  const [filters, setFilters] = useState<Filters>(() => filtersFromSearch(location.search));
  const qs = useDebounced(filtersToParams(filters).toString(), 200);

  // Opened by its address, the first page may already be here (first-page.ts): then the first
  // render shows its rows, and the effect below only takes it instead of asking.
  const [early] = useState(() => {
    const page = peekFirstPage(pool.id, qs);
    return page ? { qs, page } : null;
  });
  const fromEarly = useRef(early?.qs ?? null);

  const [items, setItemsState] = useState<Lead[]>(() => early?.page.items ?? []);
  const itemsRef = useRef<Lead[]>(items);
  const commit = useCallback((fn: (items: Lead[]) => Lead[]) => {
    const next = fn(itemsRef.current);
    if (next === itemsRef.current) return;
    itemsRef.current = next;
    setItemsState(next);
  }, []);

  const [phase, setPhase] = useState<'loading' | 'ready' | 'error'>(early ? 'ready' : 'loading');
  const [error, setError] = useState<unknown>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [nextCursor, setNextCursor] = useState<string | null>(early?.page.nextCursor ?? null);
  const [itemsHidden, setItemsHidden] = useState(early?.page.itemsHidden ?? false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [staleBanner, setStaleBanner] = useState(false);
  const [rowErrors, setRowErrors] = useState<Record<string, RowError>>({});
  const [newIds, setNewIds] = useState<ReadonlySet<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  /** The row the keys act on (j/k, c): marked and announced as selected, even before it is opened. */
  const [activeId, setActiveId] = useState<string | null>(null);
  const [selectedGone, setSelectedGone] = useState(false);
  const [facets, setFacets] = useState<Facets | null>(null);

  const claiming = useRef(new Set<string>());
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const appliedFilters = useRef<Filters>(early ? filtersFromSearch(early.qs) : filters);
  const fetchCtrl = useRef<AbortController | null>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Rows kept on screen for a few seconds to say another rep won the claim. */
  const lostRace = useRef(new Set<string>());
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const nextCursorRef = useRef<string | null>(null);
  nextCursorRef.current = nextCursor;

  // Columns: the pool's preview fields (managers and cherry-pick see everything anyway).
  const fields: PreviewField[] = useMemo(() => {
    if (isManager) return [...PREVIEW_FIELDS];
    const f = pool.previewFields.filter((x): x is PreviewField => (PREVIEW_FIELDS as readonly string[]).includes(x));
    return f.length ? f : [...PREVIEW_FIELDS];
  }, [pool.previewFields, isManager]);
  const fullView = pool.mode === 'cherry_pick' || isManager;
  const facetKeys: FacetKey[] = FACET_KEYS.filter((k) => fullView || fields.includes(k));

  // Keep the filters in the address, so reload and Back keep the view.
  useEffect(() => {
    const url = `${location.pathname}?${qs}`;
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  }, [qs]);

  // Facets only after the first rows are on screen: on a big pool they are the slower query
  // (and the server runs one query at a time), so asking for both at once delays the rows.
  const firstShown = phase !== 'loading';
  useEffect(() => {
    if (!firstShown) return;
    const c = new AbortController();
    api.facets(pool.id, c.signal).then(
      (f) => setFacets(f),
      () => setFacets({ industry: [], companySize: [], source: [], region: [] }),
    );
    return () => c.abort();
  }, [pool.id, firstShown]);

  // First page whenever the query changes (or a refetch is asked for).
  useEffect(() => {
    const shown = fromEarly.current;
    fromEarly.current = null;
    if (shown === qs && reloadKey === 0 && takeFirstPage(pool.id, qs)) return; // on screen since the first render
    fetchCtrl.current?.abort();
    const c = new AbortController();
    fetchCtrl.current = c;
    setRefreshing(true);
    setMoreError(null);
    const params = new URLSearchParams(qs);
    params.set('limit', String(PAGE_SIZE));
    (takeFirstPage(pool.id, qs) ?? api.poolLeads(pool.id, params, c.signal)).then(
      (page) => {
        if (c.signal.aborted) return;
        appliedFilters.current = filtersFromSearch(qs);
        commit(() => page.items.filter((l) => !claiming.current.has(String(l.id))));
        setNextCursor(page.nextCursor);
        setItemsHidden(page.itemsHidden);
        setPhase('ready');
        setError(null);
        setRefreshing(false);
        setStaleBanner(false);
        setRowErrors((r) => {
          const keep: Record<string, RowError> = {};
          for (const l of page.items) if (r[String(l.id)]) keep[String(l.id)] = r[String(l.id)]!;
          return keep;
        });
      },
      (err: unknown) => {
        if (c.signal.aborted || isAbort(err)) return;
        setError(err);
        setPhase((p) => (p === 'ready' && itemsRef.current.length ? 'ready' : 'error'));
        setRefreshing(false);
      },
    );
    return () => c.abort();
  }, [qs, pool.id, reloadKey, commit]);

  useEffect(() => () => clearTimeout(refetchTimer.current), []);

  const loadMore = async () => {
    const cursor = nextCursor;
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    const params = new URLSearchParams(qs);
    params.set('limit', String(PAGE_SIZE));
    params.set('cursor', cursor);
    try {
      const page = await api.poolLeads(pool.id, params);
      commit((cur) => {
        const have = new Set(cur.map((l) => String(l.id)));
        return [...cur, ...page.items.filter((l) => !have.has(String(l.id)) && !claiming.current.has(String(l.id)))];
      });
      setNextCursor(page.nextCursor);
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  /** A change we cannot place in the list: refetch quietly if only one page is loaded. */
  const scheduleRefetch = useCallback(() => {
    if (itemsRef.current.length > PAGE_SIZE) {
      setStaleBanner(true);
      return;
    }
    clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => setReloadKey((k) => k + 1), 500);
  }, []);

  const markNew = (id: string) => {
    setNewIds((s) => new Set(s).add(id));
    setTimeout(
      () =>
        setNewIds((s) => {
          const n = new Set(s);
          n.delete(id);
          return n;
        }),
      4000,
    );
  };

  useLeadStream((m) => {
    if (m.kind === 'resync') {
      setReloadKey((k) => k + 1);
      return;
    }
    const ev = m.event;
    const id = String(ev.leadId);
    if (claiming.current.has(id)) return; // our own claim in flight: its answer decides
    if (lostRace.current.has(id)) return; // showing "someone else claimed it": its own timer removes the row
    const here = sameId(ev.poolId, pool.id);
    const present = itemsRef.current.some((l) => String(l.id) === id);

    if (ev.status !== 'available' || !here) {
      if (present) commit((cur) => cur.filter((l) => String(l.id) !== id));
      if (selectedRef.current === id) setSelectedGone(true);
      return;
    }
    // Available in this pool: new, released or expired.
    const lead = ev.lead;
    if (!lead) {
      scheduleRefetch();
      return;
    }
    if (present) {
      commit((cur) => cur.map((l) => (String(l.id) === id ? { ...l, ...lead } : l)));
      return;
    }
    const f = appliedFilters.current;
    const match = matchesFilters(lead, f, Date.now());
    if (match === false) return;
    const pos = match === null ? null : insertionIndex(itemsRef.current, lead, f.sort, f.order);
    if (pos === null) {
      scheduleRefetch();
      return;
    }
    if (pos === itemsRef.current.length && nextCursorRef.current) return; // belongs to a later page
    commit((cur) => [...cur.slice(0, pos), lead, ...cur.slice(pos)]);
    markNew(id);
  });

  const focusRow = (id: string | null) => {
    requestAnimationFrame(() => {
      const el = id ? tableRef.current?.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(id)}"]`) : null;
      if (el) el.focus();
      else tableRef.current?.closest('.browser')?.querySelector<HTMLElement>('input, button')?.focus();
    });
  };

  const claim = async (lead: Lead) => {
    const id = String(lead.id);
    if (claiming.current.has(id)) return;
    claiming.current.add(id);
    const cur = itemsRef.current;
    const index = cur.findIndex((l) => String(l.id) === id);
    const neighbour = cur[index + 1] ?? cur[index - 1] ?? null;
    const hadFocus = document.activeElement?.closest(`[data-row-id="${CSS.escape(id)}"]`) != null;
    commit((c) => c.filter((l) => String(l.id) !== id));
    setRowErrors((r) => {
      const { [id]: _drop, ...rest } = r;
      return rest;
    });
    if (selectedRef.current === id) setSelectedId(null);
    if (hadFocus || selectedRef.current === id) focusRow(neighbour ? String(neighbour.id) : null);
    const company = lead.company ?? `#${id}`;
    try {
      await api.claim(lead.id);
      toasts.show({
        kind: 'success',
        message: t('pool.claimed', { company }),
        action: { label: t('common.open'), run: () => navigate(`${paths.myLeads}?lead=${encodeURIComponent(id)}`) },
      });
      reloadPools();
    } catch (err) {
      const shown = describeError(err, i18n);
      const gone =
        err instanceof ApiError &&
        (err.code === 'LEAD_ALREADY_CLAIMED' || err.code === 'LEAD_NOT_CLAIMABLE' || err.status === 404);
      commit((c) => {
        if (c.some((l) => String(l.id) === id)) return c;
        const at = Math.max(0, Math.min(index, c.length));
        return [...c.slice(0, at), lead, ...c.slice(at)];
      });
      setRowErrors((r) => ({ ...r, [id]: { ...shown, gone } }));
      if (gone) {
        lostRace.current.add(id);
        setTimeout(() => {
          lostRace.current.delete(id);
          commit((c) => c.filter((l) => String(l.id) !== id));
          setRowErrors((r) => {
            const { [id]: _drop, ...rest } = r;
            return rest;
          });
        }, 6000);
      }
    } finally {
      claiming.current.delete(id);
    }
  };

  const setSort = (key: SortKey) => {
    setFilters((f) =>
      f.sort === key ? { ...f, order: f.order === 'asc' ? 'desc' : 'asc' } : { ...f, sort: key, order: DEFAULT_ORDER[key] },
    );
  };

  const openRow = (id: string) => {
    setSelectedId(id);
    setSelectedGone(false);
  };

  const closePanel = () => {
    const id = selectedId;
    setSelectedId(null);
    if (id) focusRow(id);
  };

  const onRowKey = (e: KeyboardEvent<HTMLTableRowElement>, id: string) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openRow(id);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      moveRow(tableRef.current, e.key === 'ArrowDown' ? 1 : -1);
    }
  };

  useShortcuts({
    j: () => setActiveId(moveRow(tableRef.current, 1) ?? activeId),
    k: () => setActiveId(moveRow(tableRef.current, -1) ?? activeId),
    ...(readOnly
      ? {}
      : {
          c: () => {
            const id = currentRow(tableRef.current)?.dataset.rowId ?? selectedRef.current;
            const lead = id ? itemsRef.current.find((l) => String(l.id) === id) : undefined;
            if (lead && !rowErrors[id!]?.gone) void claim(lead);
          },
        }),
  });

  const now = useNow(30000);
  const selected = selectedId ? items.find((l) => String(l.id) === selectedId) ?? null : null;
  const [lastSelected, setLastSelected] = useState<Lead | null>(null);
  useEffect(() => {
    if (selected) setLastSelected(selected);
  }, [selected]);
  const panelLead = selected ?? (selectedId && lastSelected && String(lastSelected.id) === selectedId ? lastSelected : null);

  if (itemsHidden && !readOnly) return null; // a rep in a queue: the queue panel is the view

  const active = hasActiveFilters(filters);
  const colCount = fields.length + (readOnly ? 0 : 1);

  const cell = (lead: Lead, f: PreviewField) => {
    switch (f) {
      case 'company':
        return (
          <>
            <span className="company-name">{lead.company ?? '—'}</span>
            {newIds.has(String(lead.id)) ? <span className="badge badge-new">{t('pool.new')}</span> : null}
          </>
        );
      case 'score':
        return <Score value={lead.score} />;
      case 'createdAt': {
        const at = arrivedAt(lead);
        return at === null ? '—' : i18n.duration(now - at);
      }
      default:
        return lead[f] ?? '—';
    }
  };

  return (
    <div className={panelLead ? 'browser with-panel' : 'browser'}>
      <FilterBar
        filters={filters}
        onChange={setFilters}
        facets={facets}
        facetKeys={facetKeys}
        showScore={fullView || fields.includes('score')}
        showAge={fullView || fields.includes('createdAt')}
        showSearch={fullView || fields.includes('company')}
      />
      <SegmentBar filters={filters} onApply={setFilters} />

      {staleBanner ? (
        <div className="banner" role="status">
          <span>{t('pool.newLeads')}</span>
          <button type="button" className="btn btn-small" onClick={() => setReloadKey((k) => k + 1)}>
            {t('pool.refresh')}
          </button>
        </div>
      ) : null}

      <div className="browser-body">
        <div className="table-wrap" aria-busy={refreshing}>
          {refreshing && phase === 'ready' ? <div className="progress" aria-hidden="true" /> : null}
          {phase === 'error' ? (
            <ErrorState error={error} onRetry={() => setReloadKey((k) => k + 1)} />
          ) : (
            <>
              <p className="sr-only" id={`help-${String(pool.id)}`}>
                {readOnly ? t('pool.rowHelp') : t('keys.rowHelp')}
              </p>
              <table className="lead-table" aria-describedby={`help-${String(pool.id)}`}>
                <caption className="sr-only">{t('pool.table', { pool: pool.name })}</caption>
                <thead>
                  <tr>
                    {fields.map((f) => {
                      const key = SORTABLE[f];
                      const sorted = key && filters.sort === key ? filters.order : null;
                      return (
                        <th
                          key={f}
                          scope="col"
                          className={`col-${f}`}
                          aria-sort={key ? (sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none') : undefined}
                        >
                          {key ? (
                            <button type="button" className="sort-btn" onClick={() => setSort(key)}>
                              {t(`field.${f}`)}
                              <span className="sort-arrow" aria-hidden="true">
                                {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                              </span>
                            </button>
                          ) : (
                            t(`field.${f}`)
                          )}
                        </th>
                      );
                    })}
                    {readOnly ? null : (
                      <th scope="col" className="col-actions">
                        <span className="sr-only">{t('field.actions')}</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody ref={tableRef}>
                  {phase === 'loading'
                    ? Array.from({ length: 8 }, (_, i) => (
                        <tr key={`sk-${i}`} className="skeleton-row" aria-hidden="true">
                          {Array.from({ length: colCount }, (_, j) => (
                            <td key={j}>
                              <span className="skeleton" />
                            </td>
                          ))}
                        </tr>
                      ))
                    : items.flatMap((lead) => {
                        const id = String(lead.id);
                        const rowError = rowErrors[id];
                        const row = (
                          <tr
                            key={id}
                            data-row-id={id}
                            tabIndex={0}
                            aria-selected={selectedId === id || activeId === id}
                            onFocus={() => setActiveId(id)}
                            className={[
                              'lead-row',
                              selectedId === id ? 'selected' : '',
                              activeId === id ? 'is-active' : '',
                              newIds.has(id) ? 'is-new' : '',
                              rowError?.gone ? 'is-gone' : '',
                              rowError ? 'has-error' : '',
                            ].join(' ')}
                            onClick={(e) => {
                              if ((e.target as HTMLElement).closest('button, a')) return;
                              openRow(id);
                            }}
                            onKeyDown={(e) => onRowKey(e, id)}
                          >
                            {fields.map((f) => (
                              <td key={f} className={`col-${f}`} data-label={t(`field.${f}`)}>
                                {cell(lead, f)}
                              </td>
                            ))}
                            {readOnly ? null : (
                              <td className="col-actions">
                                {rowError?.gone ? (
                                  <span className="badge badge-taken">{t('pool.taken')}</span>
                                ) : (
                                  <button type="button" className="btn btn-small btn-primary" onClick={() => void claim(lead)}>
                                    {t('pool.claim')}
                                  </button>
                                )}
                              </td>
                            )}
                          </tr>
                        );
                        if (!rowError) return [row];
                        return [
                          row,
                          <tr key={`${id}-err`} className="row-error">
                            <td colSpan={colCount}>
                              <div role="alert" className="row-error-box">
                                {rowError.rule ? <p className="problem-rule">{t('rule.refusedBy', { rule: rowError.rule })}</p> : null}
                                <p>
                                  <strong>{lead.company ?? `#${id}`}:</strong> {rowError.message}
                                </p>
                                {rowError.unblock ? (
                                  <p className="unblock">
                                    <span className="unblock-label">{t('rule.unblock')}</span> {rowError.unblock}
                                  </p>
                                ) : null}
                              </div>
                              <button
                                type="button"
                                className="icon-btn"
                                aria-label={t('common.dismiss')}
                                onClick={() =>
                                  setRowErrors((r) => {
                                    const { [id]: _drop, ...rest } = r;
                                    return rest;
                                  })
                                }
                              >
                                <span aria-hidden="true">×</span>
                              </button>
                            </td>
                          </tr>,
                        ];
                      })}
                </tbody>
              </table>
              {phase === 'ready' && items.length === 0 ? (
                active ? (
                  <Empty title={t('pool.noMatch')} icon="⌕">
                    <p className="muted">{t('pool.noMatchHint')}</p>
                    <button
                      type="button"
                      className="btn"
                      onClick={() => setFilters({ ...EMPTY_FILTERS, sort: filters.sort, order: filters.order })}
                    >
                      {t('pool.clearFilters')}
                    </button>
                  </Empty>
                ) : (
                  <Empty title={t('pool.empty')}>
                    <p className="muted">{t('pool.emptyHint')}</p>
                  </Empty>
                )
              ) : null}
              {phase === 'ready' && error ? <ErrorState error={error} onRetry={() => setReloadKey((k) => k + 1)} /> : null}
              {phase === 'ready' && items.length > 0 ? (
                <div className="pager">
                  <span className="muted" aria-live="polite">
                    {t('pool.shown', { n: number(items.length) })}
                  </span>
                  {nextCursor ? (
                    <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
                      {loadingMore ? t('pool.loadingMore') : t('pool.loadMore')}
                    </button>
                  ) : (
                    <span className="muted">{t('pool.end')}</span>
                  )}
                  {moreError ? <ErrorState error={moreError} onRetry={() => void loadMore()} /> : null}
                </div>
              ) : null}
            </>
          )}
        </div>

        {panelLead ? (
          <PoolLeadPanel
            lead={panelLead}
            pool={pool}
            gone={selectedGone || !selected}
            readOnly={readOnly}
            onClaim={() => void claim(panelLead)}
            onClose={closePanel}
          />
        ) : null}
      </div>
    </div>
  );
}

function PoolLeadPanel({
  lead,
  pool,
  gone,
  readOnly,
  onClaim,
  onClose,
}: {
  lead: Lead;
  pool: Pool;
  gone: boolean;
  readOnly: boolean;
  onClaim: () => void;
  onClose: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { isManager } = useAuth();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [lead.id]);
  // In a cherry-pick pool with a detail-view limit the list shows a preview: opening the
  // lead asks for the details, which counts against the limit (and may be refused).
  const needsDetails = pool.mode === 'cherry_pick' && !isManager && lead.contact === undefined && !gone;
  const [details, setDetails] = useState<Lead | null>(null);
  const [detailError, setDetailError] = useState<ShownError | null>(null);
  useEffect(() => {
    setDetails(null);
    setDetailError(null);
    if (!needsDetails) return;
    const c = new AbortController();
    api.lead(lead.id, c.signal).then(
      ({ lead: full }) => setDetails(full),
      (err: unknown) => {
        if (!isAbort(err)) setDetailError(describeError(err, i18n));
      },
    );
    return () => c.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lead.id, needsDetails]);
  const shown = details ? { ...lead, ...details } : lead;
  const hasContact = shown.contact !== undefined && shown.contact !== null;

  return (
    <aside
      className="side-panel"
      aria-labelledby={`pool-lead-${String(lead.id)}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="panel-head">
        <div>
          <p className="eyebrow">{t('pool.leadDetails')}</p>
          <h2 className="panel-title" id={`pool-lead-${String(lead.id)}`} tabIndex={-1} ref={heading}>
            {lead.company ?? `#${String(lead.id)}`}
          </h2>
        </div>
        <button type="button" className="icon-btn" aria-label={t('common.close')} onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {gone ? (
        <p className="notice notice-warn" role="status">
          {t('pool.gone')}
        </p>
      ) : null}
      {!readOnly && !gone ? (
        <div className="panel-actions">
          <button type="button" className="btn btn-primary btn-large" onClick={onClaim}>
            {t('pool.claim')}
          </button>
        </div>
      ) : null}
      {detailError ? <ProblemBox error={detailError} /> : null}
      {needsDetails && !details && !detailError ? <Loading compact /> : null}
      {hasContact ? (
        <ContactCard lead={shown} />
      ) : pool.mode === 'pool' ? (
        <p className="muted">{t('pool.hiddenUntilClaim')}</p>
      ) : null}
      <LeadFacts lead={shown} />
      <AttributeList lead={shown} />
    </aside>
  );
}
