/** Shapes of the Leadpool HTTP API as the web UI uses them. Times are ISO strings. */

export type Id = number | string;

export type Role = 'rep' | 'manager' | 'admin';

export interface User {
  id: Id;
  email: string;
  name: string;
  role: Role;
  locale?: string | null;
  timeZone?: string | null;
  createdAt?: string;
  /** A rep's team, tier and availability (GET /me). */
  team?: string | null;
  tier?: string | null;
  availability?: Availability;
}

export type Availability = 'available' | 'away';

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
  escalation?: EscalationPolicy | null;
  /** Access by rep tier: full details, preview, a filtered subset, or none. */
  access?: Record<string, PoolAccess> | null;
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

// The manager's overview is the server's own shape (type-only: nothing of the server is bundled).
export type { DurationStats } from '../../../src/core/metrics.js';
export type { Overview, RepRow } from '../../../src/core/metrics-report.js';

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
  | 'lead.skipped'
  | 'lead.pushed'
  | 'lead.escalated';

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

// --- Routing (push rules, reps, named accounts, tiers) --------------------------------

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'] as const;
export const PUSH_STRATEGIES = ['round_robin', 'weighted', 'least_loaded'] as const;
export type PushStrategy = (typeof PUSH_STRATEGIES)[number];
export const TIERS = ['top', 'standard', 'new'] as const;

/** A rule's condition: every present field must hold; an empty condition matches every lead. */
export interface Condition {
  scoreMin?: number;
  scoreMax?: number;
  industry?: string[];
  companySize?: string[];
  source?: string[];
  region?: string[];
  namedAccount?: boolean;
  existingCustomer?: boolean;
  attributes?: Record<string, unknown>;
}

export type Action =
  | { type: 'push_owner'; fallbackPoolId: number; fallbackPriority?: number }
  | { type: 'push_team'; team: string; strategy: PushStrategy; fallbackPoolId: number; fallbackPriority?: number }
  | { type: 'pool'; poolId: number; priority?: number }
  | { type: 'review'; poolId: number };
export type ActionType = Action['type'];
export const ACTION_TYPES: readonly ActionType[] = ['push_owner', 'push_team', 'pool', 'review'];

export interface RoutingRule {
  id: string;
  name: string;
  enabled?: boolean;
  when: Condition;
  then: Action;
}

export interface RuleSet {
  rules: RoutingRule[];
  defaultPoolId: number;
}

export interface RoutingVersion {
  version: number;
  ruleSet: RuleSet;
  note: string | null;
  createdAt: string;
  createdBy: string;
}

export type RepSkipReason =
  | 'away'
  | 'paused'
  | 'at_capacity'
  | 'outside_hours'
  | 'hourly_cap'
  | 'daily_cap'
  | 'weekly_cap'
  | 'handed_back'
  | 'not_in_team';

export type TraceParams = Record<string, string | number>;

export interface DecisionTrace {
  /** `code`/`params` (and `held` on a match) word the reason in any language; `why` is English. Old traces have only `why`. */
  rules: { id: string; name: string; matched: boolean; why: string; code?: string; params?: TraceParams; held?: { code: string; params?: TraceParams }[] }[];
  matchedRuleId: string | null;
  account: { id: number; name: string; by: 'domain' | 'name' } | null;
  action: ActionType | 'default_pool';
  strategy?: PushStrategy;
  team?: string;
  skipped: { userId: number; name: string; reason: RepSkipReason | string; detail: string; params?: TraceParams }[];
  outcome:
    | { kind: 'pushed'; userId: number; name: string }
    | { kind: 'pool'; poolId: number; priority: number; fellBack?: string; fellBackCode?: string; fellBackParams?: TraceParams }
    | { kind: 'review'; poolId: number };
}

export interface WorkingHours {
  timeZone: string;
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  start: string;
  end: string;
}

export interface RepCaps {
  hourly?: number;
  daily?: number;
  weekly?: number;
}

export interface Rep {
  userId: number;
  name: string;
  email: string;
  team: string | null;
  tier: string | null;
  tierAuto: boolean;
  availability: Availability;
  paused: boolean;
  capacity: number | null;
  weight: number;
  hours: WorkingHours | null;
  caps: RepCaps;
}

export type RepPatch = Partial<Omit<Rep, 'userId' | 'name' | 'email'>> & { reason?: string };

export interface NamedAccount {
  id: number;
  name: string;
  domains: string[];
  ownerId: number;
  customer: boolean;
}

export interface TierThresholds {
  windowDays: number;
  top: { minConversionRate: number; maxMedianMinutesToContact: number; minClaims?: number };
  new?: { maxClaims: number };
}

export interface TierSettings {
  auto: boolean;
  thresholds: TierThresholds;
  tiers: string[];
}

export interface TierChange {
  userId: number;
  from: string | null;
  to: string;
  reason: string;
}

export type PoolAccess = 'full' | 'preview' | 'none' | { filter: Condition };

export interface EscalationStep {
  afterMinutes: number;
  action: { type: 'assign'; team: string | null; strategy: PushStrategy } | { type: 'review' };
}

export interface EscalationPolicy {
  steps: EscalationStep[];
  backstopHours?: number;
}

/** A field named by a 400 VALIDATION_FAILED answer. */
export interface FieldProblem {
  field: string;
  problem: string;
}
