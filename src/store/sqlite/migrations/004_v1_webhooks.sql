-- Calling webhooks v1 (spec §6): legacy subscriptions and their deliveries.
-- Header and query values are sealed with the SecretBox (JSON
-- [{"key","value":<sealed>}]). v1 deliveries are a queue of their own, fed by
-- ingest in the same transaction as v2 deliveries and drained by the v1
-- dispatcher; a delivery that spends its retries is kept as `dropped`.

CREATE TABLE v1_webhooks (
  id         TEXT    NOT NULL PRIMARY KEY,
  company_id TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  type       TEXT    NOT NULL CHECK (type IN ('after_call', 'incall', 'disposition')),
  url        TEXT    NOT NULL,
  method     TEXT    NOT NULL CHECK (method IN ('POST', 'GET')),
  headers    TEXT    NOT NULL,
  query      TEXT    NOT NULL,
  fields     TEXT    NOT NULL,  -- JSON array of legacy field names; [] = all
  enabled    INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX v1_webhooks_company ON v1_webhooks (company_id, type, enabled);

CREATE TABLE v1_deliveries (
  id               TEXT    NOT NULL PRIMARY KEY,
  company_id       TEXT    NOT NULL,
  webhook_id       TEXT    NOT NULL REFERENCES v1_webhooks (id) ON DELETE CASCADE,
  event_id         TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  event_type       TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'dropped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  lease_until      INTEGER NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX v1_deliveries_due ON v1_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX v1_deliveries_webhook ON v1_deliveries (webhook_id, id);
