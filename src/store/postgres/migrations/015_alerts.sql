-- Failure alerts (issue 16 items 1-2, store/alert_store.h): alert channels,
-- each company's degraded threshold, and per-webhook episode state (so that an
-- operational event goes out once per episode, also across a restart).
CREATE TABLE alert_channels (
  id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id      TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name            TEXT    NOT NULL,
  kind            TEXT    NOT NULL,  -- webhook | email
  events          TEXT    NOT NULL,  -- JSON array of operational event types
  enabled         BOOLEAN NOT NULL DEFAULT true,
  webhook_id      TEXT    NOT NULL DEFAULT '',  -- kind webhook: its "wha_" webhook
  smtp            TEXT    NOT NULL DEFAULT '{}',  -- JSON: host, port, tls, username, from, recipients
  smtp_password   TEXT,  -- sealed
  last_error      TEXT    NOT NULL DEFAULT '',
  last_failure_at BIGINT,
  last_success_at BIGINT,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL
);
CREATE INDEX alert_channels_company ON alert_channels (company_id, id);

CREATE TABLE alert_thresholds (
  company_id     TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
  below_percent  BIGINT  NOT NULL,
  min_attempts   BIGINT  NOT NULL,
  window_minutes BIGINT  NOT NULL
);

CREATE TABLE alert_episodes (
  company_id        TEXT    NOT NULL,
  webhook_id        TEXT    NOT NULL,
  failed_since      BIGINT,
  disabled_since    BIGINT,
  degraded_since    BIGINT,
  quiet_since       BIGINT,
  exhausted_pending BIGINT  NOT NULL DEFAULT 0,
  exhausted_sent_at BIGINT,
  PRIMARY KEY (company_id, webhook_id),
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
);
CREATE INDEX alert_episodes_open ON alert_episodes (company_id, webhook_id)
  WHERE failed_since IS NOT NULL OR disabled_since IS NOT NULL OR degraded_since IS NOT NULL
     OR exhausted_pending > 0;
