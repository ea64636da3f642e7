import type { InsertResult, MetricsRange } from './store.js';
import type { Lead } from '../core/types.js';

/**
 * Storage of the integrations: webhook endpoints and their delivery queue, intake sources
 * and their log, and the lead export. Kept apart from the core Store so the integrations
 * can grow without touching every store: sqlite/integration-store-sqlite.ts and
 * postgres/pg-integration-store.ts implement it, both tested by test/integrations.
 *
 * The outbox is the core's append-only events table: the dispatcher reads new events with
 * Store.eventsAfter and hands what it planned to `queueDeliveries`, which inserts the
 * deliveries and advances the endpoint's cursor in one transaction.
 */
export interface IntegrationStore {
  // --- webhook endpoints
  /** The new endpoint's cursor starts at `fromEventId`: it gets what happens from now on. */
  createEndpoint(input: NewWebhookEndpoint, fromEventId: number, now: number): Promise<WebhookEndpoint>;
  listEndpoints(): Promise<WebhookEndpoint[]>;
  getEndpoint(id: number): Promise<WebhookEndpoint | null>;
  updateEndpoint(id: number, patch: WebhookEndpointPatch, now: number): Promise<WebhookEndpoint | null>;
  /** Removes the endpoint with its cursor and deliveries. */
  deleteEndpoint(id: number): Promise<boolean>;

  // --- the delivery queue
  /** Enabled endpoints with the event id their deliveries were queued up to. */
  endpointCursors(): Promise<EndpointCursor[]>;
  /**
   * In one transaction: inserts the planned deliveries (a repeat of endpoint+event is
   * ignored, so two instances planning the same page is harmless) and moves each endpoint's
   * cursor forward to `upToEventId` (never back).
   */
  queueDeliveries(plans: DeliveryPlan[], upToEventId: number, now: number): Promise<number>;
  /**
   * Leases due deliveries (one statement per endpoint): open (pending or failed), due, not
   * leased by anyone now, of an enabled endpoint, and the earliest open one of its endpoint
   * and lead (a lead's later events wait for its earlier ones). At most `maxPerEndpoint` per
   * endpoint, counting `busy` (what this caller already has in flight per endpoint).
   */
  claimDeliveries(now: number, opts: ClaimOptions): Promise<ClaimedDelivery[]>;
  /** The receiver took it (2xx). Marked delivered even if the lease had run out meanwhile; the lead's next delivery may go. */
  recordDelivered(id: number, now: number, result: AttemptResult): Promise<void>;
  /** A failed attempt: retried at `nextAttemptAt`, or dead when null. Ignored if the lease was lost. */
  recordFailed(id: number, leaseToken: string, now: number, result: AttemptResult, nextAttemptAt: number | null): Promise<void>;
  /** Gives a lease back untried (the dispatcher is stopping). */
  releaseLease(id: number, leaseToken: string): Promise<void>;
  /** When the next open delivery is due (or a lease runs out), or null. */
  nextDeliveryDue(): Promise<number | null>;
  listDeliveries(endpointId: number, query: DeliveryQuery): Promise<WebhookDelivery[]>;
  getDelivery(id: number): Promise<WebhookDelivery | null>;
  /** Sends it again (delivered or dead ones too), due now (or right after its lead's open delivery), retried until `expiresAt`. */
  replayDelivery(id: number, now: number, expiresAt: number): Promise<WebhookDelivery | null>;

  // --- intake
  createIntakeSource(input: NewIntakeSource, token: { hash: string; prefix: string }, now: number): Promise<IntakeSource>;
  listIntakeSources(): Promise<IntakeSource[]>;
  getIntakeSource(id: number): Promise<IntakeSource | null>;
  getIntakeSourceBySlug(slug: string): Promise<IntakeSource | null>;
  updateIntakeSource(id: number, patch: IntakeSourcePatch, now: number): Promise<IntakeSource | null>;
  setIntakeToken(id: number, token: { hash: string; prefix: string }, now: number): Promise<IntakeSource | null>;
  deleteIntakeSource(id: number): Promise<boolean>;
  /**
   * The duplicate check and the insert under one write lock, so the same form posted twice
   * at once makes one lead: returns the lead id of a match made since `since`, or runs
   * `insert` (the core store's insertLeads) and returns its result.
   */
  intakeLead(match: DedupeMatch, insert: () => Promise<InsertResult>): Promise<{ duplicateOf: number } | { inserted: InsertResult }>;
  logIntake(entry: NewIntakeLogEntry): Promise<IntakeLogEntry>;
  intakeLog(sourceId: number, query: { limit: number; beforeId?: number; status?: IntakeStatus }): Promise<IntakeLogEntry[]>;

  // --- exports
  /** Leads created in [from, to), in id order, a page at a time (keyset: bounded memory at any size). */
  leadExportPages(range: MetricsRange, pageSize: number): AsyncIterable<LeadExportRow[]>;

  // --- retention
  /**
   * Deletes up to `limit` rows of each kind older than `cutoff`: delivered deliveries by when
   * they were delivered, dead ones by when they died, intake-log entries by when they came.
   * Open deliveries are never pruned. Callers repeat while a count reaches `limit`.
   */
  pruneBefore(cutoff: number, limit: number): Promise<PruneCounts>;
}

export interface PruneCounts {
  deliveries: number;
  intakeLog: number;
}

export interface WebhookEndpoint {
  id: number;
  url: string;
  secret: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewWebhookEndpoint {
  url: string;
  secret: string;
  eventTypes: string[];
  description?: string | null;
  enabled?: boolean;
}

export type WebhookEndpointPatch = Partial<NewWebhookEndpoint>;

export interface EndpointCursor {
  endpoint: WebhookEndpoint;
  lastEventId: number;
}

export interface DeliveryPlan {
  endpointId: number;
  deliveries: { eventId: number; eventType: string; leadId: number | null; payload: string }[];
  /** Retried until this long after it was queued. */
  retryForMs: number;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  leaseToken: string;
  maxPerEndpoint: number;
  /** Deliveries the caller already has in flight, per endpoint id. */
  busy: ReadonlyMap<number, number>;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  id: number;
  endpointId: number;
  eventId: number;
  eventType: string;
  leadId: number | null;
  status: DeliveryStatus;
  /** Held back behind an earlier open delivery of the same endpoint and lead. */
  waiting: boolean;
  attempts: number;
  nextAttemptAt: number;
  leasedUntil: number | null;
  expiresAt: number;
  lastAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastResponseExcerpt: string | null;
  createdAt: number;
  deliveredAt: number | null;
  /** When it was given up (dead); null otherwise. */
  deadAt: number | null;
}

/** A leased delivery with what it takes to send it. */
export interface ClaimedDelivery extends WebhookDelivery {
  payload: string;
  leaseToken: string;
  url: string;
  secret: string;
}

export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
}

export interface DeliveryQuery {
  limit: number;
  /** Keyset: deliveries with a smaller id (newest first). */
  beforeId?: number;
  status?: DeliveryStatus;
}

export const LEAD_FIELD_PATHS = [
  'company',
  'industry',
  'companySize',
  'source',
  'score',
  'region',
  'contact.name',
  'contact.email',
  'contact.phone',
  'externalId',
  'priority',
] as const;
export type LeadFieldPath = (typeof LEAD_FIELD_PATHS)[number];

export const DEDUPE_KEYS = ['email', 'externalId'] as const;
export type DedupeKey = (typeof DEDUPE_KEYS)[number];

export interface IntakeSource {
  id: number;
  name: string;
  slug: string;
  poolId: number | null;
  /** Form field -> lead field (a LeadFieldPath or attributes.<name>). */
  mapping: Record<string, string>;
  /** Lead field -> value used when the post has none. */
  defaults: Record<string, string | number>;
  dedupeBy: DedupeKey;
  dedupeWindowMinutes: number;
  tokenHash: string;
  tokenPrefix: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewIntakeSource {
  name: string;
  slug: string;
  poolId: number | null;
  mapping: Record<string, string>;
  defaults: Record<string, string | number>;
  dedupeBy: DedupeKey;
  dedupeWindowMinutes: number;
  enabled?: boolean;
}

export type IntakeSourcePatch = Partial<NewIntakeSource>;

export interface DedupeMatch {
  by: DedupeKey;
  /** The lower-cased email or the externalId; null: nothing to match on, always insert. */
  key: string | null;
  /** Leads created at or after this count as duplicates. */
  since: number;
}

export const INTAKE_STATUSES = ['created', 'duplicate', 'rejected'] as const;
export type IntakeStatus = (typeof INTAKE_STATUSES)[number];

export interface NewIntakeLogEntry {
  sourceId: number;
  receivedAt: number;
  status: IntakeStatus;
  httpStatus: number;
  leadId: number | null;
  problems: { field: string; problem: string }[] | null;
  contentType: string | null;
  rawExcerpt: string | null;
}

export interface IntakeLogEntry extends NewIntakeLogEntry {
  id: number;
}

/** A lead with what a CRM wants beside it: its pool's name and its owner's email. */
export interface LeadExportRow {
  lead: Lead;
  poolName: string;
  ownerEmail: string | null;
  ownerName: string | null;
}
