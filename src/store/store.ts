import type { BrowseQuery } from '../core/browse.js';
import type { LeadInput } from '../core/lead-input.js';
import type { PoolRules } from '../core/fair-play.js';
import type { PoolMix } from '../core/pool-mix.js';
import type { MetricsFacts } from '../core/metrics.js';
import type { DecisionTrace, EscalationPolicy, LeadForRouting, NamedAccount, PoolAccess, RotationState, RuleSet, WorkingHours } from '../core/routing/index.js';
import type {
  ActivityType,
  Actor,
  ApiKeyScope,
  Lead,
  LeadEvent,
  Pool,
  PoolMode,
  PreviewField,
  Role,
  User,
  WorkStatus,
} from '../core/types.js';

/**
 * The one storage contract. SQLite and PostgreSQL implement it; every guarantee the product
 * makes (one claim winner, timers fired once, all-or-nothing batches) is the store's job,
 * and the contract tests run over every implementation.
 *
 * Methods that change state return the events they appended, so the server can announce
 * them live without reading them back.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  // --- users, sessions, keys
  createUser(input: NewUser, actor: Actor, now: number): Promise<User>;
  getUser(id: number): Promise<User | null>;
  findUserByEmail(email: string): Promise<(User & { passwordHash: string | null }) | null>;
  listUsers(): Promise<User[]>;
  setUserPreferences(userId: number, prefs: { locale?: string | null; timeZone?: string | null }): Promise<User>;
  countUsers(): Promise<number>;

  createSession(session: { tokenHash: string; userId: number; expiresAt: number }, now: number): Promise<void>;
  findSession(tokenHash: string, now: number): Promise<(User & { expiresAt: number }) | null>;
  deleteSession(tokenHash: string): Promise<void>;

  createApiKey(key: { name: string; scope: ApiKeyScope; keyHash: string; prefix: string }, actor: Actor, now: number): Promise<ApiKey>;
  findApiKey(keyHash: string): Promise<ApiKey | null>;
  listApiKeys(): Promise<ApiKey[]>;
  revokeApiKey(id: number, actor: Actor, now: number): Promise<ApiKey | null>;

  /** Failed sign-ins are rows, so the limit holds across restarts and instances. */
  recordLoginFailure(keys: string[], now: number): Promise<void>;
  countLoginFailures(key: string, since: number): Promise<number>;
  clearLoginFailures(key: string): Promise<void>;

  // --- fair play
  /** Small team-wide settings (e.g. whether reps see the team board), JSON values. */
  getTeamSetting(key: string): Promise<unknown>;
  setTeamSetting(key: string, value: unknown, actor: Actor, now: number): Promise<LeadEvent[]>;
  /** The rules pools without their own follow. */
  getTeamRules(): Promise<PoolRules>;
  setTeamRules(rules: PoolRules, actor: Actor, now: number): Promise<{ rules: PoolRules; events: LeadEvent[] }>;
  /**
   * A rep opens a waiting lead's details: counted against the pool's detail-view limit
   * (refused with RULE_DETAIL_VIEW_LIMIT past it, and the refusal recorded).
   */
  viewLead(leadId: number, actor: UserActor, now: number): Promise<Lead>;
  /** A rep hands back a lead taken from a queue with a reason; it is not served to them again. */
  skip(leadId: number, actor: UserActor, reason: SkipReason, note: string | null, now: number): Promise<{ lead: Lead; events: LeadEvent[] }>;
  /** Records what waits in a pool (industry by score band), for the cherry-pick measurements. */
  snapshotPoolMix(poolId: number, now: number): Promise<PoolMix>;

  // --- routing (push, named accounts, escalation, tiers)
  listReps(): Promise<RepSettings[]>;
  getRep(userId: number): Promise<RepSettings | null>;
  updateRep(userId: number, patch: RepPatch, actor: Actor, reason: string | null, now: number): Promise<{ rep: RepSettings; events: LeadEvent[] }>;
  listAccounts(): Promise<NamedAccount[]>;
  createAccount(input: NewAccount, actor: Actor, now: number): Promise<NamedAccount>;
  updateAccount(id: number, patch: Partial<NewAccount>, actor: Actor, now: number): Promise<NamedAccount>;
  deleteAccount(id: number, actor: Actor, now: number): Promise<void>;
  /** All or nothing; an account whose normalised name exists is updated. */
  importAccounts(inputs: NewAccount[], actor: Actor, now: number): Promise<{ created: number; updated: number }>;
  /** The rule set in force (null before any was saved) and its version. */
  getRouting(): Promise<RoutingVersion | null>;
  putRouting(ruleSet: RuleSet, note: string | null, actor: Actor, now: number): Promise<{ version: RoutingVersion; events: LeadEvent[] }>;
  routingVersions(): Promise<RoutingVersion[]>;
  /** Routes sample leads through a draft rule set against the live team, changing nothing. */
  dryRun(ruleSet: RuleSet, leads: LeadForRouting[], now: number): Promise<DecisionTrace[]>;
  /** The last N leads that arrived, as routing saw them (for a dry run on real traffic). */
  recentLeadsForRouting(n: number): Promise<(LeadForRouting & { id: number })[]>;
  rotations(): Promise<{ team: string; state: RotationState }[]>;
  setRotationPaused(team: string, paused: boolean, actor: Actor, now: number): Promise<LeadEvent[]>;
  /** Runs every escalation step that is due (assign, review, backstop), each once. */
  runDueEscalations(now: number, limit: number): Promise<LeadEvent[]>;
  nextEscalationDue(): Promise<number | null>;
  /** Leads waiting for a manager's review, oldest first. */
  reviewQueue(poolId?: number): Promise<Lead[]>;
  /** Per rep over [since, now): claims, conversions and median minutes to first contact (automatic tiers). */
  tierStats(since: number): Promise<{ userId: number; claims: number; converted: number; medianMinutesToContact: number | null }[]>;

  // --- measurements
  /**
   * Aggregates of the claims made in [from, to) (optionally in one pool), and what waits now.
   * With `waitingTotals` (leads waiting per pool, e.g. the server's one-second pool stats), the
   * open oldest age bucket is that total less the younger buckets instead of a count of every
   * waiting lead.
   */
  metricsFacts(range: MetricsRange, now: number, waitingTotals?: ReadonlyMap<number, number>): Promise<MetricsFacts>;
  /** Claims per rep and pool since a moment (today's counts for the minimum claim rate). */
  claimCountsSince(since: number): Promise<{ userId: number; poolId: number; claims: number }[]>;
  /** Streams the history in [from, to) in id order, a page at a time (exports of millions of rows). */
  eventPages(range: MetricsRange, pageSize: number): AsyncIterable<LeadEvent[]>;
  /**
   * An export file's text, when the store makes it off the event loop (the same text as
   * integrations/export-format.ts makes from the pages); null or absent: the caller formats the pages.
   */
  exportStream?(kind: 'leads' | 'events', format: 'csv' | 'json', range: MetricsRange): AsyncIterable<string> | null;

  // --- pools
  listPools(): Promise<Pool[]>;
  getPool(id: number): Promise<Pool | null>;
  getPoolByName(name: string): Promise<Pool | null>;
  createPool(input: NewPool, actor: Actor, now: number): Promise<{ pool: Pool; events: LeadEvent[] }>;
  updatePool(id: number, patch: PoolPatch, actor: Actor, now: number): Promise<{ pool: Pool; events: LeadEvent[] }>;
  /** Available count and oldest waiting lead per pool. */
  poolStats(): Promise<PoolStats[]>;
  /** The distinct filter values present in a pool, for the browse filters. */
  facets(poolId: number): Promise<Record<'industry' | 'companySize' | 'source' | 'region', string[]>>;

  // --- leads
  /**
   * Inserts all leads or none. A lead whose externalId is already stored is not inserted
   * again: it comes back in `existing` (idempotent retries of a batch are safe).
   */
  insertLeads(inputs: LeadInput[], defaultPoolId: number, actor: Actor, now: number, opts?: InsertOptions): Promise<InsertResult>;
  getLead(id: number): Promise<Lead | null>;
  getLeads(ids: number[]): Promise<Lead[]>;
  browse(poolId: number, query: BrowseQuery, now: number): Promise<{ items: Lead[]; hasMore: boolean }>;
  /** Claim one lead by id: of any number of simultaneous calls exactly one succeeds. */
  claim(leadId: number, actor: UserActor, now: number): Promise<{ lead: Lead; events: LeadEvent[] }>;
  /** Claim the front lead of a queue (priority, then arrival); null when none is left for this rep. */
  claimNext(poolId: number, actor: UserActor, now: number): Promise<{ lead: Lead; events: LeadEvent[] } | null>;
  release(leadId: number, actor: Actor, reason: string | null, now: number): Promise<{ lead: Lead; events: LeadEvent[] }>;
  reassign(leadId: number, toUserId: number, actor: Actor, reason: string | null, now: number): Promise<{ lead: Lead; events: LeadEvent[] }>;
  logActivity(leadId: number, actor: Actor, activity: { type: ActivityType; note: string | null }, now: number): Promise<{ lead: Lead; events: LeadEvent[] }>;
  setStatus(leadId: number, actor: Actor, status: WorkStatus, reason: string | null, now: number): Promise<{ lead: Lead; events: LeadEvent[] }>;
  leadsOwnedBy(userId: number): Promise<Lead[]>;
  /** Leads the rep holds without contact yet (the hoarding count), without loading them. */
  countOpenUncontacted(userId: number): Promise<number>;

  // --- timers
  /** Returns every claimed lead whose lock ran out to its pool, once; returns the events. */
  expireDueLocks(now: number, limit: number): Promise<LeadEvent[]>;
  /** When the next lock runs out, or null: lets the scheduler sleep exactly as long as needed. */
  nextLockDue(): Promise<number | null>;

  // --- history
  leadEvents(leadId: number): Promise<LeadEvent[]>;
  eventsAfter(afterId: number, limit: number): Promise<LeadEvent[]>;
  lastEventId(): Promise<number>;
}

export type UserActor = Extract<Actor, { kind: 'user' }>;

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  passwordHash: string | null;
}

export interface ApiKey {
  id: number;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewPool {
  name: string;
  mode: PoolMode;
  lockTtlSeconds?: number;
  previewFields?: PreviewField[];
  isDefault?: boolean;
  /** null or left out: the team's default rules. */
  rules?: PoolRules | null;
  escalation?: EscalationPolicy | null;
  access?: Record<string, PoolAccess> | null;
}

export type PoolPatch = Partial<Omit<NewPool, 'isDefault'>> & { isDefault?: true };

export const SKIP_REASONS = ['not_my_segment', 'bad_data', 'duplicate', 'existing_contact', 'not_reachable_now', 'other'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface PoolStats {
  poolId: number;
  available: number;
  oldestAvailableAt: number | null;
}

export interface InsertOptions {
  /** Name bad fields as leads[i].field (a batch) rather than field (a single lead). Default: by count. */
  batch?: boolean;
}

export interface InsertResult {
  created: Lead[];
  existing: Lead[];
  /** One entry per input, in input order; a repeat of an externalId is `created: false`. */
  results: { lead: Lead; created: boolean }[];
  events: LeadEvent[];
}

export interface RepSettings {
  userId: number;
  name: string;
  email: string;
  team: string | null;
  tier: string | null;
  /** The tier is computed on a schedule from the rep's numbers (managers can turn it off per rep). */
  tierAuto: boolean;
  availability: 'available' | 'away';
  paused: boolean;
  capacity: number | null;
  weight: number;
  hours: WorkingHours | null;
  caps: { hourly?: number; daily?: number; weekly?: number };
}

export type RepPatch = Partial<Omit<RepSettings, 'userId' | 'name' | 'email'>>;

export interface NewAccount {
  name: string;
  domains: string[];
  ownerId: number;
  customer: boolean;
}

export interface RoutingVersion {
  version: number;
  ruleSet: RuleSet;
  note: string | null;
  createdAt: number;
  createdBy: string;
}

export interface MetricsRange {
  from: number;
  to: number;
  poolId?: number;
}

