-- Compact failed attempts (issue 15, item 4: a failed attempt within 300
-- bytes beyond its response excerpt; it was 364: ~190 B of row and ~150 B in
-- three index entries).
--
-- Two indexes instead of three: the attempt id is no longer a primary key of
-- its own (its autoindex was a third copy of every id); it is unique per
-- webhook instead, in the failure log's index, which also serves
-- get_attempt (always asked with its webhook). The table stays a rowid table:
-- attempts arrive in time order, so rows append to the end of the table
-- b-tree and its pages stay full. A WITHOUT ROWID table keyed by (delivery,
-- attempt) was measured too (bench/disk.py data, docs/benchmarks.md): its
-- inserts land all over the key space, pages split half-full, and every
-- secondary index entry carries the whole text key, so it came out larger
-- (338 B against 291 B with the same encodings).
--
-- Compact encodings (store/common/attempt_codec.h): the error class as a
-- small integer, the error message NULL when it is the "HTTP <status>" its
-- status implies, the latency in whole microseconds.

CREATE TABLE attempts_compact (
  id               TEXT    NOT NULL,
  webhook_id       TEXT    NOT NULL,
  delivery_id      TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  attempt          INTEGER NOT NULL CHECK (attempt >= 1),
  at               INTEGER NOT NULL,
  status_code      INTEGER,
  error            INTEGER NOT NULL CHECK (error BETWEEN 0 AND 8), -- attempt_codec.h: attempt_error_code
  error_message    TEXT,             -- NULL: "HTTP <status_code>"
  latency_us       INTEGER NOT NULL,
  request_url      TEXT,             -- NULL: delivery_requests.url
  request_headers  TEXT    NOT NULL, -- a delta object over delivery_requests.headers, or a full array
  request_body     TEXT,             -- NULL: the event's payload
  response_headers TEXT    NOT NULL,
  response_body    TEXT    NOT NULL
) STRICT;

INSERT INTO attempts_compact (id, webhook_id, delivery_id, attempt, at, status_code, error, error_message,
                              latency_us, request_url, request_headers, request_body, response_headers,
                              response_body)
SELECT id, webhook_id, delivery_id, attempt, at, status_code,
       CASE error WHEN 'none' THEN 0 WHEN 'http_status' THEN 1 WHEN 'timeout' THEN 2 WHEN 'connect' THEN 3
                  WHEN 'tls' THEN 4 WHEN 'dns' THEN 5 WHEN 'redirect' THEN 6 WHEN 'refused' THEN 7 ELSE 8 END,
       CASE WHEN error = 'http_status' AND status_code IS NOT NULL AND error_message = 'HTTP ' || status_code
            THEN NULL ELSE error_message END,
       CAST(round(latency_ms * 1000) AS INTEGER),
       request_url, request_headers, request_body, response_headers, response_body
  FROM attempts ORDER BY rowid;

DROP TABLE attempts;
ALTER TABLE attempts_compact RENAME TO attempts;

-- Failure log per webhook, newest first by id; get_attempt; an id is unique
-- within its webhook (a reused id still fails its batch).
CREATE UNIQUE INDEX attempts_webhook ON attempts (webhook_id, id);
-- A delivery's attempts in order (the timeline), and the delivery foreign key
-- (deleting deliveries deletes their attempts).
CREATE INDEX attempts_delivery ON attempts (delivery_id, attempt);
