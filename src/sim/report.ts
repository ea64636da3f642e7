import type { ModelResult } from './engine.js';
import { round } from './engine.js';
import type { LeadStream } from './stream.js';
import type { Team } from './team.js';

/**
 * The comparison: every model's measurements side by side, the seed's push-vs-pull table as
 * measured numbers, and a recommendation in plain words with its reasons. Everything here is
 * derived from the results, so the same runs give the same report, byte for byte.
 */

export interface PushPullRow {
  factor: string;
  /** What the seed's table says push and pull suit. */
  seedPush: string;
  seedPull: string;
  /** The measured numbers for this team and stream. */
  push: string;
  pull: string;
  verdict: string;
}

/**
 * The recommendation as data, language-free: the first note is the headline, the others the
 * reasons, in the order of `reasons`. A console words them in its user's language; the
 * sentences in `headline` and `reasons` are the English wording of the same notes.
 * Pairs are [the recommended model, the other]; a model is named by its key (id:rules).
 */
export type RecommendationNote =
  | { code: 'headline'; model: string; conversions: number; within1h: number; medianMin: number | null; coverage: number; gini: number }
  | { code: 'against'; model: string; rival: string; within1h: [number, number]; gini: [number, number]; conversions: [number, number]; coverage: [number, number]; expiries: [number, number] }
  | { code: 'fair_play'; model: string; conversions: [number, number]; giniHot: [number, number]; cherryPick: [number | null, number | null]; refused: number }
  | { code: 'short_of_hands'; unworked: number; agedOut: number }
  | { code: 'cherry_picking'; index: number }
  | { code: 'manager_review'; sent: number; hours: number };

export interface SimulationReport {
  version: 1;
  seed: number;
  inputs: {
    stream: string;
    leads: number;
    days: number;
    team: string;
    reps: number;
    leadsPerRepPerDay: number;
    scoreMean: number;
    scoreSd: number;
    hotShare: number;
    repSkillSpread: number;
  };
  results: ModelResult[];
  pushVsPull: { bestPush: string | null; bestPull: string | null; rows: PushPullRow[] };
  recommendation: { model: string; label: string; headline: string; reasons: string[]; notes: RecommendationNote[] };
}

export interface StreamFacts {
  leads: number;
  scoreSum: number;
  scoreSqSum: number;
  hot: number;
}

export function buildReport(seed: number, team: Team, stream: LeadStream, facts: StreamFacts, results: ModelResult[]): SimulationReport {
  const days = Math.max(1, Math.round((stream.end - stream.start) / 86_400_000));
  const mean = facts.leads ? facts.scoreSum / facts.leads : 0;
  const sd = facts.leads ? Math.sqrt(Math.max(0, facts.scoreSqSum / facts.leads - mean * mean)) : 0;
  const skill = team.reps.map((r) => r.conversionChance * r.contactChance);
  const skillMean = skill.reduce((a, b) => a + b, 0) / skill.length;
  const skillSd = Math.sqrt(skill.reduce((a, b) => a + (b - skillMean) ** 2, 0) / skill.length);
  const inputs = {
    stream: stream.describe,
    leads: facts.leads,
    days,
    team: team.name,
    reps: team.reps.length,
    leadsPerRepPerDay: round(facts.leads / days / team.reps.length, 1),
    scoreMean: round(mean, 1),
    scoreSd: round(sd, 1),
    hotShare: round(facts.leads ? facts.hot / facts.leads : 0, 4),
    repSkillSpread: round(skillMean ? skillSd / skillMean : 0, 3),
  };
  const ranked = [...results].sort(compareResults);
  const best = ranked[0]!;
  const bestPush = ranked.find((r) => r.model.kind === 'push') ?? null;
  const bestPull = ranked.find((r) => r.model.kind === 'pull') ?? null;
  return {
    version: 1,
    seed,
    inputs,
    results,
    pushVsPull: { bestPush: bestPush ? key(bestPush) : null, bestPull: bestPull ? key(bestPull) : null, rows: pushPullRows(inputs, bestPush, bestPull) },
    recommendation: recommend(best, ranked, results),
  };
}

export function key(r: ModelResult): string {
  return `${r.model.id}:${r.model.rules}`;
}

/**
 * Better first: more expected conversions (they already carry speed, since a lead called late
 * answers less often, coverage and fit). Within 2% of each other, the fairer split wins,
 * then fewer lock expiries, then the name, so the order never depends on the input order.
 */
export function compareResults(a: ModelResult, b: ModelResult): number {
  const ea = a.conversions.expected;
  const eb = b.conversions.expected;
  const top = Math.max(ea, eb);
  if (top > 0 && Math.abs(ea - eb) / top > 0.02) return eb - ea;
  if (a.fairness.giniLeads !== b.fairness.giniLeads) return a.fairness.giniLeads - b.fairness.giniLeads;
  if (a.lockExpiries !== b.lockExpiries) return a.lockExpiries - b.lockExpiries;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const num = (x: number | null, unit = '') => (x === null ? '—' : `${x >= 100 ? Math.round(x) : Math.round(x * 10) / 10}${unit}`);

function relative(a: number, b: number): string {
  if (b === 0) return a === 0 ? 'as many' : 'more';
  const d = (a - b) / b;
  return `${Math.abs(Math.round(d * 100))}% ${d >= 0 ? 'more' : 'fewer'}`;
}

function recommend(best: ModelResult, ranked: ModelResult[], all: ModelResult[]): SimulationReport['recommendation'] {
  const reasons: string[] = [];
  const notes: RecommendationNote[] = [
    { code: 'headline', model: key(best), conversions: best.conversions.expected, within1h: best.contactedWithin1h, medianMin: best.speedToContactMin.median, coverage: best.coverage, gini: best.fairness.giniLeads },
  ];
  const headline =
    `${best.model.label}: ${num(best.conversions.expected)} expected conversions, ${pct(best.contactedWithin1h)} of leads contacted within an hour ` +
    `(median ${num(best.speedToContactMin.median, ' min')}), ${pct(best.coverage)} worked, fairness Gini ${best.fairness.giniLeads.toFixed(2)}.`;
  // Against the best of the other family, and against the runner-up.
  const rivals: ModelResult[] = [];
  const otherFamily = ranked.find((r) => (best.model.kind === 'push' ? r.model.kind !== 'push' : r.model.kind === 'push'));
  if (otherFamily) rivals.push(otherFamily);
  const runnerUp = ranked.find((r) => r !== best && r !== otherFamily);
  if (runnerUp) rivals.push(runnerUp);
  for (const r of rivals) {
    const parts = [
      `${relative(best.contactedWithin1h, r.contactedWithin1h)} leads contacted within an hour (${pct(best.contactedWithin1h)} vs ${pct(r.contactedWithin1h)})`,
      `fairness Gini ${best.fairness.giniLeads.toFixed(2)} vs ${r.fairness.giniLeads.toFixed(2)}`,
      `${num(best.conversions.expected)} vs ${num(r.conversions.expected)} expected conversions`,
      `coverage ${pct(best.coverage)} vs ${pct(r.coverage)}`,
      `lock expiries ${best.lockExpiries} vs ${r.lockExpiries}`,
    ];
    reasons.push(`Against ${r.model.label}: ${parts.join(', ')}.`);
    notes.push({
      code: 'against',
      model: key(best),
      rival: key(r),
      within1h: [best.contactedWithin1h, r.contactedWithin1h],
      gini: [best.fairness.giniLeads, r.fairness.giniLeads],
      conversions: [best.conversions.expected, r.conversions.expected],
      coverage: [best.coverage, r.coverage],
      expiries: [best.lockExpiries, r.lockExpiries],
    });
  }
  const twin = all.find((r) => r.model.id === best.model.id && r.model.rules !== best.model.rules);
  if (twin) {
    const on = best.model.rules === 'on' ? best : twin;
    const off = best.model.rules === 'on' ? twin : best;
    const refused = Object.values(on.refusals).reduce((a, b) => a + b, 0);
    reasons.push(
      `Fair play on vs off in this model: ${num(on.conversions.expected)} vs ${num(off.conversions.expected)} expected conversions, Gini of hot leads ${on.fairness.giniHotLeads.toFixed(2)} vs ${off.fairness.giniHotLeads.toFixed(2)}, ` +
        `cherry-pick index ${num(on.cherryPickIndex.team)} vs ${num(off.cherryPickIndex.team)}; the rules refused ${refused} claim(s).`,
    );
    notes.push({
      code: 'fair_play',
      model: best.model.id,
      conversions: [on.conversions.expected, off.conversions.expected],
      giniHot: [on.fairness.giniHotLeads, off.fairness.giniHotLeads],
      cherryPick: [on.cherryPickIndex.team, off.cherryPickIndex.team],
      refused,
    });
  }
  if (best.coverage < 0.95) {
    reasons.push(
      `Caution: even this model leaves ${pct(1 - best.coverage)} of leads unworked (${best.leftToAgeOut} aged out): at this volume the team is short of hands, whatever the model.`,
    );
    notes.push({ code: 'short_of_hands', unworked: 1 - best.coverage, agedOut: best.leftToAgeOut });
  }
  if (best.cherryPickIndex.team !== null && best.cherryPickIndex.team > 65) {
    reasons.push(`Reps pick the best leads (cherry-pick index ${best.cherryPickIndex.team}; 50 takes what comes): watch the claim mix, or turn the diversity rule on.`);
    notes.push({ code: 'cherry_picking', index: best.cherryPickIndex.team });
  }
  if (best.managerReview.sentToReview > 0) {
    reasons.push(`Manager review: ${best.managerReview.sentToReview} lead(s) escalated to review, about ${best.managerReview.managerHours} hours of a manager's time.`);
    notes.push({ code: 'manager_review', sent: best.managerReview.sentToReview, hours: best.managerReview.managerHours });
  }
  return { model: key(best), label: best.model.label, headline, reasons, notes };
}

function pushPullRows(inputs: SimulationReport['inputs'], push: ModelResult | null, pull: ModelResult | null): PushPullRow[] {
  const m = (r: ModelResult | null, f: (r: ModelResult) => string) => (r ? f(r) : '—');
  const better = (a: number | null | undefined, b: number | null | undefined, higherIsBetter: boolean, what: string): string => {
    if (a === null || a === undefined || b === null || b === undefined) return '—';
    if (a === b) return `even on ${what}`;
    return (a > b) === higherIsBetter ? `push ahead on ${what}` : `pull ahead on ${what}`;
  };
  const autonomy = (r: ModelResult) => {
    const total = Object.values(r.takesBySource).reduce((a, b) => a + b, 0);
    const chosen = (r.takesBySource.pool ?? 0) + (r.takesBySource.cherry_pick ?? 0) + (r.takesBySource.queue ?? 0);
    return total ? chosen / total : 0;
  };
  return [
    {
      factor: 'lead volume',
      seedPush: 'low to medium',
      seedPull: 'high',
      push: `${inputs.leadsPerRepPerDay} leads per rep per day`,
      pull: `${inputs.leadsPerRepPerDay} leads per rep per day`,
      verdict: inputs.leadsPerRepPerDay >= 25 ? 'high volume: the seed leans to pull' : 'low to medium volume: the seed leans to push',
    },
    {
      factor: 'lead quality',
      seedPush: 'uniform',
      seedPull: 'varies strongly',
      push: `score ${inputs.scoreMean} ± ${inputs.scoreSd}, ${pct(inputs.hotShare)} hot`,
      pull: `score ${inputs.scoreMean} ± ${inputs.scoreSd}, ${pct(inputs.hotShare)} hot`,
      verdict: inputs.scoreSd >= 15 ? 'quality varies strongly: the seed leans to pull' : 'fairly uniform quality: the seed leans to push',
    },
    {
      factor: 'rep skill spread',
      seedPush: 'small',
      seedPull: 'large',
      push: `variation ${pct(inputs.repSkillSpread)}`,
      pull: `variation ${pct(inputs.repSkillSpread)}`,
      verdict: inputs.repSkillSpread >= 0.3 ? 'large spread: the seed leans to pull' : 'small spread: the seed leans to push',
    },
    {
      factor: 'speed to first contact',
      seedPush: 'critical',
      seedPull: 'important but flexible',
      push: m(push, (r) => `median ${num(r.speedToContactMin.median, ' min')}, ${pct(r.contactedWithin1h)} within 1 h`),
      pull: m(pull, (r) => `median ${num(r.speedToContactMin.median, ' min')}, ${pct(r.contactedWithin1h)} within 1 h`),
      verdict: better(push?.contactedWithin1h, pull?.contactedWithin1h, true, 'speed'),
    },
    {
      factor: 'coverage',
      seedPush: 'every lead gets an owner',
      seedPull: 'fails quietly: leads can age',
      push: m(push, (r) => `${pct(r.coverage)} worked, ${r.leftToAgeOut} aged out`),
      pull: m(pull, (r) => `${pct(r.coverage)} worked, ${r.leftToAgeOut} aged out`),
      verdict: better(push?.coverage, pull?.coverage, true, 'coverage'),
    },
    {
      factor: 'fairness',
      seedPush: 'even by construction',
      seedPull: 'needs fair-play rules',
      push: m(push, (r) => `Gini ${r.fairness.giniLeads.toFixed(2)} (hot ${r.fairness.giniHotLeads.toFixed(2)})`),
      pull: m(pull, (r) => `Gini ${r.fairness.giniLeads.toFixed(2)} (hot ${r.fairness.giniHotLeads.toFixed(2)})`),
      verdict: better(push?.fairness.giniLeads, pull?.fairness.giniLeads, false, 'fairness'),
    },
    {
      factor: 'rep autonomy',
      seedPush: 'low',
      seedPull: 'high',
      push: m(push, (r) => `${pct(autonomy(r))} of leads chosen by the rep`),
      pull: m(pull, (r) => `${pct(autonomy(r))} of leads chosen by the rep, cherry-pick index ${num(r.cherryPickIndex.team)}`),
      verdict: 'as the seed says',
    },
    {
      factor: 'specialisation',
      seedPush: 'rule-based',
      seedPull: 'judgment-based',
      push: m(push, (r) => `${num(r.conversions.expected)} expected conversions`),
      pull: m(pull, (r) => `${num(r.conversions.expected)} expected conversions`),
      verdict: better(push?.conversions.expected, pull?.conversions.expected, true, 'conversions'),
    },
    {
      factor: 'management time',
      seedPush: 'setup-heavy',
      seedPull: 'monitoring-heavy',
      push: m(push, (r) => `${r.lockExpiries} lock expiries, ${r.managerReview.sentToReview} to review`),
      pull: m(pull, (r) => `${r.lockExpiries} lock expiries, ${Object.values(r.refusals).reduce((a, b) => a + b, 0)} rule refusals, ${r.managerReview.sentToReview} to review`),
      verdict: better(push?.lockExpiries, pull?.lockExpiries, false, 'lock expiries'),
    },
  ];
}

// ---------------------------------------------------------------------------------------
// Terminal table

const COLUMNS: { head: string; get: (r: ModelResult) => string }[] = [
  { head: 'median', get: (r) => num(r.speedToContactMin.median, 'm') },
  { head: 'p90', get: (r) => num(r.speedToContactMin.p90, 'm') },
  { head: '≤5m', get: (r) => pct(r.contactedWithin5m) },
  { head: '≤1h', get: (r) => pct(r.contactedWithin1h) },
  { head: 'worked', get: (r) => pct(r.coverage) },
  { head: 'aged out', get: (r) => String(r.leftToAgeOut) },
  { head: 'queue age', get: (r) => num(r.ageInQueueMin.median, 'm') },
  { head: 'Gini', get: (r) => r.fairness.giniLeads.toFixed(2) },
  { head: 'Gini hot', get: (r) => r.fairness.giniHotLeads.toFixed(2) },
  { head: 'cherry', get: (r) => num(r.cherryPickIndex.team) },
  { head: 'expiries', get: (r) => String(r.lockExpiries) },
  { head: 'review', get: (r) => String(r.managerReview.sentToReview) },
  { head: 'conv.', get: (r) => num(r.conversions.expected) },
];

export function formatTable(report: SimulationReport): string {
  const i = report.inputs;
  const lines: string[] = [];
  lines.push(`Leadpool simulation (seed ${report.seed})`);
  lines.push(`  stream: ${i.stream}: ${i.leads.toLocaleString('en')} leads, score ${i.scoreMean} ± ${i.scoreSd}, ${pct(i.hotShare)} hot`);
  lines.push(`  team:   ${i.team}: ${i.reps} reps, ${i.leadsPerRepPerDay} leads per rep per day`);
  lines.push('');
  const rows = report.results.map((r) => [r.model.label, ...COLUMNS.map((c) => c.get(r))]);
  lines.push(...grid(['model', ...COLUMNS.map((c) => c.head)], rows));
  lines.push('');
  lines.push('speed: arrival to first contact (median, p90, share within 5 min and 1 h); worked: share of leads ever contacted;');
  lines.push('queue age: arrival to claim or push (median); Gini: leads per rep (0 even); cherry: cherry-pick index (50 takes what comes);');
  lines.push('conv.: expected conversions.');
  lines.push('');
  lines.push('Push vs pull, measured (best push model vs best pull model):');
  const pv = report.pushVsPull;
  const label = (k: string | null) => report.results.find((r) => key(r) === k)?.model.label ?? '—';
  lines.push(`  push: ${label(pv.bestPush)}   pull: ${label(pv.bestPull)}`);
  lines.push(...grid(['factor', 'seed: push', 'seed: pull', 'measured push', 'measured pull', 'so'], pv.rows.map((r) => [r.factor, r.seedPush, r.seedPull, r.push, r.pull, r.verdict])).map((l) => `  ${l}`));
  lines.push('');
  lines.push(`Recommendation: ${report.recommendation.headline}`);
  for (const r of report.recommendation.reasons) lines.push(`  - ${r}`);
  return lines.join('\n') + '\n';
}

function grid(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c] ?? ''))));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? pad(cell, widths[c]!) : padStart(cell, widths[c]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

const width = (s: string) => [...s].length;
const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - width(s)));
const padStart = (s: string, w: number) => ' '.repeat(Math.max(0, w - width(s))) + s;
