/** Shapes of the Leadpool HTTP API as the web UI uses them. Times are ISO strings. */

export type Id = number | string;

export type Role = 'rep' | 'manager' | 'admin';

export interface User {
  id: Id;
  email: string;
  name: string;
  role: Role;
  locale?: string | null;
}

export type PoolMode = 'queue' | 'pool' | 'cherry_pick';
export const POOL_MODES: readonly PoolMode[] = ['queue', 'pool', 'cherry_pick'];

export type PreviewField = 'company' | 'industry' | 'companySize' | 'source' | 'score' | 'region' | 'createdAt';
export const PREVIEW_FIELDS: readonly PreviewField[] = [
  'company',
  'industry',
  'companySize',
  'source',
  'score',
  'region',
  'createdAt',
];

export interface Pool {
  id: Id;
  name: string;
  mode: PoolMode;
  lockTtlSeconds: number;
  previewFields: string[];
  isDefault: boolean;
  available: number;
  oldestAvailableAt: string | null;
}

export type LeadStatus =
  | 'available'
  | 'assigned'
  | 'claimed'
  | 'contacted'
  | 'qualified'
  | 'disqualified'
  | 'converted'
  | 'review';

export type WorkStatus = 'qualified' | 'disqualified' | 'converted';
export const WORK_STATUSES: readonly WorkStatus[] = ['qualified', 'disqualified', 'converted'];

export type ActivityType = 'call' | 'email' | 'meeting' | 'note';
export const ACTIVITY_TYPES: readonly ActivityType[] = ['call', 'email', 'meeting', 'note'];

export interface Contact {
  name: string | null;
  email: string | null;
  phone: string | null;
}

/**
 * A lead as the viewer may see it. In a `pool` only id, poolId, status and the pool's
 * preview fields are present, so everything else is optional.
 */
export interface Lead {
  id: Id;
  poolId: Id | null;
  status: LeadStatus;
  company?: string | null;
  industry?: string | null;
  companySize?: string | null;
  source?: string | null;
  score?: number | null;
  region?: string | null;
  contact?: Contact | null;
  externalId?: string | null;
  attributes?: Record<string, unknown> | null;
  priority?: number | null;
  createdAt?: string | null;
  availableSince?: string | null;
  ownerId?: Id | null;
  claimedAt?: string | null;
  claimSource?: string | null;
  lockExpiresAt?: string | null;
  contactedAt?: string | null;
  closedAt?: string | null;
  updatedAt?: string | null;
}

export interface LeadPage {
  items: Lead[];
  nextCursor: string | null;
  itemsHidden: boolean;
  available: number;
  oldestAvailableAt: string | null;
}

export interface Facets {
  industry: string[];
  companySize: string[];
  source: string[];
  region: string[];
}

export type FacetKey = keyof Facets;
export const FACET_KEYS: readonly FacetKey[] = ['industry', 'companySize', 'source', 'region'];

export interface LeadEvent {
  id: Id;
  type: string;
  at: string;
  leadId: Id | null;
  poolId: Id | null;
  actorKind: string;
  actorId: Id | null;
  actorName: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

export type StreamEventType =
  | 'lead.created'
  | 'lead.claimed'
  | 'lead.released'
  | 'lead.expired'
  | 'lead.reassigned'
  | 'lead.activity'
  | 'lead.status_changed';

export interface StreamEvent {
  eventId: Id;
  type: StreamEventType;
  at: string;
  leadId: Id;
  poolId: Id | null;
  status: LeadStatus;
  ownerId: Id | null;
  lead?: Lead;
}

export type SortKey = 'score' | 'age' | 'company';
export type SortOrder = 'asc' | 'desc';

export function sameId(a: Id | null | undefined, b: Id | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}

export function isManagerRole(role: Role | undefined): boolean {
  return role === 'manager' || role === 'admin';
}
