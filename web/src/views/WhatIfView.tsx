import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client.js';
import { HBarChart } from '../components/charts.js';
import { FieldError, invalidProps } from '../components/FieldBits.js';
import { SetupNav } from '../components/SetupNav.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import type { MessageKey } from '../i18n/dict.js';
import type { WhatIfKey } from '../i18n/dict-whatif.js';
import { useI18n } from '../i18n/i18n.js';
import { describeError } from '../lib/errors.js';
import { useTitle } from '../lib/title.js';
import { useAuth } from '../state/auth.js';

/**
 * "What if": the simulator from the manager's console. The run goes to the server, which
 * simulates in the background; this page polls its progress and then shows every model side
 * by side with the recommendation (docs/simulator.md says what is simulated and how).
 */

const MODELS = [
  'current',
  'push-round-robin',
  'push-weighted',
  'queue-pull',
  'pool-pull',
  'cherry-pick',
  'hybrid-hot-push',
  'hybrid-strategic',
  'hybrid-escalation',
  'hybrid-tiers',
] as const;

type Status = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

interface ModelResult {
  model: { id: string; label: string; kind: string; rules: 'on' | 'off' };
  leads: number;
  speedToContactMin: { median: number | null; p90: number | null };
  contactedWithin1h: number;
  coverage: number;
  leftToAgeOut: number;
  fairness: { giniLeads: number };
  conversions: { expected: number };
}

interface Run {
  id: string;
  status: Status;
  createdAt: string;
  inputs: { stream: 'synthetic' | 'history'; days: number; leadsPerDay: number | null; leads: number | null; reps: number; models: string[]; fairPlay: string; seed: number };
  progress: { fraction: number; leadsSimulated: number; model: string | null; modelIndex: number; models: number };
  error: string | null;
  report?: { inputs: { leads: number; days: number; reps: number }; seed: number; results: ModelResult[] } | null;
  recommendation?: { model: string; label: string; headline: string; reasons: string[]; notes?: Note[] } | null;
}

/** The recommendation as data (the server's RecommendationNote): worded here in the user's language. */
type Pair = [number, number];
type Note =
  | { code: 'headline'; model: string; conversions: number; within1h: number; medianMin: number | null; coverage: number; gini: number }
  | { code: 'against'; model: string; rival: string; within1h: Pair; gini: Pair; conversions: Pair; coverage: Pair; expiries: Pair }
  | { code: 'fair_play'; model: string; conversions: Pair; giniHot: Pair; cherryPick: [number | null, number | null]; refused: number }
  | { code: 'short_of_hands'; unworked: number; agedOut: number }
  | { code: 'cherry_picking'; index: number }
  | { code: 'manager_review'; sent: number; hours: number };

interface Form {
  stream: 'synthetic' | 'history';
  days: string;
  leadsPerDay: string;
  team: 'preset' | 'current';
  reps: string;
  models: string[];
  fairPlay: 'on' | 'off' | 'both';
  seed: string;
}

const START: Form = {
  stream: 'synthetic',
  days: '30',
  leadsPerDay: '400',
  team: 'preset',
  reps: '12',
  models: ['current', 'push-round-robin', 'queue-pull', 'pool-pull', 'hybrid-hot-push'],
  fairPlay: 'on',
  seed: '1',
};

const POLL_MS = 500;
const active = (s: Status) => s === 'queued' || s === 'running';

export function WhatIfView() {
  const i18n = useI18n();
  const { number } = i18n;
  const w = useCallback((key: WhatIfKey, vars?: Record<string, string | number>) => i18n.t(key as unknown as MessageKey, vars), [i18n]);
  const { isManager } = useAuth();
  const id = useId();
  useTitle(w('whatIf.title'));

  const [form, setForm] = useState<Form>(START);
  const [problems, setProblems] = useState<Record<string, string>>({});
  // A key of ours (shown in the language of the moment) or the server's own words.
  const [formError, setFormError] = useState<{ key: WhatIfKey } | { text: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  const [pollError, setPollError] = useState<unknown>(null);
  const [recent, setRecent] = useState<Run[] | null>(null);
  const [recentError, setRecentError] = useState<unknown>(null);
  const shownId = useRef<string | null>(null);

  const loadRecent = useCallback(async (signal?: AbortSignal) => {
    try {
      setRecent((await api.simulations<Run>(signal)).items);
      setRecentError(null);
    } catch (err) {
      if (!signal?.aborted) setRecentError(err);
    }
  }, []);

  useEffect(() => {
    if (!isManager) return;
    const ac = new AbortController();
    void loadRecent(ac.signal);
    return () => ac.abort();
  }, [isManager, loadRecent]);

  // Poll the shown run while it is queued or running.
  const runId = run?.id ?? null;
  const runActive = run ? active(run.status) : false;
  useEffect(() => {
    if (!runId || !runActive) return;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      try {
        const next = await api.simulation<Run>(runId, ac.signal);
        if (shownId.current !== runId) return;
        setRun(next);
        setPollError(null);
        if (active(next.status)) timer = setTimeout(() => void tick(), POLL_MS);
        else void loadRecent();
      } catch (err) {
        if (ac.signal.aborted) return;
        setPollError(err);
        timer = setTimeout(() => void tick(), POLL_MS * 4);
      }
    };
    timer = setTimeout(() => void tick(), POLL_MS);
    return () => {
      ac.abort();
      clearTimeout(timer);
    };
  }, [runId, runActive, loadRecent]);

  const show = async (runId: string) => {
    shownId.current = runId;
    setPollError(null);
    try {
      setRun(await api.simulation<Run>(runId));
    } catch (err) {
      setPollError(err);
    }
  };

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const toggleModel = (m: string, on: boolean) => set('models', on ? MODELS.filter((x) => x === m || form.models.includes(x)) : form.models.filter((x) => x !== m));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblems({});
    setFormError(null);
    if (form.models.length === 0) {
      setProblems({ models: w('whatIf.noModels') });
      return;
    }
    const body: Record<string, unknown> = {
      stream: form.stream,
      days: Number(form.days),
      team: form.team,
      models: form.models,
      fairPlay: form.fairPlay,
      seed: Number(form.seed),
    };
    if (form.stream === 'synthetic') body.leadsPerDay = Number(form.leadsPerDay);
    if (form.team === 'preset') body.reps = Number(form.reps);
    setStarting(true);
    try {
      const started = await api.startSimulation<Run>(body);
      shownId.current = started.id;
      setRun(started);
      setPollError(null);
      void loadRecent();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') {
        const fields = (err.details?.['fields'] ?? []) as { field: string; problem: string }[];
        const byField: Record<string, string> = {};
        for (const f of fields) byField[f.field.replace(/\[\d+\]$/, '')] ??= f.problem;
        setProblems(byField);
        setFormError({ key: 'whatIf.invalid' });
      } else if (err instanceof ApiError && err.code === 'SIMULATIONS_BUSY') {
        setFormError({ key: 'whatIf.busy' });
      } else {
        setFormError({ text: describeError(err, i18n).message });
      }
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    if (!run) return;
    try {
      setRun(await api.cancelSimulation<Run>(run.id));
      void loadRecent();
    } catch (err) {
      setPollError(err);
    }
  };

  if (!isManager) {
    return (
      <div className="page">
        <h1>{w('whatIf.title')}</h1>
        <p className="notice notice-warn">{w('whatIf.forbidden')}</p>
      </div>
    );
  }

  const err = (field: string) => problems[field];
  const fieldProps = (field: string) => invalidProps(`${id}-${field}-err`, err(field));
  const modelName = (m: string) => w(`whatIf.model.${m}` as WhatIfKey);

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <h1>{w('whatIf.title')}</h1>
          <p className="muted">{w('whatIf.subtitle')}</p>
        </div>
      </div>
      <SetupNav current="whatIf" />

      <section className="card" aria-labelledby={`${id}-form`}>
        <h2 id={`${id}-form`}>{w('whatIf.form')}</h2>
        <form className="create-form" onSubmit={(e) => void submit(e)} noValidate>
          <fieldset className="field-set">
            <legend>{w('whatIf.stream')}</legend>
            <label className="check">
              <input type="radio" name={`${id}-stream`} checked={form.stream === 'synthetic'} onChange={() => set('stream', 'synthetic')} />
              {w('whatIf.streamSynthetic')}
            </label>
            <label className="check">
              <input type="radio" name={`${id}-stream`} checked={form.stream === 'history'} onChange={() => set('stream', 'history')} />
              {w('whatIf.streamHistory')}
            </label>
            <FieldError id={`${id}-stream-err`} problem={err('stream')} />
            <div className="field field-num">
              <label htmlFor={`${id}-days`}>{form.stream === 'history' ? w('whatIf.daysHistory') : w('whatIf.days')}</label>
              <input id={`${id}-days`} type="number" min={1} max={form.stream === 'history' ? 90 : 365} value={form.days} onChange={(e) => set('days', e.target.value)} {...fieldProps('days')} />
              <FieldError id={`${id}-days-err`} problem={err('days')} />
            </div>
            {form.stream === 'synthetic' ? (
              <div className="field field-num">
                <label htmlFor={`${id}-lpd`}>{w('whatIf.leadsPerDay')}</label>
                <input id={`${id}-lpd`} type="number" min={1} max={5000} value={form.leadsPerDay} onChange={(e) => set('leadsPerDay', e.target.value)} {...fieldProps('leadsPerDay')} />
                <FieldError id={`${id}-leadsPerDay-err`} problem={err('leadsPerDay')} />
              </div>
            ) : null}
          </fieldset>

          <fieldset className="field-set">
            <legend>{w('whatIf.team')}</legend>
            <label className="check">
              <input type="radio" name={`${id}-team`} checked={form.team === 'preset'} onChange={() => set('team', 'preset')} />
              {w('whatIf.teamPreset')}
            </label>
            <label className="check">
              <input type="radio" name={`${id}-team`} checked={form.team === 'current'} onChange={() => set('team', 'current')} />
              {w('whatIf.teamCurrent')}
            </label>
            <FieldError id={`${id}-team-err`} problem={err('team')} />
            {form.team === 'preset' ? (
              <div className="field field-num">
                <label htmlFor={`${id}-reps`}>{w('whatIf.reps')}</label>
                <input id={`${id}-reps`} type="number" min={1} max={200} value={form.reps} onChange={(e) => set('reps', e.target.value)} {...fieldProps('reps')} />
                <FieldError id={`${id}-reps-err`} problem={err('reps')} />
              </div>
            ) : null}
          </fieldset>

          <fieldset className="field-set" {...fieldProps('models')}>
            <legend>{w('whatIf.models')}</legend>
            <div className="check-grid">
              {MODELS.map((m) => (
                <label key={m} className="check">
                  <input type="checkbox" checked={form.models.includes(m)} onChange={(e) => toggleModel(m, e.target.checked)} />
                  {modelName(m)}
                </label>
              ))}
            </div>
            <FieldError id={`${id}-models-err`} problem={err('models')} />
          </fieldset>

          <div className="field">
            <label htmlFor={`${id}-fair`}>{w('whatIf.fairPlay')}</label>
            <select id={`${id}-fair`} value={form.fairPlay} onChange={(e) => set('fairPlay', e.target.value as Form['fairPlay'])} {...fieldProps('fairPlay')}>
              <option value="on">{w('whatIf.fairPlayOn')}</option>
              <option value="off">{w('whatIf.fairPlayOff')}</option>
              <option value="both">{w('whatIf.fairPlayBoth')}</option>
            </select>
            <FieldError id={`${id}-fairPlay-err`} problem={err('fairPlay')} />
          </div>
          <div className="field field-num">
            <label htmlFor={`${id}-seed`}>{w('whatIf.seed')}</label>
            <input id={`${id}-seed`} type="number" min={0} value={form.seed} onChange={(e) => set('seed', e.target.value)} aria-describedby={`${id}-seed-hint`} {...fieldProps('seed')} />
            <span className="muted small" id={`${id}-seed-hint`}>
              {w('whatIf.seedHint')}
            </span>
            <FieldError id={`${id}-seed-err`} problem={err('seed')} />
          </div>

          {formError ? (
            <p className="notice notice-warn" role="alert">
              {'key' in formError ? w(formError.key) : formError.text}
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={starting || (run !== null && active(run.status))}>
              {starting ? w('whatIf.starting') : w('whatIf.run')}
            </button>
          </div>
        </form>
      </section>

      {pollError ? <ErrorState error={pollError} onRetry={run ? () => void show(run.id) : undefined} /> : null}
      {run ? <RunPanel run={run} w={w} onCancel={() => void cancel()} /> : null}

      <section className="card" aria-labelledby={`${id}-recent`}>
        <h2 id={`${id}-recent`}>{w('whatIf.recent')}</h2>
        <p className="muted small">{w('whatIf.inMemory')}</p>
        {recentError ? (
          <ErrorState error={recentError} onRetry={() => void loadRecent()} />
        ) : recent === null ? (
          <Loading compact />
        ) : recent.length === 0 ? (
          <Empty title={w('whatIf.noRuns')}>
            <p className="muted">{w('whatIf.noRunsHint')}</p>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{w('whatIf.col.started')}</th>
                  <th scope="col">{w('whatIf.col.status')}</th>
                  <th scope="col">
                    <span className="sr-only">{w('whatIf.show')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {recent.map((r) => (
                  <tr key={r.id} aria-current={run?.id === r.id ? 'true' : undefined}>
                    <td>
                      {i18n.dateTime(r.createdAt)}
                      <div className="muted small">{w('whatIf.runSummary', { days: number(r.inputs.days), models: number(r.inputs.models.length), seed: r.inputs.seed })}</div>
                    </td>
                    <td>{w(`whatIf.status.${r.status}` as WhatIfKey)}</td>
                    <td>
                      <button type="button" className="btn btn-small" onClick={() => void show(r.id)} aria-label={`${w('whatIf.show')}: ${i18n.dateTime(r.createdAt)}`}>
                        {w('whatIf.show')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

type W = (key: WhatIfKey, vars?: Record<string, string | number>) => string;

/** A model's name in the user's language, with its fair-play variant ("Queue pull (fair play on)"). */
function modelLabel(r: ModelResult, w: W): string {
  const known = (MODELS as readonly string[]).includes(r.model.id);
  return w('whatIf.withFairPlay', {
    model: known ? w(`whatIf.model.${r.model.id}` as WhatIfKey) : r.model.label,
    state: w(r.model.rules === 'on' ? 'whatIf.fairPlayOnShort' : 'whatIf.fairPlayOffShort'),
  });
}

/** The shown run: progress while it runs, then the recommendation, charts and the table. */
function RunPanel({ run, w, onCancel }: { run: Run; w: W; onCancel: () => void }) {
  const { number } = useI18n();
  const id = useId();
  if (active(run.status)) {
    const pct = Math.round(run.progress.fraction * 100);
    return (
      <section className="card" aria-labelledby={`${id}-p`} aria-busy="true">
        <h2 id={`${id}-p`}>{w('whatIf.progressTitle')}</h2>
        <progress
          value={run.progress.fraction}
          max={1}
          aria-label={w('whatIf.progressLabel')}
          aria-valuetext={`${number(pct)} %`}
          style={{ width: '100%', height: '1.25rem' }}
        />
        <p role="status" data-testid="whatif-progress">
          {run.status === 'queued' || run.progress.model === null
            ? w('whatIf.queued')
            : `${w('whatIf.progressText', { i: number(run.progress.modelIndex + 1), n: number(run.progress.models), model: run.progress.model })} · ${w('whatIf.leadsSimulated', { n: number(run.progress.leadsSimulated) })} · ${number(pct)} %`}
        </p>
        <button type="button" className="btn" onClick={onCancel}>
          {w('whatIf.cancel')}
        </button>
      </section>
    );
  }
  if (run.status === 'cancelled') return <p className="notice notice-warn" role="status">{w('whatIf.cancelled')}</p>;
  if (run.status === 'failed') return <p className="notice notice-warn" role="alert">{w('whatIf.failed', { error: run.error ?? '' })}</p>;
  if (!run.report) return null;
  return <Results run={run} report={run.report} w={w} />;
}

function Results({ run, report, w }: { run: Run; report: NonNullable<Run['report']>; w: W }) {
  const { number, duration } = useI18n();
  const id = useId();
  const results = report.results;
  const pct = (x: number) => number(x, { style: 'percent', maximumFractionDigits: 1 });
  const minutes = (m: number | null) => (m === null ? w('whatIf.noContact') : duration(m * 60_000));
  const label = (r: ModelResult) => modelLabel(r, w);
  const rec = run.recommendation;
  const byKey = new Map(results.map((r) => [`${r.model.id}:${r.model.rules}`, r]));
  const modelName = (k: string) => {
    const r = byKey.get(k);
    return r ? label(r) : k;
  };
  const n = (x: number | null, digits = 0) => (x === null ? '—' : number(x, { maximumFractionDigits: digits }));
  const wordNote = (note: Note): string => {
    switch (note.code) {
      case 'headline':
        return w('whatIf.note.headline', { model: modelName(note.model), conversions: n(note.conversions, 1), within1h: pct(note.within1h), median: minutes(note.medianMin), coverage: pct(note.coverage), gini: n(note.gini, 2) });
      case 'against':
        return w('whatIf.note.against', {
          rival: modelName(note.rival),
          within1h: pct(note.within1h[0]),
          within1hOther: pct(note.within1h[1]),
          gini: n(note.gini[0], 2),
          giniOther: n(note.gini[1], 2),
          conversions: n(note.conversions[0], 1),
          conversionsOther: n(note.conversions[1], 1),
          coverage: pct(note.coverage[0]),
          coverageOther: pct(note.coverage[1]),
          expiries: n(note.expiries[0]),
          expiriesOther: n(note.expiries[1]),
        });
      case 'fair_play':
        return w('whatIf.note.fair_play', {
          conversions: n(note.conversions[0], 1),
          conversionsOther: n(note.conversions[1], 1),
          giniHot: n(note.giniHot[0], 2),
          giniHotOther: n(note.giniHot[1], 2),
          cherry: n(note.cherryPick[0]),
          cherryOther: n(note.cherryPick[1]),
          refused: n(note.refused),
        });
      case 'short_of_hands':
        return w('whatIf.note.short_of_hands', { unworked: pct(note.unworked), agedOut: n(note.agedOut) });
      case 'cherry_picking':
        return w('whatIf.note.cherry_picking', { index: n(note.index) });
      case 'manager_review':
        return w('whatIf.note.manager_review', { sent: n(note.sent), hours: n(note.hours, 1) });
    }
  };
  return (
    <>
      {rec ? (
        <section className="card" aria-labelledby={`${id}-rec`} data-testid="whatif-recommendation">
          <h2 id={`${id}-rec`}>{w('whatIf.recommendation')}</h2>
          <p>
            <strong>{rec.notes?.[0] ? wordNote(rec.notes[0]) : rec.headline}</strong>
          </p>
          <h3>{w('whatIf.reasons')}</h3>
          <ul>
            {(rec.notes ? rec.notes.slice(1).map(wordNote) : rec.reasons).map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </section>
      ) : null}

      <div className="chart-grid">
        <section className="card chart-card" aria-labelledby={`${id}-speed`}>
          <h2 id={`${id}-speed`}>{w('whatIf.speedChart')}</h2>
          <HBarChart
            label={w('whatIf.speedChartLabel')}
            bars={results.map((r) => ({ key: `${r.model.id}-${r.model.rules}`, label: label(r), value: r.speedToContactMin.median, emptyText: w('whatIf.noContact') }))}
            format={(m) => duration(m * 60_000)}
          />
        </section>
        <section className="card chart-card" aria-labelledby={`${id}-cov`}>
          <h2 id={`${id}-cov`}>{w('whatIf.coverageChart')}</h2>
          <HBarChart
            label={w('whatIf.coverageChartLabel')}
            bars={results.map((r) => ({ key: `${r.model.id}-${r.model.rules}`, label: label(r), value: r.coverage }))}
            max={1}
            format={pct}
          />
        </section>
        <section className="card chart-card" aria-labelledby={`${id}-conv`}>
          <h2 id={`${id}-conv`}>{w('whatIf.conversionsChart')}</h2>
          <HBarChart
            label={w('whatIf.conversionsChartLabel')}
            bars={results.map((r) => ({ key: `${r.model.id}-${r.model.rules}`, label: label(r), value: r.conversions.expected }))}
            format={(n) => number(n, { maximumFractionDigits: 1 })}
          />
        </section>
      </div>

      <section className="card" aria-labelledby={`${id}-table`}>
        <h2 id={`${id}-table`}>{w('whatIf.results')}</h2>
        <p className="muted small">
          {w('whatIf.resultsHint', { leads: number(report.inputs.leads), days: number(report.inputs.days), reps: number(report.inputs.reps), seed: report.seed })}
        </p>
        <div className="table-wrap">
          <table className="data-table" data-testid="whatif-results">
            <thead>
              <tr>
                <th scope="col">{w('whatIf.col.model')}</th>
                <th scope="col" className="num">{w('whatIf.col.median')}</th>
                <th scope="col" className="num">{w('whatIf.col.p90')}</th>
                <th scope="col" className="num">{w('whatIf.col.within1h')}</th>
                <th scope="col" className="num">{w('whatIf.col.coverage')}</th>
                <th scope="col" className="num">{w('whatIf.col.agedOut')}</th>
                <th scope="col" className="num">{w('whatIf.col.gini')}</th>
                <th scope="col" className="num">{w('whatIf.col.expected')}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={`${r.model.id}-${r.model.rules}`} aria-current={rec && rec.label === r.model.label ? 'true' : undefined} title={r.model.label}>
                  <th scope="row">{label(r)}</th>
                  <td className="num">{minutes(r.speedToContactMin.median)}</td>
                  <td className="num">{minutes(r.speedToContactMin.p90)}</td>
                  <td className="num">{pct(r.contactedWithin1h)}</td>
                  <td className="num">{pct(r.coverage)}</td>
                  <td className="num">{number(r.leftToAgeOut)}</td>
                  <td className="num">{number(r.fairness.giniLeads, { maximumFractionDigits: 2 })}</td>
                  <td className="num">{number(r.conversions.expected, { maximumFractionDigits: 1 })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
