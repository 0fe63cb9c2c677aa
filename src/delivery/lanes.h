// Lanes: per-webhook queues with bounded concurrency, the delivery engine's
// head-of-line isolation (architecture.md §4).
//
// Each lane (one webhook) has at most `per_lane_in_flight` items started and
// not yet released; all lanes together at most `total_in_flight`. pop() takes
// the next item round-robin over the lanes that have both queued work and a
// free slot, so a lane whose endpoint hangs only ever holds its own slots.
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
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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
  };

  explicit Lanes(Limits limits) : limits_(limits) {
    limits_.per_lane_in_flight = std::max(1, limits_.per_lane_in_flight);
    limits_.total_in_flight = std::max(1, limits_.total_in_flight);
  }

  // Queues `item` on `lane`; false (item not taken) when the lane is stalled and full.
  bool push(const std::string& lane_id, Item item, Time now) {
    Lane& lane = lanes_[lane_id];
    if (stalled(lane, now) && lane.queue.size() >= limits_.stalled_lane_queue) {
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
    while (total_in_flight_ < limits_.total_in_flight && !runnable_.empty()) {
      std::string lane_id = std::move(runnable_.front());
      runnable_.pop_front();
      auto it = lanes_.find(lane_id);
      if (it == lanes_.end()) continue;
      Lane& lane = it->second;
      lane.runnable = false;
      if (lane.queue.empty() || lane.in_flight >= limits_.per_lane_in_flight) {
        erase_if_idle(lane_id);
        continue;
      }
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

  // Removes and returns the lane's queued items; items in flight are not affected.
  std::vector<Item> drop_queued(const std::string& lane_id) {
    std::vector<Item> dropped;
    auto it = lanes_.find(lane_id);
    if (it == lanes_.end()) return dropped;
    for (auto& item : it->second.queue) dropped.push_back(std::move(item));
    queued_ -= it->second.queue.size();
    it->second.queue.clear();
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
  };

  bool stalled(const Lane& lane, Time now) const {
    return lane.in_flight >= limits_.per_lane_in_flight && now - lane.last_release >= limits_.stalled_after;
  }

  void make_runnable(const std::string& lane_id, Lane& lane) {
    if (lane.runnable || lane.queue.empty() || lane.in_flight >= limits_.per_lane_in_flight) return;
    lane.runnable = true;
    runnable_.push_back(lane_id);
  }

  // Forgets lanes with nothing queued or in flight, so memory follows the work.
  // A lane still listed in runnable_ stays until pop() reaches it (no duplicates there).
  void erase_if_idle(const std::string& lane_id) {
    auto it = lanes_.find(lane_id);
    if (it != lanes_.end() && it->second.queue.empty() && it->second.in_flight == 0 && !it->second.runnable) {
      lanes_.erase(it);
    }
  }

  Limits limits_;
  std::unordered_map<std::string, Lane> lanes_;
  std::deque<std::string> runnable_;  // lanes with queued work and a free slot, in turn order
  std::size_t queued_ = 0;
  int total_in_flight_ = 0;
};

}  // namespace switchboard::delivery
