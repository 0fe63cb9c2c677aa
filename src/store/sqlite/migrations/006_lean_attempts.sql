-- Attempts without payload copies (issue 15, item 2).
--
-- A failed attempt row keeps only what is particular to that attempt. What
-- every attempt of a delivery shares is stored once: the payload in the event
-- (request_body is NULL when the body sent was the event's envelope), the
-- company, event and event type in the delivery, and the request URL and
-- headers in `delivery_requests` (written by the delivery's first failed
-- attempt); an attempt keeps its URL only when it differs (NULL otherwise) and
-- its headers as a delta over the delivery's (store/common/attempt_codec.h).
--
-- Existing rows move over with their URL and full header array (both still
-- read as they are) and lose their payload copy when it equals the event's.

CREATE TABLE delivery_requests (
  delivery_id TEXT NOT NULL PRIMARY KEY REFERENCES deliveries (id) ON DELETE CASCADE,
  url         TEXT NOT NULL,  -- secrets masked
  headers     TEXT NOT NULL   -- JSON array of [name, value]; secrets masked
) STRICT, WITHOUT ROWID;

CREATE TABLE attempts_lean (
  id               TEXT    NOT NULL PRIMARY KEY,
  webhook_id       TEXT    NOT NULL,
  delivery_id      TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt          INTEGER NOT NULL CHECK (attempt >= 1),
  at               INTEGER NOT NULL,
  status_code      INTEGER,
  error            TEXT    NOT NULL
                           CHECK (error IN ('none', 'http_status', 'timeout', 'connect', 'tls', 'dns',
                                            'redirect', 'refused', 'other')),
  error_message    TEXT    NOT NULL,
  latency_ms       REAL    NOT NULL,
  request_url      TEXT,             -- NULL: delivery_requests.url
  request_headers  TEXT    NOT NULL, -- a delta object over delivery_requests.headers, or a full array
  request_body     TEXT,             -- NULL: the event's payload
  response_headers TEXT    NOT NULL,
  response_body    TEXT    NOT NULL
) STRICT;

INSERT INTO attempts_lean (id, webhook_id, delivery_id, attempt, at, status_code, error, error_message,
                           latency_ms, request_url, request_headers, request_body, response_headers,
                           response_body)
SELECT a.id, a.webhook_id, a.delivery_id, a.attempt, a.at, a.status_code, a.error, a.error_message,
       a.latency_ms, a.request_url, a.request_headers,
       CASE WHEN a.request_body = e.payload THEN NULL ELSE a.request_body END,
       a.response_headers, a.response_body
  FROM attempts a LEFT JOIN events e ON e.id = a.event_id;

DROP TABLE attempts;
ALTER TABLE attempts_lean RENAME TO attempts;

-- Failure log per webhook, newest first by id (the company is checked on the
-- delivery, joined by its primary key).
CREATE INDEX attempts_webhook ON attempts (webhook_id, id);
-- Serves the delivery foreign key (deleting deliveries deletes their attempts).
CREATE INDEX attempts_delivery ON attempts (delivery_id);
