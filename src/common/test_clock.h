// Test only: a monotonic clock that moves only when the test says so, and
// wakes the threads waiting on it when it does.
//
// A thread that waits through MonotonicClock::wait_until registers its
// condition variable here; advance() moves time and then notifies every
// registered waiter while holding the waiter's mutex, so a wake-up is never
// lost: either the waiter saw the new time before it blocked, or it was
// already blocked when the notification came. Waiting threads therefore sleep
// until the test moves time (or someone notifies them), never on the real clock.
//
// ManualTime moves wall time (ManualClock) and monotonic time together.
//
// Thread-safety: every method may be called from any thread. A waiter's
// condition variable and mutex must outlive the advance() calls made while it
// waits (tests advance from the thread that later destroys the waiters).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "common/clock.h"

namespace switchboard::testing {

class ManualMonotonicClock final : public MonotonicClock {
 public:
  explicit ManualMonotonicClock(MonotonicTime start = MonotonicTime{} + std::chrono::hours(1))
      : now_ns_(start.time_since_epoch().count()) {}

  MonotonicTime now() const override {
    return MonotonicTime(std::chrono::steady_clock::duration(now_ns_.load()));
  }

  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  MonotonicTime deadline) const override {
    const Waiter waiter{&cv, lock.mutex()};
    add(waiter);
    if (now() < deadline) cv.wait(lock);  // advance() or the owner's own notify ends it
    remove(waiter);
  }

  void sleep_until(MonotonicTime deadline) const override {
    std::mutex mutex;
    std::condition_variable cv;
    std::unique_lock lock(mutex);
    MonotonicClock::wait_until(lock, cv, deadline, [] { return false; });
  }

  void advance(std::chrono::steady_clock::duration by) {
    now_ns_ += by.count();
    std::vector<Waiter> waiters;
    {
      std::lock_guard lock(mutex_);
      waiters = waiters_;
    }
    for (const Waiter& waiter : waiters) {
      std::lock_guard lock(*waiter.mutex);  // the waiter is either blocked or has not checked yet
      waiter.cv->notify_all();
    }
  }

  // Threads blocked (or about to block) in wait_until or sleep_until now.
  std::size_t waiting() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
  }

 private:
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mutex;
    bool operator==(const Waiter&) const = default;
  };

  void add(const Waiter& waiter) const {
    std::lock_guard lock(mutex_);
    waiters_.push_back(waiter);
  }
  void remove(const Waiter& waiter) const {
    std::lock_guard lock(mutex_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), waiter));
  }

  std::atomic<long long> now_ns_;
  mutable std::mutex mutex_;
  mutable std::vector<Waiter> waiters_;
};

// Wall and monotonic time for tests, moved together.
class ManualTime {
 public:
  explicit ManualTime(TimePoint wall_start = TimePoint(std::chrono::hours(24 * 365 * 56)))
      : wall_(wall_start) {}

  const Clock& wall() const { return wall_; }
  const MonotonicClock& monotonic() const { return monotonic_; }
  ManualMonotonicClock& manual_monotonic() { return monotonic_; }

  void advance(std::chrono::milliseconds by) {
    wall_.advance(by);
    monotonic_.advance(by);
  }

 private:
  ManualClock wall_;
  ManualMonotonicClock monotonic_;
};

}  // namespace switchboard::testing
