import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from '../../core/errors.js';
import { LeadInput, normaliseLeadInput } from '../../core/lead-input.js';
import type { Pool } from '../../core/types.js';
import { ActivityBody, IdParams, ReasonBody, ReassignBody, SkipBody, StatusBody, errorResponses } from '../schemas.js';
import { userActor, viewerOf, viewerWithTier } from '../auth.js';
import { eventJson, leadJson, leadViewJson } from '../views.js';
import { announce } from './announce.js';
import { defaultPoolId } from './default-pool.js';

export const MAX_BATCH = 1000;

const LeadOut = Type.Object({ lead: Type.Ref('Lead') });

export async function leadRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;

  app.post(
    '/leads',
    {
      config: { access: 'ingest' },
      schema: {
        tags: ['leads'],
        summary: 'Feed one lead in; the same externalId twice returns the stored lead (200) instead of a second one',
        body: LeadInput,
        response: { 201: Type.Object({ lead: Type.Ref('Lead'), created: Type.Boolean() }), 200: Type.Object({ lead: Type.Ref('Lead'), created: Type.Boolean() }), ...errorResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const res = await store.insertLeads([normaliseLeadInput(req.body)], await defaultPoolId(store), req.actor!, clock.now(), { batch: false });
      const created = res.created[0];
      if (created) {
        announce(app);
        return reply.status(201).send({ lead: leadJson(created), created: true });
      }
      return { lead: leadJson(res.existing[0]!), created: false };
    },
  );

  app.post(
    '/leads/batch',
    {
      config: { access: 'ingest' },
      schema: {
        tags: ['leads'],
        summary: `Feed up to ${MAX_BATCH} leads in, all or nothing`,
        description: 'A batch with any bad lead stores none and names every bad field as leads[i].field. Leads whose externalId is already stored are reported, not duplicated.',
        body: Type.Object({ leads: Type.Array(LeadInput, { minItems: 1, maxItems: MAX_BATCH }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            created: Type.Integer(),
            existing: Type.Integer(),
            leads: Type.Array(Type.Object({ id: Type.Integer(), externalId: Type.Union([Type.String(), Type.Null()]), created: Type.Boolean() })),
          }),
          ...errorResponses(400, 401, 403, 413),
        },
      },
    },
    async (req) => {
      const res = await store.insertLeads(req.body.leads.map(normaliseLeadInput), await defaultPoolId(store), req.actor!, clock.now(), { batch: true });
      if (res.created.length) announce(app);
      return {
        created: res.created.length,
        existing: res.existing.length,
        leads: res.results.map((r) => ({ id: r.lead.id, externalId: r.lead.externalId, created: r.created })),
      };
    },
  );

  app.get(
    '/leads/:id',
    { schema: { tags: ['leads'], summary: 'One lead, as much of it as you may see', params: IdParams, response: { 200: LeadOut, ...errorResponses(403, 404) } } },
    async (req) => {
      let lead = await store.getLead(req.params.id);
      if (!lead) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${req.params.id}.`, { leadId: req.params.id });
      const pool = (await store.getPool(lead.poolId)) as Pool;
      const viewer = await viewerWithTier(store, req.actor);
      // A rep opening a waiting lead's details counts against the pool's detail-view limit.
      const view = leadViewJson(lead, pool, viewer);
      if (view && req.actor?.kind === 'user' && viewer.role === 'rep' && lead.status === 'available' && pool.mode !== 'queue') {
        lead = await store.viewLead(lead.id, req.actor, clock.now());
      }
      if (!view) throw new AppError('FORBIDDEN', `Lead ${lead.id} is not visible to you${pool.mode === 'queue' ? ': in a queue, take the next lead instead' : ''}.`, { leadId: lead.id });
      return { lead: view };
    },
  );

  app.get(
    '/leads/:id/events',
    {
      schema: {
        tags: ['leads'],
        summary: "The lead's history: every change, who made it, when and why",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Event')) }), ...errorResponses(403, 404) },
      },
    },
    async (req) => {
      const lead = await store.getLead(req.params.id);
      if (!lead) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${req.params.id}.`, { leadId: req.params.id });
      const pool = (await store.getPool(lead.poolId)) as Pool;
      const viewer = await viewerWithTier(store, req.actor);
      const involved = viewer.userId !== null && lead.ownerId === viewer.userId;
      const events = await store.leadEvents(lead.id);
      const everHeld = viewer.userId !== null && events.some((e) => e.actorId === viewer.userId && e.actorKind === 'user');
      if (!involved && !everHeld && leadViewJson(lead, pool, viewer) === null) {
        throw new AppError('FORBIDDEN', `The history of lead ${lead.id} is not visible to you.`, { leadId: lead.id });
      }
      return { items: events.map(eventJson) };
    },
  );

  app.post(
    '/leads/:id/claim',
    {
      schema: {
        tags: ['claims'],
        summary: 'Claim a lead in a pool or cherry-pick pool: one atomic step, exactly one winner',
        description: 'The winner gets 200 with the full lead and lockExpiresAt; everyone else 409 LEAD_ALREADY_CLAIMED. In a queue, 403 CLAIM_BY_ID_IN_QUEUE.',
        params: IdParams,
        response: { 200: LeadOut, ...errorResponses(403, 404, 409) },
      },
    },
    async (req) => {
      const { lead } = await store.claim(req.params.id, userActor(req), clock.now());
      announce(app);
      return { lead: leadJson(lead) };
    },
  );

  app.post(
    '/leads/:id/release',
    {
      schema: {
        tags: ['claims'],
        summary: 'Give a held lead back to its pool (its holder, or a manager)',
        params: IdParams,
        body: Type.Optional(ReasonBody),
        response: { 200: LeadOut, ...errorResponses(403, 404, 409) },
      },
    },
    async (req) => {
      const { lead } = await store.release(req.params.id, req.actor!, req.body?.reason ?? null, clock.now());
      announce(app);
      return { lead: leadJson(lead) };
    },
  );

  app.post(
    '/leads/:id/skip',
    {
      schema: {
        tags: ['claims'],
        summary: 'Hand back a lead taken from a queue, with a reason; it is not served to you again',
        description: 'Counts against the pool skip limit (403 RULE_SKIP_LIMIT past it). Skips and their reasons are visible to managers.',
        params: IdParams,
        body: SkipBody,
        response: { 200: LeadOut, ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (req) => {
      const { lead } = await store.skip(req.params.id, userActor(req), req.body.reason, req.body.note ?? null, clock.now());
      announce(app);
      return { lead: leadJson(lead) };
    },
  );

  app.post(
    '/leads/:id/reassign',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['claims'],
        summary: 'Hand a lead to a rep (managers); it starts a fresh lock timer',
        params: IdParams,
        body: ReassignBody,
        response: { 200: LeadOut, ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (req) => {
      const { lead } = await store.reassign(req.params.id, req.body.userId, req.actor!, req.body.reason ?? null, clock.now());
      announce(app);
      return { lead: leadJson(lead) };
    },
  );

  app.post(
    '/leads/:id/activities',
    {
      schema: {
        tags: ['work'],
        summary: 'Log a call, email, meeting or note; the lead becomes contacted and its lock timer stops',
        params: IdParams,
        body: ActivityBody,
        response: { 200: LeadOut, ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (req) => {
      const { lead } = await store.logActivity(req.params.id, req.actor!, { type: req.body.type, note: req.body.note ?? null }, clock.now());
      announce(app);
      return { lead: leadJson(lead) };
    },
  );

  app.post(
    '/leads/:id/status',
    {
      schema: {
        tags: ['work'],
        summary: 'Move a held lead to qualified, disqualified or converted, with a reason',
        params: IdParams,
        body: StatusBody,
        response: { 200: LeadOut, ...errorResponses(400, 403, 404, 409) },
      },
    },
    async (req) => {
      const { lead } = await store.setStatus(req.params.id, req.actor!, req.body.status, req.body.reason ?? null, clock.now());
      announce(app);
      return { lead: leadJson(lead) };
    },
  );
}
