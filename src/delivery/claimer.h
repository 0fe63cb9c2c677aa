// Claimer: takes due deliveries from the store for the engine's scheduler,
// on a thread of its own, so that the scheduler never waits on the store (a
// claim is a write transaction and may queue behind a group commit).
//
// It claims when notified (new work, a recorded result, room come back) and
// on a timer aimed at DeliveryQueue::next_due_time() (at most kMaxIdle
// apart; kBackoff after a failed claim). Each claim asks for at most
// min(claim_batch, room) deliveries, each leased for `lease`, and hands them
// to `sink`; it claims again at once while claims come back full. With less
// room than min_claim it waits for the scheduler to report more (set_room()).
//
// Thread-safety: notify(), set_room() and claimed() may be called from any
// thread; start() and stop() from the owner's. `sink` runs on the claimer's
// thread and must be quick.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "store/store.h"

namespace switchboard::delivery {

class Claimer {
 public:
  // The longest the claimer sleeps without asking the store what is due.
  static constexpr std::chrono::milliseconds kMaxIdle{1000};
  // After the store fails a claim, wait this long before the next.
  static constexpr std::chrono::milliseconds kBackoff{200};

  struct Options {
    int claim_batch = 1024;
    int chain_depth = 32;
    int min_claim = 1;  // claims wait for at least this much room
    std::chrono::milliseconds lease{120000};
  };
  using Sink = std::function<void(std::vector<store::DueDelivery> claimed, TimePoint lease_until)>;

  Claimer(store::DeliveryQueue& queue, const Clock& clock, const MonotonicClock& monotonic, Options options,
          Sink sink)
      : queue_(queue), clock_(clock), monotonic_(monotonic), options_(options), sink_(std::move(sink)) {}
  ~Claimer() { stop(); }

  // Claims at once, with `room`.
  void start(int room);
  // Ends the thread (a claim under way finishes first). Idempotent.
  void stop();
  // Work may be due now.
  void notify() EXCLUDES(mutex_);
  // The scheduler's room for more deliveries; asks for a claim when room
  // came back after a claim stopped for lack of it.
  void set_room(int room);

  std::uint64_t claimed() const { return claimed_.load(); }

 private:
  void loop();
  // Claims what is due; returns when to claim next if nothing asks sooner.
  MonotonicTime claim();

  store::DeliveryQueue& queue_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  const Options options_;
  const Sink sink_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool requested_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;

  std::atomic<int> room_{0};           // scheduler -> claimer: deliveries it may claim
  std::atomic<bool> more_due_{false};  // the last claim stopped for lack of room
  std::atomic<std::uint64_t> claimed_{0};
  std::thread thread_;
};

}  // namespace switchboard::delivery
