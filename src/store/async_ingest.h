// AsyncEventIngest: EventStore::ingest_events() without making the caller
// wait for the COMMIT, for a backend whose writes go through its own writer
// thread (SQLite's group commit). A backend that has no such writer does not
// implement it; ingest::Ingestor then calls ingest_events() and waits.
//
// Thread-safety: any thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace switchboard::store {

class AsyncEventIngest {
 public:
  using IngestDone = std::function<void(Result<std::vector<Result<IngestOutcome>>>)>;

  virtual ~AsyncEventIngest() = default;
  // What ingest_events(*events) answers, given to `done` once it is durable,
  // on the store's writer thread (keep it short: hand the answer on), or at
  // once on this thread when the store is closing. `events` are shared, not
  // copied: the caller may keep them for after.
  virtual void ingest_events_async(std::shared_ptr<const std::vector<NewEvent>> events, IngestDone done) = 0;
};

}  // namespace switchboard::store
