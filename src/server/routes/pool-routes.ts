import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError, validationError } from '../../core/errors.js';
import { validateEscalationPolicy, type EscalationPolicy } from '../../core/routing/index.js';
import type { Store } from '../../store/store.js';
import { decodeCursor, encodeCursor, DEFAULT_BROWSE_LIMIT, type BrowseQuery } from '../../core/browse.js';
import { mayBrowseItems } from '../../core/visibility.js';
import type { CompanySize, Pool } from '../../core/types.js';
import { cursorValue } from '../../store/browse-query.js';
import { BrowseQuerystring, BrowseResponse, IdParams, NewPoolBody, PoolPatchBody, errorResponses } from '../schemas.js';
import { userActor, viewerOf, viewerWithTier } from '../auth.js';
import { leadJson, leadViewJson, poolJson } from '../views.js';
import { announce } from './announce.js';

/** The escalation ladder's order and teams, beyond what the schema checks. */
async function checkPoolRouting(store: Store, body: { escalation?: EscalationPolicy | null }): Promise<void> {
  if (!body.escalation) return;
  const teams = [...new Set((await store.listReps()).map((r) => r.team).filter((t): t is string => t !== null))];
  const v = validateEscalationPolicy(body.escalation, { teams });
  if (!v.ok) throw validationError(v.problems.map((p) => ({ field: `escalation.${p.field}`, problem: p.problem })));
}

export async function poolRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  const facetCache = new Map<number, { at: number; facets: Awaited<ReturnType<Store['facets']>> }>();
  const facetReads = new Map<number, Promise<Awaited<ReturnType<Store['facets']>>>>();

  async function mustPool(id: number): Promise<Pool> {
    const pool = await store.getPool(id);
    if (!pool) throw new AppError('POOL_NOT_FOUND', `There is no pool ${id}.`, { field: 'id', poolId: id });
    return pool;
  }

  app.get(
    '/pools',
    {
      schema: {
        tags: ['pools'],
        summary: 'Pools and queues, with how many leads wait in each and since when',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Pool')) }) },
      },
    },
    async () => {
      const [pools, stats, team] = await Promise.all([store.listPools(), app.ctx.poolStats.all(), store.getTeamRules()]);
      return { items: pools.map((p) => poolJson(p, team, stats.get(p.id) ?? { poolId: p.id, available: 0, oldestAvailableAt: null })) };
    },
  );

  app.post(
    '/pools',
    {
      config: { access: 'manager' },
      schema: { tags: ['pools'], summary: 'Create a pool or queue (managers)', body: NewPoolBody, response: { 201: Type.Ref('Pool'), ...errorResponses(400, 403) } },
    },
    async (req, reply) => {
      await checkPoolRouting(store, req.body);
      const { pool } = await store.createPool(req.body, req.actor!, clock.now());
      announce(app);
      return reply.status(201).send(poolJson(pool, await store.getTeamRules()));
    },
  );

  app.patch(
    '/pools/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['pools'],
        summary: 'Change a pool: name, mode, lock timer, preview fields (managers)',
        params: IdParams,
        body: PoolPatchBody,
        response: { 200: Type.Ref('Pool'), ...errorResponses(400, 403, 404) },
      },
    },
    async (req) => {
      await checkPoolRouting(store, req.body);
      const { pool } = await store.updatePool(req.params.id, req.body, req.actor!, clock.now());
      announce(app);
      return poolJson(pool, await store.getTeamRules());
    },
  );

  app.get(
    '/pools/:id/leads',
    {
      schema: {
        tags: ['pools'],
        summary: 'Browse the leads waiting in a pool: filters, sort, company search, cursor paging',
        description:
          'In a `pool` pool reps see the preview fields only; in `cherry_pick` everything; in a `queue` reps see the count and oldest age, not the items (managers see all).',
        params: IdParams,
        querystring: BrowseQuerystring,
        response: { 200: BrowseResponse, ...errorResponses(400, 404) },
      },
    },
    async (req) => {
      const pool = await mustPool(req.params.id);
      const viewer = await viewerWithTier(store, req.actor);
      const q = req.query;
      if (q.minScore !== undefined && q.maxScore !== undefined && q.minScore > q.maxScore) {
        throw new AppError('VALIDATION_FAILED', 'minScore: must not be above maxScore', { fields: [{ field: 'minScore', problem: 'must not be above maxScore' }] });
      }
      const stats = await app.ctx.poolStats.get(pool.id);
      const counts = { available: stats.available, oldestAvailableAt: stats.oldestAvailableAt === null ? null : new Date(stats.oldestAvailableAt).toISOString() };
      if (!mayBrowseItems(pool, viewer)) return { items: [], nextCursor: null, itemsHidden: true, ...counts };
      const sort = q.sort ?? 'age';
      const order = q.order ?? 'desc';
      const query: BrowseQuery = {
        sort,
        order,
        limit: q.limit ?? DEFAULT_BROWSE_LIMIT,
        ...(q.industry ? { industry: q.industry } : {}),
        ...(q.companySize ? { companySize: q.companySize as CompanySize[] } : {}),
        ...(q.source ? { source: q.source } : {}),
        ...(q.region ? { region: q.region } : {}),
        ...(q.minScore !== undefined ? { minScore: q.minScore } : {}),
        ...(q.maxScore !== undefined ? { maxScore: q.maxScore } : {}),
        ...(q.minAgeMinutes !== undefined ? { minAgeMinutes: q.minAgeMinutes } : {}),
        ...(q.maxAgeMinutes !== undefined ? { maxAgeMinutes: q.maxAgeMinutes } : {}),
        ...(q.q !== undefined && q.q.trim() ? { q: q.q.trim() } : {}),
        ...(q.cursor ? { cursor: decodeCursor(q.cursor, sort, order) } : {}),
      };
      const page = await store.browse(pool.id, query, clock.now());
      const last = page.items[page.items.length - 1];
      const rules = pool.rules ?? (await store.getTeamRules());
      return {
        // A tier limited to a filtered part of the pool sees only the leads inside it.
        items: page.items.map((l) => leadViewJson(l, pool, viewer, { listing: true, rules })).filter((v) => v !== null),
        nextCursor: page.hasMore && last ? encodeCursor({ sort, order, value: cursorValue(query, last), id: last.id }) : null,
        itemsHidden: false,
        ...counts,
      };
    },
  );

  app.get(
    '/pools/:id/facets',
    {
      schema: {
        tags: ['pools'],
        summary: 'The values present in a pool, for filter menus',
        params: IdParams,
        response: {
          200: Type.Object({ industry: Type.Array(Type.String()), companySize: Type.Array(Type.String()), source: Type.Array(Type.String()), region: Type.Array(Type.String()) }),
          ...errorResponses(404),
        },
      },
    },
    async (req) => {
      await mustPool(req.params.id);
      // The values change slowly and reading them touches every lead of the pool: an answer up
      // to a minute old is served as it is; an older one is served too while a fresh one is read
      // in the background. Only the very first request for a pool waits for the read.
      const id = req.params.id;
      const hit = facetCache.get(id);
      if (hit && clock.now() - hit.at < 60_000) return hit.facets;
      let reading = facetReads.get(id);
      if (!reading) {
        reading = store
          .facets(id)
          .then((facets) => {
            facetCache.set(id, { at: clock.now(), facets });
            return facets;
          })
          .finally(() => facetReads.delete(id));
        facetReads.set(id, reading);
        if (hit) reading.catch((err: unknown) => req.log.warn({ err }, 'refreshing the facets failed; the last ones stay'));
      }
      return hit ? hit.facets : await reading;
    },
  );

  app.post(
    '/pools/:id/next',
    {
      schema: {
        tags: ['claims'],
        summary: 'Take the front lead of a queue (priority, then arrival); 204 when none is left for you',
        params: IdParams,
        response: { 200: Type.Object({ lead: Type.Ref('Lead') }), 204: Type.Null(), ...errorResponses(403, 404) },
      },
    },
    async (req, reply) => {
      const actor = userActor(req);
      // No lookup of the pool first: the claim statement finds out itself (one round trip
      // per claim fewer on PostgreSQL); its answer only gains the field's name here.
      const res = await store.claimNext(req.params.id, actor, clock.now()).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'POOL_NOT_FOUND') throw new AppError('POOL_NOT_FOUND', err.message, { field: 'id', poolId: req.params.id });
        throw err;
      });
      if (!res) return reply.status(204).send(null);
      announce(app);
      return { lead: leadJson(res.lead) };
    },
  );
}
