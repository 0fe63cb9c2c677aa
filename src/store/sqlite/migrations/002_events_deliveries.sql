-- Events, their deliveries to webhooks, and the failed-attempt log.
--
-- The delivery queue lives in `deliveries`. A pending delivery is claimable
-- when it is due, not leased, its webhook is active and it is the head of its
-- ordering chain (webhook_id, ordering_key). Two flags keep everything that
-- is NOT claimable out of the ready index, so that claiming costs O(claimed)
-- however large the backlog of a dead, disabled or failed endpoint grows:
--   blocked = 1  an earlier delivery of the same chain is still pending; the
--                store unblocks the next one when the head leaves `pending`;
--   paused  = 1  the webhook is not active (inactive or failed); the store
--                flips it whenever the webhook's status changes.
-- A lease (lease_until, unix ms; 0 = none) hides a claimed delivery until it
-- expires; the ready index is keyed on max(next_attempt_at, lease_until), the
-- time the delivery can next be claimed.

CREATE TABLE events (
  id              TEXT    NOT NULL PRIMARY KEY,
  company_id      TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  type            TEXT    NOT NULL,
  sequence        INTEGER,           -- event_sequence; NULL when unsequenced
  sequence_key    TEXT    NOT NULL,  -- call_id / conversation id; '' when none
  occurred_at     INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  idempotency_key TEXT,
  -- What webhook filters look at (model::EventAttributes), kept for replay.
  direction       TEXT    NOT NULL,
  department_id   TEXT    NOT NULL,
  agent_id        TEXT    NOT NULL,
  payload         TEXT    NOT NULL   -- the envelope, exactly the bytes sent
) STRICT;

CREATE UNIQUE INDEX events_idempotency ON events (company_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_company_created ON events (company_id, created_at);

-- The last event_sequence handed out per (company, call/conversation).
CREATE TABLE event_sequences (
  company_id   TEXT    NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  sequence_key TEXT    NOT NULL,
  last         INTEGER NOT NULL CHECK (last >= 1),
  PRIMARY KEY (company_id, sequence_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE deliveries (
  id               TEXT    NOT NULL PRIMARY KEY,
  company_id       TEXT    NOT NULL,
  webhook_id       TEXT    NOT NULL,
  event_id         TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  event_type       TEXT    NOT NULL,
  ordering_key     TEXT    NOT NULL,  -- '' = not part of any chain
  sequence         INTEGER,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'exhausted', 'dropped')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  event_time       INTEGER NOT NULL,  -- the retry window starts here
  next_attempt_at  INTEGER,
  lease_until      INTEGER NOT NULL DEFAULT 0,
  blocked          INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
  paused           INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  last_status_code INTEGER,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  -- Deleting a webhook deletes its deliveries (and, through them, attempts).
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE,
  CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
  CHECK (ordering_key = '' OR sequence IS NOT NULL)
) STRICT;

-- The queue: what may be claimed, in the order it may be claimed.
CREATE INDEX deliveries_ready ON deliveries (max(next_attempt_at, lease_until))
  WHERE state = 'pending' AND blocked = 0 AND paused = 0;
-- Pending deliveries by webhook and chain: chain heads, and pausing a webhook.
CREATE INDEX deliveries_pending ON deliveries (webhook_id, ordering_key, sequence, id)
  WHERE state = 'pending';
-- Leases in force, for release_all_leases() at start-up.
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE lease_until != 0;
-- Delivery log per webhook (newest first by id); serves the webhook foreign key.
CREATE INDEX deliveries_webhook ON deliveries (company_id, webhook_id, id);
-- Deliveries of one event; serves the event foreign key.
CREATE INDEX deliveries_event ON deliveries (event_id);

-- The two queue invariants, kept by the schema so that every code path (and
-- every process sharing the file) maintains them.
--
-- A webhook's pending deliveries are paused exactly while it is not active.
CREATE TRIGGER webhooks_status_pauses_deliveries AFTER UPDATE OF status ON webhooks
  WHEN (OLD.status = 'active') != (NEW.status = 'active')
BEGIN
  UPDATE deliveries SET paused = (NEW.status != 'active')
   WHERE webhook_id = NEW.id AND state = 'pending';
END;

-- When the unblocked head of a chain leaves `pending` (delivered, exhausted,
-- dropped or deleted), the lowest remaining pending delivery of the chain
-- becomes its head. Inserting keeps the rest: a delivery joining a chain that
-- already has a pending one is inserted blocked (see sqlite_delivery_queue.cc).
CREATE TRIGGER deliveries_chain_advances_on_update AFTER UPDATE OF state ON deliveries
  WHEN OLD.state = 'pending' AND NEW.state != 'pending' AND OLD.blocked = 0 AND OLD.ordering_key != ''
BEGIN
  UPDATE deliveries SET blocked = 0
   WHERE id = (SELECT id FROM deliveries
                WHERE webhook_id = OLD.webhook_id AND ordering_key = OLD.ordering_key AND state = 'pending'
                ORDER BY sequence, id LIMIT 1);
END;

CREATE TRIGGER deliveries_chain_advances_on_delete AFTER DELETE ON deliveries
  WHEN OLD.state = 'pending' AND OLD.blocked = 0 AND OLD.ordering_key != ''
BEGIN
  UPDATE deliveries SET blocked = 0
   WHERE id = (SELECT id FROM deliveries
                WHERE webhook_id = OLD.webhook_id AND ordering_key = OLD.ordering_key AND state = 'pending'
                ORDER BY sequence, id LIMIT 1);
END;

-- Failed attempts (the failure log). Successful attempts are not kept here:
-- the delivery row records their outcome.
CREATE TABLE attempts (
  id               TEXT    NOT NULL PRIMARY KEY,
  company_id       TEXT    NOT NULL,
  webhook_id       TEXT    NOT NULL,
  delivery_id      TEXT    NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  event_id         TEXT    NOT NULL,
  event_type       TEXT    NOT NULL,
  attempt          INTEGER NOT NULL CHECK (attempt >= 1),
  at               INTEGER NOT NULL,
  success          INTEGER NOT NULL CHECK (success IN (0, 1)),
  status_code      INTEGER,
  error            TEXT    NOT NULL
                           CHECK (error IN ('none', 'http_status', 'timeout', 'connect', 'tls', 'dns',
                                            'redirect', 'refused', 'other')),
  error_message    TEXT    NOT NULL,
  latency_ms       REAL    NOT NULL,
  request_url      TEXT    NOT NULL,
  request_headers  TEXT    NOT NULL,
  request_body     TEXT    NOT NULL,
  response_headers TEXT    NOT NULL,
  response_body    TEXT    NOT NULL,
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
) STRICT;

-- Failure log per webhook (newest first by id); serves the webhook foreign key.
CREATE INDEX attempts_webhook ON attempts (company_id, webhook_id, id);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
