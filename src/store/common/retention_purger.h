// RetentionPurger: deletes expired data in the background (issue 15, item 1),
// on its own thread, a small batch per transaction with a pause between
// batches, so that ingest's writer is never held behind a long purge. One pass
// walks every company: its retention (its own, else the default) gives the
// cutoffs (model/retention.h), and the store deletes what model::event_purgeable
// allows, oldest first, then gives the freed space back a step at a time
// (RetentionStore::reclaim_space). `switchboard purge` runs one pass offline.
//
// Time is injected: wall time decides what expired; the monotonic clock
// paces the batches and the passes (manual clocks in tests).
//
// Thread-safety: start()/stop() from the owning thread; run_once() from one
// thread at a time (the purger's own once started).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/result.h"
#include "model/retention_limits.h"
#include "store/retention_store.h"

namespace switchboard::store {

struct PurgerOptions {
  std::chrono::seconds default_retention = model::limits::kDefaultRetention;
  std::chrono::milliseconds window = std::chrono::hours(24);                  // model::RetryPolicy::window
  double time_scale = 1;                                                      // serve --time-scale
  std::chrono::milliseconds interval = model::limits::kDefaultPurgeInterval;  // between passes
  int batch_events = model::limits::kPurgeBatchEvents;
  std::chrono::milliseconds pause = model::limits::kPurgePause;  // between batches
  int reclaim_pages = 2000;                                      // per batch (4 KiB pages: 8 MiB)
};

struct PurgeTotals {
  int companies = 0;
  std::int64_t events = 0;  // events deleted (their deliveries and attempts with them)
  int batches = 0;
};

class RetentionPurger {
 public:
  RetentionPurger(RetentionStore& store, const Clock& clock, const MonotonicClock& monotonic,
                  PurgerOptions options);
  ~RetentionPurger();
  RetentionPurger(const RetentionPurger&) = delete;
  RetentionPurger& operator=(const RetentionPurger&) = delete;

  // One pass over every company, until nothing more is due; stops early (with
  // what it did so far) when stop() is called.
  Result<PurgeTotals> run_once();

  // The background thread: a pass now, then one every `interval`.
  void start();
  void stop();  // waits for the current batch; idempotent

 private:
  Result<std::int64_t> purge_company(const CompanyRetention& company, TimePoint now, int& batches);
  // Sleeps `duration` on the monotonic clock; false when stop() was called.
  bool pause(std::chrono::milliseconds duration);

  RetentionStore& store_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  const PurgerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace switchboard::store
