-- Compact failed attempts (issue 15, item 4); the same encodings as the SQLite
-- store's 011_compact_attempts.sql, which says why (store/common/attempt_codec.h):
-- the error class as a small integer, the error message NULL when it is the
-- "HTTP <status>" its status implies, the latency in whole microseconds.
--
-- Two indexes instead of three: the primary key becomes (delivery, attempt,
-- id), which serves a delivery's timeline and the delivery foreign key (the
-- cascade of the purge) in place of attempts_delivery; the failure log's
-- (webhook, id) index becomes unique and serves get_attempt. PostgreSQL keeps
-- no table in key order, so a clustered key would not stay clustered; the
-- gain here is one index less per attempt.
--
-- Not additive (a column type change): a node of the previous release still
-- writes the text error class (tests/e2e/migrations_additive_test.py, README
-- "Rolling upgrade").

ALTER TABLE attempts DROP CONSTRAINT attempts_error_check;
ALTER TABLE attempts
  ALTER COLUMN error TYPE smallint USING (CASE error WHEN 'none' THEN 0 WHEN 'http_status' THEN 1
    WHEN 'timeout' THEN 2 WHEN 'connect' THEN 3 WHEN 'tls' THEN 4 WHEN 'dns' THEN 5 WHEN 'redirect' THEN 6
    WHEN 'refused' THEN 7 ELSE 8 END),
  ADD CONSTRAINT attempts_error_check CHECK (error BETWEEN 0 AND 8),
  ALTER COLUMN error_message DROP NOT NULL,
  ALTER COLUMN latency_ms TYPE bigint USING (round(latency_ms * 1000)::bigint);
ALTER TABLE attempts RENAME COLUMN latency_ms TO latency_us;

UPDATE attempts SET error_message = NULL
 WHERE error = 1 AND status_code IS NOT NULL AND error_message = 'HTTP ' || status_code;

ALTER TABLE attempts DROP CONSTRAINT attempts_pkey;
DROP INDEX attempts_delivery;
DROP INDEX attempts_webhook;
ALTER TABLE attempts ADD PRIMARY KEY (delivery_id, attempt, id);
CREATE UNIQUE INDEX attempts_webhook ON attempts (webhook_id, id);
