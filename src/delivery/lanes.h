// Lanes: per-webhook queues with bounded concurrency, the delivery engine's
// head-of-line isolation (architecture.md §4).
//
// Each lane (one webhook) has at most `per_lane_in_flight` items started and
// not yet released; all lanes together at most `total_in_flight`. pop() takes
// the next item round-robin over the lanes that have both queued work and a
// free slot, so a lane whose endpoint hangs only ever holds its own slots.
//
// Per-lane controls (a webhook's max_in_flight and max_rate, issue 16 item 4,
// set with set_lane_limits): a lane may have fewer slots than
// `per_lane_in_flight` (never more), and a TokenBucket (token_bucket.h): a lane
// out of tokens leaves the turn order until its next token (next_wake() says
// when), so it never delays other lanes and never starts faster than its rate.
// A rate-limited lane holds at most rate_queue_bound() queued items (the
// engine's max_tracked is shared by all webhooks); push() refuses more. The
// controls outlive the lane's idle periods (forget_limits() drops them).
//
// A lane is *stalled* when all its slots are busy and none was released for
// `stalled_after`. A stalled lane accepts at most `stalled_lane_queue` queued
// items; push() refuses more, so a dead endpoint cannot fill memory (the
// caller leaves refused work in the store).
//
// Pure bookkeeping: no threads, no I/O; time is passed in. Not thread-safe
// (the engine's scheduler thread owns it).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "delivery/token_bucket.h"

namespace switchboard::delivery {

template <typename Item>
class Lanes {
 public:
  using Time = std::chrono::steady_clock::time_point;

  struct Limits {
    int per_lane_in_flight = 32;
    int total_in_flight = 1024;
    std::size_t stalled_lane_queue = 32;
    std::chrono::milliseconds stalled_after{2000};
    // A rate-limited lane queues at most this many seconds of its rate
    // (at least stalled_lane_queue, at most max_rate_queue).
    std::chrono::seconds rate_queue_horizon{30};
    std::size_t max_rate_queue = 1024;
  };

  // A lane's own controls: 0 slots = per_lane_in_flight; no rate = unlimited.
  struct LaneLimits {
    int in_flight = 0;
    std::optional<int> rate;
    bool operator==(const LaneLimits&) const = default;
  };

  explicit Lanes(Limits limits) : limits_(limits) {
    limits_.per_lane_in_flight = std::max(1, limits_.per_lane_in_flight);
    limits_.total_in_flight = std::max(1, limits_.total_in_flight);
  }

  // Queues `item` on `lane`; false (item not taken) when the lane is stalled and full.
  bool push(const std::string& lane_id, Item item, Time now) {
    Lane& lane = lanes_[lane_id];
    if ((stalled(lane_id, lane, now) && lane.queue.size() >= limits_.stalled_lane_queue) ||
        lane.queue.size() >= rate_queue_bound(lane_id)) {
      erase_if_idle(lane_id);
      return false;
    }
    lane.queue.push_back(std::move(item));
    ++queued_;
    make_runnable(lane_id, lane);
    return true;
  }

  // The next item to start (and its lane), or nullopt when nothing may start now.
  std::optional<std::pair<std::string, Item>> pop(Time now) {
    wake_rate_waiters(now);
    while (total_in_flight_ < limits_.total_in_flight && !runnable_.empty()) {
      std::string lane_id = std::move(runnable_.front());
      runnable_.pop_front();
      auto it = lanes_.find(lane_id);
      if (it == lanes_.end()) continue;
      Lane& lane = it->second;
      lane.runnable = false;
      if (lane.queue.empty() || lane.in_flight >= slots(lane_id)) {
        erase_if_idle(lane_id);
        continue;
      }
      if (!take_token(lane_id, lane, now)) continue;  // waits in rate_waiters_ for its next token
      Item item = std::move(lane.queue.front());
      lane.queue.pop_front();
      --queued_;
      if (lane.in_flight == 0) lane.last_release = now;  // an idle lane starts its clock now
      ++lane.in_flight;
      ++total_in_flight_;
      make_runnable(lane_id, lane);  // back of the line: round-robin
      return std::make_pair(std::move(lane_id), std::move(item));
    }
    return std::nullopt;
  }

  // An item pop() returned has finished (successfully or not).
  void release(const std::string& lane_id, Time now) {
    auto it = lanes_.find(lane_id);
    if (it == lanes_.end() || it->second.in_flight == 0) return;
    Lane& lane = it->second;
    --lane.in_flight;
    --total_in_flight_;
    lane.last_release = now;
    make_runnable(lane_id, lane);
    erase_if_idle(lane_id);
  }

  // Sets (or changes) a lane's own controls; LaneLimits{} drops them.
  void set_lane_limits(const std::string& lane_id, const LaneLimits& limits, Time now) {
    if (limits == LaneLimits{}) {
      forget_limits(lane_id);
      return;
    }
    Control& control = controls_[lane_id];
    control.in_flight = limits.in_flight;
    if (!limits.rate) {
      control.bucket.reset();
    } else if (control.bucket) {
      control.bucket->set_rate(*limits.rate, now);
    } else {
      control.bucket.emplace(*limits.rate, now);
    }
    if (auto it = lanes_.find(lane_id); it != lanes_.end()) make_runnable(lane_id, it->second);
  }
  void forget_limits(const std::string& lane_id) {
    controls_.erase(lane_id);
    if (auto it = lanes_.find(lane_id); it != lanes_.end() && it->second.waiting_since) {
      rate_waiters_.erase({*it->second.waiting_since, lane_id});
      it->second.waiting_since.reset();
      make_runnable(lane_id, it->second);
    }
  }
  LaneLimits lane_limits(const std::string& lane_id) const {
    auto it = controls_.find(lane_id);
    if (it == controls_.end()) return {};
    return {it->second.in_flight,
            it->second.bucket ? std::optional<int>(it->second.bucket->rate()) : std::nullopt};
  }
  // The most items a lane may queue (unbounded unless rate-limited).
  std::size_t rate_queue_bound(const std::string& lane_id) const {
    auto it = controls_.find(lane_id);
    if (it == controls_.end() || !it->second.bucket) return static_cast<std::size_t>(-1);
    const auto horizon = static_cast<std::size_t>(it->second.bucket->rate()) *
                         static_cast<std::size_t>(limits_.rate_queue_horizon.count());
    return std::clamp(horizon, limits_.stalled_lane_queue,
                      std::max(limits_.stalled_lane_queue, limits_.max_rate_queue));
  }
  // The earliest time a lane waiting for a token gets one (the caller's next
  // pop() then may start something), or nullopt when none waits.
  std::optional<Time> next_wake() const {
    if (rate_waiters_.empty()) return std::nullopt;
    return rate_waiters_.begin()->first;
  }

  // Removes and returns the lane's queued items; items in flight are not affected.
  std::vector<Item> drop_queued(const std::string& lane_id) {
    std::vector<Item> dropped;
    auto it = lanes_.find(lane_id);
    if (it == lanes_.end()) return dropped;
    for (auto& item : it->second.queue) dropped.push_back(std::move(item));
    queued_ -= it->second.queue.size();
    it->second.queue.clear();
    if (it->second.waiting_since) {
      rate_waiters_.erase({*it->second.waiting_since, lane_id});
      it->second.waiting_since.reset();
    }
    erase_if_idle(lane_id);
    return dropped;
  }

  // Removes and returns every queued item of every lane.
  std::vector<Item> drop_all_queued() {
    std::vector<Item> dropped;
    std::vector<std::string> ids;
    for (const auto& [id, lane] : lanes_) ids.push_back(id);
    for (const auto& id : ids) {
      for (auto& item : drop_queued(id)) dropped.push_back(std::move(item));
    }
    return dropped;
  }

  std::size_t queued() const { return queued_; }
  int in_flight() const { return total_in_flight_; }
  int in_flight(const std::string& lane_id) const {
    auto it = lanes_.find(lane_id);
    return it == lanes_.end() ? 0 : it->second.in_flight;
  }
  std::size_t queued(const std::string& lane_id) const {
    auto it = lanes_.find(lane_id);
    return it == lanes_.end() ? 0 : it->second.queue.size();
  }
  std::size_t lane_count() const { return lanes_.size(); }

 private:
  struct Lane {
    std::deque<Item> queue;
    int in_flight = 0;
    bool runnable = false;  // listed in runnable_
    Time last_release{};
    std::optional<Time> waiting_since;  // listed in rate_waiters_ under this time (its next token)
  };

  // A lane's controls; kept while its lane comes and goes (the bucket's state must persist).
  struct Control {
    int in_flight = 0;  // 0 = per_lane_in_flight
    std::optional<TokenBucket> bucket;
  };

  int slots(const std::string& lane_id) const {
    auto it = controls_.find(lane_id);
    if (it == controls_.end() || it->second.in_flight <= 0) return limits_.per_lane_in_flight;
    return std::min(it->second.in_flight, limits_.per_lane_in_flight);
  }

  bool stalled(const std::string& lane_id, const Lane& lane, Time now) const {
    return lane.in_flight >= slots(lane_id) && now - lane.last_release >= limits_.stalled_after;
  }

  void make_runnable(const std::string& lane_id, Lane& lane) {
    if (lane.runnable || lane.waiting_since || lane.queue.empty() || lane.in_flight >= slots(lane_id)) return;
    lane.runnable = true;
    runnable_.push_back(lane_id);
  }

  // Takes a token for `lane` when it is rate-limited; otherwise parks it in
  // rate_waiters_ until its next token and returns false.
  bool take_token(const std::string& lane_id, Lane& lane, Time now) {
    auto it = controls_.find(lane_id);
    if (it == controls_.end() || !it->second.bucket) return true;
    TokenBucket& bucket = *it->second.bucket;
    if (bucket.try_take(now)) return true;
    const Time at = bucket.next_token_at(now);
    lane.waiting_since = at;
    rate_waiters_.insert({at, lane_id});
    return false;
  }

  // Lanes whose next token is due by `now` rejoin the turn order.
  void wake_rate_waiters(Time now) {
    while (!rate_waiters_.empty() && rate_waiters_.begin()->first <= now) {
      const std::string lane_id = rate_waiters_.begin()->second;
      rate_waiters_.erase(rate_waiters_.begin());
      auto it = lanes_.find(lane_id);
      if (it == lanes_.end()) continue;
      it->second.waiting_since.reset();
      make_runnable(lane_id, it->second);
    }
  }

  // Forgets lanes with nothing queued or in flight, so memory follows the work.
  // A lane still listed in runnable_ stays until pop() reaches it (no duplicates there).
  void erase_if_idle(const std::string& lane_id) {
    auto it = lanes_.find(lane_id);
    if (it != lanes_.end() && it->second.queue.empty() && it->second.in_flight == 0 && !it->second.runnable &&
        !it->second.waiting_since) {
      lanes_.erase(it);
    }
  }

  Limits limits_;
  std::unordered_map<std::string, Lane> lanes_;
  std::deque<std::string> runnable_;         // lanes with queued work and a free slot, in turn order
  std::map<std::string, Control> controls_;  // lanes with their own controls
  std::set<std::pair<Time, std::string>> rate_waiters_;  // (next token, lane): out of tokens
  std::size_t queued_ = 0;
  int total_in_flight_ = 0;
};

}  // namespace switchboard::delivery
