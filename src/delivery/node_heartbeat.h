// NodeHeartbeat: keeps this node's membership of a cluster alive, on a thread
// of its own, and fails over the nodes that died (issue 14 item 4).
//
// Every model::NodeLiveness::beat_every() (stale_after / 5, 2 s by default)
// it calls NodeMembership::heartbeat(): the store renews this node's row (the
// one write that keeps all of its leases) and, in the same transaction,
// removes every node whose heartbeat is older than stale_after and releases
// its leases. When leases were released `on_released` runs (the service
// wakes its delivery engine, which claims the released work at once instead
// of at its next idle poll). A beat that finds this node had itself been
// declared stale (it was stalled, not dead) is logged: its leases are gone,
// the store refuses its late results for work another node took, and it goes
// on under its renewed row.
//
// Only cluster mode runs one (the PostgreSQL store; SQLite has no membership).
//
// Thread-safety: start() and stop() from the owner's thread; beat() from any
// one thread at a time (the loop's, or a test's). `on_released` runs on the
// heartbeat thread and must be quick.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "model/node_liveness.h"
#include "store/node_membership.h"

namespace switchboard::delivery {

class NodeHeartbeat {
 public:
  // Counts since start, for logs and tests.
  struct Stats {
    std::uint64_t beats = 0;       // successful beats
    std::uint64_t failures = 0;    // beats the store failed
    std::uint64_t rejoined = 0;    // times this node found itself declared stale
    std::uint64_t taken_over = 0;  // other nodes this node found stale
    std::uint64_t released = 0;    // their leases it released
  };

  NodeHeartbeat(store::NodeMembership& membership, const Clock& clock, const MonotonicClock& monotonic,
                model::NodeLiveness liveness, std::function<void()> on_released)
      : membership_(membership),
        clock_(clock),
        monotonic_(monotonic),
        liveness_(liveness),
        on_released_(std::move(on_released)) {}
  ~NodeHeartbeat() { stop(); }
  NodeHeartbeat(const NodeHeartbeat&) = delete;
  NodeHeartbeat& operator=(const NodeHeartbeat&) = delete;

  // Beats at once, then every beat_every(). Idempotent.
  void start();
  // Ends the thread (a beat under way finishes first). Idempotent.
  void stop() EXCLUDES(mutex_);
  // One beat now: renew, fail over stale nodes, report.
  Result<store::NodeMembership::Beat> beat();

  Stats stats() const;

 private:
  void loop() EXCLUDES(mutex_);

  store::NodeMembership& membership_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  const model::NodeLiveness liveness_;
  const std::function<void()> on_released_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;

  std::atomic<std::uint64_t> beats_{0}, failures_{0}, rejoined_{0}, taken_over_{0}, released_{0};
};

}  // namespace switchboard::delivery
