import { useId } from 'react';
import { PUSH_STRATEGIES, TIERS, type Condition, type EscalationPolicy, type PoolAccess, type PushStrategy } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { problemAt } from '../lib/fields.js';
import { FieldError, ValuesField, invalidProps } from './FieldBits.js';

// ---------------------------------------------------------------------------------------
// Escalation ladder: steps by minutes since arrival, then an optional backstop in hours.

export interface StepDraft {
  key: number;
  after: string;
  type: 'assign' | 'review';
  team: string;
  strategy: PushStrategy;
}

export interface EscalationDraft {
  steps: StepDraft[];
  backstop: string;
}

let seq = 0;

export function toEscalationDraft(p: EscalationPolicy | null | undefined): EscalationDraft {
  return {
    steps: (p?.steps ?? []).map((s) => ({
      key: ++seq,
      after: String(s.afterMinutes),
      type: s.action.type,
      team: s.action.type === 'assign' ? (s.action.team ?? '') : '',
      strategy: s.action.type === 'assign' ? s.action.strategy : 'round_robin',
    })),
    backstop: p?.backstopHours === undefined ? '' : String(p.backstopHours),
  };
}

/** null when there is no step and no backstop (the pool never escalates). */
export function fromEscalationDraft(d: EscalationDraft): EscalationPolicy | null {
  if (d.steps.length === 0 && d.backstop.trim() === '') return null;
  return {
    steps: d.steps.map((s) => ({
      afterMinutes: Number(s.after.trim()),
      action: s.type === 'review' ? { type: 'review' } : { type: 'assign', team: s.team || null, strategy: s.strategy },
    })),
    ...(d.backstop.trim() !== '' ? { backstopHours: Number(d.backstop.trim()) } : {}),
  };
}

export function EscalationEditor({
  value,
  onChange,
  teams,
  problems,
}: {
  value: EscalationDraft;
  onChange: (d: EscalationDraft) => void;
  teams: string[];
  /** Server problems with the `escalation.` prefix taken off. */
  problems: Record<string, string>;
}) {
  const { t, tx } = useI18n();
  const id = useId();
  const setStep = (i: number, patch: Partial<StepDraft>) => onChange({ ...value, steps: value.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const add = () => {
    const last = value.steps.at(-1);
    const after = last ? String((Number(last.after) || 0) + 30) : '30';
    onChange({ ...value, steps: [...value.steps, { key: ++seq, after, type: 'assign', team: '', strategy: 'round_robin' }] });
  };
  const pBackstop = problemAt(problems, 'backstopHours');
  const pGeneral = problems['steps'] ?? problems['(body)'];
  return (
    <fieldset className="field-set escalation-editor">
      <legend>{t('esc.title')}</legend>
      <p className="muted small">{t('esc.hint')}</p>
      {value.steps.length === 0 ? <p className="muted small">{t('esc.none')}</p> : null}
      <ol className="step-list">
        {value.steps.map((s, i) => {
          const at = `steps[${i}]`;
          const pAfter = problemAt(problems, `${at}.afterMinutes`);
          const pTeam = problemAt(problems, `${at}.action.team`);
          const pAction = problems[`${at}.action`] ?? problemAt(problems, `${at}.action.type`, `${at}.action.strategy`);
          const label = t('esc.stepN', { n: i + 1 });
          return (
            <li key={s.key} className="step-row" aria-label={label}>
              <div className="field field-num">
                <label htmlFor={`${id}-${s.key}-after`}>{t('esc.after')}</label>
                <input
                  id={`${id}-${s.key}-after`}
                  type="number"
                  inputMode="numeric"
                  min={1}
                  step={1}
                  value={s.after}
                  onChange={(e) => setStep(i, { after: e.target.value })}
                  {...invalidProps(`${id}-${s.key}-after-err`, pAfter)}
                />
                <FieldError id={`${id}-${s.key}-after-err`} problem={pAfter} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-${s.key}-type`}>{t('esc.action')}</label>
                <select id={`${id}-${s.key}-type`} value={s.type} onChange={(e) => setStep(i, { type: e.target.value as StepDraft['type'] })} {...invalidProps(`${id}-${s.key}-type-err`, pAction)}>
                  <option value="assign">{t('esc.assign')}</option>
                  <option value="review">{t('esc.review')}</option>
                </select>
                <FieldError id={`${id}-${s.key}-type-err`} problem={pAction} />
              </div>
              {s.type === 'assign' ? (
                <>
                  <div className="field">
                    <label htmlFor={`${id}-${s.key}-team`}>{t('routing.team')}</label>
                    <select id={`${id}-${s.key}-team`} value={s.team} onChange={(e) => setStep(i, { team: e.target.value })} {...invalidProps(`${id}-${s.key}-team-err`, pTeam)}>
                      <option value="">{t('esc.anyRep')}</option>
                      {s.team && !teams.includes(s.team) ? <option value={s.team}>{s.team}</option> : null}
                      {teams.map((x) => (
                        <option key={x} value={x}>
                          {x}
                        </option>
                      ))}
                    </select>
                    <FieldError id={`${id}-${s.key}-team-err`} problem={pTeam} />
                  </div>
                  <div className="field">
                    <label htmlFor={`${id}-${s.key}-strategy`}>{t('routing.strategy')}</label>
                    <select id={`${id}-${s.key}-strategy`} value={s.strategy} onChange={(e) => setStep(i, { strategy: e.target.value as PushStrategy })}>
                      {PUSH_STRATEGIES.map((x) => (
                        <option key={x} value={x}>
                          {tx(`strategy.${x}`, x)}
                        </option>
                      ))}
                    </select>
                  </div>
                </>
              ) : null}
              <button
                type="button"
                className="btn btn-small btn-ghost step-remove"
                aria-label={t('esc.removeStep', { n: i + 1 })}
                onClick={() => onChange({ ...value, steps: value.steps.filter((_, j) => j !== i) })}
              >
                {t('routing.removeShort')}
              </button>
            </li>
          );
        })}
      </ol>
      {pGeneral ? <p className="field-error">{pGeneral}</p> : null}
      <div className="step-foot">
        <button type="button" className="btn btn-small" onClick={add} disabled={value.steps.length >= 20}>
          {t('esc.addStep')}
        </button>
        <div className="field field-num">
          <label htmlFor={`${id}-backstop`}>{t('esc.backstop')}</label>
          <input
            id={`${id}-backstop`}
            type="number"
            inputMode="decimal"
            min={0}
            step="any"
            value={value.backstop}
            placeholder={t('esc.noBackstop')}
            onChange={(e) => onChange({ ...value, backstop: e.target.value })}
            aria-invalid={pBackstop ? true : undefined}
            aria-describedby={`${id}-backstop-hint${pBackstop ? ` ${id}-backstop-err` : ''}`}
          />
          <span className="muted small" id={`${id}-backstop-hint`}>
            {t('esc.backstopHint')}
          </span>
          <FieldError id={`${id}-backstop-err`} problem={pBackstop} />
        </div>
      </div>
    </fieldset>
  );
}

// ---------------------------------------------------------------------------------------
// Access by tier.

type AccessKind = '' | 'full' | 'preview' | 'none' | 'filter';

export interface TierAccessDraft {
  kind: AccessKind;
  scoreMin: string;
  scoreMax: string;
  industry: string[];
  /** The rest of a filter condition (fields this editor does not show), kept as it was. */
  rest: Condition;
}

export type AccessDraft = Record<string, TierAccessDraft>;

export function toAccessDraft(a: Record<string, PoolAccess> | null | undefined): AccessDraft {
  const out: AccessDraft = {};
  const tiers = [...new Set([...TIERS, ...Object.keys(a ?? {})])];
  for (const tier of tiers) {
    const v = a?.[tier];
    if (v === undefined) out[tier] = { kind: '', scoreMin: '', scoreMax: '', industry: [], rest: {} };
    else if (typeof v === 'string') out[tier] = { kind: v, scoreMin: '', scoreMax: '', industry: [], rest: {} };
    else {
      const { scoreMin, scoreMax, industry, ...rest } = v.filter;
      out[tier] = { kind: 'filter', scoreMin: scoreMin === undefined ? '' : String(scoreMin), scoreMax: scoreMax === undefined ? '' : String(scoreMax), industry: industry ?? [], rest };
    }
  }
  return out;
}

/** null when no tier has its own access (every rep meets the pool by its mode). */
export function fromAccessDraft(d: AccessDraft): Record<string, PoolAccess> | null {
  const out: Record<string, PoolAccess> = {};
  for (const [tier, v] of Object.entries(d)) {
    if (v.kind === '') continue;
    if (v.kind !== 'filter') {
      out[tier] = v.kind;
      continue;
    }
    const filter: Condition = { ...v.rest };
    if (v.scoreMin.trim() !== '') filter.scoreMin = Number(v.scoreMin.trim());
    if (v.scoreMax.trim() !== '') filter.scoreMax = Number(v.scoreMax.trim());
    if (v.industry.length) filter.industry = v.industry;
    out[tier] = { filter };
  }
  return Object.keys(out).length ? out : null;
}

export function AccessEditor({
  value,
  onChange,
  industries,
  problems,
  isQueue,
}: {
  value: AccessDraft;
  onChange: (d: AccessDraft) => void;
  industries: string[];
  /** Server problems with the `access.` prefix taken off. */
  problems: Record<string, string>;
  isQueue: boolean;
}) {
  const { t, tx } = useI18n();
  const id = useId();
  const set = (tier: string, patch: Partial<TierAccessDraft>) => onChange({ ...value, [tier]: { ...value[tier]!, ...patch } });
  return (
    <fieldset className="field-set access-editor">
      <legend>{t('access.title')}</legend>
      <p className="muted small">{isQueue ? t('access.queueHint') : t('access.hint')}</p>
      <div className="access-rows">
        {Object.entries(value).map(([tier, v]) => {
          const pKind = problems[tier];
          const pMin = problemAt(problems, `${tier}.filter.scoreMin`);
          const pMax = problemAt(problems, `${tier}.filter.scoreMax`);
          const pInd = problemAt(problems, `${tier}.filter.industry`);
          const tierName = tx(`tier.${tier}`, tier);
          return (
            <div key={tier} className="access-row">
              <div className="field">
                <label htmlFor={`${id}-${tier}`}>{t('access.for', { tier: tierName })}</label>
                <select id={`${id}-${tier}`} value={v.kind} onChange={(e) => set(tier, { kind: e.target.value as AccessKind })} {...invalidProps(`${id}-${tier}-err`, pKind)}>
                  <option value="">{t('access.default')}</option>
                  <option value="full">{t('access.full')}</option>
                  <option value="preview">{t('access.preview')}</option>
                  <option value="filter">{t('access.filter')}</option>
                  <option value="none">{t('access.none')}</option>
                </select>
                <FieldError id={`${id}-${tier}-err`} problem={pKind} />
              </div>
              {v.kind === 'filter' ? (
                <div className="access-filter">
                  <div className="field field-num">
                    <label htmlFor={`${id}-${tier}-min`}>{t('routing.scoreMin')}</label>
                    <input
                      id={`${id}-${tier}-min`}
                      type="number"
                      inputMode="numeric"
                      min={0}
                      max={100}
                      value={v.scoreMin}
                      placeholder={t('routing.any')}
                      onChange={(e) => set(tier, { scoreMin: e.target.value })}
                      {...invalidProps(`${id}-${tier}-min-err`, pMin)}
                    />
                    <FieldError id={`${id}-${tier}-min-err`} problem={pMin} />
                  </div>
                  <div className="field field-num">
                    <label htmlFor={`${id}-${tier}-max`}>{t('routing.scoreMax')}</label>
                    <input
                      id={`${id}-${tier}-max`}
                      type="number"
                      inputMode="numeric"
                      min={0}
                      max={100}
                      value={v.scoreMax}
                      placeholder={t('routing.any')}
                      onChange={(e) => set(tier, { scoreMax: e.target.value })}
                      {...invalidProps(`${id}-${tier}-max-err`, pMax)}
                    />
                    <FieldError id={`${id}-${tier}-max-err`} problem={pMax} />
                  </div>
                  <ValuesField label={t('field.industry')} value={v.industry} onChange={(x) => set(tier, { industry: x })} options={industries} problem={pInd} />
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
