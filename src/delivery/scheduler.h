// Scheduler: what the delivery engine holds in memory and what starts next.
//
//   claimed deliveries -> accept() -> lanes (heads) + chains (followers)
//   next() -> an attempt to start;  finished() -> its lane slot back, the
//   chain's next follower queued (success) or given back (failure)
//
// - Holdings: every delivery accepted and not yet finished or given back is
//   *held*, with the lease its claim gave it; room() is how many more the
//   claimer may bring (bounded by count and payload bytes).
// - Lanes (lanes.h): per-webhook queues with bounded in-flight; a stalled
//   lane refuses work, which then keeps its lease (see accept()).
// - Chains (chains.h): followers wait until the one before them succeeds.
// - Per-webhook controls (issue 16 item 4): set_lane_limits() gives a lane
//   fewer slots and/or a rate (lanes.h, token_bucket.h); next_wake() is when a
//   lane waiting for its rate's next token may start again.
// - Giving back: a held delivery not attempted goes back to the store (its
//   lease released, take_releases()); one not held is not ours to release.
//
// Pure bookkeeping, like lanes.h: no threads, no I/O; `now` is passed in.
// Not thread-safe: the engine's scheduler thread owns it.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "delivery/chains.h"
#include "delivery/lanes.h"
#include "store/store.h"

namespace switchboard::delivery {

class Scheduler {
 public:
  struct Limits {
    int max_tracked = 4096;                     // deliveries held (queued, in flight, followers)
    std::size_t max_tracked_bytes = 64u << 20;  // their payload bytes
    int per_webhook_in_flight = 32;
    int max_in_flight = 1024;
    std::chrono::milliseconds stalled_after{2000};  // see lanes.h
  };

  // A delivery next() handed out, to start now (or to give back).
  struct Ready {
    std::string lane;  // its webhook id
    store::DueDelivery due;
  };

  explicit Scheduler(Limits limits);

  using LaneLimits = Lanes<store::DueDelivery>::LaneLimits;
  // A webhook's max_in_flight and max_rate (LaneLimits{} = the defaults).
  void set_lane_limits(const std::string& webhook_id, const LaneLimits& limits, MonotonicTime now) {
    lanes_.set_lane_limits(webhook_id, limits, now);
  }
  // When next() may have something again because a rate-limited lane gets a
  // token (nullopt: no lane waits for one).
  std::optional<MonotonicTime> next_wake() const { return lanes_.next_wake(); }

  // A claim's deliveries arrive in claim order: each chain's head, then its
  // followers (DueDelivery::follows). Call begin_claim() before each claim.
  void begin_claim() { chains_.end_claim_run(); }
  // Whether it is held now (false: refused, see scheduler.cc).
  bool accept(store::DueDelivery due, TimePoint lease_until, MonotonicTime now);
  // Claimed but not to be accepted (the engine is stopping): released as is.
  void refuse(const std::string& delivery_id, TimePoint lease_until) {
    releases_.push_back({delivery_id, lease_until});
  }

  // The next attempt that may start now, or nullopt.
  std::optional<Ready> next(MonotonicTime now);
  // The lease `ready` holds (nullopt when no longer held).
  std::optional<TimePoint> lease_of(const Ready& ready) const;
  // `ready` is not started: it and the followers of its chain go back.
  void give_back(const Ready& ready, MonotonicTime now);
  // `ready`'s webhook is gone or inactive: it, everything queued on its lane
  // and their chains go back.
  void give_back_lane(const Ready& ready, MonotonicTime now);

  // An attempt of `delivery` (started from next()) ended. On success the next
  // follower of its chain is queued, unless `stopping`.
  void finished(const store::DueDelivery& due, bool succeeded, bool stopping, MonotonicTime now);

  // Stopping: every queued delivery (and its chain) goes back.
  void give_back_queued();
  // Stopped: the followers still waiting go back (in-flight ones keep their lease).
  void give_back_followers();

  // Leases to release, gathered since the last call.
  std::vector<store::LeaseRelease> take_releases();

  // How many more deliveries may be held now (0 above the byte bound).
  int room() const;
  int in_flight() const { return lanes_.in_flight(); }
  std::size_t held() const { return held_.size(); }
  std::size_t held_bytes() const { return held_bytes_; }
  std::size_t queued() const { return lanes_.queued(); }

 private:
  bool hold(const store::DueDelivery& due, TimePoint lease_until);
  void forget(const store::DueDelivery& due);
  void give_back_one(const store::DueDelivery& due);
  void give_back_chain(const store::DueDelivery& due);

  const Limits limits_;
  Lanes<store::DueDelivery> lanes_;
  Chains chains_;
  std::unordered_map<std::string, TimePoint> held_;  // delivery id -> lease_until
  std::size_t held_bytes_ = 0;                       // payload bytes of held_
  std::vector<store::LeaseRelease> releases_;
};

}  // namespace switchboard::delivery
