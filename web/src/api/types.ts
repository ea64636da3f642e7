/** Shapes of the Leadpool HTTP API as the web UI uses them. Times are ISO strings. */

export type Id = number | string;

export type Role = 'rep' | 'manager' | 'admin';

export interface User {
  id: Id;
  email: string;
  name: string;
  role: Role;
  locale?: string | null;
  createdAt?: string;
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
  /** The pool's own rules, or null when it follows the team's default. */
  rules?: PoolRules | null;
  effectiveRules?: PoolRules;
  available: number;
  oldestAvailableAt: string | null;
}

export type DiversityRule =
  | { mode: 'percent'; threshold: number; minPercent: number; window: number }
  | { mode: 'ratio'; threshold: number };

/** Fair-play rules; a rule left out is off. */
export interface PoolRules {
  hoardingLimit?: number;
  diversity?: DiversityRule;
  detailViewLimit?: number;
  skipLimit?: number;
  dailyCap?: number;
  minClaimsPerDay?: number;
}

export const SKIP_REASONS = ['not_my_segment', 'bad_data', 'duplicate', 'existing_contact', 'not_reachable_now', 'other'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface MyStats {
  claimsToday: number;
  minClaimsPerDay: number | null;
  openUncontacted: number;
  hoardingLimit: number | null;
  teamBoard: boolean;
}

export interface TeamBoardRow {
  userId: Id;
  name: string;
  claimsToday: number;
  claimsWeek: number;
  averageScore: number | null;
  cherryPickIndex: number | null;
  expired: number;
  skipped: number;
  underMinimum: boolean;
}

export interface DurationStats {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface RepRow {
  userId: number;
  name: string;
  claims: number;
  cherryPickIndex: number | null;
  industryTilt: number | null;
  /** Claims per score band of 10 (0–9 … 90–100). */
  scoreBands: number[];
  averageScore: number | null;
  expired: number;
  released: number;
  skipped: number;
  contacted: number;
  converted: number;
  claimToContact: DurationStats;
  refusals: Record<string, number>;
  claimsToday: number;
  minClaimsPerDay: number | null;
  underMinimum: boolean;
}

export interface Overview {
  range: { from: number; to: number; poolId: number | null };
  arrivalToClaim: DurationStats;
  claimToContact: DurationStats;
  waiting: { poolId: number; poolName: string; total: number; oldestAt: number | null; buckets: { label: string; count: number }[] }[];
  reps: RepRow[];
  conversionBySource: { source: string; claims: number; contacted: number; converted: number; conversionRate: number | null }[];
  repsUnderMinimum: { userId: number; name: string; claimsToday: number; minimum: number }[];
  reviewWaiting: number;
  fairness: { giniClaims: number; giniScore: number };
}

export interface ApiKey {
  id: Id;
  name: string;
  scope: 'ingest' | 'full';
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface ImportResult {
  created: number;
  existing: number;
  rows: number;
  dryRun: boolean;
  columns: { header: string; field: string }[];
}

export interface CsvRowError {
  line: number;
  problems: { field: string; problem: string }[];
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
  | 'lead.status_changed'
  | 'lead.skipped';

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
