import type { ApiKey } from './store.js';
import type { Actor, ApiKeyScope, ClaimSource, CompanySize, EventType, Lead, LeadEvent, LeadStatus, Pool, PoolMode, PreviewField, Role, User } from '../core/types.js';
import { actorId } from '../core/types.js';
import type { PoolRules } from '../core/fair-play.js';

/** Row shapes as both databases return them (snake_case), and their mapping to the domain. */
export interface LeadRow {
  id: number;
  pool_id: number;
  status: string;
  company: string;
  industry: string;
  company_size: string;
  source: string;
  score: number;
  region: string;
  contact_name: string;
  contact_email: string | null;
  contact_phone: string | null;
  external_id: string | null;
  attributes: string | Record<string, unknown>;
  priority: number;
  created_at: number | string;
  available_since: number | string;
  owner_id: number | null;
  claimed_at: number | string | null;
  claim_source: string | null;
  lock_expires_at: number | string | null;
  contacted_at: number | string | null;
  closed_at: number | string | null;
  updated_at: number | string;
  routing?: string | Record<string, unknown> | null;
}

// pg returns BIGINT as a string; epoch milliseconds fit a double exactly.
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: number | string | null): number | null => (v === null ? null : num(v));
const json = (v: string | Record<string, unknown>): Record<string, unknown> => (typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : v);

export function leadFromRow(r: LeadRow): Lead {
  return {
    id: num(r.id),
    poolId: num(r.pool_id),
    status: r.status as LeadStatus,
    company: r.company,
    industry: r.industry,
    companySize: r.company_size as CompanySize,
    source: r.source,
    score: r.score,
    region: r.region,
    contact: { name: r.contact_name, email: r.contact_email, phone: r.contact_phone },
    externalId: r.external_id,
    attributes: json(r.attributes),
    priority: r.priority,
    createdAt: num(r.created_at),
    availableSince: num(r.available_since),
    ownerId: r.owner_id === null ? null : num(r.owner_id),
    claimedAt: numOrNull(r.claimed_at),
    claimSource: r.claim_source as ClaimSource | null,
    lockExpiresAt: numOrNull(r.lock_expires_at),
    contactedAt: numOrNull(r.contacted_at),
    closedAt: numOrNull(r.closed_at),
    updatedAt: num(r.updated_at),
    routing: jsonOrNull(r.routing) as Lead['routing'],
  };
}

export interface PoolRow {
  id: number;
  name: string;
  mode: string;
  lock_ttl_seconds: number;
  preview_fields: string | string[];
  rules: string | Record<string, unknown> | null;
  escalation?: string | Record<string, unknown> | null;
  access?: string | Record<string, unknown> | null;
  is_default: number | boolean;
  created_at: number | string;
  updated_at: number | string;
}

function jsonOrNull(v: string | Record<string, unknown> | null | undefined): unknown {
  return v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v;
}

export function poolFromRow(r: PoolRow): Pool {
  return {
    id: num(r.id),
    name: r.name,
    mode: r.mode as PoolMode,
    lockTtlSeconds: r.lock_ttl_seconds,
    previewFields: (typeof r.preview_fields === 'string' ? JSON.parse(r.preview_fields) : r.preview_fields) as PreviewField[],
    rules: (r.rules === null ? null : typeof r.rules === 'string' ? JSON.parse(r.rules) : r.rules) as PoolRules | null,
    escalation: jsonOrNull(r.escalation) as Pool['escalation'],
    access: jsonOrNull(r.access) as Pool['access'],
    isDefault: Boolean(r.is_default),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export interface UserRow {
  id: number;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  created_at: number | string;
  locale?: string | null;
  time_zone?: string | null;
}

export function userFromRow(r: UserRow): User {
  return { id: num(r.id), email: r.email, name: r.name, role: r.role as Role, createdAt: num(r.created_at), locale: r.locale ?? null, timeZone: r.time_zone ?? null };
}

export interface ApiKeyRow {
  id: number;
  name: string;
  scope: string;
  prefix: string;
  created_at: number | string;
  revoked_at: number | string | null;
}

export function apiKeyFromRow(r: ApiKeyRow): ApiKey {
  return { id: num(r.id), name: r.name, scope: r.scope as ApiKeyScope, prefix: r.prefix, createdAt: num(r.created_at), revokedAt: numOrNull(r.revoked_at) };
}

export interface EventRow {
  id: number;
  type: string;
  at: number | string;
  lead_id: number | null;
  pool_id: number | null;
  actor_kind: string;
  actor_id: number | null;
  actor_name: string;
  reason: string | null;
  data: string | Record<string, unknown>;
}

export function eventFromRow(r: EventRow): LeadEvent {
  return {
    id: num(r.id),
    type: r.type as EventType,
    at: num(r.at),
    leadId: r.lead_id === null ? null : num(r.lead_id),
    poolId: r.pool_id === null ? null : num(r.pool_id),
    actorKind: r.actor_kind as Actor['kind'],
    actorId: r.actor_id === null ? null : num(r.actor_id),
    actorName: r.actor_name,
    reason: r.reason,
    data: json(r.data),
  };
}

/** The columns of an event row for an actor, shared by every store. */
export function eventActorColumns(actor: Actor): { actor_kind: Actor['kind']; actor_id: number | null; actor_name: string } {
  return { actor_kind: actor.kind, actor_id: actorId(actor), actor_name: actor.name };
}
