#include "delivery/claimer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace switchboard::delivery {

using std::chrono::milliseconds;

void Claimer::start(int room) {
  if (thread_.joinable()) return;
  room_.store(room);
  thread_ = std::thread([this] { loop(); });
}

void Claimer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Claimer::notify() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  cv_.notify_one();
}

void Claimer::set_room(int room) {
  room_.store(room);
  if (room >= options_.min_claim && more_due_.load()) notify();
}

void Claimer::loop() {
  MonotonicTime next_claim = monotonic_.now();
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      monotonic_.wait_until(lock, cv_, next_claim, [&] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
    }
    next_claim = claim();
  }
}

MonotonicTime Claimer::claim() {
  for (;;) {
    const int room = room_.load();
    if (room < options_.min_claim) {
      more_due_.store(true);  // the scheduler asks again when attempts finish
      return monotonic_.now() + kMaxIdle;
    }
    const int limit = std::min(options_.claim_batch, room);
    const TimePoint at = clock_.now();
    const TimePoint lease_until = at + options_.lease;
    auto claimed = queue_.claim_due_deliveries(at, limit, lease_until, std::max(1, options_.chain_depth));
    if (!claimed) {
      spdlog::warn("event=claim_failed error=\"{}\"", claimed.error().message);
      return monotonic_.now() + kBackoff;
    }
    const int count = static_cast<int>(claimed->size());
    claimed_ += static_cast<std::uint64_t>(count);
    if (count > 0) {
      room_.fetch_sub(count);  // until the scheduler reports the exact figure
      sink_(std::move(*claimed), lease_until);
    }
    if (count < limit) break;
  }
  more_due_.store(false);
  // Sleep until the earliest due time (bounded). When that is already past,
  // what is due is in flight or waits behind its chain's head: a recorded
  // result or notify() wakes us.
  milliseconds wait = kMaxIdle;
  if (auto due = queue_.next_due_time(); due && *due && **due > clock_.now()) {
    wait = std::min(wait, std::chrono::duration_cast<milliseconds>(**due - clock_.now()) + milliseconds(1));
  }
  return monotonic_.now() + wait;
}

}  // namespace switchboard::delivery
