// ResultRecorder: writes the engine's attempt results and lease releases to
// the store, on a thread of its own, in batches.
//
// Whatever accumulates while one write commits goes into the next, so
// batches grow with the load (at most kMaxBatch outcomes per
// DeliveryQueue::record_attempts). A retryable store error is tried again
// (kTries in all, backing off on the injected clock); after that the results
// are dropped with an error log: the leases lapse and the deliveries are
// attempted again (at-least-once holds). Releases are best effort (a lease
// not released simply runs out). After each write `on_written` runs on the
// recorder's thread (a recorded result may make a chain's next event due).
//
// Thread-safety: record() and release() may be called from any thread;
// start() and stop() from the owner's. stop() writes everything queued before
// it returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "store/store.h"

namespace switchboard::delivery {

// Told about each batch of results once it is committed (issue 16: failure
// alerts watch the webhooks whose status those results may have changed).
// Runs on the recorder's thread after every successful write: must be quick
// (queue the work, never block on the network or the store).
class RecordedListener {
 public:
  virtual ~RecordedListener() = default;
  virtual void on_recorded(const std::vector<store::AttemptOutcome>& batch) = 0;
};

class ResultRecorder {
 public:
  static constexpr std::size_t kMaxBatch = 1024;
  static constexpr int kTries = 3;

  // After each batch of outcomes, `on_batch` (optional) gets it and whether
  // it was written (false: given up after kTries), before `on_written`; the
  // `listener` (optional) is told of each committed batch.
  using BatchDone = std::function<void(const std::vector<store::AttemptOutcome>& batch, bool written)>;
  ResultRecorder(store::DeliveryQueue& queue, const MonotonicClock& clock, std::function<void()> on_written,
                 BatchDone on_batch = {}, RecordedListener* listener = nullptr)
      : queue_(queue),
        clock_(clock),
        on_written_(std::move(on_written)),
        on_batch_(std::move(on_batch)),
        listener_(listener) {}
  ~ResultRecorder() { stop(); }

  void start();
  // Writes what is queued, then ends the thread. Idempotent.
  void stop();

  void record(store::AttemptOutcome outcome) EXCLUDES(mutex_);
  // Several at once (one lock, at most one wake-up).
  void record(std::vector<store::AttemptOutcome> outcomes) EXCLUDES(mutex_);
  void release(std::vector<store::LeaseRelease> leases) EXCLUDES(mutex_);

  // Outcomes written, by success (stats).
  std::uint64_t delivered() const { return delivered_.load(); }
  std::uint64_t failed() const { return failed_.load(); }

 private:
  void loop();
  // Whether the batch was committed.
  bool write(const std::vector<store::AttemptOutcome>& batch);

  store::DeliveryQueue& queue_;
  const MonotonicClock& clock_;
  const std::function<void()> on_written_;
  const BatchDone on_batch_;
  RecordedListener* const listener_;  // optional

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<store::AttemptOutcome> outcomes_ GUARDED_BY(mutex_);
  std::vector<store::LeaseRelease> releases_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;

  std::atomic<std::uint64_t> delivered_{0}, failed_{0};
  std::thread thread_;
};

}  // namespace switchboard::delivery
