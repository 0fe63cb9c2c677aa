-- Health statistics (issue 16 item 6): per-webhook per-minute rollups that
-- GET /api/v2/webhooks/{id}/stats sums into its buckets, so the stats never
-- scan the attempt log. record_attempts adds to the row of each result's
-- minute in the same transaction (store/common/health_rollup.h); rows older
-- than 8 days are purged as the webhook records new results.
-- s*: status classes (no status code = network); l0..l23: log-scale latency
-- bins of the attempts that got a response (model/health_stats.h).
CREATE TABLE health_rollup (
  company_id TEXT    NOT NULL,
  webhook_id TEXT    NOT NULL,
  minute_at  INTEGER NOT NULL,  -- unix ms, start of the UTC minute
  attempts   INTEGER NOT NULL DEFAULT 0,
  succeeded  INTEGER NOT NULL DEFAULT 0,
  s2xx       INTEGER NOT NULL DEFAULT 0,
  s3xx       INTEGER NOT NULL DEFAULT 0,
  s4xx       INTEGER NOT NULL DEFAULT 0,
  s5xx       INTEGER NOT NULL DEFAULT 0,
  snetwork   INTEGER NOT NULL DEFAULT 0,
  l0         INTEGER NOT NULL DEFAULT 0,
  l1         INTEGER NOT NULL DEFAULT 0,
  l2         INTEGER NOT NULL DEFAULT 0,
  l3         INTEGER NOT NULL DEFAULT 0,
  l4         INTEGER NOT NULL DEFAULT 0,
  l5         INTEGER NOT NULL DEFAULT 0,
  l6         INTEGER NOT NULL DEFAULT 0,
  l7         INTEGER NOT NULL DEFAULT 0,
  l8         INTEGER NOT NULL DEFAULT 0,
  l9         INTEGER NOT NULL DEFAULT 0,
  l10        INTEGER NOT NULL DEFAULT 0,
  l11        INTEGER NOT NULL DEFAULT 0,
  l12        INTEGER NOT NULL DEFAULT 0,
  l13        INTEGER NOT NULL DEFAULT 0,
  l14        INTEGER NOT NULL DEFAULT 0,
  l15        INTEGER NOT NULL DEFAULT 0,
  l16        INTEGER NOT NULL DEFAULT 0,
  l17        INTEGER NOT NULL DEFAULT 0,
  l18        INTEGER NOT NULL DEFAULT 0,
  l19        INTEGER NOT NULL DEFAULT 0,
  l20        INTEGER NOT NULL DEFAULT 0,
  l21        INTEGER NOT NULL DEFAULT 0,
  l22        INTEGER NOT NULL DEFAULT 0,
  l23        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (company_id, webhook_id, minute_at),
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
