-- Events, their deliveries to webhooks, and the failed-attempt log
-- (PostgreSQL; the SQLite store's 002 holds the same data).
--
-- Conventions as in 001: text ids (and the call keys) are COLLATE "C", so
-- they compare bytewise as in SQLite; times are BIGINT unix milliseconds
-- (UTC); enumerations are lowercase text with a CHECK.
--
-- The delivery queue lives in `deliveries` and is shared by every `serve`
-- node. A pending delivery is claimable when it is due, not leased, its
-- webhook is active and it is the head of its ordering chain
-- (webhook_id, ordering_key): no other pending delivery of the chain sorts
-- before it by (sequence, id), and no other one of the chain is leased.
-- The claim checks exactly that against the chain itself (NOT EXISTS on
-- deliveries_chain / deliveries_chain_leased); see
-- postgres_store_deliveries.cc for why ordering holds across nodes.
--
-- Two flags keep what is NOT claimable out of the ready index, so that a
-- claim costs O(claimed) however large a backlog grows (without them it
-- would walk every due delivery queued behind a chain's head):
--   blocked  an earlier delivery of the same chain is pending. Every change
--            of a chain's pending set (ingest, recording, redelivery,
--            replay) holds the chain's lock, the call_sequences row of
--            (company_id, ordering_key), and leaves exactly the chain's
--            lowest pending delivery unblocked.
--   paused   the webhook is not active (inactive, failed); the webhooks
--            trigger below maintains it.
-- A lease (lease_until, unix ms; 0 = none) hides a claimed delivery until it
-- expires; an expired lease returns the work to every node. The ready index
-- is keyed on greatest(next_attempt_at, lease_until), the time a delivery
-- can next be claimed.

CREATE TABLE events (
  id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id      TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  type            TEXT   NOT NULL,
  sequence        BIGINT,           -- event_sequence; NULL when unsequenced
  sequence_key    TEXT COLLATE "C" NOT NULL,  -- call_id / conversation id; '' when none
  occurred_at     BIGINT NOT NULL,
  created_at      BIGINT NOT NULL,
  idempotency_key TEXT COLLATE "C",
  -- What webhook filters look at (model::EventAttributes), kept for replay.
  direction       TEXT   NOT NULL,
  department_id   TEXT   NOT NULL,
  agent_id        TEXT   NOT NULL,
  payload         TEXT   NOT NULL   -- the envelope, exactly the bytes sent
);

-- Idempotency keys: one event per (company, key). Two nodes ingesting the
-- same key race on this index; the loser re-reads the winner's answer.
CREATE UNIQUE INDEX events_idempotency ON events (company_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_company_created ON events (company_id, created_at);

-- The last event_sequence handed out per (company, call/conversation). The
-- upsert that bumps it locks the row until the ingest transaction ends, so
-- two nodes get distinct, gapless numbers (a rolled-back one is reused).
CREATE TABLE call_sequences (
  company_id    TEXT COLLATE "C" NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  sequence_key  TEXT COLLATE "C" NOT NULL,
  last_sequence BIGINT NOT NULL CHECK (last_sequence >= 1),
  PRIMARY KEY (company_id, sequence_key)
);

CREATE TABLE deliveries (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id       TEXT COLLATE "C" NOT NULL,
  webhook_id       TEXT COLLATE "C" NOT NULL,
  event_id         TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  event_type       TEXT    NOT NULL,
  ordering_key     TEXT COLLATE "C" NOT NULL,  -- '' = not part of any chain
  sequence         BIGINT,
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'exhausted', 'dropped')),
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  event_time       BIGINT  NOT NULL,  -- the retry window starts here
  next_attempt_at  BIGINT,
  lease_until      BIGINT  NOT NULL DEFAULT 0,
  blocked          BOOLEAN NOT NULL DEFAULT false,
  paused           BOOLEAN NOT NULL DEFAULT false,
  last_status_code INTEGER,
  last_error       TEXT    NOT NULL DEFAULT '',
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL,
  -- Deleting a webhook deletes its deliveries (and, through them, attempts).
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE,
  CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
  CHECK (ordering_key = '' OR sequence IS NOT NULL)
);

-- The queue: what may be claimed, in the order it may be claimed.
CREATE INDEX deliveries_ready ON deliveries ((greatest(next_attempt_at, lease_until)))
  WHERE state = 'pending' AND NOT blocked AND NOT paused;
-- Pending deliveries per chain in chain order: the head check, followers,
-- and pausing a webhook's queue.
CREATE INDEX deliveries_chain ON deliveries (webhook_id, ordering_key, sequence, id)
  WHERE state = 'pending';
-- Leased pending deliveries per chain: "is anything of this chain in flight?"
CREATE INDEX deliveries_chain_leased ON deliveries (webhook_id, ordering_key, lease_until)
  WHERE state = 'pending' AND lease_until <> 0;
-- The unblocked pending deliveries per chain (normally one): re-blocking.
CREATE INDEX deliveries_chain_unblocked ON deliveries (webhook_id, ordering_key)
  WHERE state = 'pending' AND NOT blocked;
-- Leases in force, for release_all_leases().
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE lease_until <> 0;
-- Delivery log per webhook (newest first by id); serves the webhook foreign key.
CREATE INDEX deliveries_webhook ON deliveries (company_id, webhook_id, id);
-- Deliveries of one event; serves the event foreign key.
CREATE INDEX deliveries_event ON deliveries (event_id);

-- A webhook's pending deliveries are paused exactly while it is not active.
CREATE FUNCTION deliveries_follow_webhook_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries SET paused = (NEW.status <> 'active')
   WHERE webhook_id = NEW.id AND state = 'pending';
  RETURN NULL;
END
$$;

CREATE TRIGGER webhooks_status_pauses_deliveries AFTER UPDATE OF status ON webhooks
  FOR EACH ROW WHEN ((OLD.status = 'active') IS DISTINCT FROM (NEW.status = 'active'))
  EXECUTE FUNCTION deliveries_follow_webhook_status();

-- Failed attempts (the failure log). Successful attempts are not kept here:
-- the delivery row records their outcome.
CREATE TABLE attempts (
  id               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  company_id       TEXT COLLATE "C" NOT NULL,
  webhook_id       TEXT COLLATE "C" NOT NULL,
  delivery_id      TEXT COLLATE "C" NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
  event_id         TEXT COLLATE "C" NOT NULL,
  event_type       TEXT             NOT NULL,
  attempt          INTEGER          NOT NULL CHECK (attempt >= 1),
  at               BIGINT           NOT NULL,
  success          BOOLEAN          NOT NULL,
  status_code      INTEGER,
  error            TEXT             NOT NULL
                                    CHECK (error IN ('none', 'http_status', 'timeout', 'connect', 'tls', 'dns',
                                                     'redirect', 'refused', 'other')),
  error_message    TEXT             NOT NULL,
  latency_ms       DOUBLE PRECISION NOT NULL,
  request_url      TEXT             NOT NULL,
  request_headers  TEXT             NOT NULL,
  request_body     TEXT             NOT NULL,
  response_headers TEXT             NOT NULL,
  response_body    TEXT             NOT NULL,
  FOREIGN KEY (company_id, webhook_id) REFERENCES webhooks (company_id, id) ON DELETE CASCADE
);

-- Failure log per webhook (newest first by id); serves the webhook foreign key.
CREATE INDEX attempts_webhook ON attempts (company_id, webhook_id, id);
CREATE INDEX attempts_delivery ON attempts (delivery_id);
