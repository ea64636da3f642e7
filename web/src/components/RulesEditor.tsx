import { useId } from 'react';
import type { PoolRules } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

/** The form's view of PoolRules: text per number, empty = rule off. */
export interface RulesDraft {
  hoardingLimit: string;
  detailViewLimit: string;
  skipLimit: string;
  dailyCap: string;
  minClaimsPerDay: string;
  divMode: 'off' | 'percent' | 'ratio';
  divThreshold: string;
  divPercent: string;
  divWindow: string;
}

const s = (n: number | undefined) => (n === undefined ? '' : String(n));

export function toDraft(r: PoolRules | null | undefined): RulesDraft {
  const d = r?.diversity;
  return {
    hoardingLimit: s(r?.hoardingLimit),
    detailViewLimit: s(r?.detailViewLimit),
    skipLimit: s(r?.skipLimit),
    dailyCap: s(r?.dailyCap),
    minClaimsPerDay: s(r?.minClaimsPerDay),
    divMode: d?.mode ?? 'off',
    divThreshold: s(d?.threshold ?? 80),
    divPercent: d?.mode === 'percent' ? s(d.minPercent) : '30',
    divWindow: d?.mode === 'percent' ? s(d.window) : '20',
  };
}

type NumKey = 'hoardingLimit' | 'detailViewLimit' | 'skipLimit' | 'dailyCap' | 'minClaimsPerDay' | 'divThreshold' | 'divPercent' | 'divWindow';
const BOUNDS: Record<NumKey, [number, number]> = {
  hoardingLimit: [1, 1000],
  detailViewLimit: [1, 1000],
  skipLimit: [0, 1000],
  dailyCap: [1, 10000],
  minClaimsPerDay: [1, 10000],
  divThreshold: [1, 100],
  divPercent: [1, 100],
  divWindow: [1, 500],
};

/** PoolRules from the form, or the names of the fields that are not whole numbers in range. */
export function fromDraft(d: RulesDraft): { rules: PoolRules; bad: NumKey[] } {
  const bad: NumKey[] = [];
  const num = (k: NumKey, required = false): number | undefined => {
    const v = d[k].trim();
    if (v === '') {
      if (required) bad.push(k);
      return undefined;
    }
    const n = Number(v);
    const [lo, hi] = BOUNDS[k];
    if (!Number.isInteger(n) || n < lo || n > hi) {
      bad.push(k);
      return undefined;
    }
    return n;
  };
  const rules: PoolRules = {};
  const h = num('hoardingLimit');
  if (h !== undefined) rules.hoardingLimit = h;
  const dv = num('detailViewLimit');
  if (dv !== undefined) rules.detailViewLimit = dv;
  const sk = num('skipLimit');
  if (sk !== undefined) rules.skipLimit = sk;
  const dc = num('dailyCap');
  if (dc !== undefined) rules.dailyCap = dc;
  const mc = num('minClaimsPerDay');
  if (mc !== undefined) rules.minClaimsPerDay = mc;
  if (d.divMode === 'percent') {
    const threshold = num('divThreshold', true);
    const minPercent = num('divPercent', true);
    const window = num('divWindow', true);
    if (threshold !== undefined && minPercent !== undefined && window !== undefined) rules.diversity = { mode: 'percent', threshold, minPercent, window };
  } else if (d.divMode === 'ratio') {
    const threshold = num('divThreshold', true);
    if (threshold !== undefined) rules.diversity = { mode: 'ratio', threshold };
  }
  return { rules, bad };
}

/** Every fair-play rule of PoolRules as a labelled field; an empty field turns its rule off. */
export function RulesEditor({ value, onChange, bad = [] }: { value: RulesDraft; onChange: (d: RulesDraft) => void; bad?: string[] }) {
  const { t } = useI18n();
  const id = useId();
  const set = (k: keyof RulesDraft, v: string) => onChange({ ...value, [k]: v });
  const numField = (k: NumKey, label: string, help: string) => {
    const [lo, hi] = BOUNDS[k];
    return (
      <div className="field field-num" key={k}>
        <label htmlFor={`${id}-${k}`}>{label}</label>
        <input
          id={`${id}-${k}`}
          type="number"
          inputMode="numeric"
          min={lo}
          max={hi}
          step={1}
          value={value[k]}
          placeholder={t('rules.off')}
          aria-invalid={bad.includes(k) || undefined}
          aria-describedby={`${id}-${k}-help`}
          onChange={(e) => set(k, e.target.value)}
        />
        <span className="muted small" id={`${id}-${k}-help`}>
          {help} {t('rules.range', { lo, hi })}
        </span>
      </div>
    );
  };
  return (
    <div className="rules-editor">
      <div className="rules-grid">
        {numField('hoardingLimit', t('rules.hoardingLimit'), t('rules.hoardingHelp'))}
        {numField('minClaimsPerDay', t('rules.minClaimsPerDay'), t('rules.minClaimsHelp'))}
        {numField('dailyCap', t('rules.dailyCap'), t('rules.dailyCapHelp'))}
        {numField('detailViewLimit', t('rules.detailViewLimit'), t('rules.detailHelp'))}
        {numField('skipLimit', t('rules.skipLimit'), t('rules.skipHelp'))}
      </div>
      <fieldset className="field-set">
        <legend>{t('rules.diversity')}</legend>
        <div className="radio-row">
          {(['off', 'percent', 'ratio'] as const).map((m) => (
            <label key={m} className="check">
              <input type="radio" name={`${id}-div`} checked={value.divMode === m} onChange={() => set('divMode', m)} />
              <span>{t(`rules.div.${m}`)}</span>
            </label>
          ))}
        </div>
        {value.divMode !== 'off' ? (
          <div className="rules-grid">
            {numField('divThreshold', t('rules.threshold'), t('rules.thresholdHelp'))}
            {value.divMode === 'percent' ? numField('divPercent', t('rules.minPercent'), t('rules.minPercentHelp')) : null}
            {value.divMode === 'percent' ? numField('divWindow', t('rules.window'), t('rules.windowHelp')) : null}
          </div>
        ) : null}
      </fieldset>
    </div>
  );
}

/** One line that says what a rule set does ("hoarding 10 · diversity 30% under 80"). */
export function rulesSummary(r: PoolRules | null | undefined, t: ReturnType<typeof useI18n>['t']): string {
  if (!r) return t('rules.none');
  const parts: string[] = [];
  if (r.hoardingLimit !== undefined) parts.push(t('rules.sum.hoarding', { n: r.hoardingLimit }));
  if (r.diversity?.mode === 'percent') parts.push(t('rules.sum.percent', { p: r.diversity.minPercent, th: r.diversity.threshold }));
  if (r.diversity?.mode === 'ratio') parts.push(t('rules.sum.ratio', { th: r.diversity.threshold }));
  if (r.detailViewLimit !== undefined) parts.push(t('rules.sum.detail', { n: r.detailViewLimit }));
  if (r.skipLimit !== undefined) parts.push(t('rules.sum.skip', { n: r.skipLimit }));
  if (r.dailyCap !== undefined) parts.push(t('rules.sum.cap', { n: r.dailyCap }));
  if (r.minClaimsPerDay !== undefined) parts.push(t('rules.sum.min', { n: r.minClaimsPerDay }));
  return parts.length ? parts.join(' · ') : t('rules.none');
}
