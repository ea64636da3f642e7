import type { PoolRules } from './fair-play.js';
import type { EscalationPolicy } from './routing/escalation.js';
import type { PoolAccess } from './routing/tiers.js';
import type { DecisionTrace } from './routing/route.js';

/** The domain's vocabulary. Unions, not strings, so impossible states do not type-check. */

export const ROLES = ['rep', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const POOL_MODES = ['queue', 'pool', 'cherry_pick'] as const;
export type PoolMode = (typeof POOL_MODES)[number];

/**
 * Lead lifecycle. `released` from the brief is an event, not a resting state: a released
 * lead is `available` again in its pool.
 */
export const LEAD_STATUSES = [
  'available',
  'assigned',
  'claimed',
  'contacted',
  'qualified',
  'disqualified',
  'converted',
  'review',
] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

/** Statuses in which a rep holds the lead. */
export const HELD_STATUSES = ['assigned', 'claimed', 'contacted', 'qualified'] as const satisfies readonly LeadStatus[];
/** Statuses a lock timer runs in: held but not yet worked. */
export const LOCKED_STATUSES = ['assigned', 'claimed'] as const satisfies readonly LeadStatus[];

export const WORK_STATUSES = ['qualified', 'disqualified', 'converted'] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'] as const;
export type CompanySize = (typeof COMPANY_SIZES)[number];

/** How a rep came to hold a lead; conversion is later compared by this. */
export const CLAIM_SOURCES = ['queue', 'pool', 'cherry_pick', 'pushed', 'escalated', 'backstop', 'manager'] as const;
export type ClaimSource = (typeof CLAIM_SOURCES)[number];

/** Fields a pool may show before the claim. Contact details are never among them. */
export const PREVIEW_FIELDS = ['company', 'industry', 'companySize', 'source', 'score', 'region', 'createdAt'] as const;
export type PreviewField = (typeof PREVIEW_FIELDS)[number];
export const DEFAULT_PREVIEW_FIELDS: PreviewField[] = ['company', 'industry', 'companySize', 'source', 'score', 'region', 'createdAt'];

export const DEFAULT_LOCK_TTL_SECONDS = 900; // the seed's 15-minute lock

export interface Contact {
  name: string;
  email: string | null;
  phone: string | null;
}

export interface Lead {
  id: number;
  poolId: number;
  status: LeadStatus;
  company: string;
  industry: string;
  companySize: CompanySize;
  source: string;
  score: number;
  region: string;
  contact: Contact;
  externalId: string | null;
  attributes: Record<string, unknown>;
  priority: number;
  createdAt: number;
  /** When the lead last became available in its pool (arrival, or its last release). */
  availableSince: number;
  ownerId: number | null;
  claimedAt: number | null;
  claimSource: ClaimSource | null;
  lockExpiresAt: number | null;
  contactedAt: number | null;
  closedAt: number | null;
  updatedAt: number;
  /** How routing decided where the lead went (null: it came with a poolId, or before any rules). */
  routing: DecisionTrace | null;
}

export interface Pool {
  id: number;
  name: string;
  mode: PoolMode;
  lockTtlSeconds: number;
  previewFields: PreviewField[];
  /** The pool's own fair-play rules, or null to follow the team's default. */
  rules: PoolRules | null;
  /** What happens to a lead nobody claims (steps by age, backstop); null: nothing. */
  escalation: EscalationPolicy | null;
  /** How each rep tier meets the pool; a tier left out sees it as the mode says. null: no tier rules. */
  access: Record<string, PoolAccess> | null;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  createdAt: number;
  /** The web UI's language ('en' | 'de'); null follows the browser. */
  locale: string | null;
  /** IANA time zone for dates in the web UI; null follows the browser. */
  timeZone: string | null;
}

/** Who did something: a person, an integration key, or the system itself (a timer). */
export type Actor =
  | { kind: 'user'; userId: number; role: Role; name: string }
  | { kind: 'api_key'; keyId: number; scope: ApiKeyScope; name: string }
  | { kind: 'system'; name: string };

export const API_KEY_SCOPES = ['ingest', 'full'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const EVENT_TYPES = [
  'lead.created',
  'lead.claimed',
  'lead.released',
  'lead.expired',
  'lead.reassigned',
  'lead.activity',
  'lead.status_changed',
  'lead.claim_refused',
  'lead.routed',
  'lead.pushed',
  'lead.escalated',
  'rep.updated',
  'rep.tier_changed',
  'account.created',
  'account.updated',
  'account.deleted',
  'routing.updated',
  'rotation.updated',
  'lead.skipped',
  'lead.viewed',
  'settings.rules_updated',
  'settings.updated',
  'pool.created',
  'pool.updated',
  'user.created',
  'api_key.created',
  'api_key.revoked',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One entry of the append-only history. */
export interface LeadEvent {
  id: number;
  type: EventType;
  at: number;
  leadId: number | null;
  poolId: number | null;
  actorKind: Actor['kind'];
  actorId: number | null;
  actorName: string;
  reason: string | null;
  data: Record<string, unknown>;
}

export function actorId(actor: Actor): number | null {
  switch (actor.kind) {
    case 'user':
      return actor.userId;
    case 'api_key':
      return actor.keyId;
    case 'system':
      return null;
  }
}
