// Ingestor: the ingest pipeline between the API and the store. The API hands
// it events it has parsed and validated (model::EventInput); the ingestor
// stamps them (an evt_ id and created_at from the request's time, occurred_at
// defaulting to it, whether the directory enriches them), has the store
// persist them with their deliveries in ONE durable transaction
// (store::EventStore::ingest_events: idempotency, sequences, enrichment,
// envelope and fan-out, in store/common/ingest_writer.h), and only after
// COMMIT tells its listeners: every newly stored event goes to the
// StoredEventSink (the live call stream), and any queued delivery wakes the
// DeliveryWakeup (the v2 engine and the v1 dispatcher). A duplicate (answered
// from its idempotency key) or a failed event notifies nobody.
//
// Ingest, delivery and live are sibling layers that never include each
// other: the listener interfaces are declared here, and src/server wires them
// to the live hub and the delivery engine's wake-up with small adapters.
//
// Thread-safety: ingest() may be called from many threads at once (it blocks
// on the store's group commit); the listeners are called on the calling
// thread and must be thread-safe themselves. ingest_async() does not wait for
// the COMMIT: the listeners, then its `done`, are called on the store's
// thread that answers it (SQLite: the writer, after COMMIT), so they must be
// quick.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "ingest/in_flight_bound.h"
#include "model/event_input.h"
#include "model/limits.h"
#include "store/async_ingest.h"
#include "store/store.h"

namespace switchboard::ingest {

// Told of each newly stored event, after COMMIT: a watcher never sees a state
// that was not stored. `data_json` is the event's data as published (before
// directory enrichment); `sequence` is its event_sequence, 0 when it has none.
class StoredEventSink {
 public:
  virtual ~StoredEventSink() = default;
  virtual void event_stored(const std::string& company_id, const std::string& event_type,
                            const std::string& data_json, TimePoint occurred_at, std::int64_t sequence) = 0;
};

// Told, after COMMIT, that an ingest call queued deliveries (v2 or v1): the
// senders look for due work now rather than at their next timer. Once per call.
// `queued` carries the v2 deliveries it created (empty when only v1 ones
// were): a single-node engine adds them to its in-memory queue (issue 14).
class DeliveryWakeup {
 public:
  virtual ~DeliveryWakeup() = default;
  virtual void deliveries_queued(std::vector<store::PendingDelivery> queued) = 0;
};

// The store's answer for each event, in order (see store::IngestOutcome).
using IngestResults = std::vector<Result<store::IngestOutcome>>;

class Ingestor {
 public:
  // `live` and `wakeup` are optional (null: nobody is told).
  // When `store` also implements store::AsyncEventIngest, ingest_async()
  // uses it; otherwise ingest_async() waits for ingest_events().
  Ingestor(store::EventStore& store, StoredEventSink* live, DeliveryWakeup* wakeup)
      : store_(store),
        async_store_(dynamic_cast<store::AsyncEventIngest*>(&store)),
        live_(live),
        wakeup_(wakeup) {}
  // Waits for the answers of ingest_async() calls still in the store, which
  // call back into this (the store must outlive the Ingestor).
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Admits `events` events of `company_id` before they are ingested: at most
  // model::limits::kMaxIngestEventsInFlightPerCompany of a company's events
  // wait for the store at once (the API answers 429 `ingest_busy` beyond), so
  // a company publishing faster than the store commits is slowed alone. The
  // caller keeps the ticket until the store has answered.
  tl::expected<InFlightBound::Ticket, InFlightBound::Busy> admit(const std::string& company_id,
                                                                 std::size_t events) {
    return company_bound_.admit(company_id, events);
  }

  // Stamps `inputs` as published to `company_id` at `received_at` (the time
  // they were validated against) and ingests them. The outer error (the store
  // could not run the transaction) means none was stored.
  Result<IngestResults> ingest(const std::string& company_id, std::vector<model::EventInput> inputs,
                               TimePoint received_at);
  // The same without waiting for the COMMIT: `done` gets the answer once it
  // is durable (store::AsyncEventIngest), after the listeners were told.
  using Done = std::function<void(Result<IngestResults>)>;
  void ingest_async(const std::string& company_id, std::vector<model::EventInput> inputs,
                    TimePoint received_at, Done done);

 private:
  // Tells the listeners of what `stored` (the answer for `events`) added.
  void notify(const std::vector<store::NewEvent>& events, const IngestResults& stored) const;

  store::EventStore& store_;
  store::AsyncEventIngest* async_store_;  // null: the store has no asynchronous ingest
  StoredEventSink* live_;
  DeliveryWakeup* wakeup_;
  std::mutex mutex_;
  std::condition_variable answered_;
  int in_flight_ = 0;  // ingest_async() calls not yet answered
  InFlightBound company_bound_{model::limits::kMaxIngestEventsInFlightPerCompany};
};

// The store's view of one published event: a new evt_ id (time-ordered by
// `received_at`), created_at = received_at, occurred_at as published or
// received_at, and directory enrichment for the types that take it
// (model::is_enriched_from_directory). Pure apart from the id's randomness.
store::NewEvent stamp_event(model::EventInput&& input, const std::string& company_id, TimePoint received_at);

}  // namespace switchboard::ingest
