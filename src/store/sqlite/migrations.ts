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

// The measurement rollup (issue 4): what the overview reads instead of every claim in the range.
// Triggers on `claims` keep it in the claim's own transaction, whichever path wrote the claim
// (claim, claim-next, push, escalation, reassign) or changed it (contact, status, expiry,
// release, skip). Everything is keyed by the UTC day of the CLAIM: a contact or an expiry
// days later still counts for the claim it belongs to, as the raw figures always did.
// Durations go into log-scale buckets, 8 per doubling (core/duration-histogram.ts), each with
// its count and sum of milliseconds.
const DAY_OF = (t: string) => `(${t} - ${t} % 86400000)`;
const BUCKET_OF = (d: string) => `(CASE WHEN ${d} < 1 THEN 0 ELSE 1 + CAST(log2(${d}) * 8 AS INTEGER) END)`;
const BANDS10 = Array.from({ length: 10 }, (_, k) => `b${k}`);
const BAND_OF = (score: string) => `MIN(${score} / 10, 9)`;

/** Rebuilds the rollup from the claims table (the migration's backfill; the bench loader's too). */
export const SQLITE_ROLLUP_BACKFILL = `
DELETE FROM claim_rollup;
DELETE FROM claim_hist;
DELETE FROM claim_mix;
DELETE FROM refusal_rollup;
INSERT INTO claim_rollup (day, pool_id, user_id, source, claims, measured, pct_sum, score_sum, a2c_sum, contacted, c2c_sum, expired, released, skipped, converted, ${BANDS10.join(', ')})
SELECT ${DAY_OF('claimed_at')}, pool_id, user_id, source, COUNT(*), COUNT(score_percentile), COALESCE(SUM(score_percentile), 0), SUM(score),
       SUM(claimed_at - lead_created_at), COUNT(first_contact_at), COALESCE(SUM(first_contact_at - claimed_at), 0),
       SUM(end_reason IS 'expired'), SUM(end_reason IS 'released'), SUM(end_reason IS 'skipped'), SUM(outcome IS 'converted'),
       ${BANDS10.map((_, k) => `SUM(${BAND_OF('score')} = ${k})`).join(', ')}
  FROM claims GROUP BY 1, 2, 3, 4;
INSERT INTO claim_hist (kind, day, pool_id, user_id, bucket, n, total)
SELECT 'a', ${DAY_OF('claimed_at')}, pool_id, 0, ${BUCKET_OF('claimed_at - lead_created_at')}, COUNT(*), SUM(claimed_at - lead_created_at)
  FROM claims WHERE source <> 'manager' GROUP BY 1, 2, 3, 4, 5;
INSERT INTO claim_hist (kind, day, pool_id, user_id, bucket, n, total)
SELECT 'c', ${DAY_OF('claimed_at')}, pool_id, user_id, ${BUCKET_OF('first_contact_at - claimed_at')}, COUNT(*), SUM(first_contact_at - claimed_at)
  FROM claims WHERE source <> 'manager' AND first_contact_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO claim_mix (day, pool_id, user_id, industry, n, share_sum)
SELECT ${DAY_OF('claimed_at')}, pool_id, user_id, industry, COUNT(*), SUM(COALESCE(industry_share, 0))
  FROM claims WHERE source <> 'manager' GROUP BY 1, 2, 3, 4;
INSERT INTO refusal_rollup (day, pool_id, user_id, rule, n)
SELECT ${DAY_OF('at')}, COALESCE(pool_id, 0), COALESCE(actor_id, 0), COALESCE(json_extract(data, '$.rule'), ''), COUNT(*)
  FROM events WHERE type = 'lead.claim_refused' GROUP BY 1, 2, 3, 4;
`;

SQLITE_MIGRATIONS.push({
  version: 7,
  name: 'measurement_rollup',
  sql: `
-- Per UTC day of the claim, pool, rep and claim source: counts and sums of every claim.
CREATE TABLE claim_rollup (
  day       INTEGER NOT NULL,
  pool_id   INTEGER NOT NULL,
  user_id   INTEGER NOT NULL,
  source    TEXT NOT NULL,
  claims    INTEGER NOT NULL,
  measured  INTEGER NOT NULL,
  pct_sum   REAL NOT NULL,
  score_sum INTEGER NOT NULL,
  a2c_sum   INTEGER NOT NULL,
  contacted INTEGER NOT NULL,
  c2c_sum   INTEGER NOT NULL,
  expired   INTEGER NOT NULL,
  released  INTEGER NOT NULL,
  skipped   INTEGER NOT NULL,
  converted INTEGER NOT NULL,
  ${BANDS10.map((b) => `${b} INTEGER NOT NULL`).join(', ')},
  PRIMARY KEY (day, pool_id, user_id, source)
) WITHOUT ROWID;
-- Duration histograms of the claims reps made (not managers' reassignments): 'a' arrival to
-- claim per pool (user_id 0), 'c' claim to first contact per rep.
CREATE TABLE claim_hist (
  kind    TEXT NOT NULL,
  day     INTEGER NOT NULL,
  pool_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  bucket  INTEGER NOT NULL,
  n       INTEGER NOT NULL,
  total   INTEGER NOT NULL,
  PRIMARY KEY (kind, day, pool_id, user_id, bucket)
) WITHOUT ROWID;
-- The industry mix of reps' claims and the waiting share of that industry at each claim.
CREATE TABLE claim_mix (
  day       INTEGER NOT NULL,
  pool_id   INTEGER NOT NULL,
  user_id   INTEGER NOT NULL,
  industry  TEXT NOT NULL,
  n         INTEGER NOT NULL,
  share_sum REAL NOT NULL,
  PRIMARY KEY (day, pool_id, user_id, industry)
) WITHOUT ROWID;

-- Refused claims per day, pool (0: none recorded), rep and rule, from their audit events.
CREATE TABLE refusal_rollup (
  day     INTEGER NOT NULL,
  pool_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  rule    TEXT NOT NULL,
  n       INTEGER NOT NULL,
  PRIMARY KEY (day, pool_id, user_id, rule)
) WITHOUT ROWID;
CREATE TRIGGER events_refusal_rollup AFTER INSERT ON events WHEN NEW.type = 'lead.claim_refused' BEGIN
  INSERT INTO refusal_rollup (day, pool_id, user_id, rule, n)
  VALUES (${DAY_OF('NEW.at')}, COALESCE(NEW.pool_id, 0), COALESCE(NEW.actor_id, 0), COALESCE(json_extract(NEW.data, '$.rule'), ''), 1)
  ON CONFLICT (day, pool_id, user_id, rule) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER claims_rollup_insert AFTER INSERT ON claims BEGIN
  INSERT INTO claim_rollup (day, pool_id, user_id, source, claims, measured, pct_sum, score_sum, a2c_sum, contacted, c2c_sum, expired, released, skipped, converted, ${BANDS10.join(', ')})
  VALUES (${DAY_OF('NEW.claimed_at')}, NEW.pool_id, NEW.user_id, NEW.source, 1, NEW.score_percentile IS NOT NULL, COALESCE(NEW.score_percentile, 0), NEW.score,
          NEW.claimed_at - NEW.lead_created_at, NEW.first_contact_at IS NOT NULL, COALESCE(NEW.first_contact_at - NEW.claimed_at, 0),
          NEW.end_reason IS 'expired', NEW.end_reason IS 'released', NEW.end_reason IS 'skipped', NEW.outcome IS 'converted',
          ${BANDS10.map((_, k) => `${BAND_OF('NEW.score')} = ${k}`).join(', ')})
  ON CONFLICT (day, pool_id, user_id, source) DO UPDATE SET
    claims = claims + 1, measured = measured + excluded.measured, pct_sum = pct_sum + excluded.pct_sum, score_sum = score_sum + excluded.score_sum,
    a2c_sum = a2c_sum + excluded.a2c_sum, contacted = contacted + excluded.contacted, c2c_sum = c2c_sum + excluded.c2c_sum,
    expired = expired + excluded.expired, released = released + excluded.released, skipped = skipped + excluded.skipped, converted = converted + excluded.converted,
    ${BANDS10.map((b) => `${b} = ${b} + excluded.${b}`).join(', ')};
  INSERT INTO claim_hist (kind, day, pool_id, user_id, bucket, n, total)
  SELECT 'a', ${DAY_OF('NEW.claimed_at')}, NEW.pool_id, 0, ${BUCKET_OF('NEW.claimed_at - NEW.lead_created_at')}, 1, NEW.claimed_at - NEW.lead_created_at
   WHERE NEW.source <> 'manager'
  ON CONFLICT (kind, day, pool_id, user_id, bucket) DO UPDATE SET n = n + 1, total = total + excluded.total;
  INSERT INTO claim_hist (kind, day, pool_id, user_id, bucket, n, total)
  SELECT 'c', ${DAY_OF('NEW.claimed_at')}, NEW.pool_id, NEW.user_id, ${BUCKET_OF('NEW.first_contact_at - NEW.claimed_at')}, 1, NEW.first_contact_at - NEW.claimed_at
   WHERE NEW.source <> 'manager' AND NEW.first_contact_at IS NOT NULL
  ON CONFLICT (kind, day, pool_id, user_id, bucket) DO UPDATE SET n = n + 1, total = total + excluded.total;
  INSERT INTO claim_mix (day, pool_id, user_id, industry, n, share_sum)
  SELECT ${DAY_OF('NEW.claimed_at')}, NEW.pool_id, NEW.user_id, NEW.industry, 1, COALESCE(NEW.industry_share, 0)
   WHERE NEW.source <> 'manager'
  ON CONFLICT (day, pool_id, user_id, industry) DO UPDATE SET n = n + 1, share_sum = share_sum + excluded.share_sum;
END;

-- A contact, an outcome or the end of a claim moves its counts (and its contact time's bucket).
CREATE TRIGGER claims_rollup_update AFTER UPDATE OF first_contact_at, end_reason, outcome ON claims
  WHEN NEW.first_contact_at IS NOT OLD.first_contact_at OR NEW.end_reason IS NOT OLD.end_reason OR NEW.outcome IS NOT OLD.outcome
BEGIN
  UPDATE claim_rollup SET
    contacted = contacted + (NEW.first_contact_at IS NOT NULL) - (OLD.first_contact_at IS NOT NULL),
    c2c_sum = c2c_sum + COALESCE(NEW.first_contact_at - NEW.claimed_at, 0) - COALESCE(OLD.first_contact_at - OLD.claimed_at, 0),
    expired = expired + (NEW.end_reason IS 'expired') - (OLD.end_reason IS 'expired'),
    released = released + (NEW.end_reason IS 'released') - (OLD.end_reason IS 'released'),
    skipped = skipped + (NEW.end_reason IS 'skipped') - (OLD.end_reason IS 'skipped'),
    converted = converted + (NEW.outcome IS 'converted') - (OLD.outcome IS 'converted')
   WHERE day = ${DAY_OF('NEW.claimed_at')} AND pool_id = NEW.pool_id AND user_id = NEW.user_id AND source = NEW.source;
  UPDATE claim_hist SET n = n - 1, total = total - (OLD.first_contact_at - OLD.claimed_at)
   WHERE kind = 'c' AND day = ${DAY_OF('OLD.claimed_at')} AND pool_id = OLD.pool_id AND user_id = OLD.user_id
     AND bucket = ${BUCKET_OF('OLD.first_contact_at - OLD.claimed_at')}
     AND OLD.source <> 'manager' AND OLD.first_contact_at IS NOT NULL AND NEW.first_contact_at IS NOT OLD.first_contact_at;
  INSERT INTO claim_hist (kind, day, pool_id, user_id, bucket, n, total)
  SELECT 'c', ${DAY_OF('NEW.claimed_at')}, NEW.pool_id, NEW.user_id, ${BUCKET_OF('NEW.first_contact_at - NEW.claimed_at')}, 1, NEW.first_contact_at - NEW.claimed_at
   WHERE NEW.source <> 'manager' AND NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at IS NOT OLD.first_contact_at
  ON CONFLICT (kind, day, pool_id, user_id, bucket) DO UPDATE SET n = n + 1, total = total + excluded.total;
END;
${SQLITE_ROLLUP_BACKFILL}`,
});

SQLITE_MIGRATIONS.push({
  version: 8,
  name: 'browse_covering_indexes',
  // Browse walks a sort order and tests the filters (and a search text) on each lead it
  // passes: with those columns in the index the test needs no table read (a rare combination
  // of filters in company order took 12-35 ms through the table, under 1 ms on the index, on
  // 1,000,000 leads; a common company prefix in score order 3-11 ms). The industry index holds
  // the filter columns too, so a rare combination can be found through its industry's range
  // instead (sqlite/browse.ts). The sort column and id stay first: the index order is the page
  // order. Rebuilding them reads every lead once (about 15 s on 1,000,000).
  sql: `
DROP INDEX leads_score;
DROP INDEX leads_age;
DROP INDEX leads_company;
DROP INDEX leads_industry;
CREATE INDEX leads_score    ON leads(pool_id, score, id, industry, company_size, source, region, created_at, company_key) WHERE status = 'available';
CREATE INDEX leads_age      ON leads(pool_id, created_at, id, industry, company_size, source, region, score, company_key) WHERE status = 'available';
CREATE INDEX leads_company  ON leads(pool_id, company_key, id, industry, company_size, source, region, score, created_at) WHERE status = 'available';
CREATE INDEX leads_industry ON leads(pool_id, industry, score, company_size, source, region, created_at) WHERE status = 'available';
`,
});

/** The statuses whose leads stay in the browse indexes (migration 9): waiting, or held under a lock timer. */
const LISTED: readonly string[] = ['available', 'claimed', 'assigned'];
export const LISTED_STATUSES = `(${LISTED.map((s) => `'${s}'`).join(', ')})`;
export const isListed = (status: string): boolean => LISTED.includes(status);

SQLITE_MIGRATIONS.push({
  version: 9,
  name: 'browse_indexes_keep_held_leads',
  // A claim no longer touches the four wide browse indexes. Each was a page rewritten at
  // every claim (a delete in each partial index `WHERE status = 'available'`), and those four
  // pages were most of a claim's cost: in-process claims went from 3,500 to 5,600 a second on
  // 1,000,000 leads (bench/claims.ts). The indexes are now partial on `listed`, which is true
  // while a lead waits or is held under a lock timer (claimed, assigned): a claim, an expiry
  // and a release leave them alone, and a lead leaves them at its first activity or its
  // outcome, moments that are rare next to claims. Browse asks `listed = 1` to use them and
  // `status = 'available'` on the rows it returns; the held leads it passes are few (those of
  // the last lock period). leads_held finds them, so counts over the browse indexes can take
  // them off (mix snapshot, age buckets). A trigger keeps `listed` true to the status
  // whichever statement changes it (its WHEN is false for a claim). Inserts set it themselves:
  // a trigger on insert cost 8-12% of bulk ingest. Its default is 1, the harmless side: a
  // lead listed by mistake is one more held entry that browse passes over; a waiting lead
  // left unlisted would be invisible.
  sql: `
ALTER TABLE leads ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
UPDATE leads SET listed = 0 WHERE status NOT IN ${LISTED_STATUSES};
DROP INDEX leads_score;
DROP INDEX leads_age;
DROP INDEX leads_company;
DROP INDEX leads_industry;
CREATE INDEX leads_score    ON leads(pool_id, score, id, industry, company_size, source, region, created_at, company_key) WHERE listed = 1;
CREATE INDEX leads_age      ON leads(pool_id, created_at, id, industry, company_size, source, region, score, company_key) WHERE listed = 1;
CREATE INDEX leads_company  ON leads(pool_id, company_key, id, industry, company_size, source, region, score, created_at) WHERE listed = 1;
CREATE INDEX leads_industry ON leads(pool_id, industry, score, company_size, source, region, created_at) WHERE listed = 1;
CREATE INDEX leads_held     ON leads(pool_id, created_at) WHERE listed = 1 AND status <> 'available';
CREATE TRIGGER leads_listed_update AFTER UPDATE OF status, listed ON leads WHEN NEW.listed IS NOT (NEW.status IN ${LISTED_STATUSES}) BEGIN
  UPDATE leads SET listed = (status IN ${LISTED_STATUSES}) WHERE id = NEW.id;
END;
`,
});
