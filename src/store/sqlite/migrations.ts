/**
 * Numbered migrations, applied in order inside one transaction each and recorded first,
 * so a second process starting at the same moment waits on the write lock and then sees
 * the version already applied.
 *
 * Times are INTEGER epoch milliseconds (the same in PostgreSQL as BIGINT), so the clock
 * the server passes in is the only source of "now" and both stores compare the same numbers.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
  password_hash TEXT,
  created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  scope      TEXT NOT NULL CHECK (scope IN ('ingest', 'full')),
  key_hash   TEXT NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE login_failures (
  key TEXT NOT NULL,
  at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

CREATE TABLE pools (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  mode             TEXT NOT NULL CHECK (mode IN ('queue', 'pool', 'cherry_pick')),
  lock_ttl_seconds INTEGER NOT NULL CHECK (lock_ttl_seconds > 0),
  preview_fields   TEXT NOT NULL,
  is_default       INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX pools_one_default ON pools(is_default) WHERE is_default = 1;

CREATE TABLE leads (
  id              INTEGER PRIMARY KEY,
  pool_id         INTEGER NOT NULL REFERENCES pools(id),
  status          TEXT NOT NULL CHECK (status IN ('available','assigned','claimed','contacted','qualified','disqualified','converted','review')),
  company         TEXT NOT NULL,
  industry        TEXT NOT NULL,
  company_size    TEXT NOT NULL,
  source          TEXT NOT NULL,
  score           INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
  region          TEXT NOT NULL,
  contact_name    TEXT NOT NULL,
  contact_email   TEXT,
  contact_phone   TEXT,
  external_id     TEXT UNIQUE,
  attributes      TEXT NOT NULL DEFAULT '{}',
  priority        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  available_since INTEGER NOT NULL,
  owner_id        INTEGER REFERENCES users(id),
  claimed_at      INTEGER,
  claim_source    TEXT,
  lock_expires_at INTEGER,
  contacted_at    INTEGER,
  closed_at       INTEGER,
  updated_at      INTEGER NOT NULL
);
-- Every claim rewrites status. Indexes that lead with status cost a scattered page write
-- per claim (2,700 claims/s); partial indexes over the waiting leads only doubled the rate
-- and cut p99 from 14 ms to 2 ms in the machine's probes (bench/ANCHORS.md).
CREATE INDEX leads_queue   ON leads(pool_id, priority DESC, created_at, id) WHERE status = 'available';
CREATE INDEX leads_score   ON leads(pool_id, score, id)                       WHERE status = 'available';
CREATE INDEX leads_age     ON leads(pool_id, created_at, id)                  WHERE status = 'available';
CREATE INDEX leads_company ON leads(pool_id, company COLLATE NOCASE, id)      WHERE status = 'available';
CREATE INDEX leads_owner   ON leads(owner_id) WHERE owner_id IS NOT NULL;
-- The lock timers: only held, unworked leads carry an expiry, so the sweep reads a short index.
CREATE INDEX leads_lock    ON leads(lock_expires_at) WHERE lock_expires_at IS NOT NULL;

-- A rep who let a lead's lock expire, or released it, is not handed that lead again.
CREATE TABLE lead_exclusions (
  lead_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  reason  TEXT NOT NULL,
  at      INTEGER NOT NULL,
  PRIMARY KEY (lead_id, user_id)
) WITHOUT ROWID;

-- The append-only history. AUTOINCREMENT so an id is never reused: live clients resume
-- their stream from the last id they saw.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  type       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  lead_id    INTEGER,
  pool_id    INTEGER,
  actor_kind TEXT NOT NULL,
  actor_id   INTEGER,
  actor_name TEXT NOT NULL,
  reason     TEXT,
  data       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_lead ON events(lead_id, id) WHERE lead_id IS NOT NULL;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
`,
  },
];

SQLITE_MIGRATIONS.push({
  version: 2,
  name: 'company_search',
  // Substring search on a million company names: a LIKE '%abc%' scan took 117-190 ms here.
  // A trigram index finds the rare matches; common ones are found faster by walking the sort
  // index (see browse in sqlite-store.ts). Contentless with detail=none keeps it small; every
  // candidate is re-checked with LIKE, so its approximate phrase matching is harmless.
  sql: `
CREATE VIRTUAL TABLE lead_company_fts USING fts5(company, content='', tokenize='trigram', detail='none');
`,
});

SQLITE_MIGRATIONS.push({
  version: 3,
  name: 'fair_play',
  sql: `
-- NULL: the pool follows the team's default rules.
ALTER TABLE pools ADD COLUMN rules TEXT;

CREATE TABLE team_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per time a rep came to hold a lead: the facts fair-play rules and the manager's
-- measurements read, kept apart from the leads so a claim's history outlives the next claim.
CREATE TABLE claims (
  id               INTEGER PRIMARY KEY,
  lead_id          INTEGER NOT NULL,
  user_id          INTEGER NOT NULL,
  pool_id          INTEGER NOT NULL,
  source           TEXT NOT NULL,
  claimed_at       INTEGER NOT NULL,
  lead_created_at  INTEGER NOT NULL,
  score            INTEGER NOT NULL,
  industry         TEXT NOT NULL,
  -- Where the claimed score stood among the leads waiting in the pool then (0 = lowest, 1 = highest).
  score_percentile REAL,
  -- The share of the waiting leads that were of the claimed lead's industry then.
  industry_share   REAL,
  first_contact_at INTEGER,
  ended_at         INTEGER,
  end_reason       TEXT CHECK (end_reason IN ('released', 'expired', 'reassigned', 'skipped')),
  outcome          TEXT CHECK (outcome IN ('qualified', 'disqualified', 'converted')),
  outcome_at       INTEGER
);
CREATE INDEX claims_rep  ON claims(user_id, pool_id, claimed_at);
CREATE INDEX claims_time ON claims(claimed_at);
CREATE INDEX claims_open ON claims(lead_id) WHERE ended_at IS NULL;

CREATE TABLE rep_pool_counters (
  user_id           INTEGER NOT NULL,
  pool_id           INTEGER NOT NULL,
  skips_in_row      INTEGER NOT NULL DEFAULT 0,
  views_since_claim INTEGER NOT NULL DEFAULT 0,
  -- Claims under the diversity threshold minus claims at or above it (the ratio mode's credit).
  ratio_credits     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, pool_id)
) WITHOUT ROWID;

-- What was waiting in a pool, by industry and score band, taken every minute or so: the
-- "available mix" a claim is compared with (counting a million rows per claim is too slow).
CREATE TABLE pool_mix_snapshots (
  pool_id INTEGER NOT NULL,
  at      INTEGER NOT NULL,
  waiting INTEGER NOT NULL,
  mix     TEXT NOT NULL,
  PRIMARY KEY (pool_id, at)
) WITHOUT ROWID;

-- Counting a rep's open, uncontacted leads is part of every claim with a hoarding limit.
DROP INDEX leads_owner;
CREATE INDEX leads_owner ON leads(owner_id, status) WHERE owner_id IS NOT NULL;
-- Industry + score: the snapshot's per-industry band counts, and browse by industry.
CREATE INDEX leads_industry ON leads(pool_id, industry, score) WHERE status = 'available';
`,
});

SQLITE_MIGRATIONS.push({
  version: 4,
  name: 'company_key',
  // SQLite's NOCASE and LIKE fold ASCII only: "üll" did not find "MÜLLER". The company's
  // lower-cased form (JavaScript's full Unicode lower-casing, filled in by the store) is what
  // search and the company sort compare; backfilled by SqliteStore.migrate for older rows.
  sql: `
ALTER TABLE leads ADD COLUMN company_key TEXT;
DROP INDEX leads_company;
CREATE INDEX leads_company ON leads(pool_id, company_key, id) WHERE status = 'available';
`,
});

SQLITE_MIGRATIONS.push({
  version: 5,
  name: 'routing',
  sql: `
-- What push routing needs to know about a rep. Hours and caps are JSON (see core/routing/reps.ts).
ALTER TABLE users ADD COLUMN team TEXT;
ALTER TABLE users ADD COLUMN tier TEXT;
-- Automatic tiers (when a manager turns them on) apply to every rep unless set by hand.
ALTER TABLE users ADD COLUMN tier_auto INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN availability TEXT NOT NULL DEFAULT 'available' CHECK (availability IN ('available', 'away'));
ALTER TABLE users ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN capacity INTEGER;
ALTER TABLE users ADD COLUMN weight REAL NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN hours TEXT;
ALTER TABLE users ADD COLUMN caps TEXT NOT NULL DEFAULT '{}';
-- A person's language and time zone for the web UI (null: the browser's).
ALTER TABLE users ADD COLUMN locale TEXT;
ALTER TABLE users ADD COLUMN time_zone TEXT;

CREATE TABLE named_accounts (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  name_key   TEXT NOT NULL UNIQUE,
  domains    TEXT NOT NULL DEFAULT '[]',
  owner_id   INTEGER NOT NULL REFERENCES users(id),
  customer   INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Every rule set ever saved; the newest is in force. Replacing it is one insert.
CREATE TABLE routing_versions (
  version    INTEGER PRIMARY KEY,
  rules      TEXT NOT NULL,
  note       TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);

-- Where each team's rotation stands: survives restarts, one row per team.
CREATE TABLE rotations (
  team       TEXT PRIMARY KEY,
  state      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

ALTER TABLE pools ADD COLUMN escalation TEXT;
ALTER TABLE pools ADD COLUMN access TEXT;

-- The escalation ladder's durable timer: the next step's due time, and how many steps ran.
ALTER TABLE leads ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN escalation_due_at INTEGER;
ALTER TABLE leads ADD COLUMN routing TEXT;
CREATE INDEX leads_escalation ON leads(escalation_due_at) WHERE escalation_due_at IS NOT NULL;
-- Push caps count a rep's pushes per hour, day and week.
CREATE INDEX claims_pushed ON claims(user_id, claimed_at) WHERE source IN ('pushed', 'escalated', 'backstop');
`,
});

SQLITE_MIGRATIONS.push({
  version: 6,
  name: 'measurement_indexes',
  // Measured on 1,000,000 leads and 5,000,000 events (bench/metrics.ts): counting refusals
  // scanned every event (347 ms) and the review list scanned every lead (194 ms).
  sql: `
CREATE INDEX events_refused ON events(at) WHERE type = 'lead.claim_refused';
CREATE INDEX leads_review ON leads(pool_id, updated_at, id) WHERE status = 'review';
-- The daily cap read a rep's claims of the day on every claim (97 us with ~2,000 of them):
-- the counter row the claim already updates keeps the day's count instead.
ALTER TABLE rep_pool_counters ADD COLUMN claims_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rep_pool_counters ADD COLUMN claims_today INTEGER NOT NULL DEFAULT 0;
`,
});
