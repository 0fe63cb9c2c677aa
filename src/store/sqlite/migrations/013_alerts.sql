-- Failure alerts (issue 16 items 1-2, store/alert_store.h): alert channels,
-- each company's degraded threshold, and per-webhook episode state (so that an
-- operational event goes out once per episode, also across a restart).
CREATE TABLE alert_channels (
  id              TEXT    NOT NULL PRIMARY KEY,
  company_id      TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name            TEXT    NOT NULL,
  kind            TEXT    NOT NULL,  -- webhook | email
  events          TEXT    NOT NULL,  -- JSON array of operational event types
  enabled         INTEGER NOT NULL DEFAULT 1,
  webhook_id      TEXT    NOT NULL DEFAULT '',  -- kind webhook: its "wha_" webhook
  smtp            TEXT    NOT NULL DEFAULT '{}',  -- JSON: host, port, tls, username, from, recipients
  smtp_password   TEXT,  -- sealed
  last_error      TEXT    NOT NULL DEFAULT '',
  last_failure_at INTEGER,
  last_success_at INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX alert_channels_company ON alert_channels (company_id, id);

CREATE TABLE alert_thresholds (
  company_id     TEXT    NOT NULL PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
  below_percent  INTEGER NOT NULL,
  min_attempts   INTEGER NOT NULL,
  window_minutes INTEGER NOT NULL
);

CREATE TABLE alert_episodes (
  company_id        TEXT    NOT NULL,
  webhook_id        TEXT    NOT NULL,
  failed_since      INTEGER,
  disabled_since    INTEGER,
  degraded_since    INTEGER,
  quiet_since       INTEGER,
  exhausted_pending INTEGER NOT NULL DEFAULT 0,
  exhausted_sent_at INTEGER,
  PRIMARY KEY (company_id, webhook_id),
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
);
CREATE INDEX alert_episodes_open ON alert_episodes (company_id, webhook_id)
  WHERE failed_since IS NOT NULL OR disabled_since IS NOT NULL OR degraded_since IS NOT NULL
     OR exhausted_pending > 0;
