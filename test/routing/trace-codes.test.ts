import { describe, expect, it } from 'vitest';
import { CONDITION_CODES, conditionMatches, type Condition, type PushStrategy } from '../../src/core/routing/rules.js';
import { SKIP_REASONS } from '../../src/core/routing/reps.js';
import { FALLBACK_CODES, routeLead, type DecisionTrace, type RouteContext } from '../../src/core/routing/route.js';
import { AccountIndex } from '../../src/core/routing/accounts.js';
import { EMPTY_ROTATION } from '../../src/core/routing/strategies.js';
import { deTrace, enTrace } from '../../web/src/i18n/dict-trace.js';
import { fallbackWords, ruleWhy, skipDetail, type TraceWords } from '../../web/src/lib/trace-words.js';
import { buildAccount, buildLead, buildRep, MONDAY_10_BERLIN } from './builders.js';

/** The language-free codes of decision traces, and the web UI's words for each in English and German. */

const dicts = { en: enTrace as Record<string, string>, de: deTrace as Record<string, string> };
function words(lang: 'en' | 'de'): TraceWords {
  const locale = lang === 'de' ? 'de-DE' : 'en-US';
  return {
    locale,
    number: (n) => new Intl.NumberFormat(locale).format(n),
    tx: (key, fallback, vars) => (dicts[lang][key] ?? `MISSING(${fallback})`).replace(/\{(\w+)\}/g, (m, k: string) => (vars && k in vars ? String(vars[k]) : m)),
  };
}
const clean = (s: string) => expect(s, s).not.toMatch(/MISSING|\{\w+\}|undefined/);

const customerAcc = buildAccount(1, { name: 'Globex GmbH', domains: ['globex.de'], ownerId: 7, customer: true });
const prospect = buildAccount(2, { name: 'Prospect Ltd', domains: ['prospect.io'], ownerId: 7, customer: false });

/** Conditions that between them produce every condition code the core has (rule_disabled comes from routeLead). */
const cases: { when: Condition; lead?: Parameters<typeof buildLead>[0]; account?: typeof customerAcc | null }[] = [
  { when: {} },
  { when: { scoreMin: 80 }, lead: { score: 50 } },
  { when: { scoreMax: 40 }, lead: { score: 50 } },
  { when: { scoreMin: 10, scoreMax: 90, industry: ['Software'], companySize: ['51-200'], source: ['web'], region: ['DACH'] } },
  { when: { industry: ['Retail'] } },
  { when: { companySize: ['5000+'] } },
  { when: { source: ['fair'] } },
  { when: { region: ['US'] } },
  { when: { namedAccount: true } },
  { when: { namedAccount: false }, account: prospect },
  { when: { namedAccount: true, existingCustomer: true }, account: customerAcc },
  { when: { existingCustomer: false }, account: customerAcc },
  { when: { existingCustomer: true }, account: prospect },
  { when: { existingCustomer: true } },
  { when: { namedAccount: false, existingCustomer: false } },
  { when: { attributes: { plan: 'pro' } } },
  { when: { attributes: { plan: 'pro' } }, lead: { attributes: { plan: 'free' } } },
  { when: { attributes: { plan: 'pro', tier: { in: ['a', 'b'] }, seats: { gte: 10, lte: 50 } } }, lead: { attributes: { plan: 'Pro', tier: 'a', seats: 20 } } },
  { when: { attributes: { tier: { in: ['a', 'b'] } } }, lead: { attributes: { tier: 'c' } } },
  { when: { attributes: { seats: { gte: 10 } } }, lead: { attributes: { seats: 'many' } } },
  { when: { attributes: { seats: { gte: 10 } } }, lead: { attributes: { seats: 5 } } },
  { when: { attributes: { seats: { lte: 10 } } }, lead: { attributes: { seats: 50 } } },
];

function context(over: Partial<RouteContext> = {}): RouteContext {
  return { ruleSet: { defaultPoolId: 1, rules: [] }, accounts: new AccountIndex([customerAcc]), reps: [], rotation: () => EMPTY_ROTATION, now: MONDAY_10_BERLIN, ...over };
}
const pushTeam: { type: 'push_team'; team: string; strategy: PushStrategy; fallbackPoolId: number } = { type: 'push_team', team: 'inbound', strategy: 'round_robin', fallbackPoolId: 2 };
const pushOwner = { type: 'push_owner' as const, fallbackPoolId: 2 };

/** Decisions that between them produce every fallback code and every skip reason the core gives. */
function fallbackTraces(): DecisionTrace[] {
  const everyReason = [
    buildRep(1, { name: 'Anna', excluded: true }),
    buildRep(2, { name: 'Ben', paused: true }),
    buildRep(3, { name: 'Cem', availability: 'away' }),
    buildRep(4, { name: 'Dora', hours: { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '14:00', end: '18:00' } }),
    buildRep(5, { name: 'Emil', capacity: 2, openLeads: 2 }),
    buildRep(6, { name: 'Fay', caps: { hourly: 1 }, pushed: { lastHour: 1, today: 1, thisWeek: 1 } }),
    buildRep(8, { name: 'Gus', caps: { daily: 3 }, pushed: { lastHour: 0, today: 3, thisWeek: 3 } }),
    buildRep(9, { name: 'Hel', caps: { weekly: 9 }, pushed: { lastHour: 0, today: 0, thisWeek: 9 } }),
    buildRep(10, { name: 'Ivo', weight: 0 }),
  ];
  const rule = (then: typeof pushTeam | typeof pushOwner, when: Condition = {}) => ({ ruleSet: { defaultPoolId: 1, rules: [{ id: 'r', name: 'R', when, then }] } });
  const lead = buildLead({ contact: { email: 'a@globex.de' } });
  return [
    routeLead(buildLead(), context({ ...rule(pushOwner) })).trace,
    routeLead(lead, context({ ...rule(pushOwner) })).trace,
    routeLead(lead, context({ ...rule(pushOwner), reps: [buildRep(7, { name: 'Olga', availability: 'away' })] })).trace,
    routeLead(lead, context({ ...rule(pushOwner), reps: [buildRep(7, { name: 'Olga', hours: { timeZone: 'Asia/Tokyo', days: [6], start: '09:00', end: '10:00' } })] })).trace,
    routeLead(lead, context({ ...rule({ ...pushTeam, team: 'nobody' }) })).trace,
    routeLead(lead, context({ ...rule({ ...pushTeam, strategy: 'weighted' }), reps: everyReason })).trace,
    routeLead(lead, context({ ...rule({ ...pushTeam, strategy: 'weighted' }), reps: [buildRep(1, { weight: 0 })] })).trace,
    routeLead(lead, context({ ...rule(pushTeam), reps: [buildRep(1)], rotation: () => ({ ...EMPTY_ROTATION, paused: true }) })).trace,
    routeLead(lead, context({ ruleSet: { defaultPoolId: 1, rules: [{ id: 'off', name: 'Off', enabled: false, when: {}, then: { type: 'review', poolId: 3 } }] } })).trace,
  ];
}

describe('decision trace codes', () => {
  it('every code has words in English and German', () => {
    for (const lang of ['en', 'de'] as const) {
      const d = dicts[lang];
      for (const c of CONDITION_CODES) expect(d[`traceCode.${c}`], `${lang} traceCode.${c}`).toBeTruthy();
      for (const r of SKIP_REASONS) expect(d[`traceSkip.${r}`], `${lang} traceSkip.${r}`).toBeTruthy(), expect(d[`traceCount.${r}`], `${lang} traceCount.${r}`).toBeTruthy();
      for (const f of FALLBACK_CODES) expect(d[`traceFallback.${f}`], `${lang} traceFallback.${f}`).toBeTruthy();
    }
    expect(Object.keys(deTrace).sort()).toEqual(Object.keys(enTrace).sort());
  });

  it('the core gives every condition code, and each reads cleanly in both languages', () => {
    const seen = new Set<string>(['rule_disabled']);
    for (const c of cases) {
      const r = conditionMatches(c.when, buildLead(c.lead), c.account ?? null);
      seen.add(r.code);
      for (const h of r.held ?? []) seen.add(h.code);
      const rule = { id: 'x', name: 'X', ...r };
      const en = ruleWhy(rule, words('en'));
      const de = ruleWhy(rule, words('de'));
      clean(en), clean(de);
      if (r.code !== 'no_conditions') expect(de).not.toBe(r.why);
    }
    expect([...seen].sort()).toEqual([...CONDITION_CODES].sort());
  });

  it('a match words each condition that held; numbers follow the locale', () => {
    const r = conditionMatches({ scoreMin: 80, attributes: { revenue: { gte: 1000, lte: 50000 } } }, buildLead({ score: 91, attributes: { revenue: 12500 } }), null);
    const rule = { id: 'x', name: 'X', ...r };
    expect(ruleWhy(rule, words('en'))).toBe('score 91 ≥ 80, attribute revenue 12,500 ≥ 1,000 and ≤ 50,000');
    expect(ruleWhy(rule, words('de'))).toBe('Score 91 ≥ 80, Attribut revenue 12.500 ≥ 1.000 und ≤ 50.000');
  });

  it('the core gives every fallback code and skip reason (but not_in_team), and each reads cleanly in both languages', () => {
    const traces = fallbackTraces();
    const fallbacks = new Set(traces.flatMap((t) => (t.outcome.kind === 'pool' && t.outcome.fellBackCode ? [t.outcome.fellBackCode] : [])));
    expect([...fallbacks].sort()).toEqual([...FALLBACK_CODES].sort());
    const reasons = new Set(traces.flatMap((t) => t.skipped.map((s) => s.reason)));
    expect([...reasons].sort()).toEqual(SKIP_REASONS.filter((r) => r !== 'not_in_team').sort());
    for (const t of traces) {
      for (const lang of ['en', 'de'] as const) {
        const f = fallbackWords(t.outcome, words(lang));
        if (t.outcome.kind === 'pool' && t.outcome.fellBack) clean(f!);
        for (const s of t.skipped) clean(skipDetail(s, words(lang)));
        for (const r of t.rules) clean(ruleWhy(r, words(lang)));
      }
    }
  });

  it('words a fallback with its counts and a skip with its numbers', () => {
    const t = fallbackTraces()[5]!;
    expect(fallbackWords(t.outcome, words('en'))).toBe(
      'nobody in team “inbound” can take it: 1 already let it go, 1 paused, 1 away, 1 outside working hours, 1 at capacity, 1 at their hourly cap, 1 at their daily cap, 1 at their weekly cap, 1 with weight 0',
    );
    expect(fallbackWords(t.outcome, words('de'))).toMatch(/^niemand in Team „inbound“ kann ihn nehmen: 1 hatten ihn schon abgegeben, 1 pausiert, 1 abwesend/);
    const dora = t.skipped.find((s) => s.name === 'Dora')!;
    // Short weekday names differ between ICU versions ("Mo" or "Mo.").
    expect(skipDetail(dora, words('de'))).toMatch(/^außerhalb der Arbeitszeit \(Mo\.?, Di\.?, Mi\.?, Do\.?, Fr\.? 14:00–18:00 Europe\/Berlin; dort ist es Mo\.? 10:00\)$/);
    const owner = fallbackTraces()[3]!;
    expect(fallbackWords(owner.outcome, words('de'))).toMatch(/^der Owner von „Globex GmbH“, Olga, kann ihn nicht nehmen: außerhalb der Arbeitszeit \(Sa\.? 09:00–10:00 Asia\/Tokyo; dort ist es Mo\.? 18:00\)$/);
  });

  it('a trace stored before codes existed shows its English sentences', () => {
    const old = { id: 'x', name: 'X', matched: false, why: 'score 72 < 80' };
    expect(ruleWhy(old, words('de'))).toBe('score 72 < 80');
    expect(skipDetail({ userId: 1, name: 'Anna', reason: 'away', detail: 'Anna is away' }, words('de'))).toBe('Anna is away');
    expect(fallbackWords({ kind: 'pool', poolId: 2, priority: 0, fellBack: 'team "x" has no reps' }, words('de'))).toBe('team "x" has no reps');
  });
});
