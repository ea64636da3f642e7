import '../i18n/setup-messages.js';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, isAbort } from '../api/client.js';
import {
  ACTION_TYPES,
  COMPANY_SIZES,
  PUSH_STRATEGIES,
  type ActionType,
  type DecisionTrace,
  type Pool,
  type PushStrategy,
  type RoutingRule,
  type RoutingVersion,
  type RuleSet,
} from '../api/types.js';
import { FieldError, ValuesField, invalidProps } from '../components/FieldBits.js';
import { MultiSelect } from '../components/MultiSelect.js';
import { ProblemBox } from '../components/ProblemBox.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError, type ShownError } from '../lib/errors.js';
import { fieldProblems, problemAt } from '../lib/fields.js';
import { actionWords, conditionWords, outcomeWords } from '../lib/routing-words.js';
import { fallbackWords, ruleWhy, skipDetail } from '../lib/trace-words.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';
import { usePools } from '../state/pools.js';
import { useToasts } from '../state/toasts.js';
import { sortPools } from './HomeView.js';
import { Forbidden } from './UsersView.js';

// ---------------------------------------------------------------------------------------
// The editor's view of a rule: text per number (empty = not tested), every action's fields
// kept so switching the action type back and forth loses nothing.

type Tri = '' | 'yes' | 'no';

interface DraftRule {
  key: string;
  id: string;
  name: string;
  enabled: boolean;
  scoreMin: string;
  scoreMax: string;
  industry: string[];
  companySize: string[];
  source: string[];
  region: string[];
  namedAccount: Tri;
  existingCustomer: Tri;
  /** Custom attribute tests are kept as they are (no editor for them yet). */
  attributes?: Record<string, unknown>;
  type: ActionType;
  team: string;
  strategy: PushStrategy;
  poolId: string;
  priority: string;
  fallbackPoolId: string;
  fallbackPriority: string;
}

interface Draft {
  rules: DraftRule[];
  defaultPoolId: string;
}

let keySeq = 0;
const newKey = () => `r${++keySeq}`;
const numText = (n: number | undefined) => (n === undefined ? '' : String(n));
const tri = (b: boolean | undefined): Tri => (b === undefined ? '' : b ? 'yes' : 'no');

function ruleToDraft(r: RoutingRule, fallbackPool: string): DraftRule {
  const a = r.then;
  const w = r.when;
  return {
    key: newKey(),
    id: r.id,
    name: r.name,
    enabled: r.enabled !== false,
    scoreMin: numText(w.scoreMin),
    scoreMax: numText(w.scoreMax),
    industry: w.industry ?? [],
    companySize: w.companySize ?? [],
    source: w.source ?? [],
    region: w.region ?? [],
    namedAccount: tri(w.namedAccount),
    existingCustomer: tri(w.existingCustomer),
    ...(w.attributes ? { attributes: w.attributes } : {}),
    type: a.type,
    team: a.type === 'push_team' ? a.team : '',
    strategy: a.type === 'push_team' ? a.strategy : 'round_robin',
    poolId: a.type === 'pool' || a.type === 'review' ? String(a.poolId) : fallbackPool,
    priority: a.type === 'pool' ? numText(a.priority) : '',
    fallbackPoolId: a.type === 'push_owner' || a.type === 'push_team' ? String(a.fallbackPoolId) : fallbackPool,
    fallbackPriority: a.type === 'push_owner' || a.type === 'push_team' ? numText(a.fallbackPriority) : '',
  };
}

function toDraft(set: RuleSet | null, defaultPool: string): Draft {
  const fallback = set ? String(set.defaultPoolId) : defaultPool;
  return { rules: (set?.rules ?? []).map((r) => ruleToDraft(r, fallback)), defaultPoolId: fallback };
}

/** Numbers as typed: the server validates them (and names the field when one is wrong). */
const num = (s: string) => Number(s.trim());
const present = (s: string) => s.trim() !== '';

function fromDraft(d: Draft): RuleSet {
  return {
    defaultPoolId: num(d.defaultPoolId),
    rules: d.rules.map((r): RoutingRule => {
      const when: RoutingRule['when'] = {};
      if (present(r.scoreMin)) when.scoreMin = num(r.scoreMin);
      if (present(r.scoreMax)) when.scoreMax = num(r.scoreMax);
      if (r.industry.length) when.industry = r.industry;
      if (r.companySize.length) when.companySize = r.companySize;
      if (r.source.length) when.source = r.source;
      if (r.region.length) when.region = r.region;
      if (r.namedAccount) when.namedAccount = r.namedAccount === 'yes';
      if (r.existingCustomer) when.existingCustomer = r.existingCustomer === 'yes';
      if (r.attributes && Object.keys(r.attributes).length) when.attributes = r.attributes;
      let then: RoutingRule['then'];
      switch (r.type) {
        case 'push_owner':
          then = { type: 'push_owner', fallbackPoolId: num(r.fallbackPoolId), ...(present(r.fallbackPriority) ? { fallbackPriority: num(r.fallbackPriority) } : {}) };
          break;
        case 'push_team':
          then = {
            type: 'push_team',
            team: r.team,
            strategy: r.strategy,
            fallbackPoolId: num(r.fallbackPoolId),
            ...(present(r.fallbackPriority) ? { fallbackPriority: num(r.fallbackPriority) } : {}),
          };
          break;
        case 'pool':
          then = { type: 'pool', poolId: num(r.poolId), ...(present(r.priority) ? { priority: num(r.priority) } : {}) };
          break;
        case 'review':
          then = { type: 'review', poolId: num(r.poolId) };
          break;
      }
      return { id: r.id, name: r.name.trim(), ...(r.enabled ? {} : { enabled: false }), when, then };
    }),
  };
}

function slug(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'rule';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

const SAMPLE_LEAD = JSON.stringify(
  {
    company: 'Muster Software GmbH',
    industry: 'Software',
    companySize: '51-200',
    source: 'Website form',
    score: 85,
    region: 'DACH-Süd',
    contact: { name: 'Erika Muster', email: 'erika@muster-software.de' },
  },
  null,
  2,
);

// ---------------------------------------------------------------------------------------

export function RoutingView() {
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const { isManager } = useAuth();
  const { pools } = usePools();
  const toasts = useToasts();
  const id = useId();
  useTitle(t('routing.title'));
  const [current, setCurrent] = useState<RoutingVersion | null | undefined>(undefined);
  const [versions, setVersions] = useState<RoutingVersion[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [teams, setTeams] = useState<string[]>([]);
  const [facets, setFacets] = useState<{ industry: string[]; source: string[]; region: string[] }>({ industry: [], source: [], region: [] });
  const [key, setKey] = useState(0);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saveError, setSaveError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);

  const sorted = useMemo(() => sortPools(pools ?? []), [pools]);
  const defaultPool = String(sorted.find((p) => p.isDefault)?.id ?? sorted[0]?.id ?? '');
  const poolName = useCallback((pid: number) => pools?.find((p) => String(p.id) === String(pid))?.name ?? t('routing.poolN', { id: pid }), [pools, t]);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    Promise.all([api.routing(c.signal), api.routingVersions(c.signal)]).then(
      ([r, v]) => {
        setCurrent(r.version);
        setVersions(v.items);
        setLoadError(null);
      },
      (err: unknown) => !isAbort(err) && setLoadError(err),
    );
    return () => c.abort();
  }, [key, isManager]);

  useEffect(() => {
    if (!isManager) return;
    const c = new AbortController();
    api.reps(c.signal).then(
      ({ items }) => setTeams([...new Set(items.map((r) => r.team).filter((x): x is string => !!x))].sort()),
      () => undefined,
    );
    return () => c.abort();
  }, [isManager]);

  // Values present in the pools, as suggestions for the condition fields.
  const poolIds = (pools ?? []).map((p) => String(p.id)).join(',');
  useEffect(() => {
    if (!isManager || !poolIds) return;
    const c = new AbortController();
    Promise.all(poolIds.split(',').map((pid) => api.facets(pid, c.signal).catch(() => null))).then((all) => {
      if (c.signal.aborted) return;
      const union = (k: 'industry' | 'source' | 'region') => [...new Set(all.flatMap((f) => f?.[k] ?? []))].sort((a, b) => a.localeCompare(b));
      setFacets({ industry: union('industry'), source: union('source'), region: union('region') });
    });
    return () => c.abort();
  }, [isManager, poolIds]);

  if (!isManager) return <Forbidden title={t('routing.title')} />;

  const startEdit = (from: RuleSet | null) => {
    setDraft(toDraft(from, defaultPool));
    setProblems({});
    setSaveError(null);
    setNote('');
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setSaveError(null);
    setProblems({});
    try {
      const { version } = await api.saveRouting(fromDraft(draft), note.trim() || undefined);
      setCurrent(version);
      setVersions((v) => [version, ...(v ?? []).filter((x) => x.version !== version.version)]);
      setDraft(null);
      toasts.show({ kind: 'success', message: t('routing.saved', { v: version.version }) });
    } catch (err) {
      const p = fieldProblems(err, 'ruleSet.');
      setProblems(p);
      setSaveError(
        err instanceof ApiError && err.fields.length
          ? { code: err.code, message: t('routing.invalid', { n: err.fields.length }) }
          : describeError(err, i18n),
      );
    } finally {
      setBusy(false);
    }
  };

  const inForce = current?.ruleSet ?? null;

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{t('routing.title')}</h1>
          <p className="muted">{t('routing.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="manageRouting" />
      {current === undefined && loadError ? (
        <ErrorState error={loadError} onRetry={() => setKey((k) => k + 1)} />
      ) : current === undefined || !pools ? (
        <Loading />
      ) : (
        <div className="routing-layout">
          <div className="routing-main">
            <section className="card" aria-labelledby={`${id}-force`}>
              <div className="card-head">
                <h2 id={`${id}-force`}>{current ? t('routing.inForce', { v: current.version }) : t('routing.noneSaved')}</h2>
                {!draft ? (
                  <button type="button" className="btn btn-primary btn-small" onClick={() => startEdit(inForce)}>
                    {t('routing.edit')}
                  </button>
                ) : null}
              </div>
              {current ? (
                <p className="muted small">
                  {t('routing.savedBy', { who: current.createdBy, when: dateTime(current.createdAt) })}
                  {current.note ? ` · “${current.note}”` : ''}
                </p>
              ) : null}
              {inForce ? (
                <RuleList set={inForce} poolName={poolName} />
              ) : (
                <Empty title={t('routing.emptyTitle')}>
                  <p className="muted">{t('routing.emptyHint', { pool: poolName(Number(defaultPool)) })}</p>
                </Empty>
              )}
            </section>

            {draft ? (
              <form className="card rule-editor" aria-labelledby={`${id}-edit`} onSubmit={save} noValidate>
                <h2 id={`${id}-edit`}>{t('routing.editor')}</h2>
                <p className="muted small">{t('routing.editorHint')}</p>
                <RuleEditor
                  draft={draft}
                  onChange={(d, structural) => {
                    setDraft(d);
                    // Indexes moved: the old problems would point at the wrong rules.
                    if (structural) setProblems({});
                  }}
                  pools={sorted}
                  teams={teams}
                  facets={facets}
                  problems={problems}
                />
                <div className="field">
                  <label htmlFor={`${id}-note`}>{t('routing.note')}</label>
                  <input id={`${id}-note`} value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} placeholder={t('routing.notePlaceholder')} />
                </div>
                {saveError ? (
                  <div className="form-error" role="alert">
                    <p>{saveError.message}</p>
                    {Object.keys(problems).length ? (
                      <ul className="problem-list">
                        {Object.entries(problems).map(([f, p]) => (
                          <li key={f}>
                            <span className="mono">{problemLabel(f, draft, t)}</span>: {p}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                    <p className="small">{t('routing.oldStays')}</p>
                  </div>
                ) : null}
                <div className="form-actions">
                  <button type="submit" className="btn btn-primary" disabled={busy}>
                    {busy ? t('common.saving') : t('routing.save')}
                  </button>
                  <button type="button" className="btn btn-ghost" onClick={() => setDraft(null)}>
                    {t('routing.discard')}
                  </button>
                </div>
              </form>
            ) : null}
          </div>

          <div className="routing-side">
            <DryRunPanel
              draft={draft}
              poolName={poolName}
              onRuleProblems={(p) => {
                setProblems(p);
                // A draft that routes cleanly has nothing left to mark.
                if (!Object.keys(p).length) setSaveError(null);
              }}
            />
            <section className="card" aria-labelledby={`${id}-versions`}>
              <h2 id={`${id}-versions`}>{t('routing.versions')}</h2>
              {!versions ? (
                <Loading compact />
              ) : versions.length === 0 ? (
                <p className="muted">{t('routing.noVersions')}</p>
              ) : (
                <ol className="version-list">
                  {versions.map((v) => (
                    <li key={v.version}>
                      <div>
                        <strong>{t('routing.versionN', { v: v.version })}</strong>
                        {current?.version === v.version ? <span className="badge badge-ok">{t('routing.current')}</span> : null}
                        <span className="muted small cell-sub">
                          {dateTime(v.createdAt)} · {v.createdBy} · {t('routing.nRules', { n: v.ruleSet.rules.length })}
                        </span>
                        {v.note ? <span className="small cell-sub">“{v.note}”</span> : null}
                      </div>
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        aria-label={t('routing.loadVersion', { v: v.version })}
                        onClick={() => startEdit(v.ruleSet)}
                      >
                        {t('routing.load')}
                      </button>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </div>
        </div>
      )}
    </div>
  );
}

/** A server field path as a person reads it: "Rule 2 “Hot leads” · then.team". */
function problemLabel(field: string, draft: Draft, t: ReturnType<typeof useI18n>['t']): string {
  const m = /^rules\[(\d+)\]\.?(.*)$/.exec(field);
  if (!m) return field === 'defaultPoolId' ? t('routing.defaultPool') : field;
  const i = Number(m[1]);
  const r = draft.rules[i];
  return `${t('routing.ruleN', { n: i + 1 })}${r?.name ? ` “${r.name}”` : ''}${m[2] ? ` · ${m[2]}` : ''}`;
}

/** The rule set as an ordered list in words. */
function RuleList({ set, poolName }: { set: RuleSet; poolName: (id: number) => string }) {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <>
      {set.rules.length === 0 ? <p className="muted">{t('routing.noRules')}</p> : null}
      <ol className="rule-list">
        {set.rules.map((r) => (
          <li key={r.id} className={r.enabled === false ? 'rule-off' : undefined}>
            <p className="rule-name">
              {r.name}
              {r.enabled === false ? <span className="badge">{t('routing.disabled')}</span> : null}
            </p>
            <p className="rule-words">
              <span className="rule-kw">{t('rw.when')}</span> {conditionWords(r.when, i18n)}
            </p>
            <p className="rule-words">
              <span className="rule-kw">{t('rw.then')}</span> {actionWords(r.then, poolName, i18n)}
            </p>
          </li>
        ))}
      </ol>
      <p className="rule-default">
        <span className="rule-kw">{t('rw.otherwise')}</span> {t('rw.defaultPool', { pool: poolName(set.defaultPoolId) })}
      </p>
    </>
  );
}

function RuleEditor({
  draft,
  onChange,
  pools,
  teams,
  facets,
  problems,
}: {
  draft: Draft;
  onChange: (d: Draft, structural?: boolean) => void;
  pools: Pool[];
  teams: string[];
  facets: { industry: string[]; source: string[]; region: string[] };
  problems: Record<string, string>;
}) {
  const { t } = useI18n();
  const id = useId();
  const list = useRef<HTMLOListElement>(null);
  const setRule = (i: number, patch: Partial<DraftRule>) => onChange({ ...draft, rules: draft.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const move = (i: number, by: -1 | 1, cls: string) => {
    const j = i + by;
    if (j < 0 || j >= draft.rules.length) return;
    const rules = [...draft.rules];
    const [r] = rules.splice(i, 1);
    rules.splice(j, 0, r!);
    onChange({ ...draft, rules }, true);
    // Keep the keyboard where it was: on the same button of the moved rule (or its twin when at an end).
    requestAnimationFrame(() => {
      const card = list.current?.querySelector<HTMLElement>(`[data-rule-key="${r!.key}"]`);
      const btn = card?.querySelector<HTMLButtonElement>(`.${cls}:not(:disabled)`) ?? card?.querySelector<HTMLButtonElement>('.move-btn:not(:disabled)');
      btn?.focus();
    });
  };
  const add = () => {
    const taken = new Set(draft.rules.map((r) => r.id));
    const name = t('routing.newRuleName', { n: draft.rules.length + 1 });
    const r: DraftRule = {
      ...ruleToDraft({ id: slug(name, taken), name, when: {}, then: { type: 'pool', poolId: Number(draft.defaultPoolId) } }, draft.defaultPoolId),
    };
    onChange({ ...draft, rules: [...draft.rules, r] }, true);
    requestAnimationFrame(() => list.current?.querySelector<HTMLInputElement>(`[data-rule-key="${r.key}"] input`)?.focus());
  };
  const defaultProblem = problemAt(problems, 'defaultPoolId');
  return (
    <>
      <ol className="rule-edit-list" ref={list}>
        {draft.rules.map((r, i) => (
          <li key={r.key} data-rule-key={r.key}>
            <RuleCard
              rule={r}
              index={i}
              count={draft.rules.length}
              onChange={(p) => setRule(i, p)}
              onMove={(by, cls) => move(i, by, cls)}
              onRemove={() => onChange({ ...draft, rules: draft.rules.filter((_, j) => j !== i) }, true)}
              pools={pools}
              teams={teams}
              facets={facets}
              problems={problems}
            />
          </li>
        ))}
      </ol>
      {draft.rules.length === 0 ? <p className="muted">{t('routing.noRulesDraft')}</p> : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={add}>
          {t('routing.addRule')}
        </button>
      </div>
      <div className="field default-pool-field">
        <label htmlFor={`${id}-default`}>{t('routing.defaultPool')}</label>
        <select
          id={`${id}-default`}
          value={draft.defaultPoolId}
          onChange={(e) => onChange({ ...draft, defaultPoolId: e.target.value })}
          {...invalidProps(`${id}-default-err`, defaultProblem)}
        >
          {pools.map((p) => (
            <option key={String(p.id)} value={String(p.id)}>
              {p.name}
            </option>
          ))}
        </select>
        <span className="muted small">{t('routing.defaultPoolHint')}</span>
        <FieldError id={`${id}-default-err`} problem={defaultProblem} />
      </div>
    </>
  );
}

function RuleCard({
  rule: r,
  index: i,
  count,
  onChange,
  onMove,
  onRemove,
  pools,
  teams,
  facets,
  problems,
}: {
  rule: DraftRule;
  index: number;
  count: number;
  onChange: (p: Partial<DraftRule>) => void;
  onMove: (by: -1 | 1, cls: string) => void;
  onRemove: () => void;
  pools: Pool[];
  teams: string[];
  facets: { industry: string[]; source: string[]; region: string[] };
  problems: Record<string, string>;
}) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const id = useId();
  const at = `rules[${i}]`;
  const p = (...fields: string[]) => problemAt(problems, ...fields.map((f) => `${at}.${f}`));
  const ruleLevel = problems[at] ?? problemAt(problems, `${at}.id`) ?? problems[`${at}.then`];
  const title = r.name.trim() || t('routing.ruleN', { n: i + 1 });
  const hasProblem = Object.keys(problems).some((k) => k === at || k.startsWith(`${at}.`));

  const poolSelect = (field: 'poolId' | 'fallbackPoolId', label: string) => {
    const problem = p(`then.${field}`);
    return (
      <div className="field">
        <label htmlFor={`${id}-${field}`}>{label}</label>
        <select id={`${id}-${field}`} value={r[field]} onChange={(e) => onChange({ [field]: e.target.value })} {...invalidProps(`${id}-${field}-err`, problem)}>
          {!pools.some((x) => String(x.id) === r[field]) ? <option value={r[field]}>{t('routing.poolN', { id: r[field] || '?' })}</option> : null}
          {pools.map((x) => (
            <option key={String(x.id)} value={String(x.id)}>
              {x.name}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-${field}-err`} problem={problem} />
      </div>
    );
  };
  const numField = (field: 'scoreMin' | 'scoreMax' | 'priority' | 'fallbackPriority', label: string, path: string, max: number, hint?: string) => {
    const problem = p(path);
    return (
      <div className="field field-num">
        <label htmlFor={`${id}-${field}`}>{label}</label>
        <input
          id={`${id}-${field}`}
          type="number"
          inputMode="numeric"
          min={0}
          max={max}
          step={1}
          value={r[field]}
          placeholder={hint ?? t('routing.any')}
          onChange={(e) => onChange({ [field]: e.target.value })}
          {...invalidProps(`${id}-${field}-err`, problem)}
        />
        <FieldError id={`${id}-${field}-err`} problem={problem} />
      </div>
    );
  };
  const triField = (field: 'namedAccount' | 'existingCustomer', label: string) => {
    const problem = p(`when.${field}`);
    return (
      <div className="field">
        <label htmlFor={`${id}-${field}`}>{label}</label>
        <select id={`${id}-${field}`} value={r[field]} onChange={(e) => onChange({ [field]: e.target.value as Tri })} {...invalidProps(`${id}-${field}-err`, problem)}>
          <option value="">{t('routing.any')}</option>
          <option value="yes">{t(`routing.${field}.yes`)}</option>
          <option value="no">{t(`routing.${field}.no`)}</option>
        </select>
        <FieldError id={`${id}-${field}-err`} problem={problem} />
      </div>
    );
  };

  return (
    <fieldset className={`rule-card${r.enabled ? '' : ' rule-off'}${hasProblem ? ' has-problem' : ''}`} aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`} className="sr-only">
        {t('routing.ruleN', { n: i + 1 })}: {title}
      </legend>
      <div className="rule-card-head">
        <span className="rule-num" aria-hidden="true">
          {i + 1}
        </span>
        <div className="field rule-name-field">
          <label htmlFor={`${id}-name`}>{t('routing.ruleName')}</label>
          <input id={`${id}-name`} value={r.name} maxLength={200} onChange={(e) => onChange({ name: e.target.value })} {...invalidProps(`${id}-name-err`, p('name'))} />
          <FieldError id={`${id}-name-err`} problem={p('name')} />
        </div>
        <label className="check">
          <input type="checkbox" checked={r.enabled} onChange={(e) => onChange({ enabled: e.target.checked })} />
          <span>{t('routing.enabled')}</span>
        </label>
        <div className="button-row rule-tools">
          <button type="button" className="icon-btn move-btn move-up" disabled={i === 0} onClick={() => onMove(-1, 'move-up')} aria-label={t('routing.moveUp', { name: title })}>
            <span aria-hidden="true">↑</span>
          </button>
          <button
            type="button"
            className="icon-btn move-btn move-down"
            disabled={i === count - 1}
            onClick={() => onMove(1, 'move-down')}
            aria-label={t('routing.moveDown', { name: title })}
          >
            <span aria-hidden="true">↓</span>
          </button>
          <button type="button" className="btn btn-small btn-ghost" onClick={onRemove} aria-label={t('routing.remove', { name: title })}>
            {t('routing.removeShort')}
          </button>
        </div>
      </div>
      <p className="muted small mono">id: {r.id}</p>
      {ruleLevel ? (
        <p className="field-error" role="alert">
          {ruleLevel}
        </p>
      ) : null}

      <div className="rule-section">
        <h3 className="rule-kw">{t('rw.when')}</h3>
        <div className="rule-grid">
          {numField('scoreMin', t('routing.scoreMin'), 'when.scoreMin', 100)}
          {numField('scoreMax', t('routing.scoreMax'), 'when.scoreMax', 100)}
          <ValuesField label={t('field.industry')} value={r.industry} onChange={(v) => onChange({ industry: v })} options={facets.industry} problem={p('when.industry')} />
          <div className="field">
            <MultiSelect label={t('field.companySize')} options={[...COMPANY_SIZES]} value={r.companySize} onChange={(v) => onChange({ companySize: v })} />
            <FieldError id={`${id}-size-err`} problem={p('when.companySize')} />
          </div>
          <ValuesField label={t('field.source')} value={r.source} onChange={(v) => onChange({ source: v })} options={facets.source} problem={p('when.source')} />
          <ValuesField label={t('field.region')} value={r.region} onChange={(v) => onChange({ region: v })} options={facets.region} problem={p('when.region')} />
          {triField('namedAccount', t('routing.namedAccount'))}
          {triField('existingCustomer', t('routing.existingCustomer'))}
        </div>
        {r.attributes && Object.keys(r.attributes).length ? (
          <p className="muted small">
            {t('routing.attrsKept', { names: Object.keys(r.attributes).join(', ') })}
            <FieldError id={`${id}-attr-err`} problem={p('when.attributes')} />
          </p>
        ) : null}
        <p className="rule-preview small">
          <span className="sr-only">{t('routing.reads')} </span>
          {conditionWords(fromDraft({ rules: [r], defaultPoolId: '1' }).rules[0]!.when, i18n)}
        </p>
      </div>

      <div className="rule-section">
        <h3 className="rule-kw">{t('rw.then')}</h3>
        <div className="rule-grid">
          <div className="field">
            <label htmlFor={`${id}-type`}>{t('routing.action')}</label>
            <select id={`${id}-type`} value={r.type} onChange={(e) => onChange({ type: e.target.value as ActionType })} {...invalidProps(`${id}-type-err`, p('then.type'))}>
              {ACTION_TYPES.map((a) => (
                <option key={a} value={a}>
                  {t(`action.${a}`)}
                </option>
              ))}
            </select>
            <FieldError id={`${id}-type-err`} problem={p('then.type')} />
          </div>
          {r.type === 'push_team' ? (
            <>
              <div className="field">
                <label htmlFor={`${id}-team`}>{t('routing.team')}</label>
                <select id={`${id}-team`} value={r.team} onChange={(e) => onChange({ team: e.target.value })} {...invalidProps(`${id}-team-err`, p('then.team'))}>
                  <option value="">{t('routing.chooseTeam')}</option>
                  {r.team && !teams.includes(r.team) ? <option value={r.team}>{r.team}</option> : null}
                  {teams.map((x) => (
                    <option key={x} value={x}>
                      {x}
                    </option>
                  ))}
                </select>
                <FieldError id={`${id}-team-err`} problem={p('then.team')} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-strategy`}>{t('routing.strategy')}</label>
                <select id={`${id}-strategy`} value={r.strategy} onChange={(e) => onChange({ strategy: e.target.value as PushStrategy })} {...invalidProps(`${id}-strategy-err`, p('then.strategy'))}>
                  {PUSH_STRATEGIES.map((s) => (
                    <option key={s} value={s}>
                      {tx(`strategy.${s}`, s)}
                    </option>
                  ))}
                </select>
                <FieldError id={`${id}-strategy-err`} problem={p('then.strategy')} />
              </div>
            </>
          ) : null}
          {r.type === 'push_owner' || r.type === 'push_team' ? (
            <>
              {poolSelect('fallbackPoolId', t('routing.fallbackPool'))}
              {numField('fallbackPriority', t('routing.fallbackPriority'), 'then.fallbackPriority', 1000, '0')}
            </>
          ) : (
            <>
              {poolSelect('poolId', r.type === 'review' ? t('routing.reviewPool') : t('routing.pool'))}
              {r.type === 'pool' ? numField('priority', t('routing.priority'), 'then.priority', 1000, '0') : null}
            </>
          )}
        </div>
      </div>
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------

type Sample = { kind: 'last'; n: number } | { kind: 'sample'; names: string[] };

function DryRunPanel({
  draft,
  poolName,
  onRuleProblems,
}: {
  draft: Draft | null;
  poolName: (id: number) => string;
  onRuleProblems: (p: Record<string, string>) => void;
}) {
  const i18n = useI18n();
  const { t, number } = i18n;
  const id = useId();
  const [mode, setMode] = useState<'last' | 'sample'>('last');
  const [lastN, setLastN] = useState('20');
  const [sample, setSample] = useState(SAMPLE_LEAD);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [leadProblems, setLeadProblems] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ decisions: DecisionTrace[]; of: Sample; draft: boolean } | null>(null);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setLeadProblems({});
    let body: { ruleSet?: RuleSet; lastN?: number; leads?: Record<string, unknown>[] };
    let of: Sample;
    if (mode === 'last') {
      const n = Number(lastN);
      if (!Number.isInteger(n) || n < 1 || n > 500) return setError({ code: 'LOCAL', message: t('dry.lastNInvalid') });
      body = { lastN: n };
      of = { kind: 'last', n };
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(sample);
      } catch {
        return setError({ code: 'LOCAL', message: t('dry.badJson') });
      }
      const leads = (Array.isArray(parsed) ? parsed : [parsed]).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x));
      if (!leads.length) return setError({ code: 'LOCAL', message: t('dry.badJson') });
      body = { leads };
      of = { kind: 'sample', names: leads.map((l) => (typeof l['company'] === 'string' ? l['company'] : '')) };
    }
    if (draft) body.ruleSet = fromDraft(draft);
    setBusy(true);
    try {
      const r = await api.dryRun(body);
      setResult({ decisions: r.decisions, of, draft: !!draft });
      onRuleProblems({});
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        const rules = fieldProblems(err, 'ruleSet.');
        const forRules = Object.fromEntries(Object.entries(rules).filter(([k]) => !k.startsWith('leads')));
        if (Object.keys(forRules).length) onRuleProblems(forRules);
        setLeadProblems(Object.fromEntries(Object.entries(rules).filter(([k]) => k.startsWith('leads'))));
        setError({ code: err.code, message: Object.keys(forRules).length ? t('dry.draftInvalid') : t('dry.sampleInvalid') });
      } else {
        setError(describeError(err, i18n));
      }
    } finally {
      setBusy(false);
    }
  };

  const counts = useMemo(() => {
    const c = { pushed: 0, pool: 0, review: 0, fellBack: 0 };
    for (const d of result?.decisions ?? []) {
      c[d.outcome.kind]++;
      if (d.outcome.kind === 'pool' && d.outcome.fellBack) c.fellBack++;
    }
    return c;
  }, [result]);

  return (
    <section className="card dry-run" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('dry.title')}</h2>
      <p className="muted small">{draft ? t('dry.usesDraft') : t('dry.usesCurrent')}</p>
      <form onSubmit={run} noValidate>
        <fieldset className="field-set">
          <legend>{t('dry.leads')}</legend>
          <div className="radio-row">
            <label className="check">
              <input type="radio" name={`${id}-mode`} checked={mode === 'last'} onChange={() => setMode('last')} />
              <span>{t('dry.last')}</span>
            </label>
            <label className="check">
              <input type="radio" name={`${id}-mode`} checked={mode === 'sample'} onChange={() => setMode('sample')} />
              <span>{t('dry.sample')}</span>
            </label>
          </div>
          {mode === 'last' ? (
            <div className="field field-num">
              <label htmlFor={`${id}-n`}>{t('dry.howMany')}</label>
              <input id={`${id}-n`} type="number" inputMode="numeric" min={1} max={500} value={lastN} onChange={(e) => setLastN(e.target.value)} />
            </div>
          ) : (
            <div className="field">
              <label htmlFor={`${id}-json`}>{t('dry.json')}</label>
              <textarea
                id={`${id}-json`}
                className="mono"
                rows={9}
                spellCheck={false}
                value={sample}
                onChange={(e) => setSample(e.target.value)}
                aria-describedby={`${id}-json-hint`}
              />
              <span className="muted small" id={`${id}-json-hint`}>
                {t('dry.jsonHint')}
              </span>
            </div>
          )}
        </fieldset>
        {error ? (
          <div className={error.code === 'LOCAL' ? 'form-note' : 'form-error'} role="alert">
            <p>{error.message}</p>
            {Object.keys(leadProblems).length ? (
              <ul className="problem-list">
                {Object.entries(leadProblems).map(([f, p]) => (
                  <li key={f}>
                    <span className="mono">{f}</span>: {p}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('dry.running') : t('dry.run')}
          </button>
        </div>
      </form>
      <div aria-live="polite" aria-busy={busy}>
        {result ? (
          result.decisions.length === 0 ? (
            <Empty title={t('dry.none')} />
          ) : (
            <>
              <p className="dry-summary">
                {t('dry.summary', {
                  n: number(result.decisions.length),
                  pushed: number(counts.pushed),
                  pool: number(counts.pool),
                  review: number(counts.review),
                })}
                {counts.fellBack ? ` ${t('dry.fellBackN', { n: number(counts.fellBack) })}` : ''}
                {result.draft ? ` ${t('dry.ofDraft')}` : ''}
              </p>
              <ol className="trace-list">
                {result.decisions.map((d, i) => (
                  <li key={i}>
                    <Trace
                      trace={d}
                      title={result.of.kind === 'sample' && result.of.names[i] ? result.of.names[i]! : t('dry.leadN', { n: i + 1 })}
                      open={i === 0}
                      poolName={poolName}
                    />
                  </li>
                ))}
              </ol>
              {result.of.kind === 'last' ? <p className="muted small">{t('dry.lastNote')}</p> : null}
            </>
          )
        ) : !busy ? (
          <p className="muted small">{t('dry.idle')}</p>
        ) : null}
      </div>
    </section>
  );
}

function Trace({ trace: d, title, open, poolName }: { trace: DecisionTrace; title: string; open: boolean; poolName: (id: number) => string }) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const matched = d.rules.find((r) => r.id === d.matchedRuleId);
  const outcome = outcomeWords(d.outcome, poolName, i18n);
  const fellBack = fallbackWords(d.outcome, i18n);
  return (
    <details className={`trace trace-${d.outcome.kind}${fellBack ? ' trace-fellback' : ''}`} open={open}>
      <summary>
        <span className="trace-title">{title}</span>
        <span className="trace-rule muted small">{matched ? matched.name : t('trace.noMatch')}</span>
        <span className={`badge trace-outcome outcome-${d.outcome.kind}`}>{outcome}</span>
      </summary>
      <div className="trace-body">
        {fellBack ? (
          <p className="trace-fallback">
            <strong>{t('trace.fellBack')}</strong> {fellBack}
          </p>
        ) : null}
        <p>
          <span className="trace-label">{t('trace.matched')}</span>{' '}
          {matched ? (
            <>
              <strong>{matched.name}</strong> → {tx(`action.${d.action}`, d.action)}
              {d.team ? ` · ${t('routing.team')}: ${d.team}` : ''}
              {d.strategy ? ` · ${tx(`strategy.${d.strategy}`, d.strategy)}` : ''}
            </>
          ) : (
            t('trace.defaultPool')
          )}
        </p>
        <p>
          <span className="trace-label">{t('trace.account')}</span>{' '}
          {d.account ? t('trace.accountBy', { name: d.account.name, by: tx(`trace.by.${d.account.by}`, d.account.by) }) : t('trace.noAccount')}
        </p>
        <h4 className="trace-h">{t('trace.rules')}</h4>
        {d.rules.length === 0 ? (
          <p className="muted small">{t('trace.noRules')}</p>
        ) : (
          <ol className="trace-rules">
            {d.rules.map((r) => (
              <li key={r.id} className={r.matched ? 'hit' : 'miss'}>
                <span className="trace-mark" aria-hidden="true">
                  {r.matched ? '✓' : '✗'}
                </span>
                <span className="sr-only">{r.matched ? t('trace.hit') : t('trace.miss')}: </span>
                <span className="trace-rule-name">{r.name}</span>
                <span className="trace-why">{ruleWhy(r, i18n)}</span>
              </li>
            ))}
          </ol>
        )}
        {d.skipped.length ? (
          <>
            <h4 className="trace-h">{t('trace.skipped')}</h4>
            <ul className="trace-skipped">
              {d.skipped.map((s) => (
                <li key={s.userId}>
                  <strong>{s.name}</strong> <span className="badge badge-warn">{tx(`skipReason.${s.reason}`, s.reason)}</span>{' '}
                  <span className="muted small">{skipDetail(s, i18n)}</span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p>
          <span className="trace-label">{t('trace.outcome')}</span> <strong>{outcome}</strong>
        </p>
      </div>
    </details>
  );
}
