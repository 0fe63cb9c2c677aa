-- Calling webhooks v1 (PostgreSQL; the same schema as
-- src/store/sqlite/migrations/004_v1_webhooks.sql): legacy subscriptions and
-- their deliveries. Header and query values are sealed with the SecretBox
-- (JSON [{"key","value":<sealed>}]). v1 deliveries are a queue of their own,
-- fed by ingest in the same transaction as v2 deliveries and drained by the
-- v1 dispatcher of every node (claims use FOR UPDATE SKIP LOCKED); a
-- delivery that spends its retries is kept as `dropped`.

CREATE TABLE v1_webhooks (
  id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  type       TEXT    NOT NULL CHECK (type IN ('after_call', 'incall', 'disposition')),
  url        TEXT    NOT NULL,
  method     TEXT    NOT NULL CHECK (method IN ('POST', 'GET')),
  headers    TEXT    NOT NULL,
  query      TEXT    NOT NULL,
  fields     TEXT    NOT NULL,  -- JSON array of legacy field names; [] = all
  enabled    BOOLEAN NOT NULL,
  created_at BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL
);

CREATE INDEX v1_webhooks_company ON v1_webhooks (company_id, type, enabled);

CREATE TABLE v1_deliveries (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id       TEXT COLLATE "C" NOT NULL,
  webhook_id       TEXT COLLATE "C" NOT NULL REFERENCES v1_webhooks (id) ON DELETE CASCADE,
  event_id         TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  event_type       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'dropped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT  NOT NULL,
  lease_until      BIGINT  NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL
);

-- The v1 queue: pending deliveries by the time they can next be claimed.
CREATE INDEX v1_deliveries_due ON v1_deliveries (GREATEST(next_attempt_at, lease_until), id)
  WHERE state = 'pending';
CREATE INDEX v1_deliveries_webhook ON v1_deliveries (company_id, webhook_id, id);
CREATE INDEX v1_deliveries_event ON v1_deliveries (event_id);
