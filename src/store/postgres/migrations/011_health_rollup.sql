-- Health statistics (issue 16 item 6): per-webhook per-minute rollups that
-- GET /api/v2/webhooks/{id}/stats sums into its buckets, so the stats never
-- scan the attempt log. record_attempts adds to the row of each result's
-- minute in the same transaction (store/common/health_rollup.h); rows older
-- than 8 days are purged as the webhook records new results.
-- s*: status classes (no status code = network); l0..l23: log-scale latency
-- bins of the attempts that got a response (model/health_stats.h).
CREATE TABLE health_rollup (
  company_id TEXT COLLATE "C" NOT NULL,
  webhook_id TEXT COLLATE "C" NOT NULL,
  minute_at  BIGINT NOT NULL,  -- unix ms, start of the UTC minute
  attempts   BIGINT NOT NULL DEFAULT 0,
  succeeded  BIGINT NOT NULL DEFAULT 0,
  s2xx       BIGINT NOT NULL DEFAULT 0,
  s3xx       BIGINT NOT NULL DEFAULT 0,
  s4xx       BIGINT NOT NULL DEFAULT 0,
  s5xx       BIGINT NOT NULL DEFAULT 0,
  snetwork   BIGINT NOT NULL DEFAULT 0,
  l0         BIGINT NOT NULL DEFAULT 0,
  l1         BIGINT NOT NULL DEFAULT 0,
  l2         BIGINT NOT NULL DEFAULT 0,
  l3         BIGINT NOT NULL DEFAULT 0,
  l4         BIGINT NOT NULL DEFAULT 0,
  l5         BIGINT NOT NULL DEFAULT 0,
  l6         BIGINT NOT NULL DEFAULT 0,
  l7         BIGINT NOT NULL DEFAULT 0,
  l8         BIGINT NOT NULL DEFAULT 0,
  l9         BIGINT NOT NULL DEFAULT 0,
  l10        BIGINT NOT NULL DEFAULT 0,
  l11        BIGINT NOT NULL DEFAULT 0,
  l12        BIGINT NOT NULL DEFAULT 0,
  l13        BIGINT NOT NULL DEFAULT 0,
  l14        BIGINT NOT NULL DEFAULT 0,
  l15        BIGINT NOT NULL DEFAULT 0,
  l16        BIGINT NOT NULL DEFAULT 0,
  l17        BIGINT NOT NULL DEFAULT 0,
  l18        BIGINT NOT NULL DEFAULT 0,
  l19        BIGINT NOT NULL DEFAULT 0,
  l20        BIGINT NOT NULL DEFAULT 0,
  l21        BIGINT NOT NULL DEFAULT 0,
  l22        BIGINT NOT NULL DEFAULT 0,
  l23        BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (company_id, webhook_id, minute_at),
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
);
