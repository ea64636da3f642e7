import pg from 'pg';
import { Kysely, PostgresDialect, type Compilable } from 'kysely';
import { AppError, validationError } from '../../core/errors.js';
import { decideClaimById, alreadyClaimed, checkMayWork, lockExpiry, type ClaimTarget } from '../../core/claims.js';
import { checkClaimRules, checkDetailView, checkSkip, RuleRefusal, type PoolRules, type RepClaimState } from '../../core/fair-play.js';
import { BANDS, emptyMix, industryTotals, percentileNumerators, type PoolMix } from '../../core/pool-mix.js';
import { AGE_BUCKETS_MIN, ageBuckets, type MetricsFacts } from '../../core/metrics.js';
import { claimFactFrom, rollupRowFrom, BANDS10, type ClaimFactRow } from '../rollup-rows.js';
import { DAY_MS, edgeWindows, factsFromRollup, negated, rollupOfClaims, splitRange, sumRefusals, type ClaimFact, type RollupSlice } from '../../core/metrics-rollup.js';
import { DEFAULT_HOT_THRESHOLD, startOfUtcDay, startOfUtcWeek, withLead, refusalLocation, withoutDiversity } from '../store-common.js';
import { repProfile, tierAccessDecision } from '../store-common.js';
import { leadForRouting } from '../../core/lead-routing.js';
import { escalationRecord, planEscalation } from '../../core/escalation-plan.js';
import {
  AccountIndex,
  conditionMatches,
  type Condition,
  EMPTY_ROTATION,
  escalationDueAt,
  normaliseCompany,
  pickRep,
  routeLead,
  type DecisionTrace,
  type LeadForRouting,
  type NamedAccount,
  type RepProfile,
  type RotationState,
  type RuleSet,
  type WorkingHours,
} from '../../core/routing/index.js';
import { checkWorkTransition, RELEASABLE_STATUSES, ACTIVITY_STATUSES, statusAfterActivity, TERMINAL_STATUSES } from '../../core/lifecycle.js';
import { companyKey, type BrowseQuery } from '../../core/browse.js';
import type { LeadInput } from '../../core/lead-input.js';
import { DEFAULT_LOCK_TTL_SECONDS, DEFAULT_PREVIEW_FIELDS } from '../../core/types.js';
import type { ActivityType, Actor, ApiKeyScope, EventType, Lead, LeadEvent, Pool, User, WorkStatus } from '../../core/types.js';
import type {
  ApiKey,
  InsertOptions,
  InsertResult,
  MetricsRange,
  NewAccount,
  NewPool,
  NewUser,
  PoolPatch,
  PoolStats,
  RepPatch,
  RepSettings,
  RoutingVersion,
  SkipReason,
  Store,
  UserActor,
} from '../store.js';
import { apiKeyFromRow, eventActorColumns, eventFromRow, leadFromRow, poolFromRow, userFromRow } from '../rows.js';
import type { ApiKeyRow, EventRow, LeadRow, PoolRow, UserRow } from '../rows.js';
import type { Database } from '../db.js';
import { buildBrowseQuery, searchNeedsIndex } from '../browse-query.js';
import { migratePostgres } from './migrations.js';
import { Batcher } from './batcher.js';

type Held = { lead: Lead; events: LeadEvent[] };
type Q = pg.Pool | pg.PoolClient;

export interface PostgresStoreOptions {
  /** postgres://user@host:port/db */
  connectionString: string;
  /** Connections in this instance's pool. Default: LEADPOOL_PG_POOL_SIZE, else 10; N instances open N × this many. */
  poolSize?: number;
  /** The NOTIFY channel that wakes the live hubs of every instance. Default 'leadpool_events'. */
  channel?: string;
  /**
   * Claim-next statements of one pool this instance runs at once; calls beyond wait and then
   * share one statement. Default: LEADPOOL_PG_NEXT_IN_FLIGHT, else 2.
   */
  nextInFlight?: number;
}

/** The channel every instance LISTENs on; a payload-less NOTIFY means "new events". */
const DEFAULT_CHANNEL = 'leadpool_events';
/** At most one NOTIFY per this many ms per instance: the wake-up is a hint, the tail reads the rows. */
const NOTIFY_DEBOUNCE_MS = 15;

/** Parses pg's error for a unique violation on a named index. */
const isUniqueViolation = (err: unknown, index?: string): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505' && (index === undefined || (err as { constraint?: string }).constraint === index);

/**
 * The store for several Leadpool instances on one PostgreSQL database. Every guarantee that
 * SQLite gets from its single writer is made here by the statements themselves:
 *
 * - claim by id and claim-next are ONE statement each (a CTE: pick, conditional UPDATE,
 *   INSERT the event), so the row lock, the state change and the history commit together;
 *   one statement beat BEGIN/UPDATE/INSERT/COMMIT by 1.5× here (bench/ANCHORS.md);
 * - claim-next and the lock-expiry sweep pick rows `FOR UPDATE SKIP LOCKED`, so concurrent
 *   reps (and concurrent timer sweeps of several instances) never take or fire one row twice;
 * - the other changes lock their lead row `FOR UPDATE` first, then decide in the core, then
 *   write: the same read-decide-write SQLite does under its write lock.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly qb: Kysely<Database>;
  readonly #channel: string;
  readonly #url: string;
  #notifyTimer: NodeJS.Timeout | null = null;
  #listener: pg.Client | null = null;
  #closed = false;

  constructor(opts: PostgresStoreOptions) {
    this.pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.poolSize ?? (Number(process.env.LEADPOOL_PG_POOL_SIZE) || 10) });
    // An idle connection that the server drops must not crash the process.
    this.pool.on('error', () => undefined);
    this.qb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.pool }) });
    this.#channel = opts.channel ?? DEFAULT_CHANNEL;
    this.#url = opts.connectionString;
    this.#nextBatcher = new Batcher({
      maxInFlight: Math.max(1, opts.nextInFlight ?? (Number(process.env.LEADPOOL_PG_NEXT_IN_FLIGHT) || 2)),
      maxBatch: NEXT_BATCH_MAX,
      fits: (batch, r) => !batch.some((b) => b.actor.userId === r.actor.userId),
      run: (poolId, batch) => this.#claimNextBatch(poolId, batch),
    });
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
    // Learn where the history is settled now, so the first tail starts from a safe point.
    await this.lastEventId();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#notifyTimer) clearTimeout(this.#notifyTimer);
    if (this.#listener) await this.#listener.end().catch(() => undefined);
    await this.qb.destroy(); // ends the pg pool too
  }

  async #tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
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

  async #rows<R>(q: Q, text: string, values: unknown[] = []): Promise<R[]> {
    return (await q.query(text, values)).rows as R[];
  }

  async #one<R>(q: Q, text: string, values: unknown[] = []): Promise<R | undefined> {
    return (await q.query(text, values)).rows[0] as R | undefined;
  }

  /**
   * The hot statements run as named prepared statements: parsed and planned once per
   * connection. Planning the claim-next CTE took 2.5 ms of its 3.4 ms here (EXPLAIN ANALYZE,
   * 50k-lead queue), more than executing it.
   */
  async #prepared<R>(name: string, text: string, values: unknown[]): Promise<R | undefined> {
    return (await this.#preparedRows<R>(name, text, values))[0];
  }

  async #preparedRows<R>(name: string, text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query({ name, text, values })).rows as R[];
    } catch (err) {
      // "cached plan must not change result type": a newer instance migrated the table under
      // this connection's prepared statement. The statement failed before doing anything;
      // run it unprepared (this connection keeps paying that until it is recycled).
      if ((err as { code?: string }).code === '0A000') return (await this.pool.query(text, values)).rows as R[];
      throw err;
    }
  }

  // ------------------------------------------------------------------ live wake-ups

  /**
   * Wakes `onWake` whenever any instance wrote events (LISTEN on a dedicated connection).
   * The payload carries nothing: the hub reads the rows, so a lost or merged NOTIFY costs
   * at most the hub's poll interval. Returns the unlisten function.
   */
  async listen(onWake: () => void): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: this.#url });
    client.on('error', () => undefined);
    await client.connect();
    client.on('notification', (n) => {
      if (n.channel === this.#channel) onWake();
    });
    await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
    this.#listener = client;
    return async () => {
      if (this.#listener === client) this.#listener = null;
      await client.end().catch(() => undefined);
    };
  }

  /** After a commit that wrote events: one NOTIFY per few ms, outside the write's transaction. */
  #wrote(): void {
    this.#lastEventIdAt = null; // this instance's own writes are seen at once
    if (this.#notifyTimer || this.#closed) return;
    this.#notifyTimer = setTimeout(() => {
      this.#notifyTimer = null;
      if (this.#closed) return;
      this.pool.query(`SELECT pg_notify($1, '')`, [this.#channel]).catch(() => undefined);
    }, NOTIFY_DEBOUNCE_MS);
    this.#notifyTimer.unref();
  }

  // ------------------------------------------------------------------ events

  async #event(
    q: Q,
    type: EventType,
    actor: Actor,
    now: number,
    e: { leadId?: number | null; poolId?: number | null; reason?: string | null; data?: Record<string, unknown> },
  ): Promise<LeadEvent> {
    const a = eventActorColumns(actor);
    const row = await this.#one<EventRow>(
      q,
      `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [type, now, e.leadId ?? null, e.poolId ?? null, a.actor_kind, a.actor_id, a.actor_name, e.reason ?? null, JSON.stringify(e.data ?? {})],
    );
    return eventFromRow(row!);
  }

  async leadEvents(leadId: number): Promise<LeadEvent[]> {
    return (await this.#rows<EventRow>(this.pool, 'SELECT * FROM events WHERE lead_id = $1 ORDER BY id', [leadId])).map(eventFromRow);
  }

  /*
   * Why the tail cannot simply read "id > last" here, and what it does instead.
   *
   * A sequence hands out ids when transactions ask, and they commit in another order: while
   * the transaction holding id 41 is still running, 42 may already be visible. A reader that
   * moved its position to 42 would never see 41. SQLite has one writer, so it cannot happen
   * there. Options were: a single-row counter taken in every transaction (serialises every
   * claim behind one row lock: gone are the 7,400 claims/s), an advisory lock held to commit
   * (the same), a time-based safety window (guesses), or this gap check, which is exact:
   *
   * 1. Every transaction owns its xid before it takes an event id (leadpool_event_id()).
   * 2. A reader that sees a hole g below a visible id b knows the writer of g took g before
   *    b was taken, hence got its xid before this reader's snapshot: that xid is below the
   *    snapshot's xmax. If the snapshot has no running transactions at all (xmin = xmax) the
   *    hole is dead (rolled back) now. Otherwise the reader notes the hole with that xmax and
   *    stops just before it; once a later snapshot's xmin has passed the noted xmax, every
   *    transaction that could fill the hole has ended, and whatever is not visible then never
   *    will be (a rolled-back claim, a failed batch).
   * 3. `#settled` is the id up to which every hole is known dead; reads below it (a client
   *    resuming its stream from an older id) need no checks.
   *
   * The cost is one extra pair of numbers per read, and a wait of one short transaction when
   * a read races a commit. A NOTIFY after each commit wakes the hubs of all instances.
   */
  #settled = 0;
  readonly #holes = new Map<number, bigint>();

  async eventsAfter(afterId: number, limit: number): Promise<LeadEvent[]> {
    for (let attempt = 0; ; attempt++) {
      const { events, blocked } = await this.#readSettled(afterId, limit);
      // A hole is nearly always a transaction a few ms from its commit: wait briefly for it
      // (1+2+4+8+16 ms at most) instead of leaving the events behind it to the next poll.
      if (!blocked || attempt >= 5) return events;
      await new Promise((r) => setTimeout(r, 2 ** attempt));
    }
  }

  async #readSettled(afterId: number, limit: number): Promise<{ events: LeadEvent[]; blocked: boolean }> {
    // Only a position settled BEFORE this read's snapshot may excuse a hole in it: #settledMax
    // can settle ids while this query runs, for snapshots taken after it, and an id committed
    // between this snapshot and that moment would otherwise be skipped (seen once in the
    // multi-instance test as a live event lost for good).
    const settled = this.#settled;
    const rows = await this.#rows<EventRow & { snap_xmin: string; snap_xmax: string }>(
      this.pool,
      `SELECT s.snap_xmin, s.snap_xmax, e.*
         FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS snap_xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS snap_xmax) s
         LEFT JOIN LATERAL (SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2) e ON true`,
      [afterId, limit],
    );
    const first = rows[0]!;
    const xmin = BigInt(first.snap_xmin);
    const xmax = BigInt(first.snap_xmax);
    const out: LeadEvent[] = [];
    let expected = afterId + 1;
    let blocked = false;
    for (const r of rows) {
      if (r.id === null) break; // the LEFT JOIN's empty side: no events after afterId
      const id = Number(r.id);
      if (id > expected && id - 1 > settled) {
        const hole = Math.max(expected, settled + 1);
        if (!this.#holeIsDead(hole, xmin, xmax)) {
          blocked = true;
          break;
        }
      }
      out.push(eventFromRow(r));
      expected = id + 1;
    }
    if (afterId <= settled && out.length) this.#settled = Math.max(this.#settled, out[out.length - 1]!.id);
    for (const h of this.#holes.keys()) if (h <= this.#settled) this.#holes.delete(h);
    return { events: out, blocked };
  }

  #holeIsDead(hole: number, xmin: bigint, xmax: bigint): boolean {
    if (xmin === xmax) return true; // nothing is running: nothing can fill it
    const noted = this.#holes.get(hole);
    if (noted === undefined) {
      this.#holes.set(hole, xmax);
      return false;
    }
    return xmin >= noted;
  }

  #lastEventId: Promise<number> | null = null;

  /**
   * The newest event id below which every event is visible or dead: where a fresh tail may
   * start. Concurrent callers share one look (the hub asks on every write when nobody listens).
   */
  lastEventId(): Promise<number> {
    // A position a few hundred ms old is as good (the tail goes on from it; nothing is
    // skipped), and the hub asks after every write while nobody listens: at 1,000 claims/s
    // each instance would otherwise add hundreds of queries a second.
    if (this.#lastEventIdAt !== null && Date.now() - this.#lastEventIdAt.at < 250) return Promise.resolve(this.#lastEventIdAt.id);
    this.#lastEventId ??= this.#settledMax()
      .then((id) => {
        this.#lastEventIdAt = { at: Date.now(), id };
        return id;
      })
      .finally(() => (this.#lastEventId = null));
    return this.#lastEventId;
  }

  #lastEventIdAt: { at: number; id: number } | null = null;

  async #settledMax(): Promise<number> {
    const r = (await this.#one<{ id: string; snap_xmin: string; snap_xmax: string }>(
      this.pool,
      `SELECT COALESCE(MAX(id), 0)::text AS id, pg_snapshot_xmin(pg_current_snapshot())::text AS snap_xmin,
              pg_snapshot_xmax(pg_current_snapshot())::text AS snap_xmax FROM events`,
    ))!;
    const id = Number(r.id);
    if (id <= this.#settled) return this.#settled;
    // A transaction running now may hold a hole below the max; once xmin has passed the
    // xmax seen with the max, all of them have ended.
    const horizon = BigInt(r.snap_xmax);
    let xmin = BigInt(r.snap_xmin);
    for (let i = 0; xmin < horizon && i < 200; i++) {
      await new Promise((res) => setTimeout(res, 5));
      xmin = BigInt((await this.#one<{ x: string }>(this.pool, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x`))!.x);
    }
    if (xmin < horizon) {
      // A transaction has been open for over a second (not one of the store's): start before
      // the first hole in the newest ids instead, and let eventsAfter settle it.
      const hole = await this.#one<{ g: string | null }>(
        this.pool,
        `SELECT MIN(g)::text AS g FROM generate_series(GREATEST($1::bigint - 10000, $2::bigint + 1), $1::bigint) g WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = g)`,
        [id, this.#settled],
      );
      if (hole?.g != null) return Number(hole.g) - 1;
    }
    this.#settled = Math.max(this.#settled, id);
    return id;
  }

  // ------------------------------------------------------------------ users

  async createUser(input: NewUser, actor: Actor, now: number): Promise<User> {
    const user = await this.#tx(async (c) => {
      const row = await this.#one<UserRow>(
        c,
        `INSERT INTO users (email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ((lower(email))) DO NOTHING RETURNING *`,
        [input.email, input.name, input.role, input.passwordHash, now],
      );
      if (!row) throw new AppError('DUPLICATE', `A user with email ${input.email} already exists.`, { field: 'email' });
      const user = userFromRow(row);
      await this.#event(c, 'user.created', actor, now, { data: { userId: user.id, email: user.email, role: user.role } });
      return user;
    });
    this.#wrote();
    return user;
  }

  async getUser(id: number): Promise<User | null> {
    const r = await this.#one<UserRow>(this.pool, 'SELECT * FROM users WHERE id = $1', [id]);
    return r ? userFromRow(r) : null;
  }

  async findUserByEmail(email: string): Promise<(User & { passwordHash: string | null }) | null> {
    const r = await this.#one<UserRow>(this.pool, 'SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
    return r ? { ...userFromRow(r), passwordHash: r.password_hash } : null;
  }

  async listUsers(): Promise<User[]> {
    return (await this.#rows<UserRow>(this.pool, 'SELECT * FROM users ORDER BY id')).map(userFromRow);
  }

  async countUsers(): Promise<number> {
    return (await this.#one<{ n: number }>(this.pool, 'SELECT COUNT(*)::int AS n FROM users'))!.n;
  }

  async setUserPreferences(userId: number, prefs: { locale?: string | null; timeZone?: string | null }): Promise<User> {
    // COALESCE cannot tell "leave it" from "clear it": the flags say which fields were sent.
    const r = await this.#one<UserRow>(
      this.pool,
      `UPDATE users SET locale = CASE WHEN $2 THEN $3 ELSE locale END, time_zone = CASE WHEN $4 THEN $5 ELSE time_zone END WHERE id = $1 RETURNING *`,
      [userId, prefs.locale !== undefined, prefs.locale ?? null, prefs.timeZone !== undefined, prefs.timeZone ?? null],
    );
    if (!r) throw new AppError('USER_NOT_FOUND', `There is no user ${userId}.`, { userId });
    return userFromRow(r);
  }

  async createSession(s: { tokenHash: string; userId: number; expiresAt: number }, now: number): Promise<void> {
    await this.#tx(async (c) => {
      await c.query('DELETE FROM sessions WHERE expires_at <= $1', [now]);
      await c.query('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [s.tokenHash, s.userId, now, s.expiresAt]);
    });
  }

  async findSession(tokenHash: string, now: number): Promise<(User & { expiresAt: number }) | null> {
    const r = await this.#one<UserRow & { expires_at: string }>(
      this.pool,
      'SELECT u.*, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2',
      [tokenHash, now],
    );
    return r ? { ...userFromRow(r), expiresAt: Number(r.expires_at) } : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async createApiKey(key: { name: string; scope: ApiKeyScope; keyHash: string; prefix: string }, actor: Actor, now: number): Promise<ApiKey> {
    const k = await this.#tx(async (c) => {
      const row = await this.#one<ApiKeyRow>(c, 'INSERT INTO api_keys (name, scope, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
        key.name,
        key.scope,
        key.keyHash,
        key.prefix,
        now,
      ]);
      const k = apiKeyFromRow(row!);
      await this.#event(c, 'api_key.created', actor, now, { data: { keyId: k.id, name: k.name, scope: k.scope } });
      return k;
    });
    this.#wrote();
    return k;
  }

  async findApiKey(keyHash: string): Promise<ApiKey | null> {
    const r = await this.#one<ApiKeyRow>(this.pool, 'SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [keyHash]);
    return r ? apiKeyFromRow(r) : null;
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.#rows<ApiKeyRow>(this.pool, 'SELECT * FROM api_keys ORDER BY id')).map(apiKeyFromRow);
  }

  async revokeApiKey(id: number, actor: Actor, now: number): Promise<ApiKey | null> {
    const k = await this.#tx(async (c) => {
      const row = await this.#one<ApiKeyRow>(c, 'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING *', [now, id]);
      if (!row) return null;
      await this.#event(c, 'api_key.revoked', actor, now, { data: { keyId: id } });
      return apiKeyFromRow(row);
    });
    if (k) this.#wrote();
    return k;
  }

  async recordLoginFailure(keys: string[], now: number): Promise<void> {
    await this.#tx(async (c) => {
      // Old failures only slow the count down; prune them as we go.
      await c.query('DELETE FROM login_failures WHERE at < $1', [now - 24 * 3600_000]);
      if (keys.length) await c.query('INSERT INTO login_failures (key, at) SELECT k, $2 FROM unnest($1::text[]) AS k', [keys, now]);
    });
  }

  async countLoginFailures(key: string, since: number): Promise<number> {
    return (await this.#one<{ n: number }>(this.pool, 'SELECT COUNT(*)::int AS n FROM login_failures WHERE key = $1 AND at > $2', [key, since]))!.n;
  }

  async clearLoginFailures(key: string): Promise<void> {
    await this.pool.query('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  // ------------------------------------------------------------------ pools

  async listPools(): Promise<Pool[]> {
    return (await this.#rows<PoolRow>(this.pool, 'SELECT * FROM pools ORDER BY id')).map(poolFromRow);
  }

  async #pool(q: Q, id: number, lock = false): Promise<Pool | null> {
    const r = await this.#one<PoolRow>(q, `SELECT * FROM pools WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r ? poolFromRow(r) : null;
  }

  async getPool(id: number): Promise<Pool | null> {
    return this.#pool(this.pool, id);
  }

  async getPoolByName(name: string): Promise<Pool | null> {
    const r = await this.#one<PoolRow>(this.pool, 'SELECT * FROM pools WHERE lower(name) = lower($1)', [name]);
    return r ? poolFromRow(r) : null;
  }

  /** Pool changes are rare and touch "the default pool" across rows: one at a time, database-wide. */
  async #poolWriteLock(c: pg.PoolClient): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock(7414505002)');
  }

  async createPool(input: NewPool, actor: Actor, now: number): Promise<{ pool: Pool; events: LeadEvent[] }> {
    const out = await this.#tx(async (c) => {
      await this.#poolWriteLock(c);
      if (await this.#one(c, 'SELECT 1 FROM pools WHERE lower(name) = lower($1)', [input.name])) {
        throw validationError([{ field: 'name', problem: `a pool named "${input.name}" already exists` }]);
      }
      const first = !(await this.#one(c, 'SELECT 1 FROM pools LIMIT 1'));
      const isDefault = input.isDefault === true || first;
      if (isDefault) await c.query('UPDATE pools SET is_default = false WHERE is_default');
      const row = await this.#one<PoolRow>(
        c,
        `INSERT INTO pools (name, mode, lock_ttl_seconds, preview_fields, rules, is_default, created_at, updated_at, escalation, access)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [
          input.name,
          input.mode,
          input.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
          JSON.stringify(input.previewFields ?? DEFAULT_PREVIEW_FIELDS),
          input.rules ? JSON.stringify(input.rules) : null,
          isDefault,
          now,
          now,
          input.escalation ? JSON.stringify(input.escalation) : null,
          input.access ? JSON.stringify(input.access) : null,
        ],
      );
      const pool = poolFromRow(row!);
      const ev = await this.#event(c, 'pool.created', actor, now, { poolId: pool.id, data: { ...input, isDefault } });
      return { pool, events: [ev] };
    });
    this.#wrote();
    return out;
  }

  async updatePool(id: number, patch: PoolPatch, actor: Actor, now: number): Promise<{ pool: Pool; events: LeadEvent[] }> {
    const out = await this.#tx(async (c) => {
      await this.#poolWriteLock(c);
      const before = await this.#pool(c, id, true);
      if (!before) throw new AppError('POOL_NOT_FOUND', `There is no pool ${id}.`, { poolId: id });
      if (
        patch.name !== undefined &&
        patch.name.toLowerCase() !== before.name.toLowerCase() &&
        (await this.#one(c, 'SELECT 1 FROM pools WHERE lower(name) = lower($1)', [patch.name]))
      ) {
        throw validationError([{ field: 'name', problem: `a pool named "${patch.name}" already exists` }]);
      }
      if (patch.isDefault) await c.query('UPDATE pools SET is_default = false WHERE is_default AND id <> $1', [id]);
      const row = await this.#one<PoolRow>(
        c,
        `UPDATE pools SET name = $1, mode = $2, lock_ttl_seconds = $3, preview_fields = $4, is_default = $5, updated_at = $6, rules = $8, escalation = $9, access = $10
          WHERE id = $7 RETURNING *`,
        [
          patch.name ?? before.name,
          patch.mode ?? before.mode,
          patch.lockTtlSeconds ?? before.lockTtlSeconds,
          JSON.stringify(patch.previewFields ?? before.previewFields),
          patch.isDefault ? true : before.isDefault,
          now,
          id,
          patch.rules !== undefined ? (patch.rules === null ? null : JSON.stringify(patch.rules)) : before.rules === null ? null : JSON.stringify(before.rules),
          jsonPatch(patch.escalation, before.escalation),
          jsonPatch(patch.access, before.access),
        ],
      );
      const pool = poolFromRow(row!);
      const changes: Record<string, unknown> = {};
      for (const k of Object.keys(patch) as (keyof PoolPatch)[]) changes[k] = { from: before[k], to: pool[k] };
      const ev = await this.#event(c, 'pool.updated', actor, now, { poolId: id, data: { changes } });
      return { pool, events: [ev] };
    });
    this.#wrote();
    return out;
  }

  async poolStats(): Promise<PoolStats[]> {
    const rows = await this.#rows<{ pool_id: string; available: number; oldest: string | null }>(
      this.pool,
      `SELECT p.id AS pool_id,
              (SELECT COUNT(*)::int FROM leads l WHERE l.pool_id = p.id AND l.status = 'available') AS available,
              (SELECT MIN(created_at) FROM leads l WHERE l.pool_id = p.id AND l.status = 'available') AS oldest
         FROM pools p ORDER BY p.id`,
    );
    return rows.map((r) => ({ poolId: Number(r.pool_id), available: r.available, oldestAvailableAt: r.oldest === null ? null : Number(r.oldest) }));
  }

  async facets(poolId: number): Promise<Record<'industry' | 'companySize' | 'source' | 'region', string[]>> {
    // COLLATE "C": the byte order SQLite's ORDER BY gives.
    const col = async (c: string) =>
      (await this.#rows<{ v: string }>(this.pool, `SELECT DISTINCT ${c} COLLATE "C" AS v FROM leads WHERE pool_id = $1 ORDER BY 1`, [poolId])).map((r) => r.v);
    const [industry, companySize, source, region] = await Promise.all([col('industry'), col('company_size'), col('source'), col('region')]);
    return { industry, companySize, source, region };
  }

  // ------------------------------------------------------------------ leads

  async insertLeads(inputs: LeadInput[], defaultPoolId: number, actor: Actor, now: number, opts: InsertOptions = {}): Promise<InsertResult> {
    const batch = opts.batch ?? inputs.length > 1;
    const out = await this.#tx(async (c) => {
      const pools = new Map((await this.#rows<PoolRow>(c, 'SELECT * FROM pools')).map((r) => [Number(r.id), poolFromRow(r)]));
      const problems = inputs.flatMap((l, i) =>
        l.poolId !== undefined && !pools.has(l.poolId) ? [{ field: batch ? `leads[${i}].poolId` : 'poolId', problem: `there is no pool ${l.poolId}` }] : [],
      );
      if (problems.length) throw validationError(problems);

      // Within the batch the first of a repeated externalId is the one inserted; one stored
      // already comes back as existing: ON CONFLICT below skips it and it is read back. Only a
      // batch that routing rules decide looks them up first, so that a lead already stored
      // cannot advance a rotation or count as a push. (Skipping that lookup otherwise saves
      // an index probe per lead of a bulk ingest.)
      const externalIds = [...new Set(inputs.flatMap((l) => (l.externalId !== undefined ? [l.externalId] : [])))];
      const routingConfig = inputs.some((l) => l.poolId === undefined) ? await this.#routingConfig(c) : null;
      const routed = routingConfig !== null && routingConfig.ruleSet.rules.length > 0;
      const storedBefore = routed && externalIds.length
        ? new Set((await this.#rows<{ external_id: string }>(c, 'SELECT external_id FROM leads WHERE external_id = ANY($1::text[])', [externalIds])).map((r) => r.external_id))
        : new Set<string>();
      const firstOf = new Set<string>();
      const fresh: LeadInput[] = [];
      const freshOf: number[] = []; // per input: its index in fresh, or -1
      for (const l of inputs) {
        if (l.externalId !== undefined && (firstOf.has(l.externalId) || storedBefore.has(l.externalId))) {
          freshOf.push(-1);
          continue;
        }
        if (l.externalId !== undefined) firstOf.add(l.externalId);
        freshOf.push(fresh.length);
        fresh.push(l);
      }

      // Routing, for leads that came without a poolId: decided here, in the core, one lead at
      // a time, under the database-wide routing lock, so every instance advances the same
      // rotation and sees the pushes of the others (round robin stays one rotation).
      const plans: RowPlan[] = [];
      let routing: { config: RoutingConfig; reps: RepProfile[]; rotations: Map<string, RotationState>; changed: Set<string> } | null = null;
      for (const l of fresh) {
        const plan: RowPlan = { poolId: l.poolId ?? defaultPoolId, priority: l.priority ?? 0, status: 'available', ownerId: null, lockExpiresAt: null, trace: null, via: l.poolId !== undefined ? 'poolId' : 'default_pool' };
        if (l.poolId === undefined) {
          if (routing === null) {
            const config = routingConfig!;
            if (config.ruleSet.rules.length > 0) {
              await c.query('SELECT pg_advisory_xact_lock($1::int, 0)', [ROUTING_LOCK_SPACE]);
              routing = { config, reps: await this.#repProfiles(c, now, null), rotations: await this.#allRotations(c), changed: new Set() };
            } else routing = { config, reps: [], rotations: new Map(), changed: new Set() };
          }
          const r = routing;
          if (r.config.ruleSet.rules.length > 0) {
            const res = routeLead(leadForRouting({ ...l, contact: { name: l.contact.name, email: l.contact.email ?? null, phone: l.contact.phone ?? null }, attributes: l.attributes ?? {} }), {
              ruleSet: r.config.ruleSet,
              accounts: r.config.accounts,
              reps: r.reps,
              rotation: (team) => r.rotations.get(team) ?? EMPTY_ROTATION,
              now,
            });
            for (const [team, state] of Object.entries(res.rotationUpdates)) {
              r.rotations.set(team, state);
              r.changed.add(team);
            }
            plan.trace = res.trace;
            plan.via = 'routing';
            const o = res.trace.outcome;
            if (o.kind === 'pushed') {
              const action = r.config.ruleSet.rules.find((x) => x.id === res.trace.matchedRuleId)?.then;
              plan.poolId = action && 'fallbackPoolId' in action ? action.fallbackPoolId : defaultPoolId;
              plan.status = 'assigned';
              plan.ownerId = o.userId;
              const pool = pools.get(plan.poolId);
              plan.lockExpiresAt = pool ? lockExpiry(pool, now) : null;
              countPush(r.reps, o.userId);
            } else if (o.kind === 'review') {
              plan.poolId = o.poolId;
              plan.status = 'review';
            } else {
              plan.poolId = o.poolId;
              plan.priority = l.priority ?? o.priority;
            }
          }
        }
        plans.push(plan);
      }
      if (routing) for (const team of routing.changed) await this.#saveRotation(c, team, routing.rotations.get(team)!, now);

      // One multi-row INSERT from arrays: 27,000 rows/s here against ~6,000 row by row
      // (bench/ANCHORS.md).
      const col = <T>(f: (l: LeadInput, i: number) => T) => fresh.map(f);
      // RETURNING only the id and externalId: the leads are built from what was written, as
      // SQLite's bulk path does (parsing 1,000 full rows back per batch cost more than the insert).
      const inserted = fresh.length
        ? await this.#rows<{ id: string; external_id: string | null }>(
            c,
            `INSERT INTO leads (pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, contact_email, contact_phone,
                                external_id, attributes, priority, created_at, available_since, updated_at,
                                owner_id, claimed_at, claim_source, lock_expires_at, escalation_due_at, routing)
             SELECT u.pool_id, u.status, u.company, u.company_key, u.industry, u.company_size, u.source, u.score, u.region, u.contact_name, u.contact_email,
                    u.contact_phone, u.external_id, u.attributes::json, u.priority, $14, $14, $14,
                    u.owner_id, CASE WHEN u.owner_id IS NULL THEN NULL ELSE $14::bigint END, CASE WHEN u.owner_id IS NULL THEN NULL ELSE 'pushed' END,
                    u.lock_expires_at, u.escalation_due_at, u.routing::json
               FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[],
                           $11::text[], $12::text[], $13::int[], $15::text[], $16::text[], $17::bigint[], $18::bigint[], $19::bigint[], $20::text[])
                    WITH ORDINALITY AS u(pool_id, company, industry, company_size, source, score, region, contact_name, contact_email, contact_phone,
                                         external_id, attributes, priority, company_key, status, owner_id, lock_expires_at, escalation_due_at, routing, ord)
              ORDER BY u.ord
             ON CONFLICT (external_id) DO NOTHING
             RETURNING id, external_id`,
            [
              col((_, i) => plans[i]!.poolId),
              col((l) => l.company),
              col((l) => l.industry),
              col((l) => l.companySize),
              col((l) => l.source),
              col((l) => l.score),
              col((l) => l.region),
              col((l) => l.contact.name),
              col((l) => l.contact.email ?? null),
              col((l) => l.contact.phone ?? null),
              col((l) => l.externalId ?? null),
              col((l) => JSON.stringify(l.attributes ?? {})),
              col((_, i) => plans[i]!.priority),
              now,
              col((l) => companyKey(l.company)),
              col((_, i) => plans[i]!.status),
              col((_, i) => plans[i]!.ownerId),
              col((_, i) => plans[i]!.lockExpiresAt),
              col((_, i) => (plans[i]!.status === 'available' ? escalationDue(pools.get(plans[i]!.poolId) ?? null, { createdAt: now, escalationStep: 0 }) : null)),
              col((_, i) => (plans[i]!.trace ? JSON.stringify(plans[i]!.trace) : null)),
            ],
          )
        : [];
      // Ids are taken row by row in the ORDER BY's order: sorted, they follow the fresh leads
      // that were inserted (a fresh lead missing here lost an ON CONFLICT race).
      const ids = inserted.map((r) => ({ id: Number(r.id), externalId: r.external_id })).sort((a, b) => a.id - b.id);
      const insertedRows: Lead[] = [];
      {
        let k = 0;
        fresh.forEach((l, i) => {
          const next = ids[k];
          if (!next || (l.externalId !== undefined && next.externalId !== l.externalId)) return;
          k++;
          const plan = plans[i]!;
          insertedRows.push({
            id: next.id,
            poolId: plan.poolId,
            status: plan.status,
            company: l.company,
            industry: l.industry,
            companySize: l.companySize,
            source: l.source,
            score: l.score,
            region: l.region,
            contact: { name: l.contact.name, email: l.contact.email ?? null, phone: l.contact.phone ?? null },
            externalId: l.externalId ?? null,
            attributes: l.attributes ?? {},
            priority: plan.priority,
            createdAt: now,
            availableSince: now,
            ownerId: plan.ownerId,
            claimedAt: plan.ownerId === null ? null : now,
            claimSource: plan.ownerId === null ? null : 'pushed',
            lockExpiresAt: plan.lockExpiresAt,
            contactedAt: null,
            closedAt: null,
            updatedAt: now,
            routing: plan.trace,
          });
        });
        if (k !== ids.length) throw new Error('insertLeads: the inserted rows do not line up with the batch');
      }
      const insertedByExternal = new Map<string, Lead>();
      for (const l of insertedRows) if (l.externalId !== null) insertedByExternal.set(l.externalId, l);
      const readBack = externalIds.filter((x) => !insertedByExternal.has(x));
      const stored = readBack.length ? (await this.#rows<LeadRow>(c, 'SELECT * FROM leads WHERE external_id = ANY($1::text[])', [readBack])).map(leadFromRow) : [];
      const storedByExternal = new Map(stored.map((l) => [l.externalId!, l]));

      const created: Lead[] = [];
      const existing: Lead[] = [];
      const results: InsertResult['results'] = [];
      const createdPlans: RowPlan[] = [];
      let next = 0;
      inputs.forEach((l, i) => {
        const k = freshOf[i]!;
        if (k >= 0 && (l.externalId === undefined || insertedByExternal.has(l.externalId))) {
          const lead = insertedRows[next++];
          if (!lead) throw new Error('insertLeads: fewer rows came back than were inserted');
          created.push(lead);
          createdPlans.push(plans[k]!);
          results.push({ lead, created: true });
          return;
        }
        // Repeated in the batch, stored before, or stored meanwhile by a concurrent batch.
        const lead = (k < 0 ? insertedByExternal.get(l.externalId!) : undefined) ?? storedByExternal.get(l.externalId!);
        if (!lead) throw new Error(`insertLeads: lead ${l.externalId} is neither inserted nor stored`);
        existing.push(lead);
        results.push({ lead, created: false });
      });

      // The events of each lead in order (created, routed, pushed), then the facts of pushed claims.
      const ev: { type: EventType; actor: Actor; leadId: number; poolId: number; reason: string | null; data: Record<string, unknown> }[] = [];
      created.forEach((lead, i) => {
        const plan = createdPlans[i]!;
        ev.push({ type: 'lead.created', actor, leadId: lead.id, poolId: lead.poolId, reason: null, data: { poolId: lead.poolId, via: plan.via } });
        if (plan.trace) {
          const why = plan.trace.matchedRuleId ? `rule "${plan.trace.rules.find((x) => x.matched)?.name ?? plan.trace.matchedRuleId}"` : 'no rule matched';
          ev.push({ type: 'lead.routed', actor: SYSTEM_ROUTER, leadId: lead.id, poolId: lead.poolId, reason: why, data: { trace: plan.trace } });
        }
        if (plan.ownerId !== null) {
          ev.push({ type: 'lead.pushed', actor: SYSTEM_ROUTER, leadId: lead.id, poolId: lead.poolId, reason: null, data: { ownerId: plan.ownerId, lockExpiresAt: plan.lockExpiresAt, source: 'pushed' } });
        }
      });
      const eventIds = ev.length
        ? (
            await this.#rows<{ id: string }>(
              c,
              `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
               SELECT u.type, $1, u.lead_id, u.pool_id, u.actor_kind, u.actor_id, u.actor_name, u.reason, u.data::json
                 FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[])
                      WITH ORDINALITY AS u(type, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data, ord)
                ORDER BY u.ord
               RETURNING id`,
              [
                now,
                ev.map((e) => e.type),
                ev.map((e) => e.leadId),
                ev.map((e) => e.poolId),
                ev.map((e) => eventActorColumns(e.actor).actor_kind),
                ev.map((e) => eventActorColumns(e.actor).actor_id),
                ev.map((e) => eventActorColumns(e.actor).actor_name),
                ev.map((e) => e.reason),
                ev.map((e) => JSON.stringify(e.data)),
              ],
            )
          )
            .map((r) => Number(r.id))
            .sort((a, b) => a - b)
        : [];
      const events: LeadEvent[] = ev.map((e, i) => {
        const who = eventActorColumns(e.actor);
        return { id: eventIds[i]!, type: e.type, at: now, leadId: e.leadId, poolId: e.poolId, actorKind: who.actor_kind, actorId: who.actor_id, actorName: who.actor_name, reason: e.reason, data: e.data };
      });
      for (const lead of created) if (lead.ownerId !== null) await this.#recordHandedClaim(c, lead, lead.ownerId, 'pushed', now);
      return { created, existing, results, events };
    });
    if (out.events.length) this.#wrote();
    return out;
  }

  async #lead(q: Q, id: number, lock = false): Promise<Lead | null> {
    const r = await this.#one<LeadRow>(q, `SELECT * FROM leads WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return r ? leadFromRow(r) : null;
  }

  async #mustLead(q: Q, id: number, lock = false): Promise<Lead> {
    const l = await this.#lead(q, id, lock);
    if (!l) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${id}.`, { leadId: id });
    return l;
  }

  async getLead(id: number): Promise<Lead | null> {
    return this.#lead(this.pool, id);
  }

  async getLeads(ids: number[]): Promise<Lead[]> {
    if (ids.length === 0) return [];
    return (await this.#rows<LeadRow>(this.pool, 'SELECT * FROM leads WHERE id = ANY($1::bigint[]) ORDER BY id', [ids])).map(leadFromRow);
  }

  async #run(q: Compilable): Promise<Lead[]> {
    const c = q.compile();
    return (await this.#rows<LeadRow>(this.pool, c.sql, c.parameters as unknown[])).map(leadFromRow);
  }

  async browse(poolId: number, query: BrowseQuery, now: number): Promise<{ items: Lead[]; hasMore: boolean }> {
    const take = query.limit + 1;
    let rows: Lead[];
    if (searchNeedsIndex(query)) {
      // As on SQLite: walk the sort order a few thousand leads deep first (a common name fills
      // the page there); only a rare one goes to the trigram index.
      const walked = await this.#run(buildBrowseQuery(this.qb, poolId, query, now, { take, walkLimit: BROWSE_WALK_LIMIT }));
      rows = walked.length >= take ? walked : await this.#run(buildBrowseQuery(this.qb, poolId, query, now, { take, useSearchIndex: true }));
    } else {
      rows = await this.#run(buildBrowseQuery(this.qb, poolId, query, now, { take }));
    }
    return { items: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }

  /**
   * Claim by id. With no fair-play rule that needs the rep's history (hoarding, daily cap,
   * diversity), it is ONE statement: read the lead, its pool and the claimer's exclusion;
   * take it only if it is still available (the UPDATE's WHERE is re-checked against the
   * latest row version when a concurrent claim committed first, so exactly one wins); record
   * the claim's facts and the rep's counters; write the event. On a refusal the same row
   * tells the core why. When the pool's rules do need the history, the statement declines
   * (`needs_state`) and the claim runs as a transaction that serialises this rep's claims.
   */
  async claim(leadId: number, actor: UserActor, now: number): Promise<Held> {
    const team = await this.#teamRules();
    const r = await this.#prepared<ClaimByIdResult>('leadpool_claim', CLAIM_BY_ID_SQL, [actor.userId, leadId, now, actor.name, true, needsState(team, 'claim'), DEFAULT_HOT_THRESHOLD]);
    const target = r?.target ?? null;
    if (!target) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${leadId}.`, { leadId });
    if (r!.ev && r!.id != null) {
      this.#wrote();
      return { lead: leadFromRow(r as LeadRow), events: [eventFromRow(r!.ev)] };
    }
    if (target.needs_state) return this.#claimWithRules(leadId, actor, now);
    const decision = decideClaimById(claimTarget(target), actor.userId, now);
    if (!decision.ok) throw decision.error;
    // It was available when read, and another claim committed first.
    throw alreadyClaimed(await this.#mustLead(this.pool, leadId), actor.userId);
  }

  async #claimWithRules(leadId: number, actor: UserActor, now: number): Promise<Held> {
    const out = await this.#refusalsRecorded(actor, now, () =>
      this.#tx(async (c) => {
        await this.#repLock(c, actor.userId);
        const target = await this.#one<ClaimTargetRow & { score: number; rules: PoolRules | null }>(
          c,
          `SELECT l.id, l.status, l.owner_id, l.pool_id, l.score, p.mode, p.lock_ttl_seconds, p.rules,
                  EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = $1 AND x.reason = 'expired') AS expired_by_claimer
             FROM leads l JOIN pools p ON p.id = l.pool_id WHERE l.id = $2`,
          [actor.userId, leadId],
        );
        if (!target) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${leadId}.`, { leadId });
        const decision = decideClaimById(claimTarget(target), actor.userId, now);
        if (!decision.ok) throw decision.error;
        const pool = await this.#pool(c, Number(target.pool_id));
        if (pool?.access) {
          const lead = await this.#mustLead(c, leadId);
          const config = await this.#routingConfig(c);
          tierAccessDecision(pool.access, await this.#tierOf(c, actor.userId), lead, config.accounts.match(lead));
        }
        const rules = target.rules ?? (await this.#teamRules(c));
        const refusal = checkClaimRules(rules, await this.#repState(c, actor.userId, Number(target.pool_id), rules, now), target.score);
        if (refusal) throw withLead(refusal, leadId, Number(target.pool_id));
        const r = await this.#one<ClaimByIdResult>(c, CLAIM_BY_ID_SQL, [
          actor.userId,
          leadId,
          now,
          actor.name,
          false,
          false,
          rules.diversity?.threshold ?? DEFAULT_HOT_THRESHOLD,
        ]);
        if (!r?.ev || r.id == null) throw alreadyClaimed(await this.#mustLead(c, leadId), actor.userId);
        return { lead: leadFromRow(r as LeadRow), events: [eventFromRow(r.ev)] };
      }),
    );
    this.#wrote();
    return out;
  }

  /**
   * Claim-next: ONE statement picks the front lead this rep has not released, skipped or let
   * expire, locked with SKIP LOCKED so concurrent reps each get a different one without
   * waiting, takes it, records the claim and writes the event; under load several reps' calls
   * share that statement (below). Pools whose rules count the rep's open leads or daily
   * claims go through a short transaction first (as claim does).
   */
  async claimNext(poolId: number, actor: UserActor, now: number): Promise<Held | null> {
    this.#countTowardFloor(poolId);
    return this.#nextBatcher.submit(poolId, { actor, now });
  }

  /**
   * Concurrent claim-next calls on one pool share statements (batcher.ts): a lone call runs
   * CLAIM_NEXT_SQL at the end of the event-loop turn; calls arriving while `nextInFlight`
   * statements run go together in CLAIM_NEXT_BATCH_SQL, one rep at most once a batch (its
   * counters row is upserted once). On this 2-core machine, 15 connections took 2-3 times as
   * many claims a second in batches of 5-7 as one by one.
   */
  readonly #nextBatcher: Batcher<number, { actor: UserActor; now: number }, Held | null>;

  async #claimNextBatch(poolId: number, batch: { actor: UserActor; now: number }[]): Promise<(Held | null | Promise<Held | null>)[]> {
    const team = await this.#teamRules();
    if (batch.length === 1) return [this.#claimNextOne(poolId, batch[0]!.actor, batch[0]!.now, team)];
    let rows: ClaimNextBatchRow[];
    try {
      rows = await this.#preparedRows<ClaimNextBatchRow>('leadpool_claim_next_batch', CLAIM_NEXT_BATCH_SQL, [
        poolId,
        batch.map((b) => b.actor.userId),
        // One clock reading for the statement: the latest of its calls (they waited for it).
        Math.max(...batch.map((b) => b.now)),
        batch.map((b) => b.actor.name),
        true,
        needsState(team, 'next'),
      ]);
    } catch {
      // The statement is atomic: it failed having done nothing. Each call runs alone and
      // meets its own outcome, so one cause cannot fail the calls of other reps.
      return batch.map((b) => this.#claimNextOne(poolId, b.actor, b.now, team));
    }
    if (rows.length === 0) throw new AppError('POOL_NOT_FOUND', `There is no pool ${poolId}.`, { poolId });
    if (rows[0]!.needs_state) return batch.map((b) => this.#claimNextWithRules(poolId, b.actor, b.now));
    const held = new Map<number, Held>();
    for (const r of rows) if (r.id != null && r.ev) held.set(Number(r.owner_id), { lead: leadFromRow(r as LeadRow), events: [eventFromRow(r.ev)] });
    if (held.size > 0) this.#wrote();
    const found = Number(rows[0]!.found);
    // The first `found` requests got a lead each. The scan ran short for the rest, which may
    // still be owed a lead the batch passed over for another of its reps: they run alone.
    return batch.map((b, i) => (i < found ? held.get(b.actor.userId) : undefined) ?? this.#claimNextOne(poolId, b.actor, b.now, team));
  }

  async #claimNextOne(poolId: number, actor: UserActor, now: number, team: PoolRules): Promise<Held | null> {
    const r = await this.#prepared<ClaimNextResult>('leadpool_claim_next', CLAIM_NEXT_SQL, [poolId, actor.userId, now, actor.name, true, needsState(team, 'next')]);
    if (!r) throw new AppError('POOL_NOT_FOUND', `There is no pool ${poolId}.`, { poolId });
    if (r.needs_state) return this.#claimNextWithRules(poolId, actor, now);
    if (!r.ev || r.id == null) return null;
    this.#wrote();
    return { lead: leadFromRow(r as LeadRow), events: [eventFromRow(r.ev)] };
  }

  /** Claim-next calls per pool since this instance last raised the pool's queue floor. */
  readonly #floorCalls = new Map<number, number>();
  readonly #floorRaising = new Set<number>();

  /**
   * Every FLOOR_EVERY claim-next calls in a pool, raise its floor past the leads claimed
   * since, in the background: the dead index entries a scan must walk stay a few pages.
   */
  #countTowardFloor(poolId: number): void {
    const n = (this.#floorCalls.get(poolId) ?? 0) + 1;
    if (n < FLOOR_EVERY || this.#floorRaising.has(poolId) || this.#closed) {
      this.#floorCalls.set(poolId, n);
      return;
    }
    this.#floorCalls.set(poolId, 0);
    this.#floorRaising.add(poolId);
    // A failed raise only leaves the floor lower than it could be: the next one tries again.
    this.raiseQueueFloor(poolId)
      .catch(() => undefined)
      .finally(() => this.#floorRaising.delete(poolId));
  }

  /**
   * Server and table settings that quietly hurt a deployment that runs for weeks, as
   * sentences for the operator (`serve` prints them at start). Every claim leaves a dead row
   * version in leads, claims and events; without autovacuum nothing removes them, and claims
   * and browsing slow down as they pile up.
   */
  async settingWarnings(): Promise<string[]> {
    const r = (
      await this.pool.query<{ av: string; tc: string; leads_off: boolean }>(
        `SELECT current_setting('autovacuum') AS av, current_setting('track_counts') AS tc,
                COALESCE((SELECT bool_or(o = 'autovacuum_enabled=false') FROM pg_class c, unnest(c.reloptions) o WHERE c.oid = 'leads'::regclass), false) AS leads_off`,
      )
    ).rows[0]!;
    const out: string[] = [];
    if (r.av !== 'on') {
      out.push('autovacuum is off on this PostgreSQL server: the dead rows every claim leaves are never removed, and claims and browsing slow down as they pile up. Turn it on (autovacuum = on), or run VACUUM (ANALYZE) on the Leadpool tables every few minutes.');
    }
    if (r.tc !== 'on') out.push('track_counts is off on this PostgreSQL server: autovacuum cannot tell which tables need vacuuming. Turn it on.');
    if (r.leads_off) out.push('autovacuum is turned off for the leads table (autovacuum_enabled = false): turn it back on with ALTER TABLE leads RESET (autovacuum_enabled).');
    return out;
  }

  /**
   * Raises a pool's queue floor to the first available lead (+infinity when none is), as a
   * compare-and-set on the version read in the same snapshot (see migration 8). Returns
   * false when nothing moved: already there, or a writer made a lead available meanwhile.
   */
  async raiseQueueFloor(poolId: number): Promise<boolean> {
    const r = await this.pool.query(RAISE_FLOOR_SQL, [poolId]);
    return (r.rowCount ?? 0) > 0;
  }

  async #claimNextWithRules(poolId: number, actor: UserActor, now: number): Promise<Held | null> {
    const out = await this.#refusalsRecorded(actor, now, () =>
      this.#tx(async (c) => {
        await this.#repLock(c, actor.userId);
        const pool = await this.#pool(c, poolId);
        if (!pool) throw new AppError('POOL_NOT_FOUND', `There is no pool ${poolId}.`, { poolId });
        const filter = pool.access ? tierAccessDecision(pool.access, await this.#tierOf(c, actor.userId), null, null) : null;
        // In a queue nobody chooses, so diversity has nothing to judge; the limits on volume hold.
        const rules = withoutDiversity(pool.rules ?? (await this.#teamRules(c)));
        const refusal = checkClaimRules(rules, await this.#repState(c, actor.userId, poolId, rules, now), 0);
        if (refusal) throw withLead(refusal, null, poolId);
        if (filter) return this.#claimNextInFilter(c, pool, filter, actor, now);
        const r = await this.#one<ClaimNextResult>(c, CLAIM_NEXT_SQL, [poolId, actor.userId, now, actor.name, false, false]);
        if (!r?.ev || r.id == null) return null;
        return { lead: leadFromRow(r as LeadRow), events: [eventFromRow(r.ev)] };
      }),
    );
    if (out) this.#wrote();
    return out;
  }

  async #tierOf(c: Q, userId: number): Promise<string | null> {
    return (await this.#one<{ tier: string | null }>(c, 'SELECT tier FROM users WHERE id = $1', [userId]))?.tier ?? null;
  }

  /**
   * A tier limited to part of a queue takes the front lead of that part: the front of the
   * line is read in order (rows locked, SKIP LOCKED) and the first lead inside the filter is
   * claimed through the usual statement by id.
   */
  async #claimNextInFilter(c: pg.PoolClient, pool: Pool, filter: Condition, actor: UserActor, now: number): Promise<Held | null> {
    const front = await this.#rows<LeadRow>(
      c,
      `SELECT l.* FROM leads l WHERE l.pool_id = $1 AND l.status = 'available'
          AND NOT EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = $2)
          AND (-l.priority, l.created_at, l.id) >= (${FLOOR_OF('$1')})
        ORDER BY -l.priority, l.created_at, l.id LIMIT 500 FOR UPDATE OF l SKIP LOCKED`,
      [pool.id, actor.userId],
    );
    const config = await this.#routingConfig(c);
    const pick = front.map(leadFromRow).find((l) => conditionMatches(filter, leadForRouting(l), config.accounts.match(l)).matched);
    if (!pick) return null;
    const source = pool.mode === 'queue' ? 'queue' : pool.mode;
    const expires = now + pool.lockTtlSeconds * 1000;
    const row = await this.#one<LeadRow>(
      c,
      `UPDATE leads SET status = 'claimed', owner_id = $1, claimed_at = $2, claim_source = $3, lock_expires_at = $4, escalation_due_at = NULL, updated_at = $2
        WHERE id = $5 AND status = 'available' RETURNING *`,
      [actor.userId, now, source, expires, pick.id],
    );
    if (!row) return null;
    const lead = leadFromRow(row);
    await this.#recordHandedClaim(c, lead, actor.userId, source, now);
    const threshold = (pool.rules ?? (await this.#teamRules(c))).diversity?.threshold ?? DEFAULT_HOT_THRESHOLD;
    await c.query(
      `INSERT INTO rep_pool_counters (user_id, pool_id, views_since_claim, ratio_credits) VALUES ($1, $2, 0, $3)
       ON CONFLICT (user_id, pool_id) DO UPDATE SET views_since_claim = 0, ratio_credits = rep_pool_counters.ratio_credits + excluded.ratio_credits`,
      [actor.userId, pool.id, lead.score >= threshold ? -1 : 1],
    );
    const ev = await this.#event(c, 'lead.claimed', actor, now, { leadId: lead.id, poolId: pool.id, data: { ownerId: actor.userId, source, lockExpiresAt: expires, next: true } });
    return { lead, events: [ev] };
  }

  // ------------------------------------------------------------------ fair play

  /**
   * A rep's claims under history-reading rules are serialised by a transaction-scoped
   * advisory lock on the rep (across instances): two simultaneous claims cannot both slip
   * under a limit, while different reps never wait for each other.
   */
  async #repLock(c: pg.PoolClient, userId: number): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [REP_LOCK_SPACE, userId]);
  }

  #teamRulesCache: { at: number; rules: PoolRules } | null = null;

  /** Read at most once a second, as on SQLite: every claim in a pool without its own rules needs them. */
  async #teamRules(q: Q = this.pool): Promise<PoolRules> {
    const t = Date.now();
    if (this.#teamRulesCache && t - this.#teamRulesCache.at < 1000) return this.#teamRulesCache.rules;
    const r = await this.#one<{ value: PoolRules }>(q, `SELECT value FROM team_settings WHERE key = 'rules'`);
    const rules = r ? r.value : {};
    this.#teamRulesCache = { at: t, rules };
    return rules;
  }

  async getTeamSetting(key: string): Promise<unknown> {
    const r = await this.#one<{ value: unknown }>(this.pool, 'SELECT value FROM team_settings WHERE key = $1', [key]);
    return r ? r.value : null;
  }

  async setTeamSetting(key: string, value: unknown, actor: Actor, now: number): Promise<LeadEvent[]> {
    const events = await this.#tx(async (c) => {
      const before = await this.#one<{ value: unknown }>(c, 'SELECT value FROM team_settings WHERE key = $1 FOR UPDATE', [key]);
      await c.query('INSERT INTO team_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, JSON.stringify(value)]);
      if (key === 'rules') this.#teamRulesCache = null;
      return [await this.#event(c, 'settings.updated', actor, now, { data: { key, from: before ? before.value : null, to: value } })];
    });
    this.#wrote();
    return events;
  }

  async getTeamRules(): Promise<PoolRules> {
    return this.#teamRules();
  }

  async setTeamRules(rules: PoolRules, actor: Actor, now: number): Promise<{ rules: PoolRules; events: LeadEvent[] }> {
    const out = await this.#tx(async (c) => {
      const row = await this.#one<{ value: PoolRules }>(c, `SELECT value FROM team_settings WHERE key = 'rules' FOR UPDATE`);
      const before = row ? row.value : {};
      await c.query(`INSERT INTO team_settings (key, value) VALUES ('rules', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [JSON.stringify(rules)]);
      this.#teamRulesCache = null;
      const ev = await this.#event(c, 'settings.rules_updated', actor, now, { data: { from: before, to: rules } });
      return { rules, events: [ev] };
    });
    this.#wrote();
    return out;
  }

  /** Only the counts the pool's rules need are read. */
  async #repState(c: Q, userId: number, poolId: number, rules: PoolRules, now: number): Promise<RepClaimState> {
    const state: RepClaimState = { openUncontacted: 0, recentScores: [], ratioCredits: 0, claimsToday: 0 };
    if (rules.hoardingLimit !== undefined) {
      state.openUncontacted = (await this.#one<{ n: number }>(c, `SELECT COUNT(*)::int AS n FROM leads WHERE owner_id = $1 AND status IN ('claimed', 'assigned')`, [userId]))!.n;
    }
    if (rules.dailyCap !== undefined) {
      state.claimsToday = (
        await this.#one<{ n: number }>(c, 'SELECT COUNT(*)::int AS n FROM claims WHERE user_id = $1 AND pool_id = $2 AND claimed_at >= $3', [userId, poolId, startOfUtcDay(now)])
      )!.n;
    }
    const d = rules.diversity;
    if (d?.mode === 'percent') {
      state.recentScores = (
        await this.#rows<{ score: number }>(c, 'SELECT score FROM claims WHERE user_id = $1 AND pool_id = $2 ORDER BY claimed_at DESC, id DESC LIMIT $3', [userId, poolId, d.window])
      ).map((r) => r.score);
    } else if (d?.mode === 'ratio') {
      const r = await this.#one<{ ratio_credits: number }>(c, 'SELECT ratio_credits FROM rep_pool_counters WHERE user_id = $1 AND pool_id = $2', [userId, poolId]);
      state.ratioCredits = r?.ratio_credits ?? 0;
    }
    return state;
  }

  /** A refused claim leaves no trace but its audit record, written after the rollback. */
  async #refusalsRecorded<T>(actor: UserActor, now: number, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RuleRefusal) {
        const where = refusalLocation.get(err);
        await this.#event(this.pool, 'lead.claim_refused', actor, now, {
          leadId: where?.leadId ?? null,
          poolId: where?.poolId ?? null,
          reason: err.message,
          data: { rule: err.rule, ...err.details },
        });
        this.#wrote();
      }
      throw err;
    }
  }

  /** The claim's facts for a lead handed to a rep (reassign): it earns or spends nothing of theirs. */
  async #recordHandedClaim(c: Q, lead: Lead, userId: number, source: string, now: number): Promise<void> {
    await c.query(
      `INSERT INTO claims (lead_id, user_id, pool_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, leadpool_mix_percentile(m.pct_num, m.waiting, $7), leadpool_mix_share(m.industry_n, m.waiting, $8)
         FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT waiting, pct_num, industry_n FROM pool_mix_snapshots WHERE pool_id = $3 ORDER BY at DESC LIMIT 1) m ON true`,
      [lead.id, userId, lead.poolId, source, now, lead.createdAt, lead.score, lead.industry],
    );
  }

  /** Closes the open claim of a lead (released, expired, reassigned, skipped). */
  async #endClaim(c: Q, leadId: number, reason: 'released' | 'expired' | 'reassigned' | 'skipped', now: number): Promise<void> {
    await c.query('UPDATE claims SET ended_at = $1, end_reason = $2 WHERE lead_id = $3 AND ended_at IS NULL', [now, reason, leadId]);
  }

  async snapshotPoolMix(poolId: number, now: number): Promise<PoolMix> {
    // One grouped count over the (pool, industry, score) partial index.
    const rows = await this.#rows<{ industry: string; band: number; n: number }>(
      this.pool,
      `SELECT industry, LEAST(${BANDS - 1}, score / 10) AS band, COUNT(*)::int AS n FROM leads
        WHERE pool_id = $1 AND status = 'available' GROUP BY 1, 2`,
      [poolId],
    );
    const mix = emptyMix();
    for (const r of rows) {
      const bands = (mix.byIndustry[r.industry] ??= Array<number>(BANDS).fill(0));
      bands[r.band]! += r.n;
      mix.waiting += r.n;
    }
    await this.#tx(async (c) => {
      await c.query(
        `INSERT INTO pool_mix_snapshots (pool_id, at, waiting, mix, pct_num, industry_n) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (pool_id, at) DO UPDATE SET waiting = excluded.waiting, mix = excluded.mix, pct_num = excluded.pct_num, industry_n = excluded.industry_n`,
        [poolId, now, mix.waiting, JSON.stringify(mix), percentileNumerators(mix), JSON.stringify(industryTotals(mix))],
      );
      await c.query('DELETE FROM pool_mix_snapshots WHERE pool_id = $1 AND at < $2', [poolId, now - 7 * 86_400_000]);
    });
    return mix;
  }

  async viewLead(leadId: number, actor: UserActor, now: number): Promise<Lead> {
    let wrote = false;
    const lead = await this.#refusalsRecorded(actor, now, () =>
      this.#tx(async (c) => {
        const lead = await this.#mustLead(c, leadId);
        const pool = (await this.#pool(c, lead.poolId))!;
        const rules = pool.rules ?? (await this.#teamRules(c));
        if (lead.status !== 'available' || rules.detailViewLimit === undefined) return lead;
        await this.#repLock(c, actor.userId);
        const r = await this.#one<{ views_since_claim: number }>(c, 'SELECT views_since_claim FROM rep_pool_counters WHERE user_id = $1 AND pool_id = $2', [
          actor.userId,
          pool.id,
        ]);
        const refusal = checkDetailView(rules, r?.views_since_claim ?? 0);
        if (refusal) throw withLead(refusal, leadId, pool.id);
        await c.query(
          `INSERT INTO rep_pool_counters (user_id, pool_id, views_since_claim) VALUES ($1, $2, 1)
           ON CONFLICT (user_id, pool_id) DO UPDATE SET views_since_claim = rep_pool_counters.views_since_claim + 1`,
          [actor.userId, pool.id],
        );
        await this.#event(c, 'lead.viewed', actor, now, { leadId, poolId: pool.id, data: { viewsSinceClaim: (r?.views_since_claim ?? 0) + 1, limit: rules.detailViewLimit } });
        wrote = true;
        return lead;
      }),
    );
    if (wrote) this.#wrote();
    return lead;
  }

  async skip(leadId: number, actor: UserActor, reason: SkipReason, note: string | null, now: number): Promise<Held> {
    const out = await this.#refusalsRecorded(actor, now, () =>
      this.#tx(async (c) => {
        // The rep's lock before the lead's row, as in a claim: the other order could deadlock
        // with a claim of the same rep.
        await this.#repLock(c, actor.userId);
        const before = await this.#mustLead(c, leadId, true);
        if (before.ownerId !== actor.userId || before.claimSource !== 'queue' || (before.status !== 'claimed' && before.status !== 'assigned')) {
          throw new AppError('INVALID_TRANSITION', `Only a lead you took from a queue and have not worked yet can be skipped; release it instead.`, {
            leadId,
            status: before.status,
          });
        }
        const pool = (await this.#pool(c, before.poolId))!;
        const rules = pool.rules ?? (await this.#teamRules(c));
        const r = await this.#one<{ skips_in_row: number }>(c, 'SELECT skips_in_row FROM rep_pool_counters WHERE user_id = $1 AND pool_id = $2', [actor.userId, pool.id]);
        const refusal = checkSkip(rules, r?.skips_in_row ?? 0);
        if (refusal) throw withLead(refusal, leadId, pool.id);
        await this.#exclude(c, leadId, actor.userId, 'skipped', now);
        await this.#endClaim(c, leadId, 'skipped', now);
        await c.query(
          `INSERT INTO rep_pool_counters (user_id, pool_id, skips_in_row) VALUES ($1, $2, 1)
           ON CONFLICT (user_id, pool_id) DO UPDATE SET skips_in_row = rep_pool_counters.skips_in_row + 1`,
          [actor.userId, pool.id],
        );
        const lead = await this.#returnToPool(c, before, now);
        const ev = await this.#event(c, 'lead.skipped', actor, now, { leadId, poolId: pool.id, reason: note, data: { skipReason: reason, skipsInRow: (r?.skips_in_row ?? 0) + 1 } });
        return { lead, events: [ev] };
      }),
    );
    this.#wrote();
    return out;
  }

  // ------------------------------------------------------------------ measurements

  async metricsFacts(range: MetricsRange, now: number, waitingTotals?: ReadonlyMap<number, number>): Promise<MetricsFacts> {
    // As on SQLite: the rollup (migration 7) for the range's whole days, the claims of the
    // partial days at its edges, never every claim in the range.
    const pool = range.poolId ?? null;
    const q = this.pool;
    // Which side of a partial day to read: the one with fewer claims, all pools' claims counted
    // for every candidate window in one statement on claims_time (a fair guide for one pool too).
    const windows = edgeWindows(range.from, range.to, now);
    const counted = windows.length
      ? (await this.#one<{ ns: number[] }>(
          q,
          `SELECT ARRAY[${windows.map((_, i) => `COUNT(*) FILTER (WHERE claimed_at >= $${2 * i + 1} AND claimed_at < $${2 * i + 2})::int`).join(', ')}] AS ns
             FROM claims WHERE claimed_at >= $${2 * windows.length + 1} AND claimed_at < $${2 * windows.length + 2}`,
          [...windows.flatMap((w) => [w.from, w.to]), Math.min(...windows.map((w) => w.from)), Math.max(...windows.map((w) => w.to))],
        ))!.ns
      : [];
    const plan = splitRange(range.from, range.to, now, (a, b) => counted[windows.findIndex((w) => w.from === a && w.to === b)] ?? b - a);
    const slices: RollupSlice[] = await Promise.all([
      ...plan.add.map(async (e) => rollupOfClaims(await this.#claimFacts(q, e.from, e.to, pool))),
      ...plan.subtract.map(async (e) => negated(rollupOfClaims(await this.#claimFacts(q, e.from, e.to, pool)))),
      ...(plan.days ? [this.#rollupSlice(q, plan.days.from, plan.days.to, pool)] : []),
    ]);
    const claimFigures = factsFromRollup(slices);
    const pools = range.poolId !== undefined ? [range.poolId] : (await this.#rows<{ id: string }>(q, 'SELECT id FROM pools ORDER BY id')).map((r) => Number(r.id));
    const edges = [0, ...AGE_BUCKETS_MIN.map((m) => m * 60_000), Number.MAX_SAFE_INTEGER];
    const waiting = [];
    for (const poolId of pools) {
      const total = waitingTotals?.get(poolId);
      // One statement for the young buckets (a day of arrivals); the oldest from the total when known.
      const last = total === undefined ? edges.length - 1 : edges.length - 2;
      const counted = (await this.#one<{ ns: number[] }>(
        q,
        `SELECT ARRAY[${Array.from({ length: last }, (_, i) => `COUNT(*) FILTER (WHERE created_at > $${2 * i + 2} AND created_at <= $${2 * i + 3})::int`).join(', ')}] AS ns
           FROM leads WHERE pool_id = $1 AND status = 'available' AND created_at > $${2 * last}`,
        [poolId, ...Array.from({ length: last }, (_, i) => [Math.max(-1, now - edges[i + 1]!), now - edges[i]!]).flat()],
      ))!.ns;
      const buckets = total === undefined ? counted : ageBuckets(counted, { total });
      const oldest = (await this.#one<{ at: string | null }>(q, `SELECT MIN(created_at) AS at FROM leads WHERE pool_id = $1 AND status = 'available'`, [poolId]))!.at;
      waiting.push({ poolId, buckets, oldestAt: oldest === null ? null : Number(oldest) });
    }
    const reviewWaiting = (await this.#one<{ n: number }>(q, `SELECT COUNT(*)::int AS n FROM leads WHERE status = 'review' AND ($1::bigint IS NULL OR pool_id = $1)`, [pool]))!.n;
    // Refusals: their rollup (migration 7) for the days, their events at the edges.
    const refusalRows = async (sql: string, params: unknown[]) =>
      (await this.#rows<{ user_id: string; rule: string; n: number }>(q, sql, params)).map((r) => ({ userId: Number(r.user_id), rule: r.rule, count: r.n }));
    const rawRefusals = `SELECT COALESCE(actor_id, 0) AS user_id, COALESCE(data->>'rule', '') AS rule, COUNT(*)::int AS n FROM events
        WHERE type = 'lead.claim_refused' AND at >= $1 AND at < $2 AND ($3::bigint IS NULL OR pool_id = $3) GROUP BY 1, 2`;
    const refusals = sumRefusals(
      await Promise.all([
        ...plan.add.map(async (e) => ({ sign: 1 as const, rows: await refusalRows(rawRefusals, [e.from, e.to, pool]) })),
        ...plan.subtract.map(async (e) => ({ sign: -1 as const, rows: await refusalRows(rawRefusals, [e.from, e.to, pool]) })),
        ...(plan.days
          ? [
              (async () => ({
                sign: 1 as const,
                rows: await refusalRows(`SELECT user_id, rule, SUM(n)::int AS n FROM refusal_rollup WHERE day >= $1 AND day < $2 AND ($3::bigint IS NULL OR pool_id = $3) GROUP BY user_id, rule`, [
                  plan.days!.from,
                  plan.days!.to,
                  pool,
                ]),
              }))(),
            ]
          : []),
      ]),
    );
    return { ...claimFigures, waiting, reviewWaiting, refusals };
  }

  /** The rollup's sums over whole days [fromDay, toDay). */
  async #rollupSlice(q: Q, fromDay: number, toDay: number, pool: number | null): Promise<RollupSlice> {
    const args = [fromDay, toDay, pool];
    const where = `day >= $1 AND day < $2 AND ($3::bigint IS NULL OR pool_id = $3)`;
    const [rows, arrival, contact, mix] = await Promise.all([
      this.#rows<Record<string, unknown>>(
        q,
        `SELECT user_id, source, SUM(claims) AS claims, SUM(measured) AS measured, SUM(pct_sum)::float8 AS pct_sum, SUM(score_sum) AS score_sum, SUM(contacted) AS contacted,
                SUM(expired) AS expired, SUM(released) AS released, SUM(skipped) AS skipped, SUM(converted) AS converted,
                ${BANDS10.map((b) => `SUM(${b}) AS ${b}`).join(', ')}
           FROM claim_rollup WHERE ${where} GROUP BY user_id, source`,
        args,
      ),
      this.#rows<{ day: string; bucket: number; n: string; total: string }>(
        q,
        `SELECT day, bucket, SUM(n) AS n, SUM(total) AS total FROM claim_hist WHERE kind = 'a' AND ${where} GROUP BY day, bucket`,
        args,
      ),
      this.#rows<{ user_id: string; bucket: number; n: string; total: string }>(
        q,
        `SELECT user_id, bucket, SUM(n) AS n, SUM(total) AS total FROM claim_hist WHERE kind = 'c' AND ${where} GROUP BY user_id, bucket`,
        args,
      ),
      this.#rows<{ user_id: string; industry: string; n: string; share_sum: number }>(
        q,
        `SELECT user_id, industry, SUM(n) AS n, SUM(share_sum)::float8 AS share_sum FROM claim_mix WHERE ${where} GROUP BY user_id, industry`,
        args,
      ),
    ]);
    return {
      rows: rows.map(rollupRowFrom),
      hist: [
        ...arrival.map((h) => ({ kind: 'a' as const, day: Number(h.day), userId: 0, bucket: h.bucket, n: Number(h.n), total: Number(h.total) })),
        ...contact.map((h) => ({ kind: 'c' as const, day: 0, userId: Number(h.user_id), bucket: h.bucket, n: Number(h.n), total: Number(h.total) })),
      ],
      mix: mix.map((m) => ({ userId: Number(m.user_id), industry: m.industry, n: Number(m.n), shareSum: m.share_sum })),
    };
  }

  /** The raw claims of a partial day at a range's edge (claims_time bounds it to that day). */
  async #claimFacts(q: Q, from: number, to: number, pool: number | null): Promise<ClaimFact[]> {
    return (
      await this.#rows<ClaimFactRow>(
        q,
        `SELECT user_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share, first_contact_at, end_reason, outcome
           FROM claims WHERE claimed_at >= $1 AND claimed_at < $2 AND ($3::bigint IS NULL OR pool_id = $3)`,
        [from, to, pool],
      )
    ).map(claimFactFrom);
  }

  async claimCountsSince(since: number): Promise<{ userId: number; poolId: number; claims: number }[]> {
    // Whole days from the rollup, the part of a day before them from the claims.
    const firstWhole = since % DAY_MS === 0 ? since : since - (since % DAY_MS) + DAY_MS;
    return (
      await this.#rows<{ user_id: string; pool_id: string; n: number }>(
        this.pool,
        `SELECT user_id, pool_id, SUM(n)::int AS n FROM (
           SELECT user_id, pool_id, claims AS n FROM claim_rollup WHERE day >= $1 AND source <> 'manager'
           UNION ALL
           SELECT user_id, pool_id, 1 AS n FROM claims WHERE claimed_at >= $2 AND claimed_at < $1 AND source <> 'manager'
         ) x GROUP BY user_id, pool_id HAVING SUM(n) > 0`,
        [firstWhole, since],
      )
    ).map((r) => ({ userId: Number(r.user_id), poolId: Number(r.pool_id), claims: r.n }));
  }


  async *eventPages(range: MetricsRange, pageSize: number): AsyncIterable<LeadEvent[]> {
    let after = 0;
    for (;;) {
      const rows = (
        await this.#rows<EventRow>(
          this.pool,
          `SELECT * FROM events WHERE id > $1 AND at >= $2 AND at < $3 AND ($4::bigint IS NULL OR pool_id = $4) ORDER BY id LIMIT $5`,
          [after, range.from, range.to, range.poolId ?? null, pageSize],
        )
      ).map(eventFromRow);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id;
      yield rows;
      if (rows.length < pageSize) return;
    }
  }

  /** Puts a held lead back into its pool. */
  async #returnToPool(c: Q, lead: Lead, now: number): Promise<Lead> {
    // Back in the pool, the lead's ladder resumes where it stood (as on SQLite).
    const step = (await this.#one<{ escalation_step: number }>(c, 'SELECT escalation_step FROM leads WHERE id = $1', [lead.id]))!.escalation_step;
    const due = escalationDue(await this.#pool(c, lead.poolId), { createdAt: lead.createdAt, escalationStep: step });
    const row = await this.#one<LeadRow>(
      c,
      `UPDATE leads SET status = 'available', owner_id = NULL, claimed_at = NULL, claim_source = NULL, lock_expires_at = NULL,
              contacted_at = NULL, available_since = $1, escalation_due_at = $3, updated_at = $1
        WHERE id = $2 RETURNING *`,
      [now, lead.id, due],
    );
    return leadFromRow(row!);
  }

  async #exclude(c: Q, leadId: number, userId: number, reason: 'released' | 'expired' | 'skipped', now: number): Promise<void> {
    await c.query(
      'INSERT INTO lead_exclusions (lead_id, user_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT (lead_id, user_id) DO UPDATE SET reason = excluded.reason, at = excluded.at',
      [leadId, userId, reason, now],
    );
  }

  async #change(fn: (c: pg.PoolClient) => Promise<Held>): Promise<Held> {
    const out = await this.#tx(fn);
    this.#wrote();
    return out;
  }

  async release(leadId: number, actor: Actor, reason: string | null, now: number): Promise<Held> {
    return this.#change(async (c) => {
      const before = await this.#mustLead(c, leadId, true);
      checkMayWork(before, actor);
      if (!RELEASABLE_STATUSES.includes(before.status)) {
        throw new AppError('INVALID_TRANSITION', `Lead ${leadId} is ${before.status}; only a held lead can be released.`, { from: before.status });
      }
      if (before.ownerId !== null) await this.#exclude(c, leadId, before.ownerId, 'released', now);
      await this.#endClaim(c, leadId, 'released', now);
      const lead = await this.#returnToPool(c, before, now);
      const ev = await this.#event(c, 'lead.released', actor, now, {
        leadId,
        poolId: lead.poolId,
        reason,
        data: { previousOwnerId: before.ownerId, previousStatus: before.status },
      });
      return { lead, events: [ev] };
    });
  }

  async reassign(leadId: number, toUserId: number, actor: Actor, reason: string | null, now: number): Promise<Held> {
    return this.#change(async (c) => {
      const before = await this.#mustLead(c, leadId, true);
      const target = await this.#one<UserRow>(c, 'SELECT * FROM users WHERE id = $1', [toUserId]);
      if (!target) throw validationError([{ field: 'userId', problem: `there is no user ${toUserId}` }]);
      if (TERMINAL_STATUSES.includes(before.status)) {
        throw new AppError('INVALID_TRANSITION', `Lead ${leadId} is ${before.status}; a closed lead cannot be reassigned.`, { from: before.status });
      }
      const pool = (await this.#pool(c, before.poolId))!;
      const expires = lockExpiry(pool, now);
      await this.#endClaim(c, leadId, 'reassigned', now);
      const row = await this.#one<LeadRow>(
        c,
        `UPDATE leads SET status = 'assigned', owner_id = $1, claimed_at = $2, claim_source = 'manager', lock_expires_at = $3, contacted_at = NULL, updated_at = $2
          WHERE id = $4 RETURNING *`,
        [toUserId, now, expires, leadId],
      );
      const lead = leadFromRow(row!);
      await this.#recordHandedClaim(c, lead, toUserId, 'manager', now);
      const ev = await this.#event(c, 'lead.reassigned', actor, now, {
        leadId,
        poolId: lead.poolId,
        reason,
        data: { previousOwnerId: before.ownerId, previousStatus: before.status, ownerId: toUserId, lockExpiresAt: expires },
      });
      return { lead, events: [ev] };
    });
  }

  async logActivity(leadId: number, actor: Actor, activity: { type: ActivityType; note: string | null }, now: number): Promise<Held> {
    return this.#change(async (c) => {
      const before = await this.#mustLead(c, leadId, true);
      checkMayWork(before, actor);
      if (!ACTIVITY_STATUSES.includes(before.status)) {
        throw new AppError('INVALID_TRANSITION', `Lead ${leadId} is ${before.status}; activity is logged on leads someone holds.`, { from: before.status });
      }
      const status = statusAfterActivity(before.status);
      await c.query('UPDATE claims SET first_contact_at = COALESCE(first_contact_at, $1) WHERE lead_id = $2 AND ended_at IS NULL', [now, leadId]);
      // Working a lead ends a run of skips in its pool.
      if (before.ownerId !== null) await c.query('UPDATE rep_pool_counters SET skips_in_row = 0 WHERE user_id = $1 AND pool_id = $2', [before.ownerId, before.poolId]);
      // Real work stops the lock timer: the lead is the rep's until they release or close it.
      const row = await this.#one<LeadRow>(
        c,
        `UPDATE leads SET status = $1, contacted_at = COALESCE(contacted_at, $2), lock_expires_at = NULL, updated_at = $2 WHERE id = $3 RETURNING *`,
        [status, now, leadId],
      );
      const lead = leadFromRow(row!);
      const ev = await this.#event(c, 'lead.activity', actor, now, {
        leadId,
        poolId: lead.poolId,
        reason: activity.note,
        data: { activity: activity.type, from: before.status, to: status, firstContact: before.contactedAt === null },
      });
      return { lead, events: [ev] };
    });
  }

  async setStatus(leadId: number, actor: Actor, status: WorkStatus, reason: string | null, now: number): Promise<Held> {
    return this.#change(async (c) => {
      const before = await this.#mustLead(c, leadId, true);
      checkMayWork(before, actor);
      checkWorkTransition(before, status);
      const closed = TERMINAL_STATUSES.includes(status);
      await c.query('UPDATE claims SET outcome = $1, outcome_at = $2 WHERE lead_id = $3 AND ended_at IS NULL', [status, now, leadId]);
      const row = await this.#one<LeadRow>(c, `UPDATE leads SET status = $1, lock_expires_at = NULL, closed_at = $2, updated_at = $3 WHERE id = $4 RETURNING *`, [
        status,
        closed ? now : null,
        now,
        leadId,
      ]);
      const lead = leadFromRow(row!);
      const ev = await this.#event(c, 'lead.status_changed', actor, now, { leadId, poolId: lead.poolId, reason, data: { from: before.status, to: status } });
      return { lead, events: [ev] };
    });
  }

  async countOpenUncontacted(userId: number): Promise<number> {
    return (await this.#one<{ n: number }>(this.pool, `SELECT COUNT(*)::int AS n FROM leads WHERE owner_id = $1 AND status IN ('claimed', 'assigned')`, [userId]))!.n;
  }

  async leadsOwnedBy(userId: number): Promise<Lead[]> {
    return (await this.#rows<LeadRow>(this.pool, 'SELECT * FROM leads WHERE owner_id = $1 ORDER BY claimed_at DESC, id DESC', [userId])).map(leadFromRow);
  }

  // ------------------------------------------------------------------ routing

  /**
   * Push routing, escalation assignments and rotation changes take this transaction-scoped
   * advisory lock: one routing decision at a time across all instances, so a team's rotation
   * advances once per push and every decision sees the pushes made before it.
   */
  async #routingLock(c: pg.PoolClient): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1::int, 0)', [ROUTING_LOCK_SPACE]);
  }

  async listReps(): Promise<RepSettings[]> {
    return (await this.#rows<RepRow>(this.pool, `SELECT * FROM users WHERE role = 'rep' ORDER BY id`)).map(repFromRow);
  }

  async getRep(userId: number): Promise<RepSettings | null> {
    const r = await this.#one<RepRow>(this.pool, `SELECT * FROM users WHERE id = $1 AND role = 'rep'`, [userId]);
    return r ? repFromRow(r) : null;
  }

  async updateRep(userId: number, patch: RepPatch, actor: Actor, reason: string | null, now: number): Promise<{ rep: RepSettings; events: LeadEvent[] }> {
    const out = await this.#tx(async (c) => {
      const row = await this.#one<RepRow>(c, `SELECT * FROM users WHERE id = $1 AND role = 'rep' FOR UPDATE`, [userId]);
      if (!row) throw new AppError('USER_NOT_FOUND', `There is no rep ${userId}.`, { userId });
      const before = repFromRow(row);
      const after: RepSettings = { ...before, ...patch };
      await c.query(
        `UPDATE users SET team = $1, tier = $2, tier_auto = $3, availability = $4, paused = $5, capacity = $6, weight = $7, hours = $8, caps = $9 WHERE id = $10`,
        [after.team, after.tier, after.tierAuto, after.availability, after.paused, after.capacity, after.weight, after.hours ? JSON.stringify(after.hours) : null, JSON.stringify(after.caps), userId],
      );
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of Object.keys(patch) as (keyof RepPatch)[]) {
        if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changes[k] = { from: before[k], to: after[k] };
      }
      const events: LeadEvent[] = [];
      if (changes.tier) events.push(await this.#event(c, 'rep.tier_changed', actor, now, { reason, data: { userId, ...changes.tier } }));
      if (Object.keys(changes).some((k) => k !== 'tier')) events.push(await this.#event(c, 'rep.updated', actor, now, { reason, data: { userId, changes } }));
      return { rep: after, events };
    });
    this.#routingCache = null;
    if (out.events.length) this.#wrote();
    return out;
  }

  async listAccounts(): Promise<NamedAccount[]> {
    return (await this.#rows<AccountRow>(this.pool, 'SELECT * FROM named_accounts ORDER BY id')).map(accountFromRow);
  }

  async #checkOwner(c: Q, ownerId: number, field: string): Promise<void> {
    if (!(await this.#one(c, 'SELECT 1 FROM users WHERE id = $1', [ownerId]))) throw validationError([{ field, problem: `there is no user ${ownerId}` }]);
  }

  async createAccount(input: NewAccount, actor: Actor, now: number): Promise<NamedAccount> {
    const account = await this.#tx(async (c) => {
      await this.#checkOwner(c, input.ownerId, 'ownerId');
      const key = normaliseCompany(input.name);
      const row = await this.#one<AccountRow>(
        c,
        `INSERT INTO named_accounts (name, name_key, domains, owner_id, customer, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (name_key) DO NOTHING RETURNING *`,
        [input.name, key, JSON.stringify(input.domains.map((d) => d.toLowerCase())), input.ownerId, input.customer, now],
      );
      if (!row) throw new AppError('DUPLICATE', `An account named like "${input.name}" exists already.`, { field: 'name' });
      const account = accountFromRow(row);
      await this.#event(c, 'account.created', actor, now, { data: { ...account } });
      return account;
    });
    this.#routingCache = null;
    this.#wrote();
    return account;
  }

  async updateAccount(id: number, patch: Partial<NewAccount>, actor: Actor, now: number): Promise<NamedAccount> {
    const account = await this.#tx(async (c) => {
      const row = await this.#one<AccountRow>(c, 'SELECT * FROM named_accounts WHERE id = $1 FOR UPDATE', [id]);
      if (!row) throw new AppError('NOT_FOUND', `There is no account ${id}.`, { accountId: id });
      const before = accountFromRow(row);
      const after = { ...before, ...patch };
      if (patch.ownerId !== undefined) await this.#checkOwner(c, patch.ownerId, 'ownerId');
      const key = normaliseCompany(after.name);
      if (await this.#one(c, 'SELECT 1 FROM named_accounts WHERE name_key = $1 AND id <> $2', [key, id])) {
        throw new AppError('DUPLICATE', `An account named like "${after.name}" exists already.`, { field: 'name' });
      }
      const updated = await this.#one<AccountRow>(
        c,
        'UPDATE named_accounts SET name = $1, name_key = $2, domains = $3, owner_id = $4, customer = $5, updated_at = $6 WHERE id = $7 RETURNING *',
        [after.name, key, JSON.stringify(after.domains.map((d) => d.toLowerCase())), after.ownerId, after.customer, now, id],
      ).catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new AppError('DUPLICATE', `An account named like "${after.name}" exists already.`, { field: 'name' });
        throw err;
      });
      const account = accountFromRow(updated!);
      await this.#event(c, 'account.updated', actor, now, { data: { id, before, after: account } });
      return account;
    });
    this.#routingCache = null;
    this.#wrote();
    return account;
  }

  async deleteAccount(id: number, actor: Actor, now: number): Promise<void> {
    await this.#tx(async (c) => {
      const row = await this.#one<AccountRow>(c, 'DELETE FROM named_accounts WHERE id = $1 RETURNING *', [id]);
      if (!row) throw new AppError('NOT_FOUND', `There is no account ${id}.`, { accountId: id });
      await this.#event(c, 'account.deleted', actor, now, { data: accountFromRow(row) as unknown as Record<string, unknown> });
    });
    this.#routingCache = null;
    this.#wrote();
  }

  async importAccounts(inputs: NewAccount[], actor: Actor, now: number): Promise<{ created: number; updated: number }> {
    const out = await this.#tx(async (c) => {
      const users = new Set((await this.#rows<{ id: string }>(c, 'SELECT id FROM users')).map((r) => Number(r.id)));
      const problems = inputs.flatMap((a, i) => (users.has(a.ownerId) ? [] : [{ field: `accounts[${i}].ownerId`, problem: `there is no user ${a.ownerId}` }]));
      if (problems.length) throw validationError(problems);
      let created = 0;
      let updated = 0;
      for (const a of inputs) {
        const r = await this.#one<{ inserted: boolean }>(
          c,
          `INSERT INTO named_accounts (name, name_key, domains, owner_id, customer, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
           ON CONFLICT (name_key) DO UPDATE SET name = excluded.name, domains = excluded.domains, owner_id = excluded.owner_id, customer = excluded.customer,
                                                updated_at = excluded.updated_at
           RETURNING (xmax = 0) AS inserted`,
          [a.name, normaliseCompany(a.name), JSON.stringify(a.domains.map((d) => d.toLowerCase())), a.ownerId, a.customer, now],
        );
        if (r!.inserted) created++;
        else updated++;
      }
      await this.#event(c, 'account.updated', actor, now, { data: { imported: inputs.length, created, updated } });
      return { created, updated };
    });
    this.#routingCache = null;
    this.#wrote();
    return out;
  }

  async getRouting(): Promise<RoutingVersion | null> {
    const r = await this.#one<RoutingRow>(this.pool, 'SELECT * FROM routing_versions ORDER BY version DESC LIMIT 1');
    return r ? routingFromRow(r) : null;
  }

  async putRouting(ruleSet: RuleSet, note: string | null, actor: Actor, now: number): Promise<{ version: RoutingVersion; events: LeadEvent[] }> {
    const out = await this.#tx(async (c) => {
      await this.#routingLock(c);
      const last = (await this.#one<{ v: number }>(c, 'SELECT COALESCE(MAX(version), 0)::int AS v FROM routing_versions'))!;
      const row = await this.#one<RoutingRow>(c, 'INSERT INTO routing_versions (version, rules, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
        last.v + 1,
        JSON.stringify(ruleSet),
        note,
        now,
        actor.name,
      ]);
      const ev = await this.#event(c, 'routing.updated', actor, now, { reason: note, data: { version: last.v + 1, rules: ruleSet.rules.length } });
      return { version: routingFromRow(row!), events: [ev] };
    });
    this.#routingCache = null;
    this.#wrote();
    return out;
  }

  async routingVersions(): Promise<RoutingVersion[]> {
    return (await this.#rows<RoutingRow>(this.pool, 'SELECT * FROM routing_versions ORDER BY version DESC')).map(routingFromRow);
  }

  async rotations(): Promise<{ team: string; state: RotationState }[]> {
    return (await this.#rows<{ team: string; state: RotationState }>(this.pool, 'SELECT team, state FROM rotations ORDER BY team COLLATE "C"')).map((r) => ({ team: r.team, state: r.state }));
  }

  async setRotationPaused(team: string, paused: boolean, actor: Actor, now: number): Promise<LeadEvent[]> {
    const events = await this.#tx(async (c) => {
      await this.#routingLock(c);
      const state = { ...(await this.#rotation(c, team)), paused };
      await this.#saveRotation(c, team, state, now);
      return [await this.#event(c, 'rotation.updated', actor, now, { data: { team, paused } })];
    });
    this.#wrote();
    return events;
  }

  async #rotation(c: Q, team: string): Promise<RotationState> {
    const r = await this.#one<{ state: RotationState }>(c, 'SELECT state FROM rotations WHERE team = $1', [team]);
    return r ? r.state : EMPTY_ROTATION;
  }

  async #allRotations(c: Q): Promise<Map<string, RotationState>> {
    return new Map((await this.#rows<{ team: string; state: RotationState }>(c, 'SELECT team, state FROM rotations')).map((r) => [r.team, r.state]));
  }

  async #saveRotation(c: Q, team: string, state: RotationState, now: number): Promise<void> {
    await c.query('INSERT INTO rotations (team, state, updated_at) VALUES ($1, $2, $3) ON CONFLICT (team) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at', [
      team,
      JSON.stringify(state),
      now,
    ]);
  }

  /** Rules and accounts change rarely; they are read again at most once a second (as on SQLite). */
  #routingCache: { at: number; config: RoutingConfig } | null = null;

  /**
   * Inside a transaction, pass its client: taking a second connection from the pool while
   * holding one (and maybe an advisory lock) starves the pool under load and deadlocks.
   */
  async #routingConfig(q: Q = this.pool): Promise<RoutingConfig> {
    const t = Date.now();
    if (this.#routingCache && t - this.#routingCache.at < 1000) return this.#routingCache.config;
    const current = await this.#one<{ rules: RuleSet }>(q, 'SELECT rules FROM routing_versions ORDER BY version DESC LIMIT 1');
    const defaultPool = await this.#one<{ id: string }>(q, 'SELECT id FROM pools ORDER BY is_default DESC, id LIMIT 1');
    const ruleSet: RuleSet = current ? current.rules : { rules: [], defaultPoolId: defaultPool ? Number(defaultPool.id) : 0 };
    const accounts = new AccountIndex((await this.#rows<AccountRow>(q, 'SELECT * FROM named_accounts')).map(accountFromRow));
    const config = { ruleSet, accounts };
    this.#routingCache = { at: t, config };
    return config;
  }

  /** Every rep as push routing sees them now: settings, open leads, recent pushes. */
  async #repProfiles(c: Q, now: number, excludedFor: number | null): Promise<RepProfile[]> {
    const reps = await this.#rows<RepRow>(c, `SELECT * FROM users WHERE role = 'rep' ORDER BY id`);
    const open = new Map(
      (
        await this.#rows<{ owner_id: string; n: number }>(
          c,
          `SELECT owner_id, COUNT(*)::int AS n FROM leads WHERE owner_id IS NOT NULL AND status IN ('assigned', 'claimed', 'contacted', 'qualified') GROUP BY owner_id`,
        )
      ).map((r) => [Number(r.owner_id), r.n]),
    );
    const day = startOfUtcDay(now);
    const week = startOfUtcWeek(now);
    const pushed = new Map(
      (
        await this.#rows<{ user_id: string; h: number; d: number; w: number }>(
          c,
          `SELECT user_id, COUNT(*) FILTER (WHERE claimed_at > $1)::int AS h, COUNT(*) FILTER (WHERE claimed_at >= $2)::int AS d,
                  COUNT(*) FILTER (WHERE claimed_at >= $3)::int AS w
             FROM claims WHERE source IN ('pushed', 'escalated', 'backstop') AND claimed_at >= $4 GROUP BY user_id`,
          [now - 3_600_000, day, week, Math.min(week, now - 3_600_000)],
        )
      ).map((r) => [Number(r.user_id), r]),
    );
    const excluded = new Set(
      excludedFor === null ? [] : (await this.#rows<{ user_id: string }>(c, 'SELECT user_id FROM lead_exclusions WHERE lead_id = $1', [excludedFor])).map((r) => Number(r.user_id)),
    );
    return reps.map((r) => {
      const s = repFromRow(r);
      return repProfile(s, { openLeads: open.get(s.userId) ?? 0, pushed: pushed.get(s.userId), excluded: excluded.has(s.userId) });
    });
  }

  async dryRun(ruleSet: RuleSet, leads: LeadForRouting[], now: number): Promise<DecisionTrace[]> {
    const { accounts } = await this.#routingConfig();
    const reps = await this.#repProfiles(this.pool, now, null);
    const stored = await this.#allRotations(this.pool);
    const rotations = new Map<string, RotationState>();
    return leads.map((lead) => {
      const r = routeLead(lead, { ruleSet, accounts, reps, rotation: (team) => rotations.get(team) ?? stored.get(team) ?? EMPTY_ROTATION, now });
      for (const [team, state] of Object.entries(r.rotationUpdates)) rotations.set(team, state);
      if (r.trace.outcome.kind === 'pushed') countPush(reps, r.trace.outcome.userId);
      return r.trace;
    });
  }

  async recentLeadsForRouting(n: number): Promise<(LeadForRouting & { id: number })[]> {
    return (await this.#rows<LeadRow>(this.pool, 'SELECT * FROM leads ORDER BY id DESC LIMIT $1', [n])).map(leadFromRow).map((l) => ({ id: l.id, ...leadForRouting(l) }));
  }

  /**
   * Each due step in its own transaction. The lead row is locked SKIP LOCKED and its due time
   * re-checked on the locked version, so when several instances sweep at once each step runs
   * once: whoever holds the row does it, the others pass it by.
   */
  async runDueEscalations(now: number, limit: number): Promise<LeadEvent[]> {
    const due = (await this.#rows<{ id: string }>(this.pool, 'SELECT id FROM leads WHERE escalation_due_at <= $1 ORDER BY escalation_due_at LIMIT $2', [now, limit])).map((r) =>
      Number(r.id),
    );
    const events: LeadEvent[] = [];
    for (const id of due) events.push(...(await this.#tx((c) => this.#escalate(c, id, now))));
    if (events.length) this.#wrote();
    return events;
  }

  async #escalate(c: pg.PoolClient, leadId: number, now: number): Promise<LeadEvent[]> {
    const row = await this.#one<LeadRow & { escalation_step: number }>(c, 'SELECT * FROM leads WHERE id = $1 AND escalation_due_at <= $2 FOR UPDATE SKIP LOCKED', [leadId, now]);
    if (!row) return [];
    const lead = leadFromRow(row);
    const pool = await this.#pool(c, lead.poolId);
    const plan = planEscalation(lead, row.escalation_step, pool, now);
    switch (plan.kind) {
      case 'clear':
        await c.query('UPDATE leads SET escalation_due_at = NULL WHERE id = $1', [leadId]);
        return [];
      case 'later':
        await c.query('UPDATE leads SET escalation_due_at = $1 WHERE id = $2', [plan.dueAt, leadId]);
        return [];
      case 'review': {
        await c.query(`UPDATE leads SET status = 'review', escalation_step = $1, escalation_due_at = NULL, updated_at = $2 WHERE id = $3`, [plan.step, now, leadId]);
        return [await this.#event(c, 'lead.escalated', SYSTEM_ESCALATION, now, { leadId, poolId: lead.poolId, ...escalationRecord(plan, null) })];
      }
      case 'assign': {
        await this.#routingLock(c);
        const reps = (await this.#repProfiles(c, now, leadId)).filter((r) => plan.team === null || r.team === plan.team);
        const rotationKey = plan.team ?? '*';
        const pick = pickRep(plan.strategy, reps, await this.#rotation(c, rotationKey), now);
        await this.#saveRotation(c, rotationKey, pick.next, now);
        const skipped = pick.skipped.map((sk) => ({ ...sk, name: reps.find((r) => r.userId === sk.userId)?.name ?? '' }));
        if (!pick.chosen) {
          await c.query('UPDATE leads SET escalation_step = $1, escalation_due_at = $2, updated_at = $3 WHERE id = $4', [plan.step, plan.laterDueAt, now, leadId]);
          return [await this.#event(c, 'lead.escalated', SYSTEM_ESCALATION, now, { leadId, poolId: lead.poolId, ...escalationRecord(plan, { chosen: null, skipped }) })];
        }
        const expires = lockExpiry(pool!, now);
        const updated = await this.#one<LeadRow>(
          c,
          `UPDATE leads SET status = 'assigned', owner_id = $1, claimed_at = $2, claim_source = $3, lock_expires_at = $4, escalation_step = $5, escalation_due_at = NULL, updated_at = $2
            WHERE id = $6 AND status = 'available' RETURNING *`,
          [pick.chosen.userId, now, plan.source, expires, plan.step, leadId],
        );
        await this.#recordHandedClaim(c, leadFromRow(updated!), pick.chosen.userId, plan.source, now);
        const r = escalationRecord(plan, { chosen: pick.chosen, skipped, lockExpiresAt: expires });
        return [await this.#event(c, 'lead.escalated', SYSTEM_ESCALATION, now, { leadId, poolId: lead.poolId, ...r })];
      }
    }
  }

  async nextEscalationDue(): Promise<number | null> {
    const r = await this.#one<{ at: string | null }>(this.pool, 'SELECT MIN(escalation_due_at) AS at FROM leads WHERE escalation_due_at IS NOT NULL');
    return r?.at == null ? null : Number(r.at);
  }

  async reviewQueue(poolId?: number): Promise<Lead[]> {
    return (
      await this.#rows<LeadRow>(this.pool, `SELECT * FROM leads WHERE status = 'review' AND ($1::bigint IS NULL OR pool_id = $1) ORDER BY updated_at, id LIMIT 1000`, [poolId ?? null])
    ).map(leadFromRow);
  }

  async tierStats(since: number): Promise<{ userId: number; claims: number; converted: number; medianMinutesToContact: number | null }[]> {
    const rows = await this.#rows<{ user_id: string; claims: number; converted: number; ds: string[] | null }>(
      this.pool,
      `SELECT user_id, COUNT(*)::int AS claims, COUNT(*) FILTER (WHERE outcome = 'converted')::int AS converted,
              array_agg(first_contact_at - claimed_at ORDER BY first_contact_at - claimed_at) FILTER (WHERE first_contact_at IS NOT NULL) AS ds
         FROM claims WHERE claimed_at >= $1 AND source <> 'manager' GROUP BY user_id ORDER BY user_id`,
      [since],
    );
    return rows.map((r) => {
      const ds = (r.ds ?? []).map(Number);
      const mid = ds.length ? ds[Math.floor((ds.length - 1) / 2)]! : null;
      return { userId: Number(r.user_id), claims: r.claims, converted: r.converted, medianMinutesToContact: mid === null ? null : mid / 60_000 };
    });
  }

  // ------------------------------------------------------------------ timers

  /**
   * One statement per batch. SKIP LOCKED: when several instances sweep at the same moment,
   * each takes different rows, and a row a rep is releasing right now is left to the next
   * sweep (the WHERE is re-checked on the latest version after the lock, so a lead worked or
   * released meanwhile is not fired). A timer therefore fires once, by whichever instance.
   */
  async expireDueLocks(now: number, limit: number): Promise<LeadEvent[]> {
    const events = await this.#tx(async (c) => {
    const rows = await this.#rows<EventRow>(
      c,
      `WITH due AS (
         SELECT id, owner_id, status, lock_expires_at FROM leads
          WHERE lock_expires_at <= $1 AND status IN ('claimed', 'assigned')
          ORDER BY lock_expires_at, id
          LIMIT $2
          FOR UPDATE SKIP LOCKED
       ), excl AS (
         INSERT INTO lead_exclusions (lead_id, user_id, reason, at)
         SELECT id, owner_id, 'expired', $1 FROM due WHERE owner_id IS NOT NULL
         ON CONFLICT (lead_id, user_id) DO UPDATE SET reason = excluded.reason, at = excluded.at
       ), ended AS (
         UPDATE claims SET ended_at = $1, end_reason = 'expired' WHERE lead_id IN (SELECT id FROM due) AND ended_at IS NULL
       ), back AS (
         UPDATE leads l SET status = 'available', owner_id = NULL, claimed_at = NULL, claim_source = NULL, lock_expires_at = NULL,
                contacted_at = NULL, available_since = $1, updated_at = $1
           FROM due WHERE l.id = due.id
         RETURNING l.id, l.pool_id
       )
       INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
       SELECT 'lead.expired', $1, d.id, b.pool_id, 'system', NULL, $3::text, 'lock timer ran out without contact',
              json_build_object('previousOwnerId', d.owner_id, 'previousStatus', d.status, 'lockExpiresAt', d.lock_expires_at,
                                'lateByMs', $1::bigint - d.lock_expires_at)
         FROM due d JOIN back b ON b.id = d.id
        ORDER BY d.lock_expires_at, d.id
       RETURNING *`,
      [now, limit, SYSTEM_TIMER.name],
    );
    const events = rows.map(eventFromRow).sort((a, b) => a.id - b.id);
    if (events.length) await this.#resumeLadders(c, events.map((e) => e.leadId!));
    return events;
    });
    if (events.length) this.#wrote();
    return events;
  }

  /**
   * Leads back in a pool with an escalation policy get their next step's due time again (the
   * sweep's one statement cleared it), in the sweep's transaction.
   */
  async #resumeLadders(c: pg.PoolClient, leadIds: number[]): Promise<void> {
    const withPolicy = (await this.#rows<PoolRow>(c, 'SELECT * FROM pools WHERE escalation IS NOT NULL')).map(poolFromRow).filter((p) => p.escalation);
    if (withPolicy.length === 0) return;
    const policies = new Map(withPolicy.map((p) => [p.id, p]));
    const rows = await this.#rows<{ id: string; pool_id: string; created_at: string; escalation_step: number }>(
      c,
      `SELECT id, pool_id, created_at, escalation_step FROM leads WHERE id = ANY($1::bigint[]) AND status = 'available' AND pool_id = ANY($2::bigint[])`,
      [leadIds, [...policies.keys()]],
    );
    for (const r of rows) {
      const due = escalationDue(policies.get(Number(r.pool_id)) ?? null, { createdAt: Number(r.created_at), escalationStep: r.escalation_step });
      await c.query(`UPDATE leads SET escalation_due_at = $1 WHERE id = $2`, [due, r.id]);
    }
  }

  async nextLockDue(): Promise<number | null> {
    const r = await this.#one<{ at: string | null }>(this.pool, 'SELECT MIN(lock_expires_at) AS at FROM leads WHERE lock_expires_at IS NOT NULL');
    return r?.at === null || r?.at === undefined ? null : Number(r.at);
  }
}

interface ClaimTargetRow {
  id: number;
  status: Lead['status'];
  owner_id: number | null;
  pool_id: number;
  mode: Pool['mode'];
  lock_ttl_seconds: number;
  expired_by_claimer: boolean;
}

type ClaimByIdResult = { target: (ClaimTargetRow & { needs_state: boolean }) | null; ev: EventRow | null } & Partial<LeadRow>;
type ClaimNextResult = { needs_state: boolean; ev: EventRow | null } & Partial<LeadRow>;
type ClaimNextBatchRow = ClaimNextResult & { found: string | number };

function claimTarget(t: ClaimTargetRow): ClaimTarget {
  return {
    lead: { id: Number(t.id), status: t.status, ownerId: t.owner_id === null ? null : Number(t.owner_id), poolId: Number(t.pool_id) },
    pool: { id: Number(t.pool_id), mode: t.mode, lockTtlSeconds: t.lock_ttl_seconds },
    expiredByClaimer: t.expired_by_claimer,
  };
}

/** Rules that read the rep's history before a claim (the rest are checked elsewhere or never block). */
const STATEFUL_RULES = { claim: ['hoardingLimit', 'dailyCap', 'diversity'], next: ['hoardingLimit', 'dailyCap'] } as const;

function needsState(rules: PoolRules, kind: 'claim' | 'next'): boolean {
  return STATEFUL_RULES[kind].some((k) => rules[k] !== undefined);
}

/** Namespace of the per-rep advisory locks (the second key is the user id). */
const REP_LOCK_SPACE = 74145;

/*
 * The claim statements. $5 (guard): decline when the pool's effective rules read the rep's
 * history ($6: whether the team's rules do, for pools without their own); the caller then
 * takes the transaction path with the guard off. $7: the hot-score threshold the rep's
 * ratio credit is counted against. The claim's facts row places the score in the pool's
 * latest mix snapshot, as SqliteStore#recordClaim does.
 *
 * RECORD_CLAIM is the claim's bookkeeping: its row in the claims fact (whose trigger adds it
 * to the rollups) and the rep's counters. In rep order: two claim-next batches holding the
 * same reps then lock those reps' counter and rollup rows in the same order, so they cannot
 * deadlock.
 */
const RECORD_CLAIM = (owner: string, threshold: string) => `
  rec AS (
    INSERT INTO claims (lead_id, user_id, pool_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share)
    SELECT c.id, ${owner}, c.pool_id, c.claim_source, c.claimed_at, c.created_at, c.score, c.industry,
           leadpool_mix_percentile(m.pct_num, m.waiting, c.score), leadpool_mix_share(m.industry_n, m.waiting, c.industry)
      FROM claimed c LEFT JOIN LATERAL (SELECT waiting, pct_num, industry_n FROM pool_mix_snapshots s WHERE s.pool_id = c.pool_id ORDER BY s.at DESC LIMIT 1) m ON true
     ORDER BY 2
  ), counters AS (
    INSERT INTO rep_pool_counters (user_id, pool_id, views_since_claim, ratio_credits)
    SELECT ${owner}, c.pool_id, 0, CASE WHEN c.score >= ${threshold} THEN -1 ELSE 1 END FROM claimed c
     ORDER BY 1
    ON CONFLICT (user_id, pool_id) DO UPDATE SET views_since_claim = 0, ratio_credits = rep_pool_counters.ratio_credits + excluded.ratio_credits
  )`;

const CLAIM_BY_ID_SQL = `
  WITH target AS (
    SELECT l.id, l.status, l.owner_id, l.pool_id, p.mode, p.lock_ttl_seconds,
           EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = $1 AND x.reason = 'expired') AS expired_by_claimer,
           (p.access IS NOT NULL OR CASE WHEN p.rules IS NULL THEN $6::boolean ELSE p.rules::jsonb ?| ARRAY['hoardingLimit', 'dailyCap', 'diversity'] END) AS needs_state
      FROM leads l JOIN pools p ON p.id = l.pool_id WHERE l.id = $2
  ), claimed AS (
    UPDATE leads l SET status = 'claimed', owner_id = $1, claimed_at = $3,
           claim_source = CASE WHEN t.mode = 'cherry_pick' THEN 'cherry_pick' ELSE 'pool' END,
           lock_expires_at = $3 + t.lock_ttl_seconds * 1000::bigint, escalation_due_at = NULL, updated_at = $3
      FROM target t
     WHERE l.id = t.id AND l.status = 'available' AND t.mode <> 'queue' AND NOT t.expired_by_claimer AND NOT ($5::boolean AND t.needs_state)
    RETURNING l.*
  ), ${RECORD_CLAIM('$1::bigint', '$7::int')}, ev AS (
    INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
    SELECT 'lead.claimed', $3, c.id, c.pool_id, 'user', $1, $4::text, NULL,
           json_build_object('ownerId', $1::bigint, 'source', c.claim_source, 'lockExpiresAt', c.lock_expires_at)
      FROM claimed c
    RETURNING *
  )
  SELECT (SELECT row_to_json(t) FROM target t) AS target, (SELECT row_to_json(e) FROM ev e) AS ev, c.*
    FROM (SELECT 1) one LEFT JOIN claimed c ON true`;

/**
 * Where a scan of a queue in claim order may start (migration 8, queue_floor): three
 * scalar subqueries, so the row comparison is an index condition of leads_queue.
 */
const FLOOR_OF = (pool: string) =>
  ['neg_priority', 'created_at', 'lead_id'].map((c) => `COALESCE((SELECT ${c} FROM queue_floors WHERE pool_id = ${pool}), ${c === 'neg_priority' ? '-2147483648' : '-9223372036854775808'})`).join(', ');

/** Claim-next calls in a pool between two raises of its floor (per instance). */
const FLOOR_EVERY = 32;

/** Claim-next calls in one statement at most. */
const NEXT_BATCH_MAX = 32;

const RAISE_FLOOR_SQL = `
  UPDATE queue_floors f
     SET neg_priority = COALESCE(m.np, 2147483647), created_at = COALESCE(m.ca, 9223372036854775807),
         lead_id = COALESCE(m.id, 9223372036854775807), version = f.version + 1
    FROM (SELECT f0.version AS v0, n.np, n.ca, n.id
            FROM queue_floors f0
            LEFT JOIN LATERAL (
              SELECT -l.priority AS np, l.created_at AS ca, l.id FROM leads l
               WHERE l.pool_id = f0.pool_id AND l.status = 'available'
                 AND (-l.priority, l.created_at, l.id) >= (f0.neg_priority, f0.created_at, f0.lead_id)
               ORDER BY -l.priority, l.created_at, l.id LIMIT 1) n ON true
           WHERE f0.pool_id = $1) m
   WHERE f.pool_id = $1 AND f.version = m.v0
     AND (COALESCE(m.np, 2147483647), COALESCE(m.ca, 9223372036854775807), COALESCE(m.id, 9223372036854775807))
         <> (f.neg_priority, f.created_at, f.lead_id)`;

/**
 * Take-next's pool ($1): its mode and lock length, and whether its rules (or, for a pool
 * without its own, the team's: $6) read the rep's history or its access depends on the tier.
 */
const NEXT_POOL = `p AS (
    SELECT id, mode, lock_ttl_seconds,
           (access IS NOT NULL OR CASE WHEN rules IS NULL THEN $6::boolean ELSE rules::jsonb ?| ARRAY['hoardingLimit', 'dailyCap'] END) AS needs_state
      FROM pools WHERE id = $1
  )`;

/** Exported for the benchmark, which issues the very statement without the server around it. */
export const CLAIM_NEXT_SQL = `
  WITH ${NEXT_POOL}, nxt AS (
    SELECT l.id FROM leads l
     WHERE l.pool_id = $1 AND l.status = 'available'
       AND (-l.priority, l.created_at, l.id) >= (${FLOOR_OF('$1')})
       AND NOT ($5::boolean AND COALESCE((SELECT needs_state FROM p), false))
       AND NOT EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = $2)
     ORDER BY -l.priority, l.created_at, l.id
     LIMIT 1
     FOR UPDATE OF l SKIP LOCKED
  ), claimed AS (
    UPDATE leads l SET status = 'claimed', owner_id = $2, claimed_at = $3, claim_source = p.mode,
           lock_expires_at = $3 + p.lock_ttl_seconds * 1000::bigint, escalation_due_at = NULL, updated_at = $3
      FROM nxt, p
     WHERE l.id = nxt.id
    RETURNING l.*
  ), ${RECORD_CLAIM('$2::bigint', `${DEFAULT_HOT_THRESHOLD}`)}, ev AS (
    INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
    SELECT 'lead.claimed', $3, c.id, c.pool_id, 'user', $2, $4::text, NULL,
           json_build_object('ownerId', $2::bigint, 'source', c.claim_source, 'lockExpiresAt', c.lock_expires_at, 'next', true)
      FROM claimed c
    RETURNING *
  )
  SELECT p.needs_state AND $5::boolean AS needs_state, (SELECT row_to_json(e) FROM ev e) AS ev, c.*
    FROM p LEFT JOIN claimed c ON true`;

/**
 * Claim-next for several reps of one pool at once ($2 user ids, $4 their names, each rep at
 * most once): the front leads, locked with SKIP LOCKED, handed out in order (the first
 * request gets the front lead). The scan passes over a lead any rep of the batch may not take
 * (one they released, skipped or let expire), so every lead it locks it also claims, and
 * concurrent scans are never made to skip a lead that then stays unclaimed. `found` is how
 * many leads it took: a request beyond it runs alone (the lead passed over may be its own).
 */
export const CLAIM_NEXT_BATCH_SQL = `
  WITH ${NEXT_POOL}, req AS (
    SELECT r.user_id, r.name, r.ord FROM unnest($2::bigint[], $4::text[]) WITH ORDINALITY AS r(user_id, name, ord)
  ), nxt AS (
    SELECT f.id, row_number() OVER (ORDER BY f.np, f.created_at, f.id) AS ord FROM (
      SELECT l.id, -l.priority AS np, l.created_at FROM leads l
       WHERE l.pool_id = $1 AND l.status = 'available'
         AND (-l.priority, l.created_at, l.id) >= (${FLOOR_OF('$1')})
         AND NOT ($5::boolean AND COALESCE((SELECT needs_state FROM p), false))
         AND NOT EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = ANY ($2::bigint[]))
       ORDER BY -l.priority, l.created_at, l.id
       LIMIT cardinality($2::bigint[])
       FOR UPDATE OF l SKIP LOCKED) f
  ), pairs AS (
    SELECT nxt.id, req.user_id, req.name FROM nxt JOIN req ON req.ord = nxt.ord
  ), claimed AS (
    UPDATE leads l SET status = 'claimed', owner_id = pr.user_id, claimed_at = $3, claim_source = p.mode,
           lock_expires_at = $3 + p.lock_ttl_seconds * 1000::bigint, escalation_due_at = NULL, updated_at = $3
      FROM pairs pr, p
     WHERE l.id = pr.id
    RETURNING l.*
  ), ${RECORD_CLAIM('c.owner_id', `${DEFAULT_HOT_THRESHOLD}`)}, ev AS (
    INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
    SELECT 'lead.claimed', $3, c.id, c.pool_id, 'user', c.owner_id, pr.name, NULL,
           json_build_object('ownerId', c.owner_id, 'source', c.claim_source, 'lockExpiresAt', c.lock_expires_at, 'next', true)
      FROM claimed c JOIN pairs pr ON pr.id = c.id
    RETURNING *
  )
  SELECT p.needs_state AND $5::boolean AS needs_state, (SELECT count(*) FROM nxt) AS found, row_to_json(e) AS ev, c.*
    FROM p LEFT JOIN (claimed c JOIN ev e ON e.lead_id = c.id) ON true`;

export const SYSTEM_TIMER: Actor = { kind: 'system', name: 'lock timer' };

export const SYSTEM_ESCALATION: Actor = { kind: 'system', name: 'escalation' };
const SYSTEM_ROUTER: Actor = { kind: 'system', name: 'routing' };

/** Namespace of the routing advisory lock. */
const ROUTING_LOCK_SPACE = 74146;

interface RoutingConfig {
  ruleSet: RuleSet;
  accounts: AccountIndex;
}

/** Where one lead of a batch goes, decided before the batch's one INSERT. */
interface RowPlan {
  poolId: number;
  priority: number;
  status: Lead['status'];
  ownerId: number | null;
  lockExpiresAt: number | null;
  trace: DecisionTrace | null;
  via: 'poolId' | 'routing' | 'default_pool';
}

/** After a push, the in-memory profiles count it, so one batch routes as if one by one. */
function countPush(reps: RepProfile[], userId: number): void {
  const r = reps.find((x) => x.userId === userId);
  if (!r) return;
  r.openLeads++;
  r.pushed = { lastHour: r.pushed.lastHour + 1, today: r.pushed.today + 1, thisWeek: r.pushed.thisWeek + 1 };
}

/** When a lead in this pool next escalates, for the durable timer. */
function escalationDue(pool: Pick<Pool, 'escalation'> | null, lead: { createdAt: number; escalationStep: number }): number | null {
  return pool?.escalation ? escalationDueAt(pool.escalation, lead) : null;
}

/** A patch field: left out keeps the old value, null clears it. */
function jsonPatch(next: unknown, before: unknown): string | null {
  const v = next === undefined ? before : next;
  return v === null || v === undefined ? null : JSON.stringify(v);
}

interface RepRow extends UserRow {
  team: string | null;
  tier: string | null;
  tier_auto: boolean;
  availability: 'available' | 'away';
  paused: boolean;
  capacity: number | null;
  weight: number;
  hours: WorkingHours | null;
  caps: RepSettings['caps'];
}

function repFromRow(r: RepRow): RepSettings {
  return {
    userId: Number(r.id),
    name: r.name,
    email: r.email,
    team: r.team,
    tier: r.tier,
    tierAuto: r.tier_auto,
    availability: r.availability,
    paused: r.paused,
    capacity: r.capacity,
    weight: r.weight,
    hours: r.hours,
    caps: r.caps,
  };
}

interface AccountRow {
  id: string;
  name: string;
  domains: string[];
  owner_id: string;
  customer: boolean;
}

function accountFromRow(r: AccountRow): NamedAccount {
  return { id: Number(r.id), name: r.name, domains: r.domains, ownerId: Number(r.owner_id), customer: r.customer };
}

interface RoutingRow {
  version: number;
  rules: RuleSet;
  note: string | null;
  created_at: string;
  created_by: string;
}

function routingFromRow(r: RoutingRow): RoutingVersion {
  return { version: r.version, ruleSet: r.rules, note: r.note, createdAt: Number(r.created_at), createdBy: r.created_by };
}



/** How many waiting leads a search first walks in sort order before it asks the trigram index (as on SQLite). */
const BROWSE_WALK_LIMIT = 4000;

/** Opens and migrates a store: what `leadpool serve --database postgres://…` does at start. */
export async function openPostgresStore(connectionString: string, opts: Omit<PostgresStoreOptions, 'connectionString'> = {}): Promise<PostgresStore> {
  const store = new PostgresStore({ connectionString, ...opts });
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
