import type pg from 'pg';
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
import { leadFromRow, type LeadRow } from '../rows.js';

// pg returns BIGINT as text: ids and times are converted here.
type Big = number | string;
const num = (v: Big): number => Number(v);
const numOrNull = (v: Big | null): number | null => (v === null ? null : Number(v));

interface EndpointRow {
  id: Big;
  url: string;
  secret: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  created_at: Big;
  updated_at: Big;
}

interface DeliveryRow {
  id: Big;
  endpoint_id: Big;
  event_id: Big;
  event_type: string;
  lead_id: Big | null;
  payload: string;
  status: string;
  waiting: boolean;
  attempts: number;
  next_attempt_at: Big;
  leased_until: Big | null;
  lease_token: string | null;
  expires_at: Big;
  last_attempt_at: Big | null;
  last_status_code: number | null;
  last_error: string | null;
  last_response_excerpt: string | null;
  created_at: Big;
  delivered_at: Big | null;
  dead_at: Big | null;
}

interface SourceRow {
  id: Big;
  name: string;
  slug: string;
  pool_id: Big | null;
  mapping: Record<string, string>;
  defaults: Record<string, string | number>;
  dedupe_by: string;
  dedupe_window_minutes: number;
  token_hash: string;
  token_prefix: string;
  enabled: boolean;
  created_at: Big;
  updated_at: Big;
}

interface LogRow {
  id: Big;
  source_id: Big;
  received_at: Big;
  status: string;
  http_status: number;
  lead_id: Big | null;
  problems: { field: string; problem: string }[] | null;
  content_type: string | null;
  raw_excerpt: string | null;
}

const endpointFromRow = (r: EndpointRow): WebhookEndpoint => ({
  id: num(r.id),
  url: r.url,
  secret: r.secret,
  eventTypes: r.event_types,
  description: r.description,
  enabled: r.enabled,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

const deliveryFromRow = (r: DeliveryRow): WebhookDelivery => ({
  id: num(r.id),
  endpointId: num(r.endpoint_id),
  eventId: num(r.event_id),
  eventType: r.event_type,
  leadId: numOrNull(r.lead_id),
  status: r.status as DeliveryStatus,
  waiting: r.waiting,
  attempts: r.attempts,
  nextAttemptAt: num(r.next_attempt_at),
  leasedUntil: numOrNull(r.leased_until),
  expiresAt: num(r.expires_at),
  lastAttemptAt: numOrNull(r.last_attempt_at),
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastResponseExcerpt: r.last_response_excerpt,
  createdAt: num(r.created_at),
  deliveredAt: numOrNull(r.delivered_at),
  deadAt: numOrNull(r.dead_at),
});

const sourceFromRow = (r: SourceRow): IntakeSource => ({
  id: num(r.id),
  name: r.name,
  slug: r.slug,
  poolId: numOrNull(r.pool_id),
  mapping: r.mapping,
  defaults: r.defaults,
  dedupeBy: r.dedupe_by as DedupeKey,
  dedupeWindowMinutes: r.dedupe_window_minutes,
  tokenHash: r.token_hash,
  tokenPrefix: r.token_prefix,
  enabled: r.enabled,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

const logFromRow = (r: LogRow): IntakeLogEntry => ({
  id: num(r.id),
  sourceId: num(r.source_id),
  receivedAt: num(r.received_at),
  status: r.status as IntakeStatus,
  httpStatus: r.http_status,
  leadId: numOrNull(r.lead_id),
  problems: r.problems,
  contentType: r.content_type,
  rawExcerpt: r.raw_excerpt,
});

/** Advisory lock spaces (the core store uses 74145 and 74146). */
const LEAD_ORDER_LOCK = 74147;
const INTAKE_LOCK = 74148;

const OPEN = `status IN ('pending', 'failed')`;

/**
 * The integrations on PostgreSQL, on the core store's connection pool, for several
 * instances on one database:
 *
 * - leases are one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)` per endpoint
 *   with a lease token and an expiry, so concurrent dispatchers never take one row twice;
 * - order per lead: only a lead's earliest open delivery is a candidate (`waiting` is false);
 *   every insert, close and replay of a lead's deliveries holds the transaction advisory lock
 *   of (endpoint, lead), so a delivery queued while its predecessor is being closed cannot
 *   miss the promotion and wait forever;
 * - intake dedupe holds a session advisory lock on the dedupe key across the check and the
 *   core store's insert (which commits on its own connection).
 */
export class PostgresIntegrationStore implements IntegrationStore {
  readonly #pool: pg.Pool;
  readonly #intakeGate: Gate;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
    // An intake holds one connection (its lock) while the insert takes another: at most a
    // third of the pool may hold locks, so the inserts always find a connection.
    this.#intakeGate = new Gate(Math.max(1, Math.floor((pool.options.max ?? 10) / 3)));
  }

  async #rows<R>(text: string, values: unknown[] = [], q: pg.Pool | pg.PoolClient = this.#pool): Promise<R[]> {
    return (await q.query(text, values)).rows as R[];
  }

  async #tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.#pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  /** Takes the (endpoint, lead) order locks, in one fixed order so two queuers never deadlock. */
  async #lockLeads(c: pg.PoolClient, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await c.query(
      `SELECT pg_advisory_xact_lock(${LEAD_ORDER_LOCK}, h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY h) s`,
      [keys],
    );
  }

  // ------------------------------------------------------------------ endpoints

  async createEndpoint(input: NewWebhookEndpoint, fromEventId: number, now: number): Promise<WebhookEndpoint> {
    return this.#tx(async (c) => {
      const [row] = await this.#rows<EndpointRow>(
        `INSERT INTO webhook_endpoints (url, secret, event_types, description, enabled, created_at, updated_at) VALUES ($1, $2, $3::json, $4, $5, $6, $6) RETURNING *`,
        [input.url, input.secret, JSON.stringify(input.eventTypes), input.description ?? null, input.enabled !== false, now],
        c,
      );
      await c.query('INSERT INTO webhook_cursor (endpoint_id, last_event_id) VALUES ($1, $2)', [row!.id, fromEventId]);
      return endpointFromRow(row!);
    });
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    return (await this.#rows<EndpointRow>('SELECT * FROM webhook_endpoints ORDER BY id')).map(endpointFromRow);
  }

  async getEndpoint(id: number): Promise<WebhookEndpoint | null> {
    const [r] = await this.#rows<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
    return r ? endpointFromRow(r) : null;
  }

  async updateEndpoint(id: number, patch: WebhookEndpointPatch, now: number): Promise<WebhookEndpoint | null> {
    return this.#tx(async (c) => {
      const [before] = await this.#rows<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [id], c);
      if (!before) return null;
      const b = endpointFromRow(before);
      const [row] = await this.#rows<EndpointRow>(
        `UPDATE webhook_endpoints SET url = $1, secret = $2, event_types = $3::json, description = $4, enabled = $5, updated_at = $6 WHERE id = $7 RETURNING *`,
        [
          patch.url ?? b.url,
          patch.secret ?? b.secret,
          JSON.stringify(patch.eventTypes ?? b.eventTypes),
          patch.description !== undefined ? patch.description : b.description,
          patch.enabled ?? b.enabled,
          now,
          id,
        ],
        c,
      );
      return endpointFromRow(row!);
    });
  }

  async deleteEndpoint(id: number): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM webhook_endpoints WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  // ------------------------------------------------------------------ delivery queue

  async endpointCursors(): Promise<EndpointCursor[]> {
    return (
      await this.#rows<EndpointRow & { last_event_id: Big }>(
        'SELECT e.*, c.last_event_id FROM webhook_endpoints e JOIN webhook_cursor c ON c.endpoint_id = e.id WHERE e.enabled ORDER BY e.id',
      )
    ).map((r) => ({ endpoint: endpointFromRow(r), lastEventId: num(r.last_event_id) }));
  }

  async queueDeliveries(plans: DeliveryPlan[], upToEventId: number, now: number): Promise<number> {
    return this.#tx(async (c) => {
      await this.#lockLeads(
        c,
        plans.flatMap((p) => p.deliveries.filter((d) => d.leadId !== null).map((d) => `${p.endpointId}:${d.leadId}`)),
      );
      let queued = 0;
      for (const p of plans) {
        // The endpoint may have been deleted since the plan was made: queue nothing for it.
        const moved = await c.query('UPDATE webhook_cursor SET last_event_id = GREATEST(last_event_id, $1) WHERE endpoint_id = $2', [upToEventId, p.endpointId]);
        if (!moved.rowCount || p.deliveries.length === 0) continue;
        const ds = p.deliveries;
        const inserted = await this.#rows<{ id: Big }>(
          `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, lead_id, payload, status, waiting, attempts, next_attempt_at, expires_at, created_at)
           SELECT $1, d.event_id, d.event_type, d.lead_id, d.payload, 'pending', false, 0, $6, $7, $6
             FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS d(event_id, event_type, lead_id, payload)
           ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`,
          [p.endpointId, ds.map((d) => d.eventId), ds.map((d) => d.eventType), ds.map((d) => d.leadId), ds.map((d) => d.payload), now, now + p.retryForMs],
          c,
        );
        queued += inserted.length;
        // A later statement sees the rows just inserted: each new delivery waits if its lead
        // has an earlier open one, new or old.
        if (inserted.length) {
          await c.query(
            `UPDATE webhook_deliveries d SET waiting = true
              WHERE d.id = ANY($1::bigint[]) AND d.lead_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = d.endpoint_id AND p.lead_id = d.lead_id AND p.event_id < d.event_id AND p.${OPEN})`,
            [inserted.map((r) => r.id)],
          );
        }
      }
      return queued;
    });
  }

  async claimDeliveries(now: number, opts: ClaimOptions): Promise<ClaimedDelivery[]> {
    if (opts.limit <= 0) return [];
    const endpoints = await this.#rows<{ id: Big; url: string; secret: string }>('SELECT id, url, secret FROM webhook_endpoints WHERE enabled ORDER BY id');
    const out: ClaimedDelivery[] = [];
    let left = opts.limit;
    for (const e of endpoints) {
      const id = num(e.id);
      const take = Math.min(left, opts.maxPerEndpoint - (opts.busy.get(id) ?? 0));
      if (take <= 0) continue;
      // SKIP LOCKED: another instance leasing the same heads at this moment gets others (or
      // none); the lease columns then keep them off every instance until the lease runs out.
      const rows = await this.#rows<DeliveryRow>(
        `UPDATE webhook_deliveries
            SET leased_until = $1, lease_token = $2, attempts = attempts + 1, last_attempt_at = $3
          WHERE id IN (SELECT id FROM webhook_deliveries
                        WHERE endpoint_id = $4 AND ${OPEN} AND NOT waiting
                          AND next_attempt_at <= $3 AND (leased_until IS NULL OR leased_until <= $3)
                        ORDER BY next_attempt_at, id LIMIT $5
                        FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [now + opts.leaseMs, opts.leaseToken, now, id, take],
      );
      for (const r of rows) out.push({ ...deliveryFromRow(r), payload: r.payload, leaseToken: opts.leaseToken, url: e.url, secret: e.secret });
      left -= rows.length;
      if (left === 0) break;
    }
    return out.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  }

  /** Runs `fn` holding the order lock of the delivery's endpoint and lead. */
  async #closing<T>(id: number, fn: (c: pg.PoolClient) => Promise<T>): Promise<T | null> {
    return this.#tx(async (c) => {
      // endpoint_id and lead_id never change: reading them before the lock is safe.
      const [d] = await this.#rows<{ endpoint_id: Big; lead_id: Big | null }>('SELECT endpoint_id, lead_id FROM webhook_deliveries WHERE id = $1', [id], c);
      if (!d) return null;
      if (d.lead_id !== null) await this.#lockLeads(c, [`${d.endpoint_id}:${d.lead_id}`]);
      return fn(c);
    });
  }

  /** A delivery was closed (delivered or dead): the earliest open one of its endpoint and lead becomes a candidate, unless one is already. */
  async #promoteNext(c: pg.PoolClient, d: { endpoint_id: Big; lead_id: Big | null }): Promise<void> {
    if (d.lead_id === null) return;
    await c.query(
      `UPDATE webhook_deliveries SET waiting = false
        WHERE id = (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 AND lead_id = $2 AND ${OPEN} ORDER BY event_id LIMIT 1)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1 AND lead_id = $2 AND ${OPEN} AND NOT waiting)`,
      [d.endpoint_id, d.lead_id],
    );
  }

  async recordDelivered(id: number, now: number, result: AttemptResult): Promise<void> {
    await this.#closing(id, async (c) => {
      // Delivered even if our lease ran out meanwhile (the receiver has it); only the first
      // to record it closes it and lets the lead's next delivery go.
      const [closed] = await this.#rows<{ endpoint_id: Big; lead_id: Big | null }>(
        `UPDATE webhook_deliveries
            SET status = 'delivered', delivered_at = $1, leased_until = NULL, lease_token = NULL,
                last_status_code = $2, last_error = NULL, last_response_excerpt = $3
          WHERE id = $4 AND ${OPEN} RETURNING endpoint_id, lead_id`,
        [now, result.statusCode, result.responseExcerpt, id],
        c,
      );
      if (closed) await this.#promoteNext(c, closed);
    });
  }

  async recordFailed(id: number, leaseToken: string, now: number, result: AttemptResult, nextAttemptAt: number | null): Promise<void> {
    await this.#closing(id, async (c) => {
      const [row] = await this.#rows<{ endpoint_id: Big; lead_id: Big | null; status: string }>(
        `UPDATE webhook_deliveries
            SET status = $1, next_attempt_at = COALESCE($2, next_attempt_at), dead_at = $3, leased_until = NULL, lease_token = NULL,
                last_status_code = $4, last_error = $5, last_response_excerpt = $6
          WHERE id = $7 AND lease_token = $8 AND ${OPEN} RETURNING endpoint_id, lead_id, status`,
        [nextAttemptAt === null ? 'dead' : 'failed', nextAttemptAt, nextAttemptAt === null ? now : null, result.statusCode, result.error, result.responseExcerpt, id, leaseToken],
        c,
      );
      // A dead delivery no longer holds its lead's later ones back.
      if (row?.status === 'dead') await this.#promoteNext(c, row);
    });
  }

  async releaseLease(id: number, leaseToken: string): Promise<void> {
    await this.#pool.query(`UPDATE webhook_deliveries SET leased_until = NULL, lease_token = NULL, attempts = GREATEST(attempts - 1, 0) WHERE id = $1 AND lease_token = $2`, [
      id,
      leaseToken,
    ]);
  }

  async nextDeliveryDue(): Promise<number | null> {
    const [r] = await this.#rows<{ at: Big | null }>(
      `SELECT MIN(GREATEST(next_attempt_at, COALESCE(leased_until, 0))) AS at FROM webhook_deliveries WHERE ${OPEN} AND NOT waiting`,
    );
    return numOrNull(r?.at ?? null);
  }

  async listDeliveries(endpointId: number, q: DeliveryQuery): Promise<WebhookDelivery[]> {
    return (
      await this.#rows<DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND id < $2 AND ($3::text IS NULL OR status = $3) ORDER BY id DESC LIMIT $4`, [
        endpointId,
        q.beforeId ?? Number.MAX_SAFE_INTEGER,
        q.status ?? null,
        q.limit,
      ])
    ).map(deliveryFromRow);
  }

  async getDelivery(id: number): Promise<WebhookDelivery | null> {
    const [r] = await this.#rows<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
    return r ? deliveryFromRow(r) : null;
  }

  async replayDelivery(id: number, now: number, expiresAt: number): Promise<WebhookDelivery | null> {
    return this.#closing(id, async (c) => {
      // It waits if its lead already has another delivery open to this endpoint (it goes
      // next, being the earlier event); otherwise it is due now. SET reads the old status.
      const [r] = await this.#rows<DeliveryRow>(
        `UPDATE webhook_deliveries w
            SET status = 'pending', next_attempt_at = $1, expires_at = $2, leased_until = NULL, lease_token = NULL, delivered_at = NULL, dead_at = NULL,
                waiting = CASE WHEN w.${OPEN} THEN w.waiting
                               ELSE EXISTS (SELECT 1 FROM webhook_deliveries o
                                             WHERE o.endpoint_id = w.endpoint_id AND o.lead_id = w.lead_id AND o.${OPEN} AND o.id <> w.id) END
          WHERE id = $3 RETURNING *`,
        [now, expiresAt, id],
        c,
      );
      return r ? deliveryFromRow(r) : null;
    });
  }

  // ------------------------------------------------------------------ intake

  async createIntakeSource(input: NewIntakeSource, token: { hash: string; prefix: string }, now: number): Promise<IntakeSource> {
    const [row] = await this.#rows<SourceRow>(
      `INSERT INTO intake_sources (name, slug, pool_id, mapping, defaults, dedupe_by, dedupe_window_minutes, token_hash, token_prefix, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4::json, $5::json, $6, $7, $8, $9, $10, $11, $11) RETURNING *`,
      [
        input.name,
        input.slug,
        input.poolId,
        JSON.stringify(input.mapping),
        JSON.stringify(input.defaults),
        input.dedupeBy,
        input.dedupeWindowMinutes,
        token.hash,
        token.prefix,
        input.enabled !== false,
        now,
      ],
    );
    return sourceFromRow(row!);
  }

  async listIntakeSources(): Promise<IntakeSource[]> {
    return (await this.#rows<SourceRow>('SELECT * FROM intake_sources ORDER BY id')).map(sourceFromRow);
  }

  async getIntakeSource(id: number): Promise<IntakeSource | null> {
    const [r] = await this.#rows<SourceRow>('SELECT * FROM intake_sources WHERE id = $1', [id]);
    return r ? sourceFromRow(r) : null;
  }

  async getIntakeSourceBySlug(slug: string): Promise<IntakeSource | null> {
    const [r] = await this.#rows<SourceRow>('SELECT * FROM intake_sources WHERE slug = $1', [slug]);
    return r ? sourceFromRow(r) : null;
  }

  async updateIntakeSource(id: number, patch: IntakeSourcePatch, now: number): Promise<IntakeSource | null> {
    return this.#tx(async (c) => {
      const [r] = await this.#rows<SourceRow>('SELECT * FROM intake_sources WHERE id = $1 FOR UPDATE', [id], c);
      if (!r) return null;
      const b = sourceFromRow(r);
      const [row] = await this.#rows<SourceRow>(
        `UPDATE intake_sources SET name = $1, slug = $2, pool_id = $3, mapping = $4::json, defaults = $5::json, dedupe_by = $6, dedupe_window_minutes = $7, enabled = $8, updated_at = $9
          WHERE id = $10 RETURNING *`,
        [
          patch.name ?? b.name,
          patch.slug ?? b.slug,
          patch.poolId !== undefined ? patch.poolId : b.poolId,
          JSON.stringify(patch.mapping ?? b.mapping),
          JSON.stringify(patch.defaults ?? b.defaults),
          patch.dedupeBy ?? b.dedupeBy,
          patch.dedupeWindowMinutes ?? b.dedupeWindowMinutes,
          patch.enabled ?? b.enabled,
          now,
          id,
        ],
        c,
      );
      return sourceFromRow(row!);
    });
  }

  async setIntakeToken(id: number, token: { hash: string; prefix: string }, now: number): Promise<IntakeSource | null> {
    const [r] = await this.#rows<SourceRow>('UPDATE intake_sources SET token_hash = $1, token_prefix = $2, updated_at = $3 WHERE id = $4 RETURNING *', [token.hash, token.prefix, now, id]);
    return r ? sourceFromRow(r) : null;
  }

  async deleteIntakeSource(id: number): Promise<boolean> {
    return ((await this.#pool.query('DELETE FROM intake_sources WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async intakeLead(match: DedupeMatch, insert: () => Promise<InsertResult>): Promise<{ duplicateOf: number } | { inserted: InsertResult }> {
    if (match.key === null) return { inserted: await insert() };
    const key = `${match.by}:${match.key}`;
    return this.#intakeGate.run(async () => {
      // A session lock on the key, held across the check and the insert (which commits on
      // its own connection): the same form posted at once to two instances makes one lead.
      const c = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        await c.query(`SELECT pg_advisory_lock(${INTAKE_LOCK}, hashtext($1))`, [key]);
        try {
          const [found] = await this.#rows<{ id: Big }>(
            match.by === 'email'
              ? 'SELECT id FROM leads WHERE contact_email = $1 AND created_at >= $2 ORDER BY created_at DESC LIMIT 1'
              : 'SELECT id FROM leads WHERE external_id = $1 AND created_at >= $2 LIMIT 1',
            [match.key, match.since],
            c,
          );
          if (found) return { duplicateOf: num(found.id) };
          return { inserted: await insert() };
        } finally {
          await c.query(`SELECT pg_advisory_unlock(${INTAKE_LOCK}, hashtext($1))`, [key]).catch((err: Error) => (broken = err));
        }
      } finally {
        // A connection whose unlock failed may still hold the lock: close it rather than reuse it.
        c.release(broken);
      }
    });
  }

  async logIntake(e: NewIntakeLogEntry): Promise<IntakeLogEntry> {
    const [r] = await this.#rows<LogRow>(
      `INSERT INTO intake_log (source_id, received_at, status, http_status, lead_id, problems, content_type, raw_excerpt) VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8) RETURNING *`,
      [e.sourceId, e.receivedAt, e.status, e.httpStatus, e.leadId, e.problems === null ? null : JSON.stringify(e.problems), e.contentType, e.rawExcerpt],
    );
    return logFromRow(r!);
  }

  async intakeLog(sourceId: number, q: { limit: number; beforeId?: number; status?: IntakeStatus }): Promise<IntakeLogEntry[]> {
    return (
      await this.#rows<LogRow>(`SELECT * FROM intake_log WHERE source_id = $1 AND id < $2 AND ($3::text IS NULL OR status = $3) ORDER BY id DESC LIMIT $4`, [
        sourceId,
        q.beforeId ?? Number.MAX_SAFE_INTEGER,
        q.status ?? null,
        q.limit,
      ])
    ).map(logFromRow);
  }

  // ------------------------------------------------------------------ exports

  async *leadExportPages(range: MetricsRange, pageSize: number): AsyncIterable<LeadExportRow[]> {
    // Keyset on the primary key, read in id windows: each query is a range scan of at most
    // `pageSize` ids, so only one page is ever in memory and the millionth row costs what the
    // first did. (A plain "id > last ORDER BY id LIMIT n" let the planner pick a full scan
    // and sort per page while the table's statistics lagged behind a bulk load: 0.6 s per
    // page on 200k leads, against 55 ms for the window.)
    const [bounds] = await this.#rows<{ max: Big | null }>('SELECT MAX(id) AS max FROM leads');
    const last = numOrNull(bounds?.max ?? null) ?? 0;
    let after = 0;
    let page: LeadExportRow[] = [];
    while (after < last) {
      const need = pageSize - page.length;
      const rows = await this.#rows<LeadRow & { pool_name: string; owner_email: string | null; owner_name: string | null }>(
        `SELECT l.*, p.name AS pool_name, u.email AS owner_email, u.name AS owner_name
           FROM leads l JOIN pools p ON p.id = l.pool_id LEFT JOIN users u ON u.id = l.owner_id
          WHERE l.id > $1 AND l.id <= $2 AND l.created_at >= $3 AND l.created_at < $4 AND ($5::bigint IS NULL OR l.pool_id = $5)
          ORDER BY l.id LIMIT $6`,
        [after, after + pageSize, range.from, range.to, range.poolId ?? null, need],
      );
      after = rows.length === need ? num(rows[rows.length - 1]!.id) : after + pageSize;
      for (const r of rows) page.push({ lead: leadFromRow(r), poolName: r.pool_name, ownerEmail: r.owner_email, ownerName: r.owner_name });
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length) yield page;
  }

  // ------------------------------------------------------------------ retention

  async pruneBefore(cutoff: number, limit: number): Promise<PruneCounts> {
    const count = async (text: string) => (await this.#pool.query(text, [cutoff, limit])).rowCount ?? 0;
    const delivered = await count(`DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < $1 LIMIT $2)`);
    const dead = await count(`DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'dead' AND dead_at < $1 LIMIT $2)`);
    const intakeLog = await count(`DELETE FROM intake_log WHERE id IN (SELECT id FROM intake_log WHERE received_at < $1 LIMIT $2)`);
    return { deliveries: delivered + dead, intakeLog };
  }
}

/** At most `size` callers at once; the rest wait their turn. */
class Gate {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
