import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, DummyDriver, sql, type Compilable } from 'kysely';
import type { Statement } from 'better-sqlite3';
import { GroupCommit } from './group-commit.js';
import { AppError, validationError } from '../../core/errors.js';
import { decideClaimById, alreadyClaimed, checkMayWork, lockExpiry } from '../../core/claims.js';
import { checkWorkTransition, RELEASABLE_STATUSES, ACTIVITY_STATUSES, statusAfterActivity, TERMINAL_STATUSES } from '../../core/lifecycle.js';
import { companyKey, type BrowseQuery } from '../../core/browse.js';
import { leadForRouting } from '../../core/lead-routing.js';
import { escalationRecord, planEscalation } from '../../core/escalation-plan.js';
import { browseSqlite } from './browse.js';
import type { LeadInput } from '../../core/lead-input.js';
import { DEFAULT_LOCK_TTL_SECONDS, DEFAULT_PREVIEW_FIELDS } from '../../core/types.js';
import { checkClaimRules, checkDetailView, checkSkip, RuleRefusal, type PoolRules, type RepClaimState } from '../../core/fair-play.js';
import { BANDS, emptyMix, industryShare, scorePercentile, type PoolMix } from '../../core/pool-mix.js';
import { DEFAULT_HOT_THRESHOLD, repProfile, startOfUtcDay, startOfUtcWeek, tierAccessDecision, withLead, refusalLocation, withoutDiversity } from '../store-common.js';
import type { ActivityType, Actor, ApiKeyScope, EventType, Lead, LeadEvent, Pool, User, WorkStatus } from '../../core/types.js';
import type { ApiKey, InsertOptions, InsertResult, MetricsRange, NewAccount, NewPool, NewUser, PoolPatch, PoolStats, RepPatch, RepSettings, RoutingVersion, SkipReason, Store, UserActor } from '../store.js';
import {
  AccountIndex,
  conditionMatches,
  EMPTY_ROTATION,
  escalationDueAt,
  normaliseCompany,
  pickRep,
  routeLead,
  type DecisionTrace,
  type LeadForRouting,
  type Condition,
  type NamedAccount,
  type PoolAccess,
  type RepProfile,
  type RotationState,
  type RuleSet,
  type WorkingHours,
} from '../../core/routing/index.js';
import { AGE_BUCKETS_MIN, ageBuckets, type MetricsFacts } from '../../core/metrics.js';
import { claimFactFrom, rollupRowFrom, BANDS10, type ClaimFactRow } from '../rollup-rows.js';
import { DAY_MS, factsFromRollup, negated, rollupOfClaims, splitRange, sumRefusals, type ClaimFact, type RollupSlice } from '../../core/metrics-rollup.js';
import { apiKeyFromRow, eventActorColumns, eventFromRow, leadFromRow, poolFromRow, userFromRow } from '../rows.js';
import type { ApiKeyRow, EventRow, LeadRow, PoolRow, UserRow } from '../rows.js';
import type { Database } from '../db.js';
import { SQLITE_MIGRATIONS, isListed } from './migrations.js';
import { SQLITE_INTEGRATION_MIGRATIONS } from './integration-migrations.js';
import { closeSqlite, openSqlite, type SqliteDb } from './connection.js';
import { SqliteReadWorker } from './read-worker.js';
import { betweenRequests, eventPagesFrom } from './export-pages.js';
import { exportInWorker } from './export-worker-client.js';

type Held = { lead: Lead; events: LeadEvent[] };

/** Prepared statements kept per store (see #s); the store's own fixed ones are about 150. */
const STATEMENTS_KEPT = 1000;

/**
 * The embedded store. better-sqlite3 is synchronous, so each method's transaction runs to
 * completion before any other request is served: a claim's read, decision and write cannot
 * interleave with another in this process. Across processes, BEGIN IMMEDIATE takes the
 * write lock up front (a deferred transaction could deadlock when it upgrades).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly db: SqliteDb;
  /** Kysely only builds SQL here; better-sqlite3 runs it synchronously. */
  readonly qb = new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  readonly #stmts = new Map<string, Statement>();

  constructor(file: string, opts: { checkpointInBackground?: boolean } = {}) {
    this.db = openSqlite(file, opts);
    this.#claims = new GroupCommit(this.db);
  }

  /**
   * A prepared statement per SQL text, prepared once and kept while it is among the
   * STATEMENTS_KEPT used last. Browse builds its text from the filters a person combines, so
   * the texts are many; a dropped statement is finalized when it is collected.
   */
  #s(text: string): Statement {
    let st = this.#stmts.get(text);
    if (st) {
      // Most recently used last: the Map's order is the eviction order.
      this.#stmts.delete(text);
      this.#stmts.set(text, st);
      return st;
    }
    st = this.db.prepare(text);
    this.#stmts.set(text, st);
    if (this.#stmts.size > STATEMENTS_KEPT) this.#stmts.delete(this.#stmts.keys().next().value!);
    return st;
  }

  #tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Claims arriving together commit together (group-commit.ts). */
  readonly #claims: GroupCommit;

  #all<R>(q: Compilable): R[] {
    const c = q.compile();
    return this.#s(c.sql).all(...(c.parameters as unknown[])) as R[];
  }

  async migrate(): Promise<void> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    for (const m of [...SQLITE_MIGRATIONS, ...SQLITE_INTEGRATION_MIGRATIONS].sort((a, b) => a.version - b.version)) {
      this.#tx(() => {
        const done = this.db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
        if (done) return;
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
        this.db.exec(m.sql);
        if (m.version === 4) this.#backfillCompanyKeys();
      });
    }
  }

  /**
   * Rows from before migration 4 get their search key (JavaScript lower-cases all of Unicode;
   * SQL's lower() only ASCII), in the migration's own transaction: every lead written since
   * has one, so no later start needs to look (that look read the whole table on every start).
   */
  #backfillCompanyKeys(): void {
    const pending = this.db.prepare('SELECT id, company FROM leads WHERE id > ? AND company_key IS NULL ORDER BY id LIMIT 10000');
    const set = this.db.prepare('UPDATE leads SET company_key = ? WHERE id = ?');
    for (let after = 0; ; ) {
      const rows = pending.all(after) as { id: number; company: string }[];
      if (rows.length === 0) return;
      for (const r of rows) set.run(companyKey(r.company), r.id);
      after = rows[rows.length - 1]!.id;
    }
  }

  async close(): Promise<void> {
    this.#stmts.clear();
    await this.#reader?.close();
    this.#reader = null;
    await this.#counter?.close();
    this.#counter = null;
    await closeSqlite(this.db);
  }

  // ------------------------------------------------------------------ events

  #event(type: EventType, actor: Actor, now: number, e: { leadId?: number | null; poolId?: number | null; reason?: string | null; data?: Record<string, unknown> }): LeadEvent {
    const a = eventActorColumns(actor);
    const row = this.#s(
      `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ).get(type, now, e.leadId ?? null, e.poolId ?? null, a.actor_kind, a.actor_id, a.actor_name, e.reason ?? null, JSON.stringify(e.data ?? {})) as EventRow;
    return eventFromRow(row);
  }

  async leadEvents(leadId: number): Promise<LeadEvent[]> {
    return (this.#s('SELECT * FROM events WHERE lead_id = ? ORDER BY id').all(leadId) as EventRow[]).map(eventFromRow);
  }

  async eventsAfter(afterId: number, limit: number): Promise<LeadEvent[]> {
    return (this.#s('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as EventRow[]).map(eventFromRow);
  }

  async lastEventId(): Promise<number> {
    const r = this.#s('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number };
    return r.id;
  }

  // ------------------------------------------------------------------ users

  async createUser(input: NewUser, actor: Actor, now: number): Promise<User> {
    return this.#tx(() => {
      const exists = this.#s('SELECT id FROM users WHERE email = ?').get(input.email);
      if (exists) throw new AppError('DUPLICATE', `A user with email ${input.email} already exists.`, { field: 'email' });
      const row = this.#s('INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *').get(
        input.email,
        input.name,
        input.role,
        input.passwordHash,
        now,
      ) as UserRow;
      const user = userFromRow(row);
      this.#event('user.created', actor, now, { data: { userId: user.id, email: user.email, role: user.role } });
      return user;
    });
  }

  async getUser(id: number): Promise<User | null> {
    const r = this.#s('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r ? userFromRow(r) : null;
  }

  async findUserByEmail(email: string): Promise<(User & { passwordHash: string | null }) | null> {
    const r = this.#s('SELECT * FROM users WHERE email = ?').get(email) as UserRow | undefined;
    return r ? { ...userFromRow(r), passwordHash: r.password_hash } : null;
  }

  async listUsers(): Promise<User[]> {
    return (this.#s('SELECT * FROM users ORDER BY id').all() as UserRow[]).map(userFromRow);
  }

  async setUserPreferences(userId: number, prefs: { locale?: string | null; timeZone?: string | null }): Promise<User> {
    const before = this.#s('SELECT * FROM users WHERE id = ?').get(userId) as UserRow | undefined;
    if (!before) throw new AppError('USER_NOT_FOUND', `There is no user ${userId}.`, { userId });
    const row = this.#s('UPDATE users SET locale = ?, time_zone = ? WHERE id = ? RETURNING *').get(
      prefs.locale !== undefined ? prefs.locale : (before.locale ?? null),
      prefs.timeZone !== undefined ? prefs.timeZone : (before.time_zone ?? null),
      userId,
    ) as UserRow;
    return userFromRow(row);
  }

  async countUsers(): Promise<number> {
    return (this.#s('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async createSession(s: { tokenHash: string; userId: number; expiresAt: number }, now: number): Promise<void> {
    this.#tx(() => {
      this.#s('DELETE FROM sessions WHERE expires_at <= ?').run(now);
      this.#s('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)').run(s.tokenHash, s.userId, now, s.expiresAt);
    });
  }

  async findSession(tokenHash: string, now: number): Promise<(User & { expiresAt: number }) | null> {
    const r = this.#s('SELECT u.*, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?').get(tokenHash, now) as
      | (UserRow & { expires_at: number })
      | undefined;
    return r ? { ...userFromRow(r), expiresAt: r.expires_at } : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.#s('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  async createApiKey(key: { name: string; scope: ApiKeyScope; keyHash: string; prefix: string }, actor: Actor, now: number): Promise<ApiKey> {
    return this.#tx(() => {
      const row = this.#s('INSERT INTO api_keys (name, scope, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *').get(
        key.name,
        key.scope,
        key.keyHash,
        key.prefix,
        now,
      ) as ApiKeyRow;
      const k = apiKeyFromRow(row);
      this.#event('api_key.created', actor, now, { data: { keyId: k.id, name: k.name, scope: k.scope } });
      return k;
    });
  }

  async findApiKey(keyHash: string): Promise<ApiKey | null> {
    const r = this.#s('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL').get(keyHash) as ApiKeyRow | undefined;
    return r ? apiKeyFromRow(r) : null;
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (this.#s('SELECT * FROM api_keys ORDER BY id').all() as ApiKeyRow[]).map(apiKeyFromRow);
  }

  async revokeApiKey(id: number, actor: Actor, now: number): Promise<ApiKey | null> {
    return this.#tx(() => {
      const row = this.#s('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? RETURNING *').get(now, id) as ApiKeyRow | undefined;
      if (!row) return null;
      this.#event('api_key.revoked', actor, now, { data: { keyId: id } });
      return apiKeyFromRow(row);
    });
  }

  async recordLoginFailure(keys: string[], now: number): Promise<void> {
    this.#tx(() => {
      // Old failures only slow the count down; prune them as we go.
      this.#s('DELETE FROM login_failures WHERE at < ?').run(now - 24 * 3600_000);
      for (const k of keys) this.#s('INSERT INTO login_failures (key, at) VALUES (?, ?)').run(k, now);
    });
  }

  async countLoginFailures(key: string, since: number): Promise<number> {
    return (this.#s('SELECT COUNT(*) AS n FROM login_failures WHERE key = ? AND at > ?').get(key, since) as { n: number }).n;
  }

  async clearLoginFailures(key: string): Promise<void> {
    this.#s('DELETE FROM login_failures WHERE key = ?').run(key);
  }

  // ------------------------------------------------------------------ pools

  async listPools(): Promise<Pool[]> {
    return (this.#s('SELECT * FROM pools ORDER BY id').all() as PoolRow[]).map(poolFromRow);
  }

  #pool(id: number): Pool | null {
    const r = this.#s('SELECT * FROM pools WHERE id = ?').get(id) as PoolRow | undefined;
    return r ? poolFromRow(r) : null;
  }

  async getPool(id: number): Promise<Pool | null> {
    return this.#pool(id);
  }

  async getPoolByName(name: string): Promise<Pool | null> {
    const r = this.#s('SELECT * FROM pools WHERE name = ?').get(name) as PoolRow | undefined;
    return r ? poolFromRow(r) : null;
  }

  async createPool(input: NewPool, actor: Actor, now: number): Promise<{ pool: Pool; events: LeadEvent[] }> {
    return this.#tx(() => {
      if (this.#s('SELECT 1 FROM pools WHERE name = ?').get(input.name)) {
        throw validationError([{ field: 'name', problem: `a pool named "${input.name}" already exists` }]);
      }
      const first = !this.#s('SELECT 1 FROM pools LIMIT 1').get();
      const isDefault = input.isDefault === true || first;
      if (isDefault) this.#s('UPDATE pools SET is_default = 0 WHERE is_default = 1').run();
      const row = this.#s(
        'INSERT INTO pools (name, mode, lock_ttl_seconds, preview_fields, rules, escalation, access, is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
      ).get(
        input.name,
        input.mode,
        input.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
        JSON.stringify(input.previewFields ?? DEFAULT_PREVIEW_FIELDS),
        input.rules ? JSON.stringify(input.rules) : null,
        input.escalation ? JSON.stringify(input.escalation) : null,
        input.access ? JSON.stringify(input.access) : null,
        isDefault ? 1 : 0,
        now,
        now,
      ) as PoolRow;
      const pool = poolFromRow(row);
      const ev = this.#event('pool.created', actor, now, { poolId: pool.id, data: { ...input, isDefault } });
      return { pool, events: [ev] };
    });
  }

  async updatePool(id: number, patch: PoolPatch, actor: Actor, now: number): Promise<{ pool: Pool; events: LeadEvent[] }> {
    return this.#tx(() => {
      const before = this.#pool(id);
      if (!before) throw new AppError('POOL_NOT_FOUND', `There is no pool ${id}.`, { poolId: id });
      if (patch.name !== undefined && patch.name.toLowerCase() !== before.name.toLowerCase() && this.#s('SELECT 1 FROM pools WHERE name = ?').get(patch.name)) {
        throw validationError([{ field: 'name', problem: `a pool named "${patch.name}" already exists` }]);
      }
      if (patch.isDefault) this.#s('UPDATE pools SET is_default = 0 WHERE is_default = 1 AND id <> ?').run(id);
      const row = this.#s(
        `UPDATE pools SET name = ?, mode = ?, lock_ttl_seconds = ?, preview_fields = ?, rules = ?, escalation = ?, access = ?, is_default = ?, updated_at = ? WHERE id = ? RETURNING *`,
      ).get(
        patch.name ?? before.name,
        patch.mode ?? before.mode,
        patch.lockTtlSeconds ?? before.lockTtlSeconds,
        JSON.stringify(patch.previewFields ?? before.previewFields),
        patch.rules !== undefined ? (patch.rules === null ? null : JSON.stringify(patch.rules)) : before.rules === null ? null : JSON.stringify(before.rules),
        jsonPatch(patch.escalation, before.escalation),
        jsonPatch(patch.access, before.access),
        patch.isDefault ? 1 : before.isDefault ? 1 : 0,
        now,
        id,
      ) as PoolRow;
      const pool = poolFromRow(row);
      const changes: Record<string, unknown> = {};
      for (const k of Object.keys(patch) as (keyof PoolPatch)[]) changes[k] = { from: before[k], to: pool[k] };
      const ev = this.#event('pool.updated', actor, now, { poolId: id, data: { changes } });
      return { pool, events: [ev] };
    });
  }

  async poolStats(): Promise<PoolStats[]> {
    // Each pool: a count over its partial index and one step into the arrival index. Counting
    // 1,000,000 waiting leads takes ~25 ms, several times that on a busy machine, and every page
    // load asks (the pool list). Nothing committed since the last count (by anyone): the same
    // answer again. Otherwise, on a file, the count runs on a thread of its own, so the server
    // goes on answering meanwhile (the page's scripts, the session check); not the facets'
    // thread: a count must not wait behind a scan of the whole pool.
    const version = this.#dataVersion();
    if (this.#counted?.version === version) return this.#counted.stats;
    const sql = `SELECT p.id AS pool_id,
                        (SELECT COUNT(*) FROM leads l WHERE l.pool_id = p.id AND l.status = 'available') AS available,
                        (SELECT created_at FROM leads l INDEXED BY leads_age WHERE l.pool_id = p.id AND l.listed = 1 AND l.status = 'available' ORDER BY created_at LIMIT 1) AS oldest
                   FROM pools p ORDER BY p.id`;
    type Row = { pool_id: number; available: number; oldest: number | null };
    const rows =
      this.db.name === ':memory:'
        ? (this.#s(sql).all() as Row[])
        : await (this.#counter ??= new SqliteReadWorker(this.db.name, { cacheKb: 4096 })).all<Row>(sql, []);
    const stats = rows.map((r) => ({ poolId: r.pool_id, available: r.available, oldestAvailableAt: r.oldest }));
    // The version from before the count: a commit while it ran makes the next call count again.
    this.#counted = { version, stats };
    return stats;
  }

  /** The thread that counts waiting leads (poolStats), when the database is a file. */
  #counter: SqliteReadWorker | null = null;
  #counted: { version: string; stats: PoolStats[] } | null = null;

  /**
   * Changes with every commit to the database: `data_version` with those of other connections
   * (another process, too), `total_changes()` with this connection's own row changes.
   */
  #dataVersion(): string {
    const others = this.db.pragma('data_version', { simple: true }) as number;
    const own = (this.#s('SELECT total_changes() AS n').get() as { n: number }).n;
    return `${others}:${own}`;
  }

  async facets(poolId: number): Promise<Record<'industry' | 'companySize' | 'source' | 'region', string[]>> {
    // Every lead of the pool is read: off the main thread when the database is a file.
    const sql = `SELECT DISTINCT industry AS v, 0 AS k FROM leads WHERE pool_id = ?
                 UNION ALL SELECT DISTINCT company_size, 1 FROM leads WHERE pool_id = ?
                 UNION ALL SELECT DISTINCT source, 2 FROM leads WHERE pool_id = ?
                 UNION ALL SELECT DISTINCT region, 3 FROM leads WHERE pool_id = ?`;
    const params = [poolId, poolId, poolId, poolId];
    const rows =
      this.db.name === ':memory:'
        ? (this.#s(sql).all(...params) as { v: string; k: number }[])
        : await (this.#reader ??= new SqliteReadWorker(this.db.name)).all<{ v: string; k: number }>(sql, params);
    const col = (k: number) => rows.filter((r) => r.k === k).map((r) => r.v).sort();
    return { industry: col(0), companySize: col(1), source: col(2), region: col(3) };
  }

  #reader: SqliteReadWorker | null = null;

  // ------------------------------------------------------------------ leads

  async insertLeads(inputs: LeadInput[], defaultPoolId: number, actor: Actor, now: number, opts: InsertOptions = {}): Promise<InsertResult> {
    const batch = opts.batch ?? inputs.length > 1;
    return this.#tx(() => {
      const poolIds = new Set((this.#s('SELECT id FROM pools').all() as { id: number }[]).map((r) => r.id));
      const problems = inputs.flatMap((l, i) =>
        l.poolId !== undefined && !poolIds.has(l.poolId)
          ? [{ field: batch ? `leads[${i}].poolId` : 'poolId', problem: `there is no pool ${l.poolId}` }]
          : [],
      );
      if (problems.length) throw validationError(problems);
      const created: Lead[] = [];
      const existing: Lead[] = [];
      const results: InsertResult['results'] = [];
      const events: LeadEvent[] = [];
      const byExternal = this.#s('SELECT * FROM leads WHERE external_id = ?');
      // The bulk path: no RETURNING, the lead and its event are built from what was written
      // (RETURNING * and re-parsing each row cost 3.4x the raw inserts in the benchmark).
      const insert = this.#s(
        `INSERT INTO leads (pool_id, status, company, company_key, industry, company_size, source, score, region, contact_name, contact_email, contact_phone,
                            external_id, attributes, priority, created_at, available_since, updated_at,
                            owner_id, claimed_at, claim_source, lock_expires_at, escalation_due_at, routing, listed)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const fts = this.#s('INSERT INTO lead_company_fts (rowid, company) VALUES (?, ?)');
      // The search rows are written last, all together. FTS5 writes out the terms it holds in
      // memory whenever a statement opens a savepoint, and every event insert does (its table
      // has triggers): written between a batch's events, each lead became its own tiny segment,
      // 25 us of the 70 us a lead took; written together they become one.
      const searchKeys: [number, string][] = [];
      const event = this.#s(
        `INSERT INTO events (type, at, lead_id, pool_id, actor_kind, actor_id, actor_name, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const appendEvent = (type: EventType, a: Actor, leadId: number, poolId: number, reason: string | null, data: Record<string, unknown>) => {
        const who = eventActorColumns(a);
        const eventId = Number(event.run(type, now, leadId, poolId, who.actor_kind, who.actor_id, who.actor_name, reason, JSON.stringify(data)).lastInsertRowid);
        events.push({ id: eventId, type, at: now, leadId, poolId, actorKind: who.actor_kind, actorId: who.actor_id, actorName: who.actor_name, reason, data });
      };
      const pools = new Map<number, Pool>();
      const poolOf = (id: number) => {
        let p = pools.get(id);
        if (!p) pools.set(id, (p = this.#pool(id)!));
        return p;
      };
      // Routing is fetched once per batch; pushes are counted as they happen, so a batch
      // routes as if its leads came one by one.
      let routing: { config: { ruleSet: RuleSet; accounts: AccountIndex }; reps: RepProfile[]; rotations: Map<string, RotationState> } | null = null;
      const seenInBatch = new Map<string, Lead>();
      for (const l of inputs) {
        if (l.externalId !== undefined) {
          const stored = byExternal.get(l.externalId) as LeadRow | undefined;
          const prior = seenInBatch.get(l.externalId) ?? (stored ? leadFromRow(stored) : undefined);
          if (prior) {
            existing.push(prior);
            results.push({ lead: prior, created: false });
            continue;
          }
        }
        let poolId = l.poolId ?? defaultPoolId;
        let priority = l.priority ?? 0;
        let status: Lead['status'] = 'available';
        let ownerId: number | null = null;
        let lockExpiresAt: number | null = null;
        let trace: DecisionTrace | null = null;
        if (l.poolId === undefined) {
          routing ??= { config: this.#routingConfig(), reps: this.#repProfiles(now, null), rotations: new Map() };
          const r = routing;
          if (r.config.ruleSet.rules.length > 0) {
            const res = routeLead(leadForRouting({ ...l, contact: { name: l.contact.name, email: l.contact.email ?? null, phone: l.contact.phone ?? null }, attributes: l.attributes ?? {} }), {
              ruleSet: r.config.ruleSet,
              accounts: r.config.accounts,
              reps: r.reps,
              rotation: (team) => r.rotations.get(team) ?? this.#rotation(team),
              now,
            });
            for (const [team, state] of Object.entries(res.rotationUpdates)) {
              r.rotations.set(team, state);
              this.#saveRotation(team, state, now);
            }
            trace = res.trace;
            const o = res.trace.outcome;
            if (o.kind === 'pushed') {
              const action = r.config.ruleSet.rules.find((x) => x.id === res.trace.matchedRuleId)?.then;
              poolId = action && 'fallbackPoolId' in action ? action.fallbackPoolId : defaultPoolId;
              status = 'assigned';
              ownerId = o.userId;
              lockExpiresAt = lockExpiry(poolOf(poolId), now);
              SqliteStore.#countPush(r.reps, o.userId);
            } else if (o.kind === 'review') {
              poolId = o.poolId;
              status = 'review';
            } else {
              poolId = o.poolId;
              priority = l.priority ?? o.priority;
            }
          }
        }
        const pool = poolOf(poolId);
        const escalationDue = status === 'available' ? this.#escalationDue(pool, { createdAt: now, escalationStep: 0 }) : null;
        const key = companyKey(l.company);
        const attributes = l.attributes ?? {};
        const id = Number(
          insert.run(
            poolId,
            status,
            l.company,
            key,
            l.industry,
            l.companySize,
            l.source,
            l.score,
            l.region,
            l.contact.name,
            l.contact.email ?? null,
            l.contact.phone ?? null,
            l.externalId ?? null,
            JSON.stringify(attributes),
            priority,
            now,
            now,
            now,
            ownerId,
            ownerId === null ? null : now,
            ownerId === null ? null : 'pushed',
            lockExpiresAt,
            escalationDue,
            trace ? JSON.stringify(trace) : null,
            isListed(status) ? 1 : 0,
          ).lastInsertRowid,
        );
        searchKeys.push([id, key]);
        const lead: Lead = {
          id,
          poolId,
          status,
          company: l.company,
          industry: l.industry,
          companySize: l.companySize,
          source: l.source,
          score: l.score,
          region: l.region,
          contact: { name: l.contact.name, email: l.contact.email ?? null, phone: l.contact.phone ?? null },
          externalId: l.externalId ?? null,
          attributes,
          priority,
          createdAt: now,
          availableSince: now,
          ownerId,
          claimedAt: ownerId === null ? null : now,
          claimSource: ownerId === null ? null : 'pushed',
          lockExpiresAt,
          contactedAt: null,
          closedAt: null,
          updatedAt: now,
          routing: trace,
        };
        if (lead.externalId !== null) seenInBatch.set(lead.externalId, lead);
        created.push(lead);
        results.push({ lead, created: true });
        appendEvent('lead.created', actor, id, poolId, null, { poolId, via: l.poolId !== undefined ? 'poolId' : trace ? 'routing' : 'default_pool' });
        if (trace) {
          const why = trace.matchedRuleId ? `rule "${trace.rules.find((x) => x.matched)?.name ?? trace.matchedRuleId}"` : 'no rule matched';
          appendEvent('lead.routed', SYSTEM_ROUTER, id, poolId, why, { trace });
        }
        if (ownerId !== null) {
          this.#recordClaim(lead, ownerId, 'pushed', pool.rules ?? this.#teamRules(), now, { byRep: false });
          appendEvent('lead.pushed', SYSTEM_ROUTER, id, poolId, null, { ownerId, lockExpiresAt, source: 'pushed' });
        }
      }
      for (const [id, key] of searchKeys) fts.run(id, key);
      return { created, existing, results, events };
    });
  }

  #lead(id: number): Lead | null {
    const r = this.#s('SELECT * FROM leads WHERE id = ?').get(id) as LeadRow | undefined;
    return r ? leadFromRow(r) : null;
  }

  #mustLead(id: number): Lead {
    const l = this.#lead(id);
    if (!l) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${id}.`, { leadId: id });
    return l;
  }

  async getLead(id: number): Promise<Lead | null> {
    return this.#lead(id);
  }

  async getLeads(ids: number[]): Promise<Lead[]> {
    if (ids.length === 0) return [];
    return this.#all<LeadRow>(this.qb.selectFrom('leads').selectAll().where('id', 'in', ids)).map(leadFromRow);
  }

  async browse(poolId: number, query: BrowseQuery, now: number): Promise<{ items: Lead[]; hasMore: boolean }> {
    const rows = browseSqlite((text, params) => this.#s(text).all(...params) as Record<string, unknown>[], poolId, query, now, query.limit + 1) as unknown as LeadRow[];
    return { items: rows.slice(0, query.limit).map(leadFromRow), hasMore: rows.length > query.limit };
  }

  async claim(leadId: number, actor: UserActor, now: number): Promise<Held> {
    return this.#refusalsRecorded(actor, now, () =>
      this.#claims.run(() => {
        const row = this.#s(
          `SELECT l.id, l.status, l.owner_id, l.pool_id, l.score, p.mode, p.lock_ttl_seconds, p.rules, p.access,
                  EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = ? AND x.reason = 'expired') AS expired_by_claimer
             FROM leads l JOIN pools p ON p.id = l.pool_id WHERE l.id = ?`,
        ).get(actor.userId, leadId) as
          | { id: number; status: Lead['status']; owner_id: number | null; pool_id: number; score: number; mode: Pool['mode']; lock_ttl_seconds: number; rules: string | null; access: string | null; expired_by_claimer: number }
          | undefined;
        if (!row) throw new AppError('LEAD_NOT_FOUND', `There is no lead ${leadId}.`, { leadId });
        if (row.access !== null) this.#checkTierAccess(JSON.parse(row.access) as Record<string, PoolAccess>, actor.userId, leadId);
        const decision = decideClaimById(
          {
            lead: { id: row.id, status: row.status, ownerId: row.owner_id, poolId: row.pool_id },
            pool: { id: row.pool_id, mode: row.mode, lockTtlSeconds: row.lock_ttl_seconds },
            expiredByClaimer: row.expired_by_claimer === 1,
          },
          actor.userId,
          now,
        );
        if (!decision.ok) throw decision.error;
        const rules = this.#rulesOf(row.rules);
        const refusal = checkClaimRules(rules, this.#repState(actor.userId, row.pool_id, rules, now), row.score);
        if (refusal) throw withLead(refusal, leadId, row.pool_id);
        // The WHERE re-checks the status: the one statement is what makes the claim atomic,
        // also against another process writing the same file.
        const claimed = this.#s(
          `UPDATE leads SET status = 'claimed', owner_id = ?, claimed_at = ?, claim_source = ?, lock_expires_at = ?, escalation_due_at = NULL, updated_at = ?
            WHERE id = ? AND status = 'available' RETURNING *`,
        ).get(actor.userId, now, decision.source, decision.lockExpiresAt, now, leadId) as LeadRow | undefined;
        if (!claimed) throw alreadyClaimed(this.#mustLead(leadId), actor.userId);
        const lead = leadFromRow(claimed);
        this.#recordClaim(lead, actor.userId, decision.source, rules, now);
        const ev = this.#event('lead.claimed', actor, now, {
          leadId,
          poolId: lead.poolId,
          data: { ownerId: actor.userId, source: decision.source, lockExpiresAt: decision.lockExpiresAt },
        });
        return { lead, events: [ev] };
      }),
    );
  }

  async claimNext(poolId: number, actor: UserActor, now: number): Promise<Held | null> {
    return this.#refusalsRecorded(actor, now, () =>
      this.#claims.run(() => {
        const pool = this.#pool(poolId);
        if (!pool) throw new AppError('POOL_NOT_FOUND', `There is no pool ${poolId}.`, { poolId });
        const filter = pool.access ? this.#checkTierAccess(pool.access, actor.userId, null) : null;
        // In a queue nobody chooses, so diversity has nothing to judge; the limits on volume hold.
        const rules = withoutDiversity(pool.rules ?? this.#teamRules());
        const refusal = checkClaimRules(rules, this.#repState(actor.userId, poolId, rules, now), 0);
        if (refusal) throw withLead(refusal, null, poolId);
        const expires = lockExpiry(pool, now);
        const source = pool.mode === 'queue' ? 'queue' : pool.mode;
        // One statement picks the front lead and takes it. Leads this rep released, skipped
        // or let expire are passed over: they go to someone else.
        let claimed: LeadRow | undefined;
        if (filter === null) {
          claimed = this.#s(
            `UPDATE leads SET status = 'claimed', owner_id = ?, claimed_at = ?, claim_source = ?, lock_expires_at = ?, escalation_due_at = NULL, updated_at = ?
              WHERE id = (SELECT l.id FROM leads l INDEXED BY leads_queue
                           WHERE l.pool_id = ? AND l.status = 'available'
                             AND NOT EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = ?)
                           ORDER BY l.priority DESC, l.created_at, l.id LIMIT 1)
                AND status = 'available'
              RETURNING *`,
          ).get(actor.userId, now, source, expires, now, poolId, actor.userId) as LeadRow | undefined;
        } else {
          // A tier limited to part of the queue takes the front lead of that part: the front
          // of the line is read in order and the first lead inside the filter is taken.
          const front = this.#s(
            `SELECT l.* FROM leads l INDEXED BY leads_queue WHERE l.pool_id = ? AND l.status = 'available'
                AND NOT EXISTS (SELECT 1 FROM lead_exclusions x WHERE x.lead_id = l.id AND x.user_id = ?)
              ORDER BY l.priority DESC, l.created_at, l.id LIMIT 500`,
          ).all(poolId, actor.userId) as LeadRow[];
          const { accounts } = this.#routingConfig();
          const pick = front.map(leadFromRow).find((l) => conditionMatches(filter, leadForRouting(l), accounts.match(l)).matched);
          claimed = pick
            ? (this.#s(
                `UPDATE leads SET status = 'claimed', owner_id = ?, claimed_at = ?, claim_source = ?, lock_expires_at = ?, escalation_due_at = NULL, updated_at = ?
                  WHERE id = ? AND status = 'available' RETURNING *`,
              ).get(actor.userId, now, source, expires, now, pick.id) as LeadRow | undefined)
            : undefined;
        }
        if (!claimed) return null;
        const lead = leadFromRow(claimed);
        this.#recordClaim(lead, actor.userId, source, rules, now);
        const ev = this.#event('lead.claimed', actor, now, { leadId: lead.id, poolId, data: { ownerId: actor.userId, source, lockExpiresAt: expires, next: true } });
        return { lead, events: [ev] };
      }),
    );
  }

  /** Performance-based access: a tier kept out of a pool, or limited to a filtered part of it, is refused the rest. */
  #checkTierAccess(access: Record<string, PoolAccess>, userId: number, leadId: number | null): Condition | null {
    const tier = (this.#s('SELECT tier FROM users WHERE id = ?').get(userId) as { tier: string | null } | undefined)?.tier ?? null;
    const lead = leadId === null ? null : this.#mustLead(leadId);
    return tierAccessDecision(access, tier, lead, lead ? this.#routingConfig().accounts.match(lead) : null);
  }

  // ------------------------------------------------------------------ fair play

  #teamRulesCache: { at: number; rules: PoolRules } | null = null;

  #teamRules(): PoolRules {
    // Read at most once a second: every claim in a pool without its own rules needs them.
    const t = Date.now();
    if (this.#teamRulesCache && t - this.#teamRulesCache.at < 1000) return this.#teamRulesCache.rules;
    const r = this.#s(`SELECT value FROM team_settings WHERE key = 'rules'`).get() as { value: string } | undefined;
    const rules = r ? (JSON.parse(r.value) as PoolRules) : {};
    this.#teamRulesCache = { at: t, rules };
    return rules;
  }

  #rulesOf(poolRules: string | null): PoolRules {
    return poolRules === null ? this.#teamRules() : (JSON.parse(poolRules) as PoolRules);
  }

  async getTeamSetting(key: string): Promise<unknown> {
    const r = this.#s('SELECT value FROM team_settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as unknown) : null;
  }

  async setTeamSetting(key: string, value: unknown, actor: Actor, now: number): Promise<LeadEvent[]> {
    return this.#tx(() => {
      const before = this.#s('SELECT value FROM team_settings WHERE key = ?').get(key) as { value: string } | undefined;
      this.#s('INSERT INTO team_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
      if (key === 'rules') this.#teamRulesCache = null;
      return [this.#event('settings.updated', actor, now, { data: { key, from: before ? JSON.parse(before.value) : null, to: value } })];
    });
  }

  async getTeamRules(): Promise<PoolRules> {
    return this.#teamRules();
  }

  async setTeamRules(rules: PoolRules, actor: Actor, now: number): Promise<{ rules: PoolRules; events: LeadEvent[] }> {
    return this.#tx(() => {
      const before = this.#teamRules();
      this.#s(`INSERT INTO team_settings (key, value) VALUES ('rules', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(JSON.stringify(rules));
      this.#teamRulesCache = null;
      const ev = this.#event('settings.rules_updated', actor, now, { data: { from: before, to: rules } });
      return { rules, events: [ev] };
    });
  }

  /** Only the counts the pool's rules need are read. */
  #repState(userId: number, poolId: number, rules: PoolRules, now: number): RepClaimState {
    const state: RepClaimState = { openUncontacted: 0, recentScores: [], ratioCredits: 0, claimsToday: 0 };
    if (rules.hoardingLimit !== undefined) {
      state.openUncontacted = (
        this.#s(`SELECT COUNT(*) AS n FROM leads WHERE owner_id = ? AND status IN ('claimed', 'assigned')`).get(userId) as { n: number }
      ).n;
    }
    if (rules.dailyCap !== undefined) {
      const c = this.#s('SELECT claims_day, claims_today FROM rep_pool_counters WHERE user_id = ? AND pool_id = ?').get(userId, poolId) as
        | { claims_day: number; claims_today: number }
        | undefined;
      state.claimsToday = c && c.claims_day === startOfUtcDay(now) ? c.claims_today : 0;
    }
    const d = rules.diversity;
    if (d?.mode === 'percent') {
      state.recentScores = (
        this.#s('SELECT score FROM claims WHERE user_id = ? AND pool_id = ? ORDER BY claimed_at DESC, id DESC LIMIT ?').all(userId, poolId, d.window) as { score: number }[]
      ).map((r) => r.score);
    } else if (d?.mode === 'ratio') {
      const c = this.#s('SELECT ratio_credits FROM rep_pool_counters WHERE user_id = ? AND pool_id = ?').get(userId, poolId) as { ratio_credits: number } | undefined;
      state.ratioCredits = c?.ratio_credits ?? 0;
    }
    return state;
  }

  /** The claim's facts, and the rep's counters: a claim resets detail views and spends or earns ratio credit. */
  #recordClaim(lead: Lead, userId: number, source: string, rules: PoolRules, now: number, opts: { byRep: boolean } = { byRep: true }): void {
    const mix = this.#latestMix(lead.poolId);
    const threshold = rules.diversity?.threshold ?? DEFAULT_HOT_THRESHOLD;
    this.#s(
      `INSERT INTO claims (lead_id, user_id, pool_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(lead.id, userId, lead.poolId, source, now, lead.createdAt, lead.score, lead.industry, mix ? scorePercentile(mix, lead.score) : null, mix ? industryShare(mix, lead.industry) : null);
    // Every claim counts for the day (the daily cap counts what a rep holds, pushed too); only
    // a rep's own claim resets their detail views and earns or spends ratio credit.
    const day = startOfUtcDay(now);
    this.#s(
      `INSERT INTO rep_pool_counters (user_id, pool_id, views_since_claim, ratio_credits, claims_day, claims_today) VALUES (?, ?, 0, ?, ?, 1)
       ON CONFLICT (user_id, pool_id) DO UPDATE SET
         views_since_claim = CASE WHEN ? THEN 0 ELSE views_since_claim END,
         ratio_credits = ratio_credits + excluded.ratio_credits,
         claims_today = CASE WHEN claims_day = excluded.claims_day THEN claims_today + 1 ELSE 1 END,
         claims_day = excluded.claims_day`,
    ).run(userId, lead.poolId, opts.byRep ? (lead.score >= threshold ? -1 : 1) : 0, day, opts.byRep ? 1 : 0);
  }

  /** Closes the open claim of a lead (released, expired, reassigned, skipped). */
  #endClaim(leadId: number, reason: 'released' | 'expired' | 'reassigned' | 'skipped', now: number): void {
    this.#s('UPDATE claims SET ended_at = ?, end_reason = ? WHERE lead_id = ? AND ended_at IS NULL').run(now, reason, leadId);
  }

  #mixCache = new Map<number, { at: number; mix: PoolMix }>();

  #latestMix(poolId: number): PoolMix | null {
    const r = this.#s('SELECT at, mix FROM pool_mix_snapshots WHERE pool_id = ? ORDER BY at DESC LIMIT 1').get(poolId) as { at: number; mix: string } | undefined;
    if (!r) return null;
    const hit = this.#mixCache.get(poolId);
    if (hit && hit.at === r.at) return hit.mix;
    const mix = JSON.parse(r.mix) as PoolMix;
    this.#mixCache.set(poolId, { at: r.at, mix });
    return mix;
  }

  async snapshotPoolMix(poolId: number, now: number): Promise<PoolMix> {
    const industries = (this.#s(`SELECT DISTINCT industry FROM leads INDEXED BY leads_industry WHERE pool_id = ? AND listed = 1`).all(poolId) as { industry: string }[]).map((r) => r.industry);
    const mix = emptyMix();
    // Counted on the index (listed leads), less the held ones among them (leads_held, few).
    const count = this.#s(
      `SELECT score / 10 AS band, COUNT(*) AS n FROM leads INDEXED BY leads_industry
        WHERE pool_id = ? AND listed = 1 AND industry = ? GROUP BY band`,
    );
    const held = this.#s(
      `SELECT score / 10 AS band, COUNT(*) AS n FROM leads INDEXED BY leads_held
        WHERE pool_id = ? AND listed = 1 AND status <> 'available' AND industry = ? GROUP BY band`,
    );
    for (const industry of industries) {
      // One industry at a time, yielding between: a million waiting leads are counted in
      // slices of a few milliseconds instead of one long stall of the event loop.
      const bands = Array<number>(BANDS).fill(0);
      for (const r of count.all(poolId, industry) as { band: number; n: number }[]) bands[Math.min(BANDS - 1, r.band)]! += r.n;
      for (const r of held.all(poolId, industry) as { band: number; n: number }[]) bands[Math.min(BANDS - 1, r.band)]! -= r.n;
      if (bands.every((n) => n === 0)) continue; // only held leads of this industry
      mix.byIndustry[industry] = bands;
      mix.waiting += bands.reduce((a, n) => a + n, 0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.#s('INSERT OR REPLACE INTO pool_mix_snapshots (pool_id, at, waiting, mix) VALUES (?, ?, ?, ?)').run(poolId, now, mix.waiting, JSON.stringify(mix));
    this.#s('DELETE FROM pool_mix_snapshots WHERE pool_id = ? AND at < ?').run(poolId, now - 7 * 86_400_000);
    return mix;
  }

  async viewLead(leadId: number, actor: UserActor, now: number): Promise<Lead> {
    return this.#refusalsRecorded(actor, now, () =>
      this.#tx(() => {
        const lead = this.#mustLead(leadId);
        const pool = this.#pool(lead.poolId)!;
        const rules = pool.rules ?? this.#teamRules();
        if (lead.status !== 'available' || rules.detailViewLimit === undefined) return lead;
        const c = this.#s('SELECT views_since_claim FROM rep_pool_counters WHERE user_id = ? AND pool_id = ?').get(actor.userId, pool.id) as
          | { views_since_claim: number }
          | undefined;
        const refusal = checkDetailView(rules, c?.views_since_claim ?? 0);
        if (refusal) throw withLead(refusal, leadId, pool.id);
        this.#s(
          `INSERT INTO rep_pool_counters (user_id, pool_id, views_since_claim) VALUES (?, ?, 1)
           ON CONFLICT (user_id, pool_id) DO UPDATE SET views_since_claim = views_since_claim + 1`,
        ).run(actor.userId, pool.id);
        this.#event('lead.viewed', actor, now, { leadId, poolId: pool.id, data: { viewsSinceClaim: (c?.views_since_claim ?? 0) + 1, limit: rules.detailViewLimit } });
        return lead;
      }),
    );
  }

  async skip(leadId: number, actor: UserActor, reason: SkipReason, note: string | null, now: number): Promise<Held> {
    return this.#refusalsRecorded(actor, now, () =>
      this.#tx(() => {
        const before = this.#mustLead(leadId);
        if (before.ownerId !== actor.userId || before.claimSource !== 'queue' || (before.status !== 'claimed' && before.status !== 'assigned')) {
          throw new AppError('INVALID_TRANSITION', `Only a lead you took from a queue and have not worked yet can be skipped; release it instead.`, {
            leadId,
            status: before.status,
          });
        }
        const pool = this.#pool(before.poolId)!;
        const rules = pool.rules ?? this.#teamRules();
        const c = this.#s('SELECT skips_in_row FROM rep_pool_counters WHERE user_id = ? AND pool_id = ?').get(actor.userId, pool.id) as { skips_in_row: number } | undefined;
        const refusal = checkSkip(rules, c?.skips_in_row ?? 0);
        if (refusal) throw withLead(refusal, leadId, pool.id);
        this.#exclude(leadId, actor.userId, 'skipped', now);
        this.#endClaim(leadId, 'skipped', now);
        this.#s(
          `INSERT INTO rep_pool_counters (user_id, pool_id, skips_in_row) VALUES (?, ?, 1)
           ON CONFLICT (user_id, pool_id) DO UPDATE SET skips_in_row = skips_in_row + 1`,
        ).run(actor.userId, pool.id);
        const lead = this.#returnToPool(before, now);
        const ev = this.#event('lead.skipped', actor, now, { leadId, poolId: pool.id, reason: note, data: { skipReason: reason, skipsInRow: (c?.skips_in_row ?? 0) + 1 } });
        return { lead, events: [ev] };
      }),
    );
  }

  /** A refused claim leaves no trace but its audit record, written after the rollback. */
  async #refusalsRecorded<T>(actor: UserActor, now: number, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RuleRefusal) {
        const where = refusalLocation.get(err);
        this.#tx(() =>
          this.#event('lead.claim_refused', actor, now, {
            leadId: where?.leadId ?? null,
            poolId: where?.poolId ?? null,
            reason: err.message,
            data: { rule: err.rule, ...err.details },
          }),
        );
      }
      throw err;
    }
  }

  /** Puts a held lead back into its pool; `why` says whose doing it was. */
  #returnToPool(lead: Lead, now: number): Lead {
    // Back in the pool, the lead's ladder resumes where it stood: a step that is overdue by
    // now (a pushed lead nobody worked) runs at the next sweep.
    const step = (this.#s('SELECT escalation_step FROM leads WHERE id = ?').get(lead.id) as { escalation_step: number }).escalation_step;
    const due = this.#escalationDue(this.#pool(lead.poolId), { createdAt: lead.createdAt, escalationStep: step });
    const row = this.#s(
      `UPDATE leads SET status = 'available', owner_id = NULL, claimed_at = NULL, claim_source = NULL, lock_expires_at = NULL,
              contacted_at = NULL, available_since = ?, escalation_due_at = ?, updated_at = ?
        WHERE id = ? RETURNING *`,
    ).get(now, due, now, lead.id) as LeadRow;
    return leadFromRow(row);
  }

  #exclude(leadId: number, userId: number, reason: 'released' | 'expired' | 'skipped', now: number): void {
    this.#s('INSERT INTO lead_exclusions (lead_id, user_id, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT (lead_id, user_id) DO UPDATE SET reason = excluded.reason, at = excluded.at').run(
      leadId,
      userId,
      reason,
      now,
    );
  }

  async release(leadId: number, actor: Actor, reason: string | null, now: number): Promise<Held> {
    return this.#tx(() => {
      const before = this.#mustLead(leadId);
      checkMayWork(before, actor);
      if (!RELEASABLE_STATUSES.includes(before.status)) {
        throw new AppError('INVALID_TRANSITION', `Lead ${leadId} is ${before.status}; only a held lead can be released.`, { from: before.status });
      }
      if (before.ownerId !== null) this.#exclude(leadId, before.ownerId, 'released', now);
      this.#endClaim(leadId, 'released', now);
      const lead = this.#returnToPool(before, now);
      const ev = this.#event('lead.released', actor, now, { leadId, poolId: lead.poolId, reason, data: { previousOwnerId: before.ownerId, previousStatus: before.status } });
      return { lead, events: [ev] };
    });
  }

  async reassign(leadId: number, toUserId: number, actor: Actor, reason: string | null, now: number): Promise<Held> {
    return this.#tx(() => {
      const before = this.#mustLead(leadId);
      const target = this.#s('SELECT * FROM users WHERE id = ?').get(toUserId) as UserRow | undefined;
      if (!target) throw validationError([{ field: 'userId', problem: `there is no user ${toUserId}` }]);
      if (TERMINAL_STATUSES.includes(before.status)) {
        throw new AppError('INVALID_TRANSITION', `Lead ${leadId} is ${before.status}; a closed lead cannot be reassigned.`, { from: before.status });
      }
      const pool = this.#pool(before.poolId)!;
      const expires = lockExpiry(pool, now);
      this.#endClaim(leadId, 'reassigned', now);
      const row = this.#s(
        `UPDATE leads SET status = 'assigned', owner_id = ?, claimed_at = ?, claim_source = 'manager', lock_expires_at = ?, contacted_at = NULL, updated_at = ?
          WHERE id = ? RETURNING *`,
      ).get(toUserId, now, expires, now, leadId) as LeadRow;
      const lead = leadFromRow(row);
      this.#recordClaim(lead, toUserId, 'manager', pool.rules ?? this.#teamRules(), now, { byRep: false });
      const ev = this.#event('lead.reassigned', actor, now, {
        leadId,
        poolId: lead.poolId,
        reason,
        data: { previousOwnerId: before.ownerId, previousStatus: before.status, ownerId: toUserId, lockExpiresAt: expires },
      });
      return { lead, events: [ev] };
    });
  }

  async logActivity(leadId: number, actor: Actor, activity: { type: ActivityType; note: string | null }, now: number): Promise<Held> {
    return this.#tx(() => {
      const before = this.#mustLead(leadId);
      checkMayWork(before, actor);
      if (!ACTIVITY_STATUSES.includes(before.status)) {
        throw new AppError('INVALID_TRANSITION', `Lead ${leadId} is ${before.status}; activity is logged on leads someone holds.`, { from: before.status });
      }
      const status = statusAfterActivity(before.status);
      this.#s('UPDATE claims SET first_contact_at = COALESCE(first_contact_at, ?) WHERE lead_id = ? AND ended_at IS NULL').run(now, leadId);
      // Working a lead ends a run of skips in its pool.
      if (before.ownerId !== null) this.#s('UPDATE rep_pool_counters SET skips_in_row = 0 WHERE user_id = ? AND pool_id = ?').run(before.ownerId, before.poolId);
      // Real work stops the lock timer: the lead is the rep's until they release or close it.
      const row = this.#s(
        `UPDATE leads SET status = ?, contacted_at = COALESCE(contacted_at, ?), lock_expires_at = NULL, updated_at = ? WHERE id = ? RETURNING *`,
      ).get(status, now, now, leadId) as LeadRow;
      const lead = leadFromRow(row);
      const ev = this.#event('lead.activity', actor, now, {
        leadId,
        poolId: lead.poolId,
        reason: activity.note,
        data: { activity: activity.type, from: before.status, to: status, firstContact: before.contactedAt === null },
      });
      return { lead, events: [ev] };
    });
  }

  async setStatus(leadId: number, actor: Actor, status: WorkStatus, reason: string | null, now: number): Promise<Held> {
    return this.#tx(() => {
      const before = this.#mustLead(leadId);
      checkMayWork(before, actor);
      checkWorkTransition(before, status);
      const closed = TERMINAL_STATUSES.includes(status);
      this.#s('UPDATE claims SET outcome = ?, outcome_at = ? WHERE lead_id = ? AND ended_at IS NULL').run(status, now, leadId);
      const row = this.#s(
        `UPDATE leads SET status = ?, lock_expires_at = NULL, closed_at = ?, updated_at = ? WHERE id = ? RETURNING *`,
      ).get(status, closed ? now : null, now, leadId) as LeadRow;
      const lead = leadFromRow(row);
      const ev = this.#event('lead.status_changed', actor, now, { leadId, poolId: lead.poolId, reason, data: { from: before.status, to: status } });
      return { lead, events: [ev] };
    });
  }

  async countOpenUncontacted(userId: number): Promise<number> {
    return (this.#s(`SELECT COUNT(*) AS n FROM leads WHERE owner_id = ? AND status IN ('claimed', 'assigned')`).get(userId) as { n: number }).n;
  }

  async leadsOwnedBy(userId: number): Promise<Lead[]> {
    return (this.#s('SELECT * FROM leads WHERE owner_id = ? ORDER BY claimed_at DESC, id DESC').all(userId) as LeadRow[]).map(leadFromRow);
  }

  // ------------------------------------------------------------------ routing

  async listReps(): Promise<RepSettings[]> {
    return (this.#s(`SELECT * FROM users WHERE role = 'rep' ORDER BY id`).all() as RepRow[]).map(repFromRow);
  }

  async getRep(userId: number): Promise<RepSettings | null> {
    const r = this.#s(`SELECT * FROM users WHERE id = ? AND role = 'rep'`).get(userId) as RepRow | undefined;
    return r ? repFromRow(r) : null;
  }

  async updateRep(userId: number, patch: RepPatch, actor: Actor, reason: string | null, now: number): Promise<{ rep: RepSettings; events: LeadEvent[] }> {
    return this.#tx(() => {
      const row = this.#s(`SELECT * FROM users WHERE id = ? AND role = 'rep'`).get(userId) as RepRow | undefined;
      if (!row) throw new AppError('USER_NOT_FOUND', `There is no rep ${userId}.`, { userId });
      const before = repFromRow(row);
      const after: RepSettings = { ...before, ...patch };
      this.#s(
        `UPDATE users SET team = ?, tier = ?, tier_auto = ?, availability = ?, paused = ?, capacity = ?, weight = ?, hours = ?, caps = ? WHERE id = ?`,
      ).run(after.team, after.tier, after.tierAuto ? 1 : 0, after.availability, after.paused ? 1 : 0, after.capacity, after.weight, after.hours ? JSON.stringify(after.hours) : null, JSON.stringify(after.caps), userId);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of Object.keys(patch) as (keyof RepPatch)[]) {
        if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) changes[k] = { from: before[k], to: after[k] };
      }
      const events: LeadEvent[] = [];
      if (changes.tier) events.push(this.#event('rep.tier_changed', actor, now, { reason, data: { userId, ...changes.tier } }));
      if (Object.keys(changes).some((k) => k !== 'tier')) events.push(this.#event('rep.updated', actor, now, { reason, data: { userId, changes } }));
      this.#routingCache = null;
      return { rep: after, events };
    });
  }

  async listAccounts(): Promise<NamedAccount[]> {
    return (this.#s('SELECT * FROM named_accounts ORDER BY id').all() as AccountRow[]).map(accountFromRow);
  }

  #checkOwner(ownerId: number, field: string): void {
    if (!this.#s('SELECT 1 FROM users WHERE id = ?').get(ownerId)) throw validationError([{ field, problem: `there is no user ${ownerId}` }]);
  }

  async createAccount(input: NewAccount, actor: Actor, now: number): Promise<NamedAccount> {
    return this.#tx(() => {
      this.#checkOwner(input.ownerId, 'ownerId');
      const key = normaliseCompany(input.name);
      if (this.#s('SELECT 1 FROM named_accounts WHERE name_key = ?').get(key)) {
        throw new AppError('DUPLICATE', `An account named like "${input.name}" exists already.`, { field: 'name' });
      }
      const row = this.#s(
        'INSERT INTO named_accounts (name, name_key, domains, owner_id, customer, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *',
      ).get(input.name, key, JSON.stringify(input.domains.map((d) => d.toLowerCase())), input.ownerId, input.customer ? 1 : 0, now, now) as AccountRow;
      const account = accountFromRow(row);
      this.#event('account.created', actor, now, { data: { ...account } });
      this.#routingCache = null;
      return account;
    });
  }

  async updateAccount(id: number, patch: Partial<NewAccount>, actor: Actor, now: number): Promise<NamedAccount> {
    return this.#tx(() => {
      const row = this.#s('SELECT * FROM named_accounts WHERE id = ?').get(id) as AccountRow | undefined;
      if (!row) throw new AppError('NOT_FOUND', `There is no account ${id}.`, { accountId: id });
      const before = accountFromRow(row);
      const after = { ...before, ...patch };
      if (patch.ownerId !== undefined) this.#checkOwner(patch.ownerId, 'ownerId');
      const key = normaliseCompany(after.name);
      if (this.#s('SELECT 1 FROM named_accounts WHERE name_key = ? AND id <> ?').get(key, id)) {
        throw new AppError('DUPLICATE', `An account named like "${after.name}" exists already.`, { field: 'name' });
      }
      const updated = this.#s(
        'UPDATE named_accounts SET name = ?, name_key = ?, domains = ?, owner_id = ?, customer = ?, updated_at = ? WHERE id = ? RETURNING *',
      ).get(after.name, key, JSON.stringify(after.domains.map((d) => d.toLowerCase())), after.ownerId, after.customer ? 1 : 0, now, id) as AccountRow;
      this.#event('account.updated', actor, now, { data: { id, before, after: accountFromRow(updated) } });
      this.#routingCache = null;
      return accountFromRow(updated);
    });
  }

  async deleteAccount(id: number, actor: Actor, now: number): Promise<void> {
    this.#tx(() => {
      const row = this.#s('DELETE FROM named_accounts WHERE id = ? RETURNING *').get(id) as AccountRow | undefined;
      if (!row) throw new AppError('NOT_FOUND', `There is no account ${id}.`, { accountId: id });
      this.#event('account.deleted', actor, now, { data: accountFromRow(row) as unknown as Record<string, unknown> });
      this.#routingCache = null;
    });
  }

  async importAccounts(inputs: NewAccount[], actor: Actor, now: number): Promise<{ created: number; updated: number }> {
    return this.#tx(() => {
      const users = new Set((this.#s('SELECT id FROM users').all() as { id: number }[]).map((r) => r.id));
      const problems = inputs.flatMap((a, i) => (users.has(a.ownerId) ? [] : [{ field: `accounts[${i}].ownerId`, problem: `there is no user ${a.ownerId}` }]));
      if (problems.length) throw validationError(problems);
      let created = 0;
      let updated = 0;
      for (const a of inputs) {
        const key = normaliseCompany(a.name);
        const domains = JSON.stringify(a.domains.map((d) => d.toLowerCase()));
        const prior = this.#s('SELECT id FROM named_accounts WHERE name_key = ?').get(key) as { id: number } | undefined;
        if (prior) {
          this.#s('UPDATE named_accounts SET name = ?, domains = ?, owner_id = ?, customer = ?, updated_at = ? WHERE id = ?').run(a.name, domains, a.ownerId, a.customer ? 1 : 0, now, prior.id);
          updated++;
        } else {
          this.#s('INSERT INTO named_accounts (name, name_key, domains, owner_id, customer, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(a.name, key, domains, a.ownerId, a.customer ? 1 : 0, now, now);
          created++;
        }
      }
      this.#event('account.updated', actor, now, { data: { imported: inputs.length, created, updated } });
      this.#routingCache = null;
      return { created, updated };
    });
  }

  async getRouting(): Promise<RoutingVersion | null> {
    const r = this.#s('SELECT * FROM routing_versions ORDER BY version DESC LIMIT 1').get() as RoutingRow | undefined;
    return r ? routingFromRow(r) : null;
  }

  async putRouting(ruleSet: RuleSet, note: string | null, actor: Actor, now: number): Promise<{ version: RoutingVersion; events: LeadEvent[] }> {
    return this.#tx(() => {
      const last = this.#s('SELECT COALESCE(MAX(version), 0) AS v FROM routing_versions').get() as { v: number };
      const row = this.#s('INSERT INTO routing_versions (version, rules, note, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING *').get(
        last.v + 1,
        JSON.stringify(ruleSet),
        note,
        now,
        actor.name,
      ) as RoutingRow;
      const ev = this.#event('routing.updated', actor, now, { reason: note, data: { version: last.v + 1, rules: ruleSet.rules.length } });
      this.#routingCache = null;
      return { version: routingFromRow(row), events: [ev] };
    });
  }

  async routingVersions(): Promise<RoutingVersion[]> {
    return (this.#s('SELECT * FROM routing_versions ORDER BY version DESC').all() as RoutingRow[]).map(routingFromRow);
  }

  async rotations(): Promise<{ team: string; state: RotationState }[]> {
    return (this.#s('SELECT team, state FROM rotations ORDER BY team').all() as { team: string; state: string }[]).map((r) => ({ team: r.team, state: JSON.parse(r.state) as RotationState }));
  }

  async setRotationPaused(team: string, paused: boolean, actor: Actor, now: number): Promise<LeadEvent[]> {
    return this.#tx(() => {
      const state = { ...this.#rotation(team), paused };
      this.#saveRotation(team, state, now);
      return [this.#event('rotation.updated', actor, now, { data: { team, paused } })];
    });
  }

  #rotation(team: string): RotationState {
    const r = this.#s('SELECT state FROM rotations WHERE team = ?').get(team) as { state: string } | undefined;
    return r ? (JSON.parse(r.state) as RotationState) : EMPTY_ROTATION;
  }

  #saveRotation(team: string, state: RotationState, now: number): void {
    this.#s('INSERT INTO rotations (team, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (team) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at').run(
      team,
      JSON.stringify(state),
      now,
    );
  }

  /** Rules and accounts change rarely; they are read again at most once a second. */
  #routingCache: { at: number; ruleSet: RuleSet; accounts: AccountIndex } | null = null;

  #routingConfig(): { ruleSet: RuleSet; accounts: AccountIndex } {
    const t = Date.now();
    if (this.#routingCache && t - this.#routingCache.at < 1000) return this.#routingCache;
    const current = this.#s('SELECT rules FROM routing_versions ORDER BY version DESC LIMIT 1').get() as { rules: string } | undefined;
    const defaultPool = this.#s('SELECT id FROM pools ORDER BY is_default DESC, id LIMIT 1').get() as { id: number } | undefined;
    const ruleSet: RuleSet = current ? (JSON.parse(current.rules) as RuleSet) : { rules: [], defaultPoolId: defaultPool?.id ?? 0 };
    const accounts = new AccountIndex((this.#s('SELECT * FROM named_accounts').all() as AccountRow[]).map(accountFromRow));
    this.#routingCache = { at: t, ruleSet, accounts };
    return this.#routingCache;
  }

  /** Every rep as push routing sees them now: settings, open leads, recent pushes. */
  #repProfiles(now: number, excludedFor: number | null): RepProfile[] {
    const reps = this.#s(`SELECT * FROM users WHERE role = 'rep' ORDER BY id`).all() as RepRow[];
    const open = new Map(
      (this.#s(`SELECT owner_id, COUNT(*) AS n FROM leads WHERE owner_id IS NOT NULL AND status IN ('assigned', 'claimed', 'contacted', 'qualified') GROUP BY owner_id`).all() as {
        owner_id: number;
        n: number;
      }[]).map((r) => [r.owner_id, r.n]),
    );
    const day = startOfUtcDay(now);
    const week = startOfUtcWeek(now);
    const pushed = new Map(
      (this.#s(
        `SELECT user_id, SUM(claimed_at > ?) AS h, SUM(claimed_at >= ?) AS d, SUM(claimed_at >= ?) AS w FROM claims
          WHERE source IN ('pushed', 'escalated', 'backstop') AND claimed_at >= ? GROUP BY user_id`,
      ).all(now - 3_600_000, day, week, Math.min(week, now - 3_600_000)) as { user_id: number; h: number; d: number; w: number }[]).map((r) => [r.user_id, r]),
    );
    const excluded = new Set(
      excludedFor === null ? [] : (this.#s('SELECT user_id FROM lead_exclusions WHERE lead_id = ?').all(excludedFor) as { user_id: number }[]).map((r) => r.user_id),
    );
    return reps.map((r) => repProfile(repFromRow(r), { openLeads: open.get(r.id) ?? 0, pushed: pushed.get(r.id), excluded: excluded.has(r.id) }));
  }

  /** After a push, the in-memory profiles count it, so one batch routes as if one by one. */
  static #countPush(reps: RepProfile[], userId: number): void {
    const r = reps.find((x) => x.userId === userId);
    if (!r) return;
    r.openLeads++;
    r.pushed = { lastHour: r.pushed.lastHour + 1, today: r.pushed.today + 1, thisWeek: r.pushed.thisWeek + 1 };
  }

  async dryRun(ruleSet: RuleSet, leads: LeadForRouting[], now: number): Promise<DecisionTrace[]> {
    const { accounts } = this.#routingConfig();
    const reps = this.#repProfiles(now, null);
    const rotations = new Map<string, RotationState>();
    return leads.map((lead) => {
      const r = routeLead(lead, { ruleSet, accounts, reps, rotation: (team) => rotations.get(team) ?? this.#rotation(team), now });
      for (const [team, state] of Object.entries(r.rotationUpdates)) rotations.set(team, state);
      if (r.trace.outcome.kind === 'pushed') SqliteStore.#countPush(reps, r.trace.outcome.userId);
      return r.trace;
    });
  }

  async recentLeadsForRouting(n: number): Promise<(LeadForRouting & { id: number })[]> {
    return (this.#s('SELECT * FROM leads ORDER BY id DESC LIMIT ?').all(n) as LeadRow[]).map(leadFromRow).map((l) => ({ id: l.id, ...leadForRouting(l) }));
  }

  /** When a lead in this pool next escalates, for the durable timer. */
  #escalationDue(pool: Pick<Pool, 'escalation'> | null, lead: { createdAt: number; escalationStep: number }): number | null {
    return pool?.escalation ? escalationDueAt(pool.escalation, lead) : null;
  }

  async runDueEscalations(now: number, limit: number): Promise<LeadEvent[]> {
    const due = (this.#s('SELECT id FROM leads WHERE escalation_due_at <= ? ORDER BY escalation_due_at LIMIT ?').all(now, limit) as { id: number }[]).map((r) => r.id);
    const events: LeadEvent[] = [];
    for (const id of due) events.push(...this.#tx(() => this.#escalate(id, now)));
    return events;
  }

  /** One step of one lead's ladder. The conditional re-read makes it fire once, across processes too. */
  #escalate(leadId: number, now: number): LeadEvent[] {
    const row = this.#s('SELECT * FROM leads WHERE id = ? AND escalation_due_at <= ?').get(leadId, now) as (LeadRow & { escalation_step: number }) | undefined;
    if (!row) return [];
    const lead = leadFromRow(row);
    const pool = this.#pool(lead.poolId);
    const plan = planEscalation(lead, row.escalation_step, pool, now);
    switch (plan.kind) {
      case 'clear':
        this.#s('UPDATE leads SET escalation_due_at = NULL WHERE id = ?').run(leadId);
        return [];
      case 'later':
        this.#s('UPDATE leads SET escalation_due_at = ? WHERE id = ?').run(plan.dueAt, leadId);
        return [];
      case 'review': {
        this.#s(`UPDATE leads SET status = 'review', escalation_step = ?, escalation_due_at = NULL, updated_at = ? WHERE id = ?`).run(plan.step, now, leadId);
        const r = escalationRecord(plan, null);
        return [this.#event('lead.escalated', SYSTEM_ESCALATION, now, { leadId, poolId: lead.poolId, ...r })];
      }
      case 'assign': {
        const reps = this.#repProfiles(now, leadId).filter((r) => plan.team === null || r.team === plan.team);
        const rotationKey = plan.team ?? '*';
        const pick = pickRep(plan.strategy, reps, this.#rotation(rotationKey), now);
        this.#saveRotation(rotationKey, pick.next, now);
        const skipped = pick.skipped.map((sk) => ({ ...sk, name: reps.find((r) => r.userId === sk.userId)?.name ?? '' }));
        if (!pick.chosen) {
          this.#s('UPDATE leads SET escalation_step = ?, escalation_due_at = ?, updated_at = ? WHERE id = ?').run(plan.step, plan.laterDueAt, now, leadId);
          return [this.#event('lead.escalated', SYSTEM_ESCALATION, now, { leadId, poolId: lead.poolId, ...escalationRecord(plan, { chosen: null, skipped }) })];
        }
        const expires = lockExpiry(pool!, now);
        const updated = this.#s(
          `UPDATE leads SET status = 'assigned', owner_id = ?, claimed_at = ?, claim_source = ?, lock_expires_at = ?, escalation_step = ?, escalation_due_at = NULL, updated_at = ?
            WHERE id = ? AND status = 'available' RETURNING *`,
        ).get(pick.chosen.userId, now, plan.source, expires, plan.step, now, leadId) as LeadRow;
        this.#recordClaim(leadFromRow(updated), pick.chosen.userId, plan.source, pool!.rules ?? this.#teamRules(), now, { byRep: false });
        const r = escalationRecord(plan, { chosen: pick.chosen, skipped, lockExpiresAt: expires });
        return [this.#event('lead.escalated', SYSTEM_ESCALATION, now, { leadId, poolId: lead.poolId, ...r })];
      }
    }
  }

  async nextEscalationDue(): Promise<number | null> {
    return (this.#s('SELECT MIN(escalation_due_at) AS at FROM leads WHERE escalation_due_at IS NOT NULL').get() as { at: number | null }).at;
  }

  async reviewQueue(poolId?: number): Promise<Lead[]> {
    return (this.#s(`SELECT * FROM leads WHERE status = 'review' AND (? IS NULL OR pool_id = ?) ORDER BY updated_at, id LIMIT 1000`).all(poolId ?? null, poolId ?? null) as LeadRow[]).map(leadFromRow);
  }

  async tierStats(since: number): Promise<{ userId: number; claims: number; converted: number; medianMinutesToContact: number | null }[]> {
    const rows = this.#s(
      `SELECT user_id, COUNT(*) AS claims, SUM(outcome = 'converted') AS converted FROM claims WHERE claimed_at >= ? AND source <> 'manager' GROUP BY user_id`,
    ).all(since) as { user_id: number; claims: number; converted: number }[];
    const contact = this.#s(`SELECT first_contact_at - claimed_at AS d FROM claims WHERE user_id = ? AND claimed_at >= ? AND first_contact_at IS NOT NULL ORDER BY d`);
    return rows.map((r) => {
      const ds = (contact.all(r.user_id, since) as { d: number }[]).map((x) => x.d);
      const mid = ds.length ? ds[Math.floor((ds.length - 1) / 2)]! : null;
      return { userId: r.user_id, claims: r.claims, converted: r.converted, medianMinutesToContact: mid === null ? null : mid / 60_000 };
    });
  }

  // ------------------------------------------------------------------ measurements

  async metricsFacts(range: MetricsRange, now: number, waitingTotals?: ReadonlyMap<number, number>): Promise<MetricsFacts> {
    // The claim figures come from the rollup (migration 7) for the whole days of the range
    // and from the claims of the partial days at its edges: never every claim in the range.
    const pool = range.poolId ?? null;
    // Which side of a partial day to read: the one with fewer claims, all pools' claims counted
    // on claims_time without reading rows (a fair guide for one pool too).
    const countClaims = this.#s(`SELECT COUNT(*) AS n FROM claims WHERE claimed_at >= ? AND claimed_at < ?`);
    const plan = splitRange(range.from, range.to, now, (a, b) => (countClaims.get(a, b) as { n: number }).n);
    const slices: RollupSlice[] = [
      ...plan.add.map((e) => rollupOfClaims(this.#claimFacts(e.from, e.to, pool))),
      ...plan.subtract.map((e) => negated(rollupOfClaims(this.#claimFacts(e.from, e.to, pool)))),
    ];
    if (plan.days) slices.push(this.#rollupSlice(plan.days.from, plan.days.to, pool));
    const claimFigures = factsFromRollup(slices);
    const pools = range.poolId !== undefined ? [range.poolId] : (this.#s('SELECT id FROM pools ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    // Counted on the age index (listed leads), less the held ones among them (leads_held, few).
    const bucketCount = this.#s(
      `SELECT (SELECT COUNT(*) FROM leads INDEXED BY leads_age WHERE pool_id = ? AND listed = 1 AND created_at > ? AND created_at <= ?)
            - (SELECT COUNT(*) FROM leads INDEXED BY leads_held WHERE pool_id = ? AND listed = 1 AND status <> 'available' AND created_at > ? AND created_at <= ?) AS n`,
    );
    const oldest = this.#s(`SELECT created_at AS at FROM leads INDEXED BY leads_age WHERE pool_id = ? AND listed = 1 AND status = 'available' ORDER BY created_at LIMIT 1`);
    const waiting = pools.map((poolId) => {
      const edges = [0, ...AGE_BUCKETS_MIN.map((m) => m * 60_000), Number.MAX_SAFE_INTEGER];
      const count = (i: number) => {
        const range = [poolId, now - edges[i + 1]!, now - edges[i]!];
        return (bucketCount.get(...range, ...range) as { n: number }).n;
      };
      const young = AGE_BUCKETS_MIN.map((_, i) => count(i));
      const total = waitingTotals?.get(poolId);
      const buckets = ageBuckets(young, total === undefined ? { count: count(AGE_BUCKETS_MIN.length) } : { total });
      return { poolId, buckets, oldestAt: (oldest.get(poolId) as { at: number } | undefined)?.at ?? null };
    });
    const reviewWaiting = (this.#s(`SELECT COUNT(*) AS n FROM leads WHERE status = 'review' AND (? IS NULL OR pool_id = ?)`).get(pool, pool) as { n: number }).n;
    // Refusals: their rollup (migration 7) for the days, their events at the edges.
    const rawRefusals = this.#s(
      `SELECT COALESCE(actor_id, 0) AS user_id, COALESCE(json_extract(data, '$.rule'), '') AS rule, COUNT(*) AS n FROM events
        WHERE type = 'lead.claim_refused' AND at >= ? AND at < ? AND (? IS NULL OR pool_id = ?) GROUP BY 1, 2`,
    );
    const refusalRows = (rows: unknown[]) => (rows as { user_id: number; rule: string; n: number }[]).map((r) => ({ userId: r.user_id, rule: r.rule, count: r.n }));
    const refusals = sumRefusals([
      ...plan.add.map((e) => ({ sign: 1 as const, rows: refusalRows(rawRefusals.all(e.from, e.to, pool, pool)) })),
      ...plan.subtract.map((e) => ({ sign: -1 as const, rows: refusalRows(rawRefusals.all(e.from, e.to, pool, pool)) })),
      ...(plan.days
        ? [{ sign: 1 as const, rows: refusalRows(this.#s(`SELECT user_id, rule, SUM(n) AS n FROM refusal_rollup WHERE day >= ? AND day < ? AND (? IS NULL OR pool_id = ?) GROUP BY user_id, rule`).all(plan.days.from, plan.days.to, pool, pool)) }]
        : []),
    ]);
    return { ...claimFigures, waiting, reviewWaiting, refusals };
  }

  /** The rollup's sums over whole days [fromDay, toDay). */
  #rollupSlice(fromDay: number, toDay: number, pool: number | null): RollupSlice {
    const args = [fromDay, toDay, pool, pool];
    const where = `day >= ? AND day < ? AND (? IS NULL OR pool_id = ?)`;
    const rows = (
      this.#s(
        `SELECT user_id, source, SUM(claims) AS claims, SUM(measured) AS measured, SUM(pct_sum) AS pct_sum, SUM(score_sum) AS score_sum, SUM(contacted) AS contacted,
                SUM(expired) AS expired, SUM(released) AS released, SUM(skipped) AS skipped, SUM(converted) AS converted,
                ${BANDS10.map((b) => `SUM(${b}) AS ${b}`).join(', ')}
           FROM claim_rollup WHERE ${where} GROUP BY user_id, source`,
      ).all(...args) as Record<string, number | string>[]
    ).map((r) => rollupRowFrom(r));
    const hist = [
      ...(this.#s(`SELECT day, bucket, SUM(n) AS n, SUM(total) AS total FROM claim_hist WHERE kind = 'a' AND ${where} GROUP BY day, bucket`).all(...args) as {
        day: number;
        bucket: number;
        n: number;
        total: number;
      }[]).map((h) => ({ kind: 'a' as const, day: h.day, userId: 0, bucket: h.bucket, n: h.n, total: h.total })),
      ...(this.#s(`SELECT user_id, bucket, SUM(n) AS n, SUM(total) AS total FROM claim_hist WHERE kind = 'c' AND ${where} GROUP BY user_id, bucket`).all(...args) as {
        user_id: number;
        bucket: number;
        n: number;
        total: number;
      }[]).map((h) => ({ kind: 'c' as const, day: 0, userId: h.user_id, bucket: h.bucket, n: h.n, total: h.total })),
    ];
    const mix = (
      this.#s(`SELECT user_id, industry, SUM(n) AS n, SUM(share_sum) AS share_sum FROM claim_mix WHERE ${where} GROUP BY user_id, industry`).all(...args) as {
        user_id: number;
        industry: string;
        n: number;
        share_sum: number;
      }[]
    ).map((m) => ({ userId: m.user_id, industry: m.industry, n: m.n, shareSum: m.share_sum }));
    return { rows, hist, mix };
  }

  /** The raw claims of a partial day at a range's edge (claims_time bounds it to that day). */
  #claimFacts(from: number, to: number, pool: number | null): ClaimFact[] {
    return (
      this.#s(
        `SELECT user_id, source, claimed_at, lead_created_at, score, industry, score_percentile, industry_share, first_contact_at, end_reason, outcome
           FROM claims WHERE claimed_at >= ? AND claimed_at < ? AND (? IS NULL OR pool_id = ?)`,
      ).all(from, to, pool, pool) as ClaimFactRow[]
    ).map(claimFactFrom);
  }

  async claimCountsSince(since: number): Promise<{ userId: number; poolId: number; claims: number }[]> {
    // Whole days from the rollup, the part of a day before them from the claims.
    const firstWhole = since % DAY_MS === 0 ? since : since - (since % DAY_MS) + DAY_MS;
    const rows = this.#s(
      `SELECT user_id, pool_id, SUM(n) AS n FROM (
         SELECT user_id, pool_id, claims AS n FROM claim_rollup WHERE day >= ? AND source <> 'manager'
         UNION ALL
         SELECT user_id, pool_id, 1 AS n FROM claims WHERE claimed_at >= ? AND claimed_at < ? AND source <> 'manager'
       ) GROUP BY user_id, pool_id`,
    ).all(firstWhole, since, firstWhole) as { user_id: number; pool_id: number; n: number }[];
    return rows.filter((r) => r.n > 0).map((r) => ({ userId: r.user_id, poolId: r.pool_id, claims: r.n }));
  }

  eventPages(range: MetricsRange, pageSize: number): AsyncIterable<LeadEvent[]> {
    return betweenRequests(eventPagesFrom((sql) => this.#s(sql), range, pageSize));
  }

  /**
   * An export's text, formatted on a worker thread with its own read-only connection
   * (export-worker-client.ts); null for an in-memory database, which a worker cannot open.
   */
  exportStream(kind: 'leads' | 'events', format: 'csv' | 'json', range: MetricsRange): AsyncIterable<string> | null {
    return this.db.name === ':memory:' ? null : exportInWorker({ file: this.db.name, kind, format, range });
  }

  // ------------------------------------------------------------------ timers

  async expireDueLocks(now: number, limit: number): Promise<LeadEvent[]> {
    return this.#tx(() => {
      const due = (
        this.#s(`SELECT * FROM leads WHERE lock_expires_at <= ? AND status IN ('claimed', 'assigned') ORDER BY lock_expires_at LIMIT ?`).all(now, limit) as LeadRow[]
      ).map(leadFromRow);
      const events: LeadEvent[] = [];
      for (const before of due) {
        if (before.ownerId !== null) this.#exclude(before.id, before.ownerId, 'expired', now);
        this.#endClaim(before.id, 'expired', now);
        const lead = this.#returnToPool(before, now);
        events.push(
          this.#event('lead.expired', SYSTEM_TIMER, now, {
            leadId: lead.id,
            poolId: lead.poolId,
            reason: 'lock timer ran out without contact',
            data: { previousOwnerId: before.ownerId, previousStatus: before.status, lockExpiresAt: before.lockExpiresAt, lateByMs: now - (before.lockExpiresAt ?? now) },
          }),
        );
      }
      return events;
    });
  }

  async nextLockDue(): Promise<number | null> {
    const r = this.#s('SELECT MIN(lock_expires_at) AS at FROM leads WHERE lock_expires_at IS NOT NULL').get() as { at: number | null };
    return r.at;
  }
}

export const SYSTEM_TIMER: Actor = { kind: 'system', name: 'lock timer' };
export const SYSTEM_ESCALATION: Actor = { kind: 'system', name: 'escalation' };
const SYSTEM_ROUTER: Actor = { kind: 'system', name: 'routing' };

/** A patch field: left out keeps the old value, null clears it. */
function jsonPatch(next: unknown, before: unknown): string | null {
  const v = next === undefined ? before : next;
  return v === null || v === undefined ? null : JSON.stringify(v);
}

interface RepRow extends UserRow {
  team: string | null;
  tier: string | null;
  tier_auto: number;
  availability: 'available' | 'away';
  paused: number;
  capacity: number | null;
  weight: number;
  hours: string | null;
  caps: string;
}

function repFromRow(r: RepRow): RepSettings {
  return {
    userId: r.id,
    name: r.name,
    email: r.email,
    team: r.team,
    tier: r.tier,
    tierAuto: r.tier_auto === 1,
    availability: r.availability,
    paused: r.paused === 1,
    capacity: r.capacity,
    weight: r.weight,
    hours: r.hours ? (JSON.parse(r.hours) as WorkingHours) : null,
    caps: JSON.parse(r.caps) as RepSettings['caps'],
  };
}

interface AccountRow {
  id: number;
  name: string;
  domains: string;
  owner_id: number;
  customer: number;
}

function accountFromRow(r: AccountRow): NamedAccount {
  return { id: r.id, name: r.name, domains: JSON.parse(r.domains) as string[], ownerId: r.owner_id, customer: r.customer === 1 };
}

interface RoutingRow {
  version: number;
  rules: string;
  note: string | null;
  created_at: number;
  created_by: string;
}

function routingFromRow(r: RoutingRow): RoutingVersion {
  return { version: r.version, ruleSet: JSON.parse(r.rules) as RuleSet, note: r.note, createdAt: r.created_at, createdBy: r.created_by };
}


/** How many waiting leads a search first walks in sort order before it asks the trigram index. */
const BROWSE_WALK_LIMIT = 4000;

// Kysely's `sql` is re-exported for the browse builder's raw fragments.
export { sql };
