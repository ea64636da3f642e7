import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { parse as parseCsv } from 'csv-parse/sync';
import { AppError, validationError, type FieldProblem } from '../../core/errors.js';
import { validateRuleSet, workingHoursProblems, computeTier, DEFAULT_TIER_THRESHOLDS, TIERS, type RuleSet, type TierThresholds } from '../../core/routing/index.js';
import { parseLeadInput } from '../../core/lead-input.js';
import { DAY } from '../../core/clock.js';
import { leadForRouting } from '../../core/lead-routing.js';
import type { NewAccount, RepPatch, Store } from '../../store/store.js';
import { IdParams, RuleSetBody, errorResponses } from '../schemas.js';
import { leadJson } from '../views.js';
import { userActor } from '../auth.js';
import { announce } from './announce.js';

const Hours = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Europe/Berlin' }),
    days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7, description: '0 = Sunday … 6 = Saturday' }),
    start: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
    end: Type.String({ pattern: '^\\d{2}:\\d{2}$' }),
  },
  { additionalProperties: false },
);
const Caps = Type.Object(
  { hourly: Type.Optional(Type.Integer({ minimum: 0 })), daily: Type.Optional(Type.Integer({ minimum: 0 })), weekly: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);
const RepOut = Type.Object({
  userId: Type.Integer(),
  name: Type.String(),
  email: Type.String(),
  team: Type.Union([Type.String(), Type.Null()]),
  tier: Type.Union([Type.String(), Type.Null()]),
  tierAuto: Type.Boolean(),
  availability: Type.Enum(['available', 'away']),
  paused: Type.Boolean(),
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  weight: Type.Number(),
  hours: Type.Union([Hours, Type.Null()]),
  caps: Caps,
});
const RepPatchBody = Type.Object(
  {
    team: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    tier: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()])),
    tierAuto: Type.Optional(Type.Boolean()),
    availability: Type.Optional(Type.Enum(['available', 'away'])),
    paused: Type.Optional(Type.Boolean()),
    capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()])),
    weight: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    hours: Type.Optional(Type.Union([Hours, Type.Null()])),
    caps: Type.Optional(Caps),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why (kept in the history, e.g. for a tier change).' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const AccountOut = Type.Object({ id: Type.Integer(), name: Type.String(), domains: Type.Array(Type.String()), ownerId: Type.Integer(), customer: Type.Boolean() });
const AccountBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    domains: Type.Array(Type.String({ minLength: 3, maxLength: 253, pattern: '^[^\\s@]+\\.[^\\s@]+$' }), { maxItems: 100 }),
    ownerId: Type.Integer({ minimum: 1 }),
    customer: Type.Boolean(),
  },
  { additionalProperties: false },
);
/**
 * The rule set arrives loosely typed: the core's validator checks each action against the
 * one type it names, so a missing field reads "rules[0].then.strategy: is required" instead
 * of one complaint per union branch. Its full schema is in the document as RuleSetBody.
 */
const RuleSetInput = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A rule set: {rules: [{id, name, enabled?, when: {scoreMin?, scoreMax?, industry?, companySize?, source?, region?, namedAccount?, existingCustomer?, attributes?}, then: {type: push_owner|push_team|pool|review, …}}], defaultPoolId}.',
});
void RuleSetBody;

const VersionOut = Type.Object({ version: Type.Integer(), ruleSet: Type.Record(Type.String(), Type.Unknown()), note: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(), createdBy: Type.String() });

export const TIER_SETTINGS_KEY = 'tiers';
export interface TierSettings {
  auto: boolean;
  thresholds: TierThresholds;
}

async function known(store: Store): Promise<{ poolIds: number[]; teams: string[] }> {
  const [pools, reps] = await Promise.all([store.listPools(), store.listReps()]);
  return { poolIds: pools.map((p) => p.id), teams: [...new Set(reps.map((r) => r.team).filter((t): t is string => t !== null))] };
}

/** Checks a rule set against the pools and teams that exist; a bad rule is named with its field. */
export async function checkRuleSet(store: Store, input: unknown, prefix = ''): Promise<RuleSet> {
  const v = validateRuleSet(input, await known(store));
  if (!v.ok) throw validationError(v.problems.map((p) => ({ field: prefix ? `${prefix}.${p.field}` : p.field, problem: p.problem })));
  return v.value;
}

/**
 * Recomputes every automatic tier from the reps' numbers over the window; each change is an
 * event with its reason. Returns the changes.
 */
export async function recomputeTiers(store: Store, now: number): Promise<{ userId: number; from: string | null; to: string; reason: string }[]> {
  const settings = ((await store.getTeamSetting(TIER_SETTINGS_KEY)) as TierSettings | null) ?? { auto: false, thresholds: DEFAULT_TIER_THRESHOLDS };
  if (!settings.auto) return [];
  const stats = new Map((await store.tierStats(now - settings.thresholds.windowDays * DAY)).map((s) => [s.userId, s]));
  const changes: { userId: number; from: string | null; to: string; reason: string }[] = [];
  for (const rep of await store.listReps()) {
    if (!rep.tierAuto) continue;
    const t = computeTier(stats.get(rep.userId) ?? { claims: 0, converted: 0, medianMinutesToContact: null }, settings.thresholds);
    if (t.tier === rep.tier) continue;
    await store.updateRep(rep.userId, { tier: t.tier }, { kind: 'system', name: 'automatic tiers' }, t.reason, now);
    changes.push({ userId: rep.userId, from: rep.tier, to: t.tier, reason: t.reason });
  }
  return changes;
}

export async function routingRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;
  const versionJson = (v: { version: number; ruleSet: RuleSet; note: string | null; createdAt: number; createdBy: string }) => ({
    ...v,
    ruleSet: v.ruleSet as unknown as Record<string, unknown>,
    createdAt: new Date(v.createdAt).toISOString(),
  });

  app.get(
    '/routing',
    {
      config: { access: 'manager' },
      schema: { tags: ['routing'], summary: 'The routing rule set in force, with its version', response: { 200: Type.Object({ version: Type.Union([VersionOut, Type.Null()]) }) } },
    },
    async () => {
      const v = await store.getRouting();
      return { version: v ? versionJson(v) : null };
    },
  );

  app.put(
    '/routing',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['routing'],
        summary: 'Replace the rule set atomically after validation; the old one stays on any error, every version is kept',
        body: Type.Object({ ruleSet: RuleSetInput, note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ version: VersionOut }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      const ruleSet = await checkRuleSet(store, req.body.ruleSet, 'ruleSet');
      const { version } = await store.putRouting(ruleSet, req.body.note ?? null, req.actor!, clock.now());
      return { version: versionJson(version) };
    },
  );

  app.get(
    '/routing/versions',
    { config: { access: 'manager' }, schema: { tags: ['routing'], summary: 'Every saved rule set, newest first', response: { 200: Type.Object({ items: Type.Array(VersionOut) }) } } },
    async () => ({ items: (await store.routingVersions()).map(versionJson) }),
  );

  app.post(
    '/routing/dry-run',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['routing'],
        summary: 'Run sample leads (or the last N real ones) through a draft rule set: decisions with traces, nothing changed',
        body: Type.Object(
          {
            ruleSet: Type.Optional(RuleSetInput),
            leads: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 500 })),
            lastN: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ decisions: Type.Array(Type.Record(Type.String(), Type.Unknown())) }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      const current = await store.getRouting();
      const ruleSet = req.body.ruleSet ? await checkRuleSet(store, req.body.ruleSet, 'ruleSet') : current?.ruleSet;
      if (!ruleSet) throw validationError([{ field: 'ruleSet', problem: 'is required while no rule set is saved' }]);
      let leads;
      if (req.body.leads) {
        const problems: FieldProblem[] = [];
        leads = req.body.leads.map((raw, i) => {
          const p = parseLeadInput(raw);
          if (!p.ok) problems.push(...p.problems.map((x) => ({ field: `leads[${i}].${x.field}`, problem: x.problem })));
          return p.ok ? leadForRouting({ ...p.value, contact: { name: p.value.contact.name, email: p.value.contact.email ?? null, phone: null }, attributes: p.value.attributes ?? {} }) : null;
        });
        if (problems.length) throw validationError(problems);
      } else {
        leads = await store.recentLeadsForRouting(req.body.lastN ?? 20);
      }
      const traces = await store.dryRun(ruleSet, leads.filter((l) => l !== null), clock.now());
      // Real leads keep their id beside their decision, so a manager can open the lead.
      return { decisions: traces.map((t, i) => ({ ...(req.body.leads ? {} : { leadId: (leads[i] as { id?: number }).id }), ...t })) as unknown as Record<string, unknown>[] };
    },
  );

  app.get(
    '/reps',
    { config: { access: 'manager' }, schema: { tags: ['reps'], summary: "Reps' routing settings: team, tier, availability, capacity, weight, hours, caps", response: { 200: Type.Object({ items: Type.Array(RepOut) }) } } },
    async () => ({ items: await store.listReps() }),
  );

  app.patch(
    '/reps/:id',
    {
      schema: {
        tags: ['reps'],
        summary: "Change a rep's settings (managers); a rep may set their own availability",
        params: IdParams,
        body: RepPatchBody,
        response: { 200: RepOut, ...errorResponses(400, 403, 404) },
      },
    },
    async (req) => {
      const actor = req.actor!;
      const { reason, ...patch } = req.body;
      const isManager = actor.kind === 'user' && actor.role !== 'rep';
      if (!isManager) {
        const me = userActor(req);
        const onlyAvailability = Object.keys(patch).every((k) => k === 'availability');
        if (me.userId !== req.params.id || !onlyAvailability) {
          throw new AppError('FORBIDDEN', 'A rep may change only their own availability.', { field: Object.keys(patch).find((k) => k !== 'availability') ?? 'id' });
        }
      }
      if (patch.hours) {
        const problems = workingHoursProblems(patch.hours, 'hours');
        if (problems.length) throw validationError(problems);
      }
      const { rep } = await store.updateRep(req.params.id, patch as RepPatch, actor, reason ?? null, clock.now());
      return rep;
    },
  );

  app.get(
    '/rotations',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['reps'],
        summary: "Each team's push rotation: where it stands and whether it is paused",
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ team: Type.String(), paused: Type.Boolean(), lastUserId: Type.Union([Type.Integer(), Type.Null()]) })) }) },
      },
    },
    async () => ({ items: (await store.rotations()).map((r) => ({ team: r.team, paused: r.state.paused, lastUserId: r.state.lastUserId })) }),
  );

  app.put(
    '/rotations/:team',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['reps'],
        summary: "Pause or resume a team's push rotation",
        params: Type.Object({ team: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object({ paused: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ team: Type.String(), paused: Type.Boolean() }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      await store.setRotationPaused(req.params.team, req.body.paused, req.actor!, clock.now());
      return { team: req.params.team, paused: req.body.paused };
    },
  );

  app.get(
    '/accounts',
    { config: { access: 'manager' }, schema: { tags: ['accounts'], summary: 'Named accounts: their domains, owner and customer flag', response: { 200: Type.Object({ items: Type.Array(AccountOut) }) } } },
    async () => ({ items: await store.listAccounts() }),
  );

  app.post(
    '/accounts',
    { config: { access: 'manager' }, schema: { tags: ['accounts'], summary: 'Add a named account', body: AccountBody, response: { 201: AccountOut, ...errorResponses(400, 403, 409) } } },
    async (req, reply) => reply.status(201).send(await store.createAccount(req.body, req.actor!, clock.now())),
  );

  app.patch(
    '/accounts/:id',
    {
      config: { access: 'manager' },
      schema: { tags: ['accounts'], summary: 'Change a named account', params: IdParams, body: Type.Partial(AccountBody, { additionalProperties: false, minProperties: 1 }), response: { 200: AccountOut, ...errorResponses(400, 403, 404, 409) } },
    },
    async (req) => store.updateAccount(req.params.id, req.body, req.actor!, clock.now()),
  );

  app.delete(
    '/accounts/:id',
    { config: { access: 'manager' }, schema: { tags: ['accounts'], summary: 'Remove a named account', params: IdParams, response: { 204: Type.Null(), ...errorResponses(403, 404) } } },
    async (req, reply) => {
      await store.deleteAccount(req.params.id, req.actor!, clock.now());
      return reply.status(204).send(null);
    },
  );

  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.post(
    '/accounts/import',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['accounts'],
        summary: 'Import named accounts from CSV (name, domains separated by ";", owner email, customer yes/no); any bad line imports nothing',
        consumes: ['text/csv'],
        response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer() }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      if (typeof req.body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as text/csv.');
      const users = new Map((await store.listUsers()).map((u) => [u.email.toLowerCase(), u.id]));
      let parsed: { record: Record<string, string>; info: { lines: number } }[];
      try {
        parsed = parseCsv(req.body, { columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()), skip_empty_lines: true, bom: true, trim: true, info: true });
      } catch (err) {
        throw new AppError('BAD_CSV', `The file is not valid CSV: ${(err as Error).message}`);
      }
      const errors: { line: number; problems: FieldProblem[] }[] = [];
      const accounts: NewAccount[] = [];
      const records = parsed.map((p) => p.record);
      parsed.forEach(({ record: r, info }) => {
        const problems: FieldProblem[] = [];
        const owner = r.owner ?? r.owner_email ?? '';
        const ownerId = users.get(owner.toLowerCase()) ?? (/^\d+$/.test(owner) && [...users.values()].includes(Number(owner)) ? Number(owner) : undefined);
        if (!r.name) problems.push({ field: 'name', problem: 'is required' });
        if (ownerId === undefined) problems.push({ field: 'owner', problem: owner ? `no user with email ${owner}` : 'is required' });
        const customer = (r.customer ?? '').toLowerCase();
        if (customer && !['yes', 'no', 'true', 'false', '1', '0'].includes(customer)) problems.push({ field: 'customer', problem: 'must be yes or no' });
        if (problems.length) errors.push({ line: info.lines, problems });
        else accounts.push({ name: r.name!, domains: (r.domains ?? '').split(/[;\s]+/).filter(Boolean), ownerId: ownerId!, customer: ['yes', 'true', '1'].includes(customer) });
      });
      if (errors.length) throw new AppError('BAD_CSV', `${errors.length} bad line(s); nothing was imported.`, { errors, rows: records.length });
      return store.importAccounts(accounts, req.actor!, clock.now());
    },
  );

  app.get(
    '/review',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['routing'],
        summary: 'Leads waiting for a manager: assign (POST /leads/{id}/reassign), put back (release) or disqualify (status)',
        querystring: Type.Object({ poolId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Lead')) }) },
      },
    },
    async (req) => ({ items: (await store.reviewQueue(req.query.poolId)).map(leadJson) }),
  );

  app.get(
    '/settings/tiers',
    {
      config: { access: 'manager' },
      schema: { tags: ['reps'], summary: 'Automatic tiers: on or off, and the thresholds', response: { 200: Type.Object({ auto: Type.Boolean(), thresholds: Type.Record(Type.String(), Type.Unknown()), tiers: Type.Array(Type.String()) }) } },
    },
    async () => {
      const s = ((await store.getTeamSetting(TIER_SETTINGS_KEY)) as TierSettings | null) ?? { auto: false, thresholds: DEFAULT_TIER_THRESHOLDS };
      return { ...s, thresholds: s.thresholds as unknown as Record<string, unknown>, tiers: [...TIERS] };
    },
  );

  app.put(
    '/settings/tiers',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['reps'],
        summary: 'Turn automatic tiers on or off and set their thresholds; recomputes at once',
        body: Type.Object(
          {
            auto: Type.Boolean(),
            thresholds: Type.Optional(
              Type.Object(
                {
                  windowDays: Type.Integer({ minimum: 1, maximum: 365 }),
                  top: Type.Object(
                    {
                      minConversionRate: Type.Number({ minimum: 0, maximum: 1 }),
                      maxMedianMinutesToContact: Type.Number({ minimum: 0 }),
                      minClaims: Type.Optional(Type.Integer({ minimum: 1 })),
                    },
                    { additionalProperties: false },
                  ),
                  new: Type.Optional(Type.Object({ maxClaims: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ changes: Type.Array(Type.Record(Type.String(), Type.Unknown())) }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      const settings: TierSettings = { auto: req.body.auto, thresholds: (req.body.thresholds as TierThresholds | undefined) ?? DEFAULT_TIER_THRESHOLDS };
      await store.setTeamSetting(TIER_SETTINGS_KEY, settings, req.actor!, clock.now());
      const changes = await recomputeTiers(store, clock.now());
      if (changes.length) announce(app);
      return { changes };
    },
  );
}
