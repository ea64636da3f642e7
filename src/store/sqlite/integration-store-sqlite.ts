import type { Statement } from 'better-sqlite3';
import type { InsertResult, MetricsRange } from '../store.js';
import type {
  AttemptResult,
  ClaimOptions,
  ClaimedDelivery,
  DedupeKey,
  DedupeMatch,
  DeliveryPlan,
  DeliveryQuery,
  DeliveryStatus,
  EndpointCursor,
  IntakeLogEntry,
  IntakeSource,
  IntakeSourcePatch,
  IntakeStatus,
  IntegrationStore,
  LeadExportRow,
  NewIntakeLogEntry,
  NewIntakeSource,
  NewWebhookEndpoint,
  PruneCounts,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointPatch,
} from '../integration-store.js';
import type { SqliteDb } from './connection.js';
import { betweenRequests, leadExportPagesFrom } from './export-pages.js';

interface EndpointRow {
  id: number;
  url: string;
  secret: string;
  event_types: string;
  description: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

interface DeliveryRow {
  id: number;
  endpoint_id: number;
  event_id: number;
  event_type: string;
  lead_id: number | null;
  payload: string;
  status: string;
  waiting: number;
  attempts: number;
  next_attempt_at: number;
  leased_until: number | null;
  lease_token: string | null;
  expires_at: number;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  last_response_excerpt: string | null;
  created_at: number;
  delivered_at: number | null;
  dead_at: number | null;
}

interface SourceRow {
  id: number;
  name: string;
  slug: string;
  pool_id: number | null;
  mapping: string;
  defaults: string;
  dedupe_by: string;
  dedupe_window_minutes: number;
  token_hash: string;
  token_prefix: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

interface LogRow {
  id: number;
  source_id: number;
  received_at: number;
  status: string;
  http_status: number;
  lead_id: number | null;
  problems: string | null;
  content_type: string | null;
  raw_excerpt: string | null;
}

const endpointFromRow = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  url: r.url,
  secret: r.secret,
  eventTypes: JSON.parse(r.event_types) as string[],
  description: r.description,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const deliveryFromRow = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  leadId: r.lead_id,
  status: r.status as DeliveryStatus,
  waiting: r.waiting === 1,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leasedUntil: r.leased_until,
  expiresAt: r.expires_at,
  lastAttemptAt: r.last_attempt_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastResponseExcerpt: r.last_response_excerpt,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  deadAt: r.dead_at,
});

const sourceFromRow = (r: SourceRow): IntakeSource => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  poolId: r.pool_id,
  mapping: JSON.parse(r.mapping) as Record<string, string>,
  defaults: JSON.parse(r.defaults) as Record<string, string | number>,
  dedupeBy: r.dedupe_by as DedupeKey,
  dedupeWindowMinutes: r.dedupe_window_minutes,
  tokenHash: r.token_hash,
  tokenPrefix: r.token_prefix,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const logFromRow = (r: LogRow): IntakeLogEntry => ({
  id: r.id,
  sourceId: r.source_id,
  receivedAt: r.received_at,
  status: r.status as IntakeStatus,
  httpStatus: r.http_status,
  leadId: r.lead_id,
  problems: r.problems === null ? null : (JSON.parse(r.problems) as { field: string; problem: string }[]),
  contentType: r.content_type,
  rawExcerpt: r.raw_excerpt,
});

/**
 * The integrations on the SQLite file the core store uses (its `db`). Like the core store,
 * every write transaction is BEGIN IMMEDIATE: the write lock is taken up front, so two
 * processes on one file queue instead of deadlocking on an upgrade.
 */
export class SqliteIntegrationStore implements IntegrationStore {
  readonly #db: SqliteDb;
  readonly #stmts = new Map<string, Statement>();

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  #s(text: string): Statement {
    let st = this.#stmts.get(text);
    if (!st) {
      st = this.#db.prepare(text);
      this.#stmts.set(text, st);
    }
    return st;
  }

  #tx<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  // ------------------------------------------------------------------ endpoints

  async createEndpoint(input: NewWebhookEndpoint, fromEventId: number, now: number): Promise<WebhookEndpoint> {
    return this.#tx(() => {
      const row = this.#s(
        `INSERT INTO webhook_endpoints (url, secret, event_types, description, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(input.url, input.secret, JSON.stringify(input.eventTypes), input.description ?? null, input.enabled === false ? 0 : 1, now, now) as EndpointRow;
      this.#s('INSERT INTO webhook_cursor (endpoint_id, last_event_id) VALUES (?, ?)').run(row.id, fromEventId);
      return endpointFromRow(row);
    });
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    return (this.#s('SELECT * FROM webhook_endpoints ORDER BY id').all() as EndpointRow[]).map(endpointFromRow);
  }

  async getEndpoint(id: number): Promise<WebhookEndpoint | null> {
    const r = this.#s('SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as EndpointRow | undefined;
    return r ? endpointFromRow(r) : null;
  }

  async updateEndpoint(id: number, patch: WebhookEndpointPatch, now: number): Promise<WebhookEndpoint | null> {
    return this.#tx(() => {
      const before = this.#s('SELECT * FROM webhook_endpoints WHERE id = ?').get(id) as EndpointRow | undefined;
      if (!before) return null;
      const b = endpointFromRow(before);
      const row = this.#s(
        `UPDATE webhook_endpoints SET url = ?, secret = ?, event_types = ?, description = ?, enabled = ?, updated_at = ? WHERE id = ? RETURNING *`,
      ).get(
        patch.url ?? b.url,
        patch.secret ?? b.secret,
        JSON.stringify(patch.eventTypes ?? b.eventTypes),
        patch.description !== undefined ? patch.description : b.description,
        (patch.enabled ?? b.enabled) ? 1 : 0,
        now,
        id,
      ) as EndpointRow;
      return endpointFromRow(row);
    });
  }

  async deleteEndpoint(id: number): Promise<boolean> {
    return this.#s('DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes > 0;
  }

  // ------------------------------------------------------------------ delivery queue

  async endpointCursors(): Promise<EndpointCursor[]> {
    return (
      this.#s('SELECT e.*, c.last_event_id FROM webhook_endpoints e JOIN webhook_cursor c ON c.endpoint_id = e.id WHERE e.enabled = 1 ORDER BY e.id').all() as (EndpointRow & {
        last_event_id: number;
      })[]
    ).map((r) => ({ endpoint: endpointFromRow(r), lastEventId: r.last_event_id }));
  }

  async queueDeliveries(plans: DeliveryPlan[], upToEventId: number, now: number): Promise<number> {
    return this.#tx(() => {
      const insert = this.#s(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, lead_id, payload, status, waiting, attempts, next_attempt_at, expires_at, created_at)
         VALUES (@endpoint, @event, @type, @lead, @payload, 'pending',
                 EXISTS (SELECT 1 FROM webhook_deliveries p INDEXED BY webhook_deliveries_lead
                          WHERE p.endpoint_id = @endpoint AND p.lead_id = @lead AND p.event_id < @event AND p.status IN ('pending', 'failed')),
                 0, @now, @expires, @now)
         ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      );
      const advance = this.#s('UPDATE webhook_cursor SET last_event_id = MAX(last_event_id, ?) WHERE endpoint_id = ?');
      let queued = 0;
      for (const p of plans) {
        // The endpoint may have been deleted since the plan was made: queue nothing for it.
        if (advance.run(upToEventId, p.endpointId).changes === 0) continue;
        for (const d of p.deliveries) {
          queued += insert.run({ endpoint: p.endpointId, event: d.eventId, type: d.eventType, lead: d.leadId, payload: d.payload, now, expires: now + p.retryForMs }).changes;
        }
      }
      return queued;
    });
  }

  async claimDeliveries(now: number, opts: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (opts.limit <= 0) return [];
    return this.#tx(() => {
      const endpoints = this.#s('SELECT id, url, secret FROM webhook_endpoints WHERE enabled = 1 ORDER BY id').all() as { id: number; url: string; secret: string }[];
      // Per endpoint, one statement picks and leases its earliest due heads (a lead's later
      // deliveries are `waiting` and never candidates, which keeps each lead in order), up to
      // its share of the in-flight limit. A walk of the ready index: a few rows per endpoint.
      const lease = this.#s(
        `UPDATE webhook_deliveries
            SET leased_until = @until, lease_token = @token, attempts = attempts + 1, last_attempt_at = @now
          WHERE id IN (SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_ready
                        WHERE endpoint_id = @endpoint AND status IN ('pending', 'failed') AND waiting = 0
                          AND next_attempt_at <= @now AND (leased_until IS NULL OR leased_until <= @now)
                        ORDER BY next_attempt_at, id LIMIT @take)
          RETURNING *`,
      );
      const out: ClaimedDelivery[] = [];
      let left = opts.limit;
      for (const e of endpoints) {
        const take = Math.min(left, opts.maxPerEndpoint - (opts.busy.get(e.id) ?? 0));
        if (take <= 0) continue;
        const rows = lease.all({ until: now + opts.leaseMs, token: opts.leaseToken, now, endpoint: e.id, take }) as DeliveryRow[];
        for (const r of rows) out.push({ ...deliveryFromRow(r), payload: r.payload, leaseToken: opts.leaseToken, url: e.url, secret: e.secret });
        left -= rows.length;
        if (left === 0) break;
      }
      return out.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
    });
  }

  /** A delivery was closed (delivered or dead): the next waiting one of its endpoint and lead, if any, becomes a candidate. */
  #promoteNext(d: { endpoint_id: number; lead_id: number | null }): void {
    if (d.lead_id === null) return;
    this.#s(
      `UPDATE webhook_deliveries SET waiting = 0
        WHERE id = (SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_lead
                     WHERE endpoint_id = @endpoint AND lead_id = @lead AND status IN ('pending', 'failed') ORDER BY event_id LIMIT 1)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries INDEXED BY webhook_deliveries_lead
                           WHERE endpoint_id = @endpoint AND lead_id = @lead AND status IN ('pending', 'failed') AND waiting = 0)`,
    ).run({ endpoint: d.endpoint_id, lead: d.lead_id });
  }

  async recordDelivered(id: number, now: number, result: AttemptResult): Promise<void> {
    this.#tx(() => {
      // Delivered even if our lease ran out meanwhile (the receiver has it); only the first
      // to record it closes it and lets the lead's next delivery go.
      const closed = this.#s(
        `UPDATE webhook_deliveries
            SET status = 'delivered', delivered_at = ?, leased_until = NULL, lease_token = NULL,
                last_status_code = ?, last_error = NULL, last_response_excerpt = ?
          WHERE id = ? AND status IN ('pending', 'failed') RETURNING endpoint_id, lead_id`,
      ).get(now, result.statusCode, result.responseExcerpt, id) as { endpoint_id: number; lead_id: number | null } | undefined;
      if (closed) this.#promoteNext(closed);
    });
  }

  async recordFailed(id: number, leaseToken: string, now: number, result: AttemptResult, nextAttemptAt: number | null): Promise<void> {
    this.#tx(() => {
      const row = this.#s(
        `UPDATE webhook_deliveries
            SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), dead_at = ?, leased_until = NULL, lease_token = NULL,
                last_status_code = ?, last_error = ?, last_response_excerpt = ?
          WHERE id = ? AND lease_token = ? AND status IN ('pending', 'failed') RETURNING endpoint_id, lead_id, status`,
      ).get(nextAttemptAt === null ? 'dead' : 'failed', nextAttemptAt, nextAttemptAt === null ? now : null, result.statusCode, result.error, result.responseExcerpt, id, leaseToken) as
        | { endpoint_id: number; lead_id: number | null; status: string }
        | undefined;
      // A dead delivery no longer holds its lead's later ones back.
      if (row?.status === 'dead') this.#promoteNext(row);
    });
  }

  async releaseLease(id: number, leaseToken: string): Promise<void> {
    this.#s(`UPDATE webhook_deliveries SET leased_until = NULL, lease_token = NULL, attempts = MAX(attempts - 1, 0) WHERE id = ? AND lease_token = ?`).run(id, leaseToken);
  }

  async nextDeliveryDue(): Promise<number | null> {
    const r = this.#s(
      `SELECT MIN(MAX(next_attempt_at, COALESCE(leased_until, 0))) AS at FROM webhook_deliveries INDEXED BY webhook_deliveries_ready
        WHERE status IN ('pending', 'failed') AND waiting = 0`,
    ).get() as { at: number | null };
    return r.at;
  }

  async listDeliveries(endpointId: number, q: DeliveryQuery): Promise<WebhookDelivery[]> {
    return (
      this.#s(
        `SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND id < ? AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?`,
      ).all(endpointId, q.beforeId ?? Number.MAX_SAFE_INTEGER, q.status ?? null, q.status ?? null, q.limit) as DeliveryRow[]
    ).map(deliveryFromRow);
  }

  async getDelivery(id: number): Promise<WebhookDelivery | null> {
    const r = this.#s('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;
    return r ? deliveryFromRow(r) : null;
  }

  async replayDelivery(id: number, now: number, expiresAt: number): Promise<WebhookDelivery | null> {
    // It waits if its lead already has a delivery open to this endpoint (it goes next, being
    // the earlier event); otherwise it is due now.
    const r = this.#s(
      `UPDATE webhook_deliveries
          SET status = 'pending', next_attempt_at = ?, expires_at = ?, leased_until = NULL, lease_token = NULL, delivered_at = NULL, dead_at = NULL,
              waiting = CASE WHEN status IN ('pending', 'failed') THEN waiting
                             ELSE EXISTS (SELECT 1 FROM webhook_deliveries o INDEXED BY webhook_deliveries_lead
                                           WHERE o.endpoint_id = webhook_deliveries.endpoint_id AND o.lead_id = webhook_deliveries.lead_id
                                             AND o.status IN ('pending', 'failed') AND o.id <> webhook_deliveries.id) END
        WHERE id = ? RETURNING *`,
    ).get(now, expiresAt, id) as DeliveryRow | undefined;
    return r ? deliveryFromRow(r) : null;
  }

  // ------------------------------------------------------------------ intake

  async createIntakeSource(input: NewIntakeSource, token: { hash: string; prefix: string }, now: number): Promise<IntakeSource> {
    const row = this.#s(
      `INSERT INTO intake_sources (name, slug, pool_id, mapping, defaults, dedupe_by, dedupe_window_minutes, token_hash, token_prefix, enabled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ).get(
      input.name,
      input.slug,
      input.poolId,
      JSON.stringify(input.mapping),
      JSON.stringify(input.defaults),
      input.dedupeBy,
      input.dedupeWindowMinutes,
      token.hash,
      token.prefix,
      input.enabled === false ? 0 : 1,
      now,
      now,
    ) as SourceRow;
    return sourceFromRow(row);
  }

  async listIntakeSources(): Promise<IntakeSource[]> {
    return (this.#s('SELECT * FROM intake_sources ORDER BY id').all() as SourceRow[]).map(sourceFromRow);
  }

  async getIntakeSource(id: number): Promise<IntakeSource | null> {
    const r = this.#s('SELECT * FROM intake_sources WHERE id = ?').get(id) as SourceRow | undefined;
    return r ? sourceFromRow(r) : null;
  }

  async getIntakeSourceBySlug(slug: string): Promise<IntakeSource | null> {
    const r = this.#s('SELECT * FROM intake_sources WHERE slug = ?').get(slug) as SourceRow | undefined;
    return r ? sourceFromRow(r) : null;
  }

  async updateIntakeSource(id: number, patch: IntakeSourcePatch, now: number): Promise<IntakeSource | null> {
    return this.#tx(() => {
      const r = this.#s('SELECT * FROM intake_sources WHERE id = ?').get(id) as SourceRow | undefined;
      if (!r) return null;
      const b = sourceFromRow(r);
      const row = this.#s(
        `UPDATE intake_sources SET name = ?, slug = ?, pool_id = ?, mapping = ?, defaults = ?, dedupe_by = ?, dedupe_window_minutes = ?, enabled = ?, updated_at = ?
          WHERE id = ? RETURNING *`,
      ).get(
        patch.name ?? b.name,
        patch.slug ?? b.slug,
        patch.poolId !== undefined ? patch.poolId : b.poolId,
        JSON.stringify(patch.mapping ?? b.mapping),
        JSON.stringify(patch.defaults ?? b.defaults),
        patch.dedupeBy ?? b.dedupeBy,
        patch.dedupeWindowMinutes ?? b.dedupeWindowMinutes,
        (patch.enabled ?? b.enabled) ? 1 : 0,
        now,
        id,
      ) as SourceRow;
      return sourceFromRow(row);
    });
  }

  async setIntakeToken(id: number, token: { hash: string; prefix: string }, now: number): Promise<IntakeSource | null> {
    const r = this.#s('UPDATE intake_sources SET token_hash = ?, token_prefix = ?, updated_at = ? WHERE id = ? RETURNING *').get(token.hash, token.prefix, now, id) as
      | SourceRow
      | undefined;
    return r ? sourceFromRow(r) : null;
  }

  async deleteIntakeSource(id: number): Promise<boolean> {
    return this.#s('DELETE FROM intake_sources WHERE id = ?').run(id).changes > 0;
  }

  async intakeLead(match: DedupeMatch, insert: () => Promise<InsertResult>): Promise<{ duplicateOf: number } | { inserted: InsertResult }> {
    let pending: Promise<InsertResult> | null = null;
    const hit = this.#tx(() => {
      if (match.key !== null) {
        const found = (
          match.by === 'email'
            ? this.#s('SELECT id FROM leads INDEXED BY intake_leads_email WHERE contact_email = ? AND created_at >= ? ORDER BY created_at DESC LIMIT 1')
            : this.#s('SELECT id FROM leads WHERE external_id = ? AND created_at >= ? LIMIT 1')
        ).get(match.key, match.since) as { id: number } | undefined;
        if (found) return found.id;
      }
      // The SQLite store's insertLeads does all its work synchronously when called (its
      // transaction nests here as a savepoint), so the check above and the insert share
      // this write lock; a second process posting the same form waits for it and then sees
      // the lead. A PostgreSQL implementation takes an advisory lock on the key instead.
      pending = insert();
      return null;
    });
    if (hit !== null) return { duplicateOf: hit };
    return { inserted: await pending! };
  }

  async logIntake(e: NewIntakeLogEntry): Promise<IntakeLogEntry> {
    const r = this.#s(
      `INSERT INTO intake_log (source_id, received_at, status, http_status, lead_id, problems, content_type, raw_excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ).get(e.sourceId, e.receivedAt, e.status, e.httpStatus, e.leadId, e.problems === null ? null : JSON.stringify(e.problems), e.contentType, e.rawExcerpt) as LogRow;
    return logFromRow(r);
  }

  async intakeLog(sourceId: number, q: { limit: number; beforeId?: number; status?: IntakeStatus }): Promise<IntakeLogEntry[]> {
    return (
      this.#s(`SELECT * FROM intake_log WHERE source_id = ? AND id < ? AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?`).all(
        sourceId,
        q.beforeId ?? Number.MAX_SAFE_INTEGER,
        q.status ?? null,
        q.status ?? null,
        q.limit,
      ) as LogRow[]
    ).map(logFromRow);
  }

  // ------------------------------------------------------------------ exports

  leadExportPages(range: MetricsRange, pageSize: number): AsyncIterable<LeadExportRow[]> {
    return betweenRequests(leadExportPagesFrom((sql) => this.#s(sql), range, pageSize));
  }

  // ------------------------------------------------------------------ retention

  async pruneBefore(cutoff: number, limit: number): Promise<PruneCounts> {
    // Short batches, each its own write transaction: claims never wait behind a long delete.
    const deliveries = this.#tx(
      () =>
        this.#s(
          `DELETE FROM webhook_deliveries WHERE id IN (
             SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_delivered WHERE status = 'delivered' AND delivered_at < @cutoff LIMIT @limit)`,
        ).run({ cutoff, limit }).changes +
        this.#s(
          `DELETE FROM webhook_deliveries WHERE id IN (
             SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_dead WHERE status = 'dead' AND dead_at < @cutoff LIMIT @limit)`,
        ).run({ cutoff, limit }).changes,
    );
    const intakeLog = this.#tx(
      () => this.#s(`DELETE FROM intake_log WHERE id IN (SELECT id FROM intake_log WHERE received_at < ? LIMIT ?)`).run(cutoff, limit).changes,
    );
    return { deliveries, intakeLog };
  }
}
