import Type from 'typebox';
import { ACTIVITY_TYPES, API_KEY_SCOPES, COMPANY_SIZES, LEAD_STATUSES, POOL_MODES, PREVIEW_FIELDS, ROLES, WORK_STATUSES, CLAIM_SOURCES } from '../core/types.js';
import { BROWSE_SORTS, MAX_BROWSE_LIMIT, DEFAULT_BROWSE_LIMIT } from '../core/browse.js';
import { ConditionSchema, EscalationPolicySchema, RuleSetSchema } from '../core/routing/index.js';

/** Schemas are the validation, the TypeScript types and the OpenAPI document at once. */

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'A stable code, e.g. LEAD_ALREADY_CLAIMED or VALIDATION_FAILED.' }),
    message: Type.String({ description: 'What went wrong, for a person.' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error' },
);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

export const Contact = Type.Object({ name: Type.String(), email: Type.Union([Type.String(), Type.Null()]), phone: Type.Union([Type.String(), Type.Null()]) });

/**
 * A lead as the caller may see it. In a `pool`-mode pool a rep sees only id, poolId, status
 * and the pool's preview fields, so every other property is optional.
 */
export const LeadBody = Type.Object(
  {
    id: Type.Integer(),
    poolId: Type.Integer(),
    status: Type.Enum([...LEAD_STATUSES]),
    company: Type.Optional(Type.String()),
    industry: Type.Optional(Type.String()),
    companySize: Type.Optional(Type.Enum([...COMPANY_SIZES])),
    source: Type.Optional(Type.String()),
    score: Type.Optional(Type.Integer()),
    region: Type.Optional(Type.String()),
    contact: Type.Optional(Contact),
    externalId: Type.Optional(Nullable(Type.String())),
    attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    priority: Type.Optional(Type.Integer()),
    createdAt: Type.Optional(DateTime),
    availableSince: Type.Optional(DateTime),
    ownerId: Type.Optional(Nullable(Type.Integer())),
    claimedAt: Type.Optional(Nullable(DateTime)),
    claimSource: Type.Optional(Type.Union([Type.Enum([...CLAIM_SOURCES]), Type.Null()])),
    lockExpiresAt: Type.Optional(Nullable(DateTime)),
    contactedAt: Type.Optional(Nullable(DateTime)),
    closedAt: Type.Optional(Nullable(DateTime)),
    updatedAt: Type.Optional(DateTime),
    routing: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], { description: "How routing decided where the lead went: every rule looked at, the match, reps a push skipped and why." })),
  },
  { $id: 'Lead' },
);

export const LeadResponse = Type.Object({ lead: Type.Ref('Lead') });

export const PoolBody = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    mode: Type.Enum([...POOL_MODES]),
    lockTtlSeconds: Type.Integer(),
    previewFields: Type.Array(Type.Enum([...PREVIEW_FIELDS])),
    isDefault: Type.Boolean(),
    rules: Type.Union([Type.Ref('PoolRules'), Type.Null()], { description: "The pool's own rules, or null when it follows the team's default." }),
    effectiveRules: Type.Ref('PoolRules'),
    escalation: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    access: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    createdAt: DateTime,
    updatedAt: DateTime,
    available: Type.Optional(Type.Integer({ description: 'Leads waiting in the pool now.' })),
    oldestAvailableAt: Type.Optional(Nullable(DateTime)),
  },
  { $id: 'Pool' },
);

export const PoolRulesBody = Type.Object(
  {
    hoardingLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many leads claimed but not yet contacted per rep (seed: 10).' })),
    diversity: Type.Optional(
      Type.Union([
        Type.Object(
          {
            mode: Type.Literal('percent'),
            threshold: Type.Integer({ minimum: 1, maximum: 100, description: 'Scores at or above this count as high (seed: 80).' }),
            minPercent: Type.Integer({ minimum: 1, maximum: 100, description: 'At least this share of the window must be under the threshold (seed: 30).' }),
            window: Type.Integer({ minimum: 1, maximum: 500, description: "The rep's last N claims in the pool." }),
          },
          { additionalProperties: false },
        ),
        Type.Object(
          { mode: Type.Literal('ratio'), threshold: Type.Integer({ minimum: 1, maximum: 100 }) },
          { additionalProperties: false, description: 'Each claim at or above the threshold needs a claim below it first.' },
        ),
      ]),
    ),
    detailViewLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Lead details a rep may open before they must claim.' })),
    skipLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'Queue leads a rep may skip in a row before they must keep one.' })),
    dailyCap: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Claims per rep per day in the pool.' })),
    minClaimsPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'Below this a rep is flagged (never blocked).' })),
  },
  { additionalProperties: false, description: 'A rule left out is off.' },
);
/** The same schema under a name, for responses and the OpenAPI document. */
export const PoolRulesNamed = Type.Object(PoolRulesBody.properties, { additionalProperties: false, $id: 'PoolRules', description: 'A rule left out is off.' });

// Core schemas are rebuilt from their properties: their $id would be registered twice.
export const EscalationBody = Type.Object(EscalationPolicySchema.properties, {
  additionalProperties: false,
  description: 'Steps by age since arrival: assign to a rep by a strategy, or send to manager review; then an optional backstop after N hours.',
});

export const AccessBody = Type.Record(
  Type.String({ minLength: 1, maxLength: 40 }),
  Type.Union([Type.Enum(['full', 'preview', 'none']), Type.Object({ filter: ConditionSchema }, { additionalProperties: false })]),
  { description: 'Per rep tier: full details, the preview, a filtered subset, or not at all (those reps get leads pushed instead).' },
);

export const RuleSetBody = Type.Object(RuleSetSchema.properties, { additionalProperties: false });

export const NewPoolBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    mode: Type.Enum([...POOL_MODES]),
    lockTtlSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 7 * 86400, description: 'How long a claim holds without contact. Default 900 (15 min).' })),
    previewFields: Type.Optional(Type.Array(Type.Enum([...PREVIEW_FIELDS]), { uniqueItems: true, description: 'What reps see before claiming in a pool-mode pool. Default: all preview fields.' })),
    isDefault: Type.Optional(Type.Boolean({ description: 'Leads without a poolId land here.' })),
    rules: Type.Optional(Type.Union([PoolRulesBody, Type.Null()], { description: "Fair-play rules; null or left out follows the team's default." })),
    escalation: Type.Optional(Type.Union([EscalationBody, Type.Null()])),
    access: Type.Optional(Type.Union([AccessBody, Type.Null()])),
  },
  { additionalProperties: false },
);

export const PoolPatchBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    mode: Type.Optional(Type.Enum([...POOL_MODES])),
    lockTtlSeconds: Type.Optional(Type.Integer({ minimum: 30, maximum: 7 * 86400 })),
    previewFields: Type.Optional(Type.Array(Type.Enum([...PREVIEW_FIELDS]), { uniqueItems: true })),
    isDefault: Type.Optional(Type.Literal(true)),
    rules: Type.Optional(Type.Union([PoolRulesBody, Type.Null()], { description: "The pool's own fair-play rules; null to follow the team's default." })),
    escalation: Type.Optional(Type.Union([EscalationBody, Type.Null()])),
    access: Type.Optional(Type.Union([AccessBody, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);

const csv = (desc: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: `${desc}; repeat the parameter for several values.` }));

export const BrowseQuerystring = Type.Object(
  {
    industry: csv('Industries'),
    companySize: Type.Optional(Type.Array(Type.Enum([...COMPANY_SIZES]), { maxItems: 10 })),
    source: csv('Sources'),
    region: csv('Regions'),
    minScore: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    maxScore: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    minAgeMinutes: Type.Optional(Type.Integer({ minimum: 0, description: 'Only leads that arrived at least this many minutes ago.' })),
    maxAgeMinutes: Type.Optional(Type.Integer({ minimum: 0, description: 'Only leads that arrived at most this many minutes ago.' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Company name: 1-2 characters match its start, 3 or more anywhere in it. Case-insensitive.' })),
    sort: Type.Optional(Type.Enum([...BROWSE_SORTS], { default: 'age' })),
    order: Type.Optional(Type.Enum(['asc', 'desc'], { default: 'desc', description: 'With sort=age, desc is oldest first.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BROWSE_LIMIT, default: DEFAULT_BROWSE_LIMIT })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const BrowseResponse = Type.Object({
  items: Type.Array(Type.Ref('Lead')),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  itemsHidden: Type.Boolean({ description: 'True for a rep in a queue: a queue shows its count and oldest age, not its leads.' }),
  available: Type.Integer(),
  oldestAvailableAt: Type.Union([DateTime, Type.Null()]),
});

export const ReasonBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });

export const ActivityBody = Type.Object(
  { type: Type.Enum([...ACTIVITY_TYPES]), note: Type.Optional(Type.String({ maxLength: 5000 })) },
  { additionalProperties: false },
);

export const StatusBody = Type.Object(
  { status: Type.Enum([...WORK_STATUSES]), reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

export const ReassignBody = Type.Object(
  { userId: Type.Integer({ minimum: 1 }), reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

export const EventBody = Type.Object(
  {
    id: Type.Integer(),
    type: Type.String(),
    at: DateTime,
    leadId: Type.Union([Type.Integer(), Type.Null()]),
    poolId: Type.Union([Type.Integer(), Type.Null()]),
    actorKind: Type.Enum(['user', 'api_key', 'system']),
    actorId: Type.Union([Type.Integer(), Type.Null()]),
    actorName: Type.String(),
    reason: Type.Union([Type.String(), Type.Null()]),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'Event' },
);

export const UserBody = Type.Object(
  {
    id: Type.Integer(),
    email: Type.String(),
    name: Type.String(),
    role: Type.Enum([...ROLES]),
    createdAt: DateTime,
    locale: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    timeZone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    team: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "A rep's team (GET /me)." })),
    tier: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: "A rep's performance tier (GET /me)." })),
    availability: Type.Optional(Type.Enum(['available', 'away'])),
  },
  { $id: 'User' },
);

export const NewUserBody = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 320 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: Type.Enum([...ROLES]),
    password: Type.String({ minLength: 8, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const ApiKeyBody = Type.Object(
  { id: Type.Integer(), name: Type.String(), scope: Type.Enum([...API_KEY_SCOPES]), prefix: Type.String(), createdAt: DateTime, revokedAt: Type.Union([DateTime, Type.Null()]) },
  { $id: 'ApiKey' },
);

export const NewApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), scope: Type.Enum([...API_KEY_SCOPES], { description: '`ingest` may only create leads.' }) },
  { additionalProperties: false },
);

export const SkipBody = Type.Object(
  {
    reason: Type.Enum(['not_my_segment', 'bad_data', 'duplicate', 'existing_contact', 'not_reachable_now', 'other'], { description: 'Why: managers see skips next to the cherry-pick index.' }),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const SHARED_SCHEMAS = [ErrorBody, LeadBody, PoolRulesNamed, PoolBody, EventBody, UserBody, ApiKeyBody];

export const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Type.Ref('Error')]));
