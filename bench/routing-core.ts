/**
 * `node --import tsx bench/routing-core.ts [--decisions N]`: one routing decision in the pure
 * core (issue 3's target: under 50 µs over a 50-rule set). 50 rules, of which most miss (on
 * industry, region, source, attributes and score, in the order a real set would test them),
 * 50 reps in four time zones with hours, caps and capacities, 1,000 named accounts, and a lead
 * stream where about a third is hot and pushed round robin, a few hit named accounts, and the
 * rest fall through to later rules or the default pool. The rotation is written back after
 * each decision, as the store does.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { routeLead, type RouteContext } from '../src/core/routing/route.js';
import { AccountIndex, type NamedAccount } from '../src/core/routing/accounts.js';
import { EMPTY_ROTATION, type RotationState } from '../src/core/routing/strategies.js';
import type { LeadForRouting, RoutingRule, RuleSet } from '../src/core/routing/rules.js';
import type { RepProfile } from '../src/core/routing/reps.js';
import { Random } from '../src/core/random.js';
import { COMPANY_SIZES } from '../src/core/types.js';

const INDUSTRIES = ['Software', 'Finance', 'Retail', 'Manufacturing', 'Health', 'Logistics', 'Energy', 'Media'];
const REGIONS = ['DACH', 'Nordics', 'Benelux', 'UK', 'US-East', 'US-West', 'France', 'Iberia'];
const SOURCES = ['web', 'webinar', 'partner', 'event', 'outbound', 'referral'];
const ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles'];

function buildRuleSet(): RuleSet {
  const rules: RoutingRule[] = [
    { id: 'accounts', name: 'Named accounts to owners', when: { namedAccount: true }, then: { type: 'push_owner', fallbackPoolId: 2 } },
  ];
  // 47 segment rules that a typical lead misses: each tests something no generated lead has.
  for (let i = 0; i < 47; i++) {
    const when: RoutingRule['when'] =
      i % 4 === 0
        ? { industry: [`Niche ${i}`, `Other ${i}`], region: ['DACH'] }
        : i % 4 === 1
          ? { region: [`Territory ${i}`], scoreMin: 10 }
          : i % 4 === 2
            ? { source: SOURCES.slice(0, 3), attributes: { campaign: { in: [`c-${i}`, `d-${i}`] } } }
            : { companySize: ['1-10'], attributes: { seats: { gte: 10_000 + i } }, industry: INDUSTRIES.slice(0, 4) };
    rules.push({ id: `segment-${i}`, name: `Segment ${i}`, when, then: { type: 'pool', poolId: 3 + (i % 5), priority: i % 3 } });
  }
  rules.push({ id: 'hot', name: 'Hot leads pushed', when: { scoreMin: 80 }, then: { type: 'push_team', team: 'inbound', strategy: 'round_robin', fallbackPoolId: 2, fallbackPriority: 10 } });
  rules.push({ id: 'enterprise', name: 'Enterprise pool', when: { companySize: ['1001-5000', '5000+'] }, then: { type: 'pool', poolId: 8, priority: 5 } });
  return { rules, defaultPoolId: 1 };
}

function buildReps(rnd: Random): RepProfile[] {
  return Array.from({ length: 50 }, (_, i) => ({
    userId: i + 1,
    name: `Rep ${i + 1}`,
    team: i < 45 ? 'inbound' : 'key-accounts',
    tier: null,
    availability: rnd.chance(0.15) ? 'away' : 'available',
    paused: false,
    capacity: 40,
    openLeads: rnd.int(0, 45),
    weight: 1 + (i % 3),
    hours: rnd.chance(0.8) ? { timeZone: ZONES[i % ZONES.length]!, days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' } : null,
    caps: { hourly: 6, daily: 40 },
    pushed: { lastHour: rnd.int(0, 6), today: rnd.int(0, 30), thisWeek: rnd.int(0, 100) },
  }));
}

function buildAccounts(): NamedAccount[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    id: i + 1,
    name: `Account ${i} GmbH`,
    domains: [`account${i}.de`],
    ownerId: 46 + (i % 5),
    customer: i % 2 === 0,
  }));
}

function buildLeads(rnd: Random, n: number): LeadForRouting[] {
  return Array.from({ length: n }, (_, i) => {
    const named = rnd.chance(0.05);
    return {
      score: rnd.chance(0.3) ? rnd.int(80, 100) : rnd.int(0, 79),
      industry: rnd.pick(INDUSTRIES),
      companySize: rnd.pick(COMPANY_SIZES),
      source: rnd.pick(SOURCES),
      region: rnd.pick(REGIONS),
      company: named ? `ACCOUNT ${rnd.int(0, 999)}` : `Company ${i} AG`,
      contact: { email: named && rnd.chance(0.5) ? `x@account${rnd.int(0, 999)}.de` : `person${i}@company${i}.com` },
      attributes: { campaign: `z-${i % 17}`, seats: rnd.int(1, 500) },
    };
  });
}

export async function runRoutingCoreBench(opts: { decisions?: number } = {}): Promise<{ usPerDecision: number; pushedShare: number; decisions: number }> {
  const decisions = opts.decisions ?? 100_000;
  const rnd = new Random(3);
  const ruleSet = buildRuleSet();
  const reps = buildReps(rnd);
  const accounts = new AccountIndex(buildAccounts());
  const leads = buildLeads(rnd, 2_000);
  const rotations: Record<string, RotationState> = {};
  // Tuesday 14:00 UTC: Berlin and London working, New York working, Los Angeles not yet.
  const start = Date.parse('2026-01-06T14:00:00Z');
  const ctx: RouteContext = { ruleSet, accounts, reps, rotation: (team) => rotations[team] ?? EMPTY_ROTATION, now: start };

  let pushed = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      ctx.now = start + i * 250; // four leads a second: time moves, the minute caches turn over
      const { trace, rotationUpdates } = routeLead(leads[i % leads.length]!, ctx);
      if (trace.outcome.kind === 'pushed') pushed++;
      for (const team in rotationUpdates) rotations[team] = rotationUpdates[team]!;
    }
  };
  run(5_000); // warm-up: JIT and caches
  pushed = 0;
  const t0 = performance.now();
  run(decisions);
  const ms = performance.now() - t0;
  return { usPerDecision: (ms * 1000) / decisions, pushedShare: pushed / decisions, decisions };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--decisions');
  const decisions = i >= 0 ? Number(process.argv[i + 1]) : undefined;
  const r = await runRoutingCoreBench(decisions ? { decisions } : {});
  console.log(
    `routing core: ${r.usPerDecision.toFixed(2)} µs per decision over ${r.decisions.toLocaleString('en')} decisions ` +
      `(50 rules, 50 reps, 1,000 accounts; ${(r.pushedShare * 100).toFixed(0)}% pushed) — target < 50 µs: ${r.usPerDecision < 50 ? 'pass' : 'FAIL'}`,
  );
}
