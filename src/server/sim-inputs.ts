import Type, { type Static } from 'typebox';
import { DAY } from '../core/clock.js';
import { validationError, type FieldProblem } from '../core/errors.js';
import type { LeadInput } from '../core/lead-input.js';
import type { Lead } from '../core/types.js';
import { MODEL_IDS, sdrTeam, teamFromSettings, type CurrentConfig, type StreamAccount, type Team } from '../sim/index.js';
import type { Store } from '../store/store.js';
import type { SimJob } from './sim-job.js';
import type { SimRunInputs } from './sim-runs.js';

/** Bounds that keep one run to a few minutes of one core at most. */
export const SIM_LIMITS = {
  days: 365,
  historyDays: 90,
  leadsPerDay: 5000,
  reps: 200,
  /** Leads in the stream. */
  leads: 200_000,
  /** Leads times model runs (fair play "both" runs every model twice). */
  work: 1_500_000,
} as const;

export const SIM_MODEL_CHOICES = [...MODEL_IDS, 'current'] as const;

export const SimulationBody = Type.Object(
  {
    stream: Type.Optional(Type.Enum(['synthetic', 'history'], { description: "synthetic (days x leadsPerDay of realistic leads) or history: the team's own leads of the last `days` days. Default synthetic." })),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: SIM_LIMITS.days, description: `Days of leads (history: at most ${SIM_LIMITS.historyDays}). Default 30.` })),
    leadsPerDay: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: SIM_LIMITS.leadsPerDay, description: 'Synthetic leads a day, averaged over the week. Default 400.' })),
    team: Type.Optional(Type.Enum(['preset', 'current'], { description: "preset: the sdr-team preset of `reps` reps; current: the reps as set up on this server. Default preset." })),
    reps: Type.Optional(Type.Integer({ minimum: 1, maximum: SIM_LIMITS.reps, description: 'Reps in the preset. Default 12.' })),
    models: Type.Optional(
      Type.Array(Type.Enum([...SIM_MODEL_CHOICES]), {
        minItems: 1,
        maxItems: SIM_MODEL_CHOICES.length,
        uniqueItems: true,
        description: "Models to compare; `current` is this server's configuration (pools, routing rules, fair-play rules). Default: every model and current.",
      }),
    ),
    fairPlay: Type.Optional(Type.Enum(['on', 'off', 'both'], { description: 'Fair-play rules in every model. Default on.' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'The same seed and inputs give the same result. Default 1.' })),
  },
  { additionalProperties: false },
);
export type SimulationBody = Static<typeof SimulationBody>;

/**
 * Turns a request into a job: checks the bounds (naming the field), reads the team, the
 * configuration and (for `history`) the recent leads from the store. Nothing runs yet.
 */
export async function buildSimJob(store: Store, body: SimulationBody, now: number): Promise<{ job: SimJob; inputs: SimRunInputs }> {
  const stream = body.stream ?? 'synthetic';
  const days = body.days ?? 30;
  const leadsPerDay = body.leadsPerDay ?? 400;
  const seed = body.seed ?? 1;
  const fairPlay = body.fairPlay ?? 'on';
  const models = [...(body.models ?? SIM_MODEL_CHOICES)];
  const runsPerModel = fairPlay === 'both' ? 2 : 1;
  const problems: FieldProblem[] = [];

  if (stream === 'history' && days > SIM_LIMITS.historyDays) problems.push({ field: 'days', problem: `a history run looks back at most ${SIM_LIMITS.historyDays} days` });
  if (stream === 'synthetic' && days * leadsPerDay > SIM_LIMITS.leads) {
    problems.push({ field: 'leadsPerDay', problem: `${days} days at ${leadsPerDay} a day is ${Math.round(days * leadsPerDay).toLocaleString('en')} leads; at most ${SIM_LIMITS.leads.toLocaleString('en')}` });
  }
  if (problems.length) throw validationError(problems);

  const team = await teamFor(store, body);
  const current = models.includes('current') ? await currentConfig(store) : null;
  if (current && body.team !== 'current') spreadOverTeams(team, current);

  let jobStream: SimJob['stream'];
  let leadCount: number;
  if (stream === 'synthetic') {
    jobStream = { kind: 'synthetic', days, leadsPerDay };
    leadCount = Math.round(days * leadsPerDay);
  } else {
    const leads = await recentLeads(store, now - days * DAY, now + 1); // up to and including now
    if (leads.length === 0) throw validationError([{ field: 'stream', problem: `no leads arrived in the last ${days} days to replay; use the synthetic stream` }]);
    jobStream = { kind: 'history', leads, accounts: await streamAccounts(store, team) };
    leadCount = leads.length;
  }
  const work = leadCount * models.length * runsPerModel;
  if (work > SIM_LIMITS.work) {
    const field = stream === 'synthetic' ? 'models' : 'days';
    throw validationError([
      {
        field,
        problem: `${leadCount.toLocaleString('en')} leads through ${models.length * runsPerModel} model runs is too much for one run (at most ${SIM_LIMITS.work.toLocaleString('en')} lead-runs): fewer models, fewer days or fair play on or off instead of both`,
      },
    ]);
  }
  return {
    job: { team, stream: jobStream, models, rules: fairPlay, current, seed },
    inputs: {
      stream,
      days,
      leadsPerDay: stream === 'synthetic' ? leadsPerDay : null,
      leads: stream === 'history' ? leadCount : null,
      team: body.team ?? 'preset',
      reps: team.reps.length,
      models,
      fairPlay,
      seed,
    },
  };
}

async function teamFor(store: Store, body: SimulationBody): Promise<Team> {
  if (body.team !== 'current') return sdrTeam(body.reps ?? 12);
  const reps = await store.listReps();
  if (reps.length === 0) throw validationError([{ field: 'team', problem: 'this server has no reps yet; use the preset team' }]);
  if (reps.length > SIM_LIMITS.reps) throw validationError([{ field: 'team', problem: `the team has ${reps.length} reps; at most ${SIM_LIMITS.reps}` }]);
  return teamFromSettings('the current team', reps);
}

/** This server's configuration as the simulator's `current` model: pools, the rule set in force, the team's rules. */
async function currentConfig(store: Store): Promise<CurrentConfig> {
  const [pools, routing, rules, accounts, reps] = await Promise.all([store.listPools(), store.getRouting(), store.getTeamRules(), store.listAccounts(), store.listReps()]);
  if (pools.length === 0) throw validationError([{ field: 'models', problem: 'model "current" needs at least one pool on this server' }]);
  const defaultPool = pools.find((p) => p.isDefault) ?? pools[0]!;
  const names = new Map(reps.map((r) => [r.userId, r.name]));
  return {
    pools: pools.map((p) => ({ id: p.id, name: p.name, mode: p.mode, lockTtlSeconds: p.lockTtlSeconds, rules: p.rules, escalation: p.escalation, access: p.access })),
    ruleSet: routing?.ruleSet ?? { defaultPoolId: defaultPool.id, rules: [] },
    rules,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name, domains: a.domains, customer: a.customer, owner: names.get(a.ownerId) ?? a.ownerId })),
  };
}

/**
 * The preset's reps all sit in team "sdr"; the configuration pushes to its own team names.
 * So the current configuration has someone to push to, the preset's reps are dealt out over
 * the teams its rules push to, in turn.
 */
function spreadOverTeams(team: Team, config: CurrentConfig): void {
  const teams = [...new Set(config.ruleSet.rules.flatMap((r) => (r.then.type === 'push_team' ? [r.then.team] : [])))];
  if (teams.length === 0) return;
  team.reps.forEach((r, i) => (r.team = teams[i % teams.length]!));
}

/** Leads that arrived in [from, to), found by their lead.created events, in arrival order. */
async function recentLeads(store: Store, from: number, to: number): Promise<{ input: LeadInput; arrivedAt: number }[]> {
  const ids: number[] = [];
  for await (const page of store.eventPages({ from, to }, 2000)) {
    for (const e of page) {
      if (e.type !== 'lead.created' || e.leadId === null) continue;
      ids.push(e.leadId);
      if (ids.length > SIM_LIMITS.leads) {
        throw validationError([{ field: 'days', problem: `more than ${SIM_LIMITS.leads.toLocaleString('en')} leads arrived in that time; look back fewer days` }]);
      }
    }
  }
  const out: { input: LeadInput; arrivedAt: number }[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    for (const lead of await store.getLeads(ids.slice(i, i + 1000))) out.push({ input: inputOf(lead), arrivedAt: lead.createdAt });
  }
  return out;
}

function inputOf(l: Lead): LeadInput {
  return {
    company: l.company,
    industry: l.industry,
    companySize: l.companySize,
    source: l.source,
    score: l.score,
    region: l.region,
    contact: { name: l.contact.name, email: l.contact.email, phone: l.contact.phone },
    attributes: l.attributes,
  };
}

/** The server's named accounts for a history run, each owned by its owner's place among the reps who may own accounts. */
async function streamAccounts(store: Store, team: Team): Promise<StreamAccount[]> {
  const [accounts, reps] = await Promise.all([store.listAccounts(), store.listReps()]);
  const owners = team.reps.filter((r) => r.tier !== 'new');
  const slotOf = (ownerId: number) => {
    const name = reps.find((r) => r.userId === ownerId)?.name;
    const i = owners.findIndex((r) => r.name === name);
    return i >= 0 ? i : ownerId;
  };
  return accounts.map((a) => ({ id: a.id, name: a.name, domains: a.domains, customer: a.customer, ownerSlot: slotOf(a.ownerId) }));
}
