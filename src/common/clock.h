// Clock: the source of "now" for everything that makes decisions about time.
// Passed in, never reached for, so that tests can control time exactly.
//
// - Clock: wall time (system_clock, milliseconds): what is stored and shown
//   (attempt times, next attempt times, leases).
// - MonotonicClock: elapsed time (steady_clock) and the timed waits of the
//   threads that schedule work (the delivery engine's). A thread waits with
//   wait_until() instead of std::condition_variable::wait_until, so that a
//   test clock can hold it until the test moves time (test_clock.h).
//
// Implementations are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace switchboard {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(std::chrono::milliseconds(now_ms_.load())); }
  void advance(std::chrono::milliseconds by) { now_ms_ += by.count(); }
  void set(TimePoint t) { now_ms_ = t.time_since_epoch().count(); }

 private:
  std::atomic<long long> now_ms_;
};

using MonotonicTime = std::chrono::steady_clock::time_point;

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual MonotonicTime now() const = 0;
  // Blocks on `cv` (with `lock` held on entry and on return) until it is
  // notified, `deadline` passes on this clock, or spuriously. Like
  // std::condition_variable::wait_until, callers re-check their condition:
  // use the predicate form below.
  virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                          MonotonicTime deadline) const = 0;
  // Waits (without a condition variable of the caller's) until `deadline`.
  virtual void sleep_until(MonotonicTime deadline) const = 0;

  // Waits until `ready()` holds or `deadline` passes; returns ready().
  template <typename Predicate>
  bool wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, MonotonicTime deadline,
                  Predicate ready) const {
    while (!ready()) {
      if (now() >= deadline) return ready();
      wait_until(lock, cv, deadline);
    }
    return true;
  }
};

// The real one: std::chrono::steady_clock.
class SteadyMonotonicClock final : public MonotonicClock {
 public:
  MonotonicTime now() const override { return std::chrono::steady_clock::now(); }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  MonotonicTime deadline) const override {
    cv.wait_until(lock, deadline);
  }
  void sleep_until(MonotonicTime deadline) const override;
  // The one instance a program needs (stateless).
  static const SteadyMonotonicClock& instance();
};

}  // namespace switchboard
