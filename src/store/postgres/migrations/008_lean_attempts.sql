-- Attempts without payload copies (issue 15, item 2); the same shape as the
-- SQLite store's 006_lean_attempts.sql, which says why.
--
-- A failed attempt row keeps only what is particular to that attempt: the
-- payload is the event's (request_body NULL when equal), company, event and
-- event type come from the delivery, and the request URL and headers are
-- stored once per delivery in `delivery_requests` (an attempt keeps its URL
-- only when it differs, its headers as a delta: store/common/attempt_codec.h).

CREATE TABLE delivery_requests (
  delivery_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
  url         TEXT NOT NULL,
  headers     TEXT NOT NULL
);

ALTER TABLE attempts ALTER COLUMN request_url DROP NOT NULL,
                     ALTER COLUMN request_body DROP NOT NULL;

-- Existing rows keep their URL and full header array; their payload copy goes.
UPDATE attempts a SET request_body = NULL
  FROM events e WHERE e.id = a.event_id AND a.request_body = e.payload;

-- Dropping company_id also drops the (company_id, webhook_id) foreign key and
-- attempts_webhook; deliveries cascade to attempts through delivery_id.
ALTER TABLE attempts DROP COLUMN company_id,
                     DROP COLUMN event_id,
                     DROP COLUMN event_type,
                     DROP COLUMN success;

CREATE INDEX attempts_webhook ON attempts (webhook_id, id);
