import type { Migration } from './migrations.js';

/**
 * Migrations of the integrations (webhooks, intake), numbered from 100 so they never collide
 * with the core's; applied by SqliteStore.migrate after the core's, in version order.
 */
export const SQLITE_INTEGRATION_MIGRATIONS: Migration[] = [
  {
    version: 100,
    name: 'webhooks',
    // The events table is the outbox: every change writes its event in its own transaction,
    // so a delivery row only has to be copied from it (webhook_cursor says how far), never
    // written beside the change. Deliveries are queued per endpoint, sent in event order per
    // lead, and leased (leased_until) so one instance sends each at a time.
    sql: `
CREATE TABLE webhook_endpoints (
  id          INTEGER PRIMARY KEY,
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  event_types TEXT NOT NULL,              -- JSON array of public names (lead.claimed, rule.refused, ...)
  description TEXT,
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- The last event id each endpoint's deliveries were queued up to.
CREATE TABLE webhook_cursor (
  endpoint_id   INTEGER PRIMARY KEY REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  last_event_id INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE webhook_deliveries (
  id                    INTEGER PRIMARY KEY,
  endpoint_id           INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id              INTEGER NOT NULL,
  event_type            TEXT NOT NULL,     -- the public name
  lead_id               INTEGER,
  payload               TEXT NOT NULL,     -- the exact body: the same bytes on every attempt
  status                TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
  -- 1 while an earlier delivery of the same endpoint and lead is open: it is not a candidate
  -- until that one is delivered or dead (then the earliest waiting one becomes 0).
  waiting               INTEGER NOT NULL DEFAULT 0,
  attempts              INTEGER NOT NULL DEFAULT 0,
  next_attempt_at       INTEGER NOT NULL,
  leased_until          INTEGER,
  lease_token           TEXT,
  expires_at            INTEGER NOT NULL,  -- retried until then, then dead
  last_attempt_at       INTEGER,
  last_status_code      INTEGER,
  last_error            TEXT,
  last_response_excerpt TEXT,
  created_at            INTEGER NOT NULL,
  delivered_at          INTEGER,
  UNIQUE (endpoint_id, event_id)
);
-- The claim walks only the open heads (one per endpoint and lead) of an endpoint by due time,
-- so a backlog behind a dead endpoint costs it nothing. Scanning every open delivery with a
-- NOT EXISTS per row for the lead's earlier one took 85 ms per claim at 50,000 queued: a
-- write lock that long would have stalled lead claims.
CREATE INDEX webhook_deliveries_ready ON webhook_deliveries(endpoint_id, next_attempt_at, id) WHERE status IN ('pending', 'failed') AND waiting = 0;
CREATE INDEX webhook_deliveries_lead  ON webhook_deliveries(endpoint_id, lead_id, event_id) WHERE status IN ('pending', 'failed');
`,
  },
  {
    version: 101,
    name: 'intake',
    sql: `
CREATE TABLE intake_sources (
  id                    INTEGER PRIMARY KEY,
  name                  TEXT NOT NULL,
  slug                  TEXT NOT NULL UNIQUE,
  pool_id               INTEGER REFERENCES pools(id),
  mapping               TEXT NOT NULL,     -- JSON {formField: leadField}
  defaults              TEXT NOT NULL,     -- JSON {leadField: value}
  dedupe_by             TEXT NOT NULL CHECK (dedupe_by IN ('email', 'externalId')),
  dedupe_window_minutes INTEGER NOT NULL CHECK (dedupe_window_minutes >= 0),
  token_hash            TEXT NOT NULL UNIQUE,
  token_prefix          TEXT NOT NULL,
  enabled               INTEGER NOT NULL DEFAULT 1,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
);

-- Every post to an intake URL, good or bad: a bad one is never silently dropped.
CREATE TABLE intake_log (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES intake_sources(id) ON DELETE CASCADE,
  received_at  INTEGER NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('created', 'duplicate', 'rejected')),
  http_status  INTEGER NOT NULL,
  lead_id      INTEGER,
  problems     TEXT,                      -- JSON [{field, problem}]
  content_type TEXT,
  raw_excerpt  TEXT
);
CREATE INDEX intake_log_source ON intake_log(source_id, id);

-- Dedupe by email within a window. Only inserts touch contact_email (a claim does not), so
-- the index costs the ingest path, not the claim path.
CREATE INDEX intake_leads_email ON leads(contact_email, created_at) WHERE contact_email IS NOT NULL;
`,
  },
  {
    version: 102,
    name: 'integration_retention',
    // Delivered deliveries and intake-log entries are pruned after a retention; dead ones are
    // kept as long, counted from when they died (dead_at), so a manager can still replay them.
    sql: `
ALTER TABLE webhook_deliveries ADD COLUMN dead_at INTEGER;
UPDATE webhook_deliveries SET dead_at = COALESCE(last_attempt_at, created_at) WHERE status = 'dead';
CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries(delivered_at) WHERE status = 'delivered';
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries(dead_at) WHERE status = 'dead';
CREATE INDEX intake_log_received ON intake_log(received_at);
`,
  },
];
