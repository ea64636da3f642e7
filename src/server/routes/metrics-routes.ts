import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Readable } from 'node:stream';
import { AppError } from '../../core/errors.js';
import { buildOverview, repsCsv, type Overview } from '../../core/metrics-report.js';
import { exportStream } from '../../integrations/export-format.js';
import { DAY } from '../../core/clock.js';
import { startOfUtcDay } from '../../store/store-common.js';
import type { Store } from '../../store/store.js';
import { errorResponses } from '../schemas.js';
import { isManagerActor, userActor } from '../auth.js';

const RangeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the range (default: 7 days ago).' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range, exclusive (default: now).' })),
    poolId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const Duration = Type.Object({ count: Type.Integer(), meanMs: Type.Union([Type.Number(), Type.Null()]), p50Ms: Type.Union([Type.Number(), Type.Null()]), p90Ms: Type.Union([Type.Number(), Type.Null()]) });

export const TEAM_BOARD_KEY = 'teamBoard';

async function overviewFor(app: FastifyInstance, q: { from?: string; to?: string; poolId?: number }): Promise<Overview> {
  const { store, clock } = app.ctx;
  const now = clock.now();
  const to = q.to ? Date.parse(q.to) : now + 1; // include what happened this millisecond
  const from = q.from ? Date.parse(q.from) : to - 7 * DAY;
  if (from >= to) throw new AppError('VALIDATION_FAILED', 'from: must be before to', { fields: [{ field: 'from', problem: 'must be before to' }] });
  if (q.poolId !== undefined && !(await store.getPool(q.poolId))) throw new AppError('POOL_NOT_FOUND', `There is no pool ${q.poolId}.`, { field: 'poolId' });
  // Waiting totals from the pool stats the pool pages share (at most a second old): the
  // oldest age bucket is the total less the younger ones, not a count of every waiting lead.
  const waitingTotals = new Map([...(await app.ctx.poolStats.all()).values()].map((p) => [p.poolId, p.available]));
  const [facts, users, pools, team, today] = await Promise.all([
    store.metricsFacts({ from, to, ...(q.poolId !== undefined ? { poolId: q.poolId } : {}) }, now, waitingTotals),
    store.listUsers(),
    store.listPools(),
    store.getTeamRules(),
    store.claimCountsSince(startOfUtcDay(now)),
  ]);
  return buildOverview({
    facts,
    range: { from, to, poolId: q.poolId ?? null },
    reps: users.filter((u) => u.role === 'rep').map((u) => ({ id: u.id, name: u.name })),
    pools: pools.map((p) => ({ id: p.id, name: p.name, rules: p.rules ?? team })),
    today,
  });
}

async function teamBoardOn(store: Store): Promise<boolean> {
  return (await store.getTeamSetting(TEAM_BOARD_KEY)) !== false; // on unless a manager turned it off
}

export async function metricsRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  app.get(
    '/metrics/overview',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['measurements'],
        summary: 'What is happening: time to claim, waiting ages, claims and cherry-picking per rep, conversion by source, fairness',
        querystring: RangeQuery,
        response: {
          200: Type.Object(
            {
              range: Type.Object({ from: Type.Number(), to: Type.Number(), poolId: Type.Union([Type.Integer(), Type.Null()]) }),
              arrivalToClaim: Duration,
              arrivalToClaimDaily: Type.Array(Type.Object({ day: Type.Number({ description: 'UTC day start, epoch ms' }), count: Type.Integer(), meanMs: Type.Union([Type.Number(), Type.Null()]), p50Ms: Type.Union([Type.Number(), Type.Null()]), p90Ms: Type.Union([Type.Number(), Type.Null()]) })),
              claimToContact: Duration,
              waiting: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              reps: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              conversionBySource: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              repsUnderMinimum: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              reviewWaiting: Type.Integer(),
              fairness: Type.Object({ giniClaims: Type.Number(), giniScore: Type.Number() }),
            },
            {
              description:
                'Durations in milliseconds; times in epoch milliseconds. Figures come from a rollup kept per UTC day at every claim, contact, status change, release, skip and expiry, plus the claims of the partial days at the range edges: counts, sums and means are exact for any range. ' +
                'Percentiles (p50Ms, p90Ms) are read from log-scale duration buckets (8 per doubling, each with the sum of its durations): the mean of the bucket the nearest rank falls in, within 9.1% of the exact nearest-rank value (exact when the bucket holds equal durations). ' +
                'Contacts, outcomes and lock ends count for the day of the claim they belong to. ' +
                'Waiting ages: the buckets up to 24 h are counted now; the open >24h bucket is the pool\'s waiting total (at most a second old, as on the pool pages) less the younger buckets.',
            },
          ),
          ...errorResponses(400, 403, 404),
        },
      },
    },
    async (req) => (await overviewFor(app, req.query)) as never,
  );

  app.get(
    '/metrics/reps.csv',
    { config: { access: 'manager' }, schema: { tags: ['measurements'], summary: 'The per-rep table as CSV (compensation analysis)', description: 'The overview\'s per-rep rows; claim_to_contact_p50_min is read from duration buckets (within 9.1%, see GET /metrics/overview).', querystring: RangeQuery, produces: ['text/csv'] } },
    async (req, reply) => {
      const o = await overviewFor(app, req.query);
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="leadpool-reps.csv"').send(repsCsv(o.reps));
    },
  );

  app.get(
    '/exports/events.csv',
    {
      config: { access: 'manager' },
      schema: { tags: ['measurements'], summary: 'The history as CSV, streamed (any size, bounded memory)', querystring: RangeQuery, produces: ['text/csv'] },
    },
    async (req, reply) => {
      const now = clock.now();
      const to = req.query.to ? Date.parse(req.query.to) : now + 1;
      const from = req.query.from ? Date.parse(req.query.from) : 0;
      // The same text as `leadpool export events` and the other export routes (on SQLite made on a
      // worker thread, see SqliteStore.exportStream).
      const chunks = exportStream({ store, integrations: null }, 'events', 'csv', { from, to, ...(req.query.poolId !== undefined ? { poolId: req.query.poolId } : {}) });
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="leadpool-events.csv"').send(Readable.from(chunks, { highWaterMark: 1 }));
    },
  );

  app.get(
    '/team-board',
    {
      schema: {
        tags: ['measurements'],
        summary: 'Claim patterns of the whole team, visible to reps (managers can turn it off)',
        description: 'Per rep: claims today and this week, average score claimed, cherry-pick index, expiries. Transparency is a fair-play rule of its own.',
        response: {
          200: Type.Object({
            enabled: Type.Boolean(),
            reps: Type.Array(
              Type.Object({
                userId: Type.Integer(),
                name: Type.String(),
                claimsToday: Type.Integer(),
                claimsWeek: Type.Integer(),
                averageScore: Type.Union([Type.Number(), Type.Null()]),
                cherryPickIndex: Type.Union([Type.Number(), Type.Null()]),
                expired: Type.Integer(),
                skipped: Type.Integer(),
                underMinimum: Type.Boolean(),
              }),
            ),
          }),
          ...errorResponses(403),
        },
      },
    },
    async (req) => {
      const on = await teamBoardOn(store);
      if (!on && !isManagerActor(req.actor)) throw new AppError('FORBIDDEN', 'Your manager has turned the team board off.');
      const o = await overviewFor(app, {});
      return {
        enabled: on,
        reps: o.reps.map((r) => ({
          userId: r.userId,
          name: r.name,
          claimsToday: r.claimsToday,
          claimsWeek: r.claims,
          averageScore: r.averageScore,
          cherryPickIndex: r.cherryPickIndex,
          expired: r.expired,
          skipped: r.skipped,
          underMinimum: r.underMinimum,
        })),
      };
    },
  );

  app.put(
    '/settings/team-board',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['measurements'],
        summary: 'Turn the rep-visible team board on or off (managers)',
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ enabled: Type.Boolean() }), ...errorResponses(400, 403) },
      },
    },
    async (req) => {
      await store.setTeamSetting(TEAM_BOARD_KEY, req.body.enabled, req.actor!, clock.now());
      return { enabled: req.body.enabled };
    },
  );

  app.get(
    '/me/stats',
    {
      schema: {
        tags: ['me'],
        summary: 'Your own numbers: claims today against the minimum, open uncontacted leads against the hoarding limit',
        response: {
          200: Type.Object({
            claimsToday: Type.Integer(),
            minClaimsPerDay: Type.Union([Type.Integer(), Type.Null()]),
            openUncontacted: Type.Integer(),
            hoardingLimit: Type.Union([Type.Integer(), Type.Null()]),
            teamBoard: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      const me = userActor(req);
      const now = clock.now();
      const [pools, team, today, open, board] = await Promise.all([
        store.listPools(),
        store.getTeamRules(),
        store.claimCountsSince(startOfUtcDay(now)),
        store.countOpenUncontacted(me.userId),
        teamBoardOn(store),
      ]);
      const rules = pools.map((p) => p.rules ?? team);
      const mins = rules.map((r) => r.minClaimsPerDay).filter((n): n is number => n !== undefined);
      const limits = rules.map((r) => r.hoardingLimit).filter((n): n is number => n !== undefined);
      return {
        claimsToday: today.filter((t) => t.userId === me.userId).reduce((a, t) => a + t.claims, 0),
        minClaimsPerDay: mins.length ? Math.max(...mins) : null,
        openUncontacted: open,
        hoardingLimit: limits.length ? Math.min(...limits) : null,
        teamBoard: board,
      };
    },
  );
}
