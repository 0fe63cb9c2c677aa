// IngestPort: what ingest needs of a store backend inside the one write
// transaction of an ingest_events() call — find earlier answers by
// idempotency key, bump call sequences, read active subscribers and the
// directory, insert events and deliveries, queue v1 deliveries, and scope
// writes in savepoints. Each backend implements it in its own SQL dialect
// (sqlite_store_events.cc over the writer's connection, inside the group
// commit; postgres_store_events.cc over the call's pqxx::work, inside
// transact()); write_ingest() (ingest_writer.h) is the algorithm, written
// once, over it.
//
// Set-shaped on purpose: each method takes every row of the batch at once,
// so PostgreSQL writes a batch in a few statements (unnest arrays) while
// SQLite runs one prepared statement per row; neither pays a virtual call
// per row.
//
// Errors: a method that returns an error leaves the transaction usable up to
// the enclosing savepoint, which the caller rolls back. A failure that dooms
// the whole transaction is reported by in_savepoint() as its outer error
// (SQLite: the transaction was aborted under it), or thrown (PostgreSQL:
// serialization failures, deadlocks and lost connections propagate as pqxx
// exceptions so that transact() retries the whole call).
//
// Thread-safety: one per ingest_events() call (or per try of it), used by the
// thread that runs its transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/delivery.h"
#include "model/directory.h"
#include "model/webhook.h"
#include "model/webhook_match.h"
#include "store/store.h"

namespace switchboard::store {

// What matching an event needs of a webhook: its subscription, no secrets.
struct IngestSubscriber {
  std::string id;
  model::WebhookSpec spec;  // events and filters only
};

// Adds `count` to the last event_sequence of (company_id, sequence_key).
struct SequenceBump {
  std::string company_id;
  std::string sequence_key;
  std::int64_t count = 0;

  friend bool operator==(const SequenceBump&, const SequenceBump&) = default;
};

// One event row to insert: sequence and payload (the envelope) set.
struct EventRow {
  model::Event event;
  const model::EventAttributes* attributes = nullptr;  // what filters look at; never null
};

enum class SavepointLevel { kBatch, kEvent };

class IngestPort {
 public:
  virtual ~IngestPort() = default;

  // The earlier answer (duplicate = true, deliveries = 0) for each event's
  // (company_id, idempotency_key), aligned with `events`; each has a key.
  virtual Result<std::vector<std::optional<IngestOutcome>>> find_idempotent(
      const std::vector<const model::Event*>& events) = 0;
  // Adds each bump's count to its (company, sequence key) counter (a new one
  // starts at 0) and returns the new last numbers, aligned with `bumps`.
  // `bumps` come sorted and distinct: rows are locked in one order.
  // kNotFound ("company not found") for an unknown company.
  virtual Result<std::vector<std::int64_t>> bump_sequences(const std::vector<SequenceBump>& bumps) = 0;
  // ACTIVE webhooks of the company, ordered by id.
  virtual Result<std::vector<IngestSubscriber>> active_subscribers(const std::string& company_id) = 0;
  virtual Result<std::optional<model::Agent>> find_agent(const std::string& company_id,
                                                         const std::string& agent_id) = 0;
  virtual Result<std::optional<model::Department>> find_department(const std::string& company_id,
                                                                   const std::string& department_id) = 0;
  // kConflict when an id is taken, kNotFound for an unknown company.
  virtual Result<void> insert_events(const std::vector<EventRow>& events) = 0;
  // Pending deliveries (none paused: only active webhooks get them) of events
  // inserted in this call, each chain's in sequence order; `follows[i]` marks
  // a delivery that comes after another of its (webhook, ordering key) chain
  // in this same call.
  virtual Result<void> insert_deliveries(const std::vector<model::Delivery>& deliveries,
                                         const std::vector<bool>& follows) = 0;
  // Queues the v1 deliveries of a stored event (the backend's v1 fan-out:
  // one per enabled v1 webhook whose type the event feeds); how many.
  virtual Result<int> queue_v1_deliveries(const model::Event& event) = 0;
  // Runs `body` inside a savepoint: its success is kept; on its error only
  // its writes are undone and the error is the inner one. The outer error
  // means the transaction itself is gone: the caller stops at once.
  virtual Result<Result<void>> in_savepoint(SavepointLevel level,
                                            const std::function<Result<void>()>& body) = 0;
};

}  // namespace switchboard::store
