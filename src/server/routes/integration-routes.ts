import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Readable } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, validationError, type FieldProblem } from '../../core/errors.js';
import { MINUTE } from '../../core/clock.js';
import type { Actor } from '../../core/types.js';
import type { MetricsRange } from '../../store/store.js';
import {
  DEDUPE_KEYS,
  DELIVERY_STATUSES,
  INTAKE_STATUSES,
  LEAD_FIELD_PATHS,
  type IntakeLogEntry,
  type IntakeSource,
  type IntegrationStore,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../store/integration-store.js';
import { integrationStoreOf } from '../../integrations/integrations.js';
import { WEBHOOK_EVENT_TYPES } from '../../integrations/webhook-events.js';
import { DEFAULT_RETRY } from '../../integrations/retry-policy.js';
import { webhookUrlProblem } from '../../integrations/private-addresses.js';
import { dedupeKey, flattenJson, formFields, mapIntake, type IntakeFields } from '../../integrations/intake-mapping.js';
import { exportStream, type ExportFormat, type ExportKind } from '../../integrations/export-format.js';
import { errorResponses, IdParams } from '../schemas.js';
import { isManagerActor } from '../auth.js';
import { tokenHash } from '../tokens.js';
import { announce } from './announce.js';
import { defaultPoolId } from './default-pool.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

// ------------------------------------------------------------------ schemas

const EventTypeName = Type.Enum([...WEBHOOK_EVENT_TYPES]);
const WebhookUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000, description: 'Where deliveries are POSTed (http or https).' });
const Secret = Type.String({ minLength: 16, maxLength: 200, description: 'The HMAC key; generated (whsec_…) when left out.' });

const NewWebhookBody = Type.Object(
  {
    url: WebhookUrl,
    eventTypes: Type.Optional(Type.Array(EventTypeName, { minItems: 1, uniqueItems: true, description: 'Events to send. Default: all of them.' })),
    secret: Type.Optional(Secret),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
  },
  { additionalProperties: false },
);

const WebhookPatchBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    eventTypes: Type.Optional(Type.Array(EventTypeName, { minItems: 1, uniqueItems: true })),
    secret: Type.Optional(Secret),
    rotateSecret: Type.Optional(Type.Literal(true, { description: 'Generate a new secret; the answer shows it once.' })),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean({ description: 'false pauses deliveries; true resumes them where they stopped (nothing is skipped).' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const WebhookOut = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  secretHint: Type.String({ description: 'The first characters of the secret.' }),
  secret: Type.Optional(Type.String({ description: 'Only when it was just created or rotated.' })),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const DeliveryOut = Type.Object({
  id: Type.Integer(),
  endpointId: Type.Integer(),
  eventId: Type.Integer(),
  eventType: Type.String(),
  leadId: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.Enum([...DELIVERY_STATUSES], { description: 'pending: not tried yet; failed: tried, retried at nextAttemptAt; delivered; dead: given up after a day.' }),
  attempts: Type.Integer(),
  waiting: Type.Boolean({ description: 'Held back until the same lead’s earlier delivery to this endpoint is delivered or dead (order per lead).' }),
  inFlight: Type.Boolean({ description: 'Being sent right now (leased by an instance).' }),
  nextAttemptAt: NullableDateTime,
  expiresAt: DateTime,
  lastAttemptAt: NullableDateTime,
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastResponseExcerpt: Type.Union([Type.String(), Type.Null()], { description: 'The first KB of the last response.' }),
  createdAt: DateTime,
  deliveredAt: NullableDateTime,
});

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 }));
const Before = Type.Optional(Type.Integer({ minimum: 1, description: 'Keyset: entries older than this id (pass nextBefore of the previous page).' }));
const DeliveryListQuery = Type.Object({ status: Type.Optional(Type.Enum([...DELIVERY_STATUSES])), limit: Limit, before: Before }, { additionalProperties: false });
const IntakeLogQuery = Type.Object({ status: Type.Optional(Type.Enum([...INTAKE_STATUSES])), limit: Limit, before: Before }, { additionalProperties: false });

const LEAD_FIELD_PATTERN = `^(${LEAD_FIELD_PATHS.map((f) => f.replace('.', '\\.')).join('|')}|attributes\\.[A-Za-z0-9_][A-Za-z0-9_.-]{0,99})$`;
const Mapping = Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.String({ pattern: LEAD_FIELD_PATTERN }), {
  description: `Form field -> lead field (${LEAD_FIELD_PATHS.join(', ')} or attributes.<name>). A form field already named like a lead field needs no entry.`,
});
const Defaults = Type.Object(
  {
    company: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    industry: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    companySize: Type.Optional(Type.Enum(['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'])),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    score: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    'contact.name': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false, description: 'Values for lead fields a post leaves out (a form rarely sends a score or region). source defaults to the source name.' },
);
const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'The last part of the intake URL: lower-case letters, digits, dashes.' });

const NewIntakeSourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    slug: Type.Optional(Slug),
    poolId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Default: the default pool.' })),
    mapping: Type.Optional(Mapping),
    defaults: Type.Optional(Defaults),
    dedupeBy: Type.Optional(Type.Enum([...DEDUPE_KEYS], { default: 'email', description: 'What makes two posts the same lead. Default email.' })),
    dedupeWindowMinutes: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 525_600, default: 1440, description: 'A repeat within this many minutes is a duplicate (0: no window). Default 1440 (a day).' }),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const IntakeSourcePatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    slug: Type.Optional(Slug),
    poolId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    mapping: Type.Optional(Mapping),
    defaults: Type.Optional(Defaults),
    dedupeBy: Type.Optional(Type.Enum([...DEDUPE_KEYS])),
    dedupeWindowMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 525_600 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const IntakeSourceOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  slug: Type.String(),
  intakeUrl: Type.String({ description: 'POST leads here (path; prefix your server address).' }),
  poolId: Type.Union([Type.Integer(), Type.Null()]),
  mapping: Type.Record(Type.String(), Type.String()),
  defaults: Type.Record(Type.String(), Type.Unknown()),
  dedupeBy: Type.Enum([...DEDUPE_KEYS]),
  dedupeWindowMinutes: Type.Integer(),
  tokenHint: Type.String({ description: 'The first characters of the source token.' }),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

const IntakeLogOut = Type.Object({
  id: Type.Integer(),
  receivedAt: DateTime,
  status: Type.Enum([...INTAKE_STATUSES]),
  httpStatus: Type.Integer(),
  leadId: Type.Union([Type.Integer(), Type.Null()]),
  problems: Type.Union([Type.Array(Type.Object({ field: Type.String(), problem: Type.String() })), Type.Null()]),
  contentType: Type.Union([Type.String(), Type.Null()]),
  rawExcerpt: Type.Union([Type.String(), Type.Null()], { description: 'The start of a rejected post, to see what the form sent.' }),
});

const IntakeResult = Type.Object({
  leadId: Type.Integer(),
  duplicate: Type.Boolean({ description: 'true: a lead with this email (or externalId) came in within the window; nothing new was made.' }),
  ignored: Type.Array(Type.String(), { description: 'Form fields neither mapped nor named like a lead field.' }),
});

const ExportQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the range (default: the beginning).' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the range, exclusive (default: now).' })),
    poolId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

// ------------------------------------------------------------------ views

function webhookJson(e: WebhookEndpoint, showSecret = false): Record<string, unknown> {
  return {
    id: e.id,
    url: e.url,
    eventTypes: e.eventTypes,
    description: e.description,
    enabled: e.enabled,
    secretHint: `${e.secret.slice(0, 10)}…`,
    ...(showSecret ? { secret: e.secret } : {}),
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

function deliveryJson(d: WebhookDelivery, now: number): Record<string, unknown> {
  const open = d.status === 'pending' || d.status === 'failed';
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    leadId: d.leadId,
    status: d.status,
    attempts: d.attempts,
    waiting: open && d.waiting,
    inFlight: open && d.leasedUntil !== null && d.leasedUntil > now,
    nextAttemptAt: open ? iso(d.nextAttemptAt) : null,
    expiresAt: iso(d.expiresAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastResponseExcerpt: d.lastResponseExcerpt,
    createdAt: iso(d.createdAt),
    deliveredAt: iso(d.deliveredAt),
  };
}

function sourceJson(s: IntakeSource): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    slug: s.slug,
    intakeUrl: `/api/v1/intake/${s.slug}`,
    poolId: s.poolId,
    mapping: s.mapping,
    defaults: s.defaults,
    dedupeBy: s.dedupeBy,
    dedupeWindowMinutes: s.dedupeWindowMinutes,
    tokenHint: `${s.tokenPrefix}…`,
    enabled: s.enabled,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

function logJson(e: IntakeLogEntry): Record<string, unknown> {
  return { id: e.id, receivedAt: iso(e.receivedAt), status: e.status, httpStatus: e.httpStatus, leadId: e.leadId, problems: e.problems, contentType: e.contentType, rawExcerpt: e.rawExcerpt };
}

const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
const newIntakeToken = () => `lpi_${randomBytes(32).toString('base64url')}`;

function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return s.length >= 2 ? s : `source-${s}`;
}

/** `sources` is the management path under /intake; no intake URL may shadow it. */
const RESERVED_SLUGS = new Set(['sources']);

// ------------------------------------------------------------------ intake bodies

/** What the intake's own body parsers produce: nothing is rejected before it can be logged. */
class IntakeBody {
  constructor(
    readonly kind: 'json' | 'form' | 'malformed' | 'unsupported',
    readonly raw: string,
    readonly fields: IntakeFields | null,
    readonly error: string | null = null,
  ) {}
}

/** A web form may be posted straight from a browser; 256 KB is far more than any form. */
const INTAKE_BODY_LIMIT = 256 * 1024;
const RAW_EXCERPT = 2000;

function parseJsonBody(raw: string): IntakeBody {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return new IntakeBody('malformed', raw, null, (err as Error).message);
  }
  const fields = flattenJson(value);
  return fields ? new IntakeBody('json', raw, fields) : new IntakeBody('malformed', raw, null, 'the body must be a JSON object');
}

/**
 * Webhooks, intake sources and exports. Managers only, except the intake URL itself
 * (`POST /intake/{slug}`), which takes the source's own token or any API key.
 */
export async function integrationRoutes(fastify: FastifyInstance): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, clock } = app.ctx;
  const integrations = integrationStoreOf(store);
  const need = (): IntegrationStore => {
    if (!integrations) throw new AppError('NOT_FOUND', 'This store has no webhooks, intake sources or lead export.');
    return integrations;
  };

  const mustEndpoint = async (id: number) => {
    const e = await need().getEndpoint(id);
    if (!e) throw new AppError('NOT_FOUND', `There is no webhook ${id}.`, { field: 'id', webhookId: id });
    return e;
  };
  const mustSource = async (id: number) => {
    const s = await need().getIntakeSource(id);
    if (!s) throw new AppError('NOT_FOUND', `There is no intake source ${id}.`, { field: 'id', sourceId: id });
    return s;
  };
  // SSRF: refused at registration, and checked again at every send (webhook-http.ts).
  const checkTarget = async (url: string | undefined) => {
    if (url === undefined) return;
    const problem = await webhookUrlProblem(url, app.ctx.allowPrivateWebhooks);
    if (problem) throw validationError([{ field: 'url', problem }]);
  };
  const checkPool = async (poolId: number | null | undefined) => {
    if (poolId !== undefined && poolId !== null && !(await store.getPool(poolId))) {
      throw validationError([{ field: 'poolId', problem: `there is no pool ${poolId}` }]);
    }
  };

  // ---------------------------------------------------------------- webhooks

  app.post(
    '/webhooks',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: 'Register a webhook endpoint (managers); the answer shows its signing secret once',
        description:
          'Deliveries start with the events after this moment, are signed (Leadpool-Signature, see docs/webhooks.md), sent in order per lead, and retried with backoff for a day. A url on a loopback, private or link-local address (or a name resolving to one) is refused with 400 unless the server allows private targets.',
        body: NewWebhookBody,
        response: { 201: Type.Object({ webhook: WebhookOut }), ...errorResponses(400, 403) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      await checkTarget(b.url);
      const endpoint = await need().createEndpoint(
        { url: b.url, secret: b.secret ?? newWebhookSecret(), eventTypes: b.eventTypes ?? [...WEBHOOK_EVENT_TYPES], description: b.description ?? null, enabled: b.enabled ?? true },
        await store.lastEventId(),
        clock.now(),
      );
      return reply.status(201).send({ webhook: webhookJson(endpoint, true) } as never);
    },
  );

  app.get(
    '/webhooks',
    { config: { access: 'manager' }, schema: { tags: ['integrations'], summary: 'The webhook endpoints (managers)', response: { 200: Type.Object({ items: Type.Array(WebhookOut) }), ...errorResponses(403) } } },
    async () => ({ items: (await need().listEndpoints()).map((e) => webhookJson(e)) }) as never,
  );

  app.patch(
    '/webhooks/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: 'Change, pause or resume a webhook endpoint, or rotate its secret (managers)',
        params: IdParams,
        body: WebhookPatchBody,
        response: { 200: Type.Object({ webhook: WebhookOut }), ...errorResponses(400, 403, 404) },
      },
    },
    async (req) => {
      await mustEndpoint(req.params.id);
      const { rotateSecret, ...rest } = req.body;
      await checkTarget(rest.url);
      if (rotateSecret && rest.secret !== undefined) throw validationError([{ field: 'rotateSecret', problem: 'send either secret or rotateSecret, not both' }]);
      const secret = rotateSecret ? newWebhookSecret() : rest.secret;
      const patch = {
        ...(rest.url !== undefined ? { url: rest.url } : {}),
        ...(rest.eventTypes !== undefined ? { eventTypes: rest.eventTypes } : {}),
        ...(rest.description !== undefined ? { description: rest.description } : {}),
        ...(rest.enabled !== undefined ? { enabled: rest.enabled } : {}),
        ...(secret !== undefined ? { secret } : {}),
      };
      const e = await need().updateEndpoint(req.params.id, patch, clock.now());
      return { webhook: webhookJson(e!, secret !== undefined) } as never;
    },
  );

  app.delete(
    '/webhooks/:id',
    { config: { access: 'manager' }, schema: { tags: ['integrations'], summary: 'Remove a webhook endpoint and its delivery log (managers)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(403, 404) } } },
    async (req, reply) => {
      await mustEndpoint(req.params.id);
      await need().deleteEndpoint(req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: "An endpoint's delivery log, newest first: status, attempts, last response (managers)",
        params: IdParams,
        querystring: DeliveryListQuery,
        response: { 200: Type.Object({ items: Type.Array(DeliveryOut), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 403, 404) },
      },
    },
    async (req) => {
      await mustEndpoint(req.params.id);
      const limit = req.query.limit ?? 50;
      const items = await need().listDeliveries(req.params.id, {
        limit,
        ...(req.query.before !== undefined ? { beforeId: req.query.before } : {}),
        ...(req.query.status !== undefined ? { status: req.query.status } : {}),
      });
      const now = clock.now();
      return { items: items.map((d) => deliveryJson(d, now)), nextBefore: items.length === limit ? items[items.length - 1]!.id : null } as never;
    },
  );

  app.post(
    '/webhooks/deliveries/:id/replay',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: 'Send a delivery again now, whatever its status (managers)',
        description: 'The same body and event id as before (receivers drop repeats by Leadpool-Event-Id); retried with backoff for another day if it fails.',
        params: IdParams,
        response: { 200: Type.Object({ delivery: DeliveryOut }), ...errorResponses(403, 404) },
      },
    },
    async (req) => {
      const now = clock.now();
      const d = await need().replayDelivery(req.params.id, now, now + DEFAULT_RETRY.retryForMs);
      if (!d) throw new AppError('NOT_FOUND', `There is no delivery ${req.params.id}.`, { field: 'id', deliveryId: req.params.id });
      return { delivery: deliveryJson(d, now) } as never;
    },
  );

  // ---------------------------------------------------------------- intake sources

  app.post(
    '/intake/sources',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: 'Create an intake source: a URL a web form posts leads to (managers); the answer shows its token once',
        description:
          'The form posts JSON or form-encoded fields to POST /api/v1/intake/{slug} with the token (Authorization: Bearer lpi_…, a Leadpool-Intake-Token header, or ?token=). The token can only feed this source.',
        body: NewIntakeSourceBody,
        response: { 201: Type.Object({ source: IntakeSourceOut, token: Type.String() }), ...errorResponses(400, 403, 409) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      await checkPool(b.poolId);
      const slug = b.slug ?? slugify(b.name);
      await assertSlugFree(need(), slug);
      const token = newIntakeToken();
      const source = await need().createIntakeSource(
        {
          name: b.name,
          slug,
          poolId: b.poolId ?? null,
          mapping: b.mapping ?? {},
          defaults: (b.defaults ?? {}) as Record<string, string | number>,
          dedupeBy: b.dedupeBy ?? 'email',
          dedupeWindowMinutes: b.dedupeWindowMinutes ?? 1440,
          enabled: b.enabled ?? true,
        },
        { hash: tokenHash(token), prefix: token.slice(0, 10) },
        clock.now(),
      );
      return reply.status(201).send({ source: sourceJson(source), token } as never);
    },
  );

  app.get(
    '/intake/sources',
    { config: { access: 'manager' }, schema: { tags: ['integrations'], summary: 'The intake sources (managers)', response: { 200: Type.Object({ items: Type.Array(IntakeSourceOut) }), ...errorResponses(403) } } },
    async () => ({ items: (await need().listIntakeSources()).map(sourceJson) }) as never,
  );

  app.patch(
    '/intake/sources/:id',
    {
      config: { access: 'manager' },
      schema: { tags: ['integrations'], summary: 'Change an intake source (managers)', params: IdParams, body: IntakeSourcePatchBody, response: { 200: Type.Object({ source: IntakeSourceOut }), ...errorResponses(400, 403, 404, 409) } },
    },
    async (req) => {
      const before = await mustSource(req.params.id);
      const b = req.body;
      await checkPool(b.poolId);
      if (b.slug !== undefined && b.slug !== before.slug) await assertSlugFree(need(), b.slug);
      const { defaults, ...rest } = b;
      const s = await need().updateIntakeSource(req.params.id, { ...rest, ...(defaults !== undefined ? { defaults: defaults as Record<string, string | number> } : {}) } as never, clock.now());
      return { source: sourceJson(s!) } as never;
    },
  );

  app.delete(
    '/intake/sources/:id',
    { config: { access: 'manager' }, schema: { tags: ['integrations'], summary: 'Remove an intake source and its log; its leads stay (managers)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(403, 404) } } },
    async (req, reply) => {
      await mustSource(req.params.id);
      await need().deleteIntakeSource(req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/intake/sources/:id/token',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: 'Issue a new token for an intake source; the old one stops working at once (managers)',
        params: IdParams,
        response: { 200: Type.Object({ source: IntakeSourceOut, token: Type.String() }), ...errorResponses(403, 404) },
      },
    },
    async (req) => {
      await mustSource(req.params.id);
      const token = newIntakeToken();
      const s = await need().setIntakeToken(req.params.id, { hash: tokenHash(token), prefix: token.slice(0, 10) }, clock.now());
      return { source: sourceJson(s!), token } as never;
    },
  );

  app.get(
    '/intake/:id/log',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['integrations'],
        summary: "An intake source's log, newest first: every post, with the problems of rejected ones (managers)",
        params: IdParams,
        querystring: IntakeLogQuery,
        response: { 200: Type.Object({ items: Type.Array(IntakeLogOut), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses(400, 403, 404) },
      },
    },
    async (req) => {
      await mustSource(req.params.id);
      const limit = req.query.limit ?? 50;
      const items = await need().intakeLog(req.params.id, {
        limit,
        ...(req.query.before !== undefined ? { beforeId: req.query.before } : {}),
        ...(req.query.status !== undefined ? { status: req.query.status } : {}),
      });
      return { items: items.map(logJson), nextBefore: items.length === limit ? items[items.length - 1]!.id : null } as never;
    },
  );

  // ---------------------------------------------------------------- the intake URL

  // Its own body parsers, scoped to this child plugin: a malformed or unsupported body must
  // reach the handler to be logged, not be refused by the app's JSON parser first.
  await app.register(async (child) => {
    const sub = child.withTypeProvider<TypeBoxTypeProvider>();
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: INTAKE_BODY_LIMIT }, (_req, body, done) => done(null, parseJsonBody(body as string)));
    sub.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: INTAKE_BODY_LIMIT }, (_req, body, done) =>
      done(null, new IntakeBody('form', body as string, formFields(body as string))),
    );
    // Some form tools (navigator.sendBeacon) send JSON as text/plain.
    sub.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: INTAKE_BODY_LIMIT }, (_req, body, done) => done(null, parseJsonBody(body as string)));
    sub.addContentTypeParser('*', { parseAs: 'string', bodyLimit: INTAKE_BODY_LIMIT }, (_req, body, done) => done(null, new IntakeBody('unsupported', String(body), null)));

    sub.post(
      '/intake/:slug',
      {
        config: { access: 'public' },
        bodyLimit: INTAKE_BODY_LIMIT,
        schema: {
          tags: ['integrations'],
          summary: "A web form's intake URL: JSON or form-encoded fields become a lead",
          description:
            "Authenticate with the source's token (Authorization: Bearer lpi_…, Leadpool-Intake-Token header, or ?token= for a plain HTML form) or an API key. Fields are mapped by the source's mapping; a repeat of the email (or externalId) within the dedupe window answers 200 {duplicate: true, leadId}. A bad post answers 4xx naming the fields and is written to the source's log.",
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          params: SlugParams,
          querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }),
          response: { 201: IntakeResult, 200: IntakeResult, ...errorResponses(400, 401, 403, 404, 415) },
        },
      },
      async (req, reply) => {
        const intake = need();
        const now = clock.now();
        const source = await intake.getIntakeSourceBySlug(req.params.slug);
        if (!source) throw new AppError('NOT_FOUND', `There is no intake source "${req.params.slug}".`, { field: 'slug' });
        const body = req.body instanceof IntakeBody ? req.body : new IntakeBody('json', '', {});
        const contentType = req.headers['content-type']?.slice(0, 200) ?? null;
        const reject = async (err: AppError, problems: FieldProblem[], keepRaw = true): Promise<never> => {
          await intake.logIntake({
            sourceId: source.id,
            receivedAt: now,
            status: 'rejected',
            httpStatus: err.status,
            leadId: null,
            problems,
            contentType,
            rawExcerpt: keepRaw && body.raw ? body.raw.slice(0, RAW_EXCERPT) : null,
          });
          throw err;
        };

        const via = intakeCaller(req, source, (req.query as { token?: string }).token);
        if (!via) {
          // Logged without the body: whoever sent it has not shown they may.
          return reject(
            new AppError('UNAUTHENTICATED', `Send this source's token (Authorization: Bearer lpi_…, a Leadpool-Intake-Token header or ?token=) or an API key.`, { field: 'token' }),
            [{ field: 'token', problem: 'missing or not this source’s token' }],
            false,
          );
        }
        if (!source.enabled) {
          return reject(new AppError('FORBIDDEN', `The intake source "${source.name}" is turned off.`, { sourceId: source.id }), [{ field: '(source)', problem: 'is turned off' }]);
        }
        if (body.kind === 'unsupported') {
          return reject(
            new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the form as application/json or application/x-www-form-urlencoded.', { field: 'content-type' }),
            [{ field: 'content-type', problem: `${contentType ?? '(none)'} is not supported` }],
          );
        }
        if (body.kind === 'malformed') {
          return reject(new AppError('MALFORMED_JSON', `The body is not a JSON object: ${body.error}`, { field: '(body)' }), [{ field: '(body)', problem: body.error ?? 'is not JSON' }]);
        }
        const mapped = mapIntake(source, body.fields ?? {});
        if (!mapped.ok) return reject(validationError(mapped.problems), mapped.problems);

        const input = mapped.input;
        const key = source.dedupeWindowMinutes > 0 ? dedupeKey(source.dedupeBy, input) : null;
        const actor: Actor = via === 'token' ? { kind: 'system', name: `intake source "${source.name}"` } : req.actor!;
        const poolId = await defaultPoolId(store);
        let outcome: Awaited<ReturnType<IntegrationStore['intakeLead']>>;
        try {
          outcome = await intake.intakeLead({ by: source.dedupeBy, key, since: now - source.dedupeWindowMinutes * MINUTE }, () =>
            store.insertLeads([input], poolId, actor, now, { batch: false }),
          );
        } catch (err) {
          if (err instanceof AppError && err.status < 500) return reject(err, (err.details?.fields as FieldProblem[] | undefined) ?? [{ field: '(body)', problem: err.message }]);
          throw err;
        }
        const duplicateOf = 'duplicateOf' in outcome ? outcome.duplicateOf : outcome.inserted.created.length === 0 ? outcome.inserted.existing[0]!.id : null;
        if (duplicateOf !== null) {
          await intake.logIntake({ sourceId: source.id, receivedAt: now, status: 'duplicate', httpStatus: 200, leadId: duplicateOf, problems: null, contentType, rawExcerpt: null });
          return reply.status(200).send({ leadId: duplicateOf, duplicate: true, ignored: mapped.ignored });
        }
        const lead = (outcome as { inserted: { created: { id: number }[] } }).inserted.created[0]!;
        await intake.logIntake({ sourceId: source.id, receivedAt: now, status: 'created', httpStatus: 201, leadId: lead.id, problems: null, contentType, rawExcerpt: null });
        announce(app);
        return reply.status(201).send({ leadId: lead.id, duplicate: false, ignored: mapped.ignored });
      },
    );
  });

  // ---------------------------------------------------------------- exports

  const exportRoute = (kind: ExportKind, format: ExportFormat, summary: string) =>
    app.get(
      `/exports/${kind}.${format}`,
      {
        config: { access: 'manager' },
        schema: { tags: ['measurements'], summary, querystring: ExportQuery, produces: [format === 'csv' ? 'text/csv' : 'application/x-ndjson'] },
      },
      async (req, reply) => {
        if (kind === 'leads') need();
        const range = exportRange(req.query, clock.now());
        const chunks = exportStream({ store, integrations }, kind, format, range);
        return reply
          .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="leadpool-${kind}.${format === 'csv' ? 'csv' : 'ndjson'}"`)
          .send(Readable.from(chunks, { highWaterMark: 1 }));
      },
    );
  exportRoute('leads', 'csv', 'Leads created in a time range as CSV, with claim source, times, rep and outcome; streamed (managers)');
  exportRoute('leads', 'json', 'Leads created in a time range as NDJSON (one JSON object per line); streamed (managers)');
  exportRoute('events', 'json', 'The history as NDJSON (one event per line); streamed (managers)');
}

function exportRange(q: { from?: string; to?: string; poolId?: number }, now: number): MetricsRange {
  const to = q.to ? Date.parse(q.to) : now + 1; // include what happened this millisecond
  const from = q.from ? Date.parse(q.from) : 0;
  if (from >= to) throw validationError([{ field: 'from', problem: 'must be before to' }]);
  return { from, to, ...(q.poolId !== undefined ? { poolId: q.poolId } : {}) };
}

async function assertSlugFree(intake: IntegrationStore, slug: string): Promise<void> {
  if (RESERVED_SLUGS.has(slug)) throw validationError([{ field: 'slug', problem: `"${slug}" is reserved` }]);
  if (await intake.getIntakeSourceBySlug(slug)) throw new AppError('DUPLICATE', `An intake source with the slug "${slug}" already exists.`, { field: 'slug' });
}

/**
 * Who may post to a source: any API key (ingest or full) or a manager, or the source's own
 * token, which can feed this one source and nothing else (so it may sit in a public form).
 */
function intakeCaller(req: FastifyRequest, source: IntakeSource, queryToken: string | undefined): 'token' | 'actor' | null {
  if (req.actor?.kind === 'api_key' || isManagerActor(req.actor)) return 'actor';
  const bearer = /^Bearer\s+(lpi_\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const header = req.headers['leadpool-intake-token'];
  const token = bearer ?? (typeof header === 'string' ? header : undefined) ?? queryToken;
  if (!token) return null;
  const a = Buffer.from(tokenHash(token));
  const b = Buffer.from(source.tokenHash);
  return a.length === b.length && timingSafeEqual(a, b) ? 'token' : null;
}
