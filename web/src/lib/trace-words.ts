import type { DecisionTrace } from '../api/types.js';

/**
 * A routing decision trace in the reader's language: each rule check, skip and fallback is
 * worded from its language-free `code` and `params`. Traces stored before codes existed (or a
 * code this UI does not know) show the server's English sentence instead.
 */
export interface TraceWords {
  tx: (key: string, fallback: string, vars?: Record<string, string | number>) => string;
  number: (n: number) => string;
  locale: string;
}

type Params = Record<string, string | number>;
type Rule = DecisionTrace['rules'][number];
type Skipped = DecisionTrace['skipped'][number];

/** Numbers in the reader's locale; everything else as it came. */
function vars(p: Params | undefined, w: TraceWords): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(p ?? {})) out[k] = typeof v === 'number' ? w.number(v) : v;
  return out;
}

function reason(code: string, params: Params | undefined, fallback: string, w: TraceWords): string {
  const v = vars(params, w);
  if (code === 'attribute_between') {
    const parts = [params?.min !== undefined ? `≥ ${v.min}` : '', params?.max !== undefined ? `≤ ${v.max}` : ''].filter(Boolean);
    v.bounds = parts.join(` ${w.tx('traceWord.and', 'and')} `);
  }
  return w.tx(`traceCode.${code}`, fallback, v);
}

/** Why a rule matched or missed. A match lists each condition that held. */
export function ruleWhy(r: Rule, w: TraceWords): string {
  if (!r.code) return r.why;
  if (r.code === 'all_held' && r.held?.length) return r.held.map((h) => reason(h.code, h.params, r.why, w)).join(', ');
  return reason(r.code, r.params, r.why, w);
}

const DAYS = (locale: string) => {
  const f = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  // 2023-01-01 was a Sunday: day 0.
  return (d: number) => f.format(Date.UTC(2023, 0, 1 + d));
};

/** Why a push passed over a rep. */
export function skipDetail(s: Skipped, w: TraceWords): string {
  if (!s.params) return s.detail;
  return skipWords(s.reason, s.name, s.params, s.detail, w);
}

function skipWords(reasonCode: string, name: string, params: Params, fallback: string, w: TraceWords): string {
  if (reasonCode === 'paused' && params.by === 'rotation') return w.tx('traceSkip.rotationPaused', fallback);
  const v: Params = { ...vars(params, w), name };
  if (reasonCode === 'outside_hours' && typeof params.days === 'string') {
    const day = DAYS(w.locale);
    v.days = params.days === '' ? '—' : params.days.split(',').map((d) => day(Number(d))).join(', ');
    if (typeof params.day === 'number') v.day = day(params.day);
  }
  return w.tx(`traceSkip.${reasonCode}`, fallback, v);
}

const COUNT_ORDER = ['handed_back', 'paused', 'away', 'outside_hours', 'at_capacity', 'hourly_cap', 'daily_cap', 'weekly_cap', 'not_in_team', 'weight0'];

/** Why a push ended in its fallback pool, or null when it did not. */
export function fallbackWords(o: DecisionTrace['outcome'], w: TraceWords): string | null {
  if (o.kind !== 'pool' || !o.fellBack) return null;
  const code = o.fellBackCode;
  const p = o.fellBackParams;
  if (!code || !p) return o.fellBack;
  const v = vars(p, w);
  if (code === 'owner_unavailable') {
    v.detail = skipWords(String(p.reason), String(p.name), p, o.fellBack, w);
  } else if (code === 'nobody_eligible') {
    v.summary = COUNT_ORDER.filter((k) => typeof p[k] === 'number').map((k) => w.tx(`traceCount.${k}`, k, { n: w.number(p[k] as number) })).join(', ');
  }
  return w.tx(`traceFallback.${code}`, o.fellBack, v);
}
