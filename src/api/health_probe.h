// HealthProbe: when the store last answered GET /api/health's ping, so that
// the health check can be answered on the I/O thread, without a store read,
// while that answer is recent: at most kHealthProbeMaxAge old, and not in the
// future (a clock set back does not stretch it). A failed ping forgets it:
// from then until a ping succeeds, every health check pings the store and
// reports what it says. So "ok" is at most kHealthProbeMaxAge stale, and
// "unavailable" is never answered from memory.
//
// Thread-safety: any thread (one atomic).
//
// Readiness: what GET /api/ready answers (/api/health stays liveness). The
// service moves it starting -> ready once migrations, the live-calls restore
// and the senders are up, and ready -> draining at a graceful stop (SIGTERM);
// nothing moves it back. Any thread (one atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace switchboard::api {

inline constexpr std::chrono::milliseconds kHealthProbeMaxAge{1000};

class HealthProbe {
 public:
  // True when a ping succeeded at most kHealthProbeMaxAge before `now`.
  bool recent_ok(TimePoint now) const {
    const std::int64_t at = last_ok_ms_.load(std::memory_order_relaxed);
    if (at == kNever) return false;
    const std::int64_t age = now.time_since_epoch().count() - at;
    return age >= 0 && age < kHealthProbeMaxAge.count();
  }

  // The outcome of a ping that ran at `now`.
  void record(bool ok, TimePoint now) {
    last_ok_ms_.store(ok ? now.time_since_epoch().count() : kNever, std::memory_order_relaxed);
  }

 private:
  static constexpr std::int64_t kNever = INT64_MIN;
  std::atomic<std::int64_t> last_ok_ms_{kNever};
};

enum class ReadinessState { kStarting, kReady, kDraining };

class Readiness {
 public:
  ReadinessState state() const { return state_.load(std::memory_order_acquire); }
  void set_ready() {
    auto expected = ReadinessState::kStarting;
    state_.compare_exchange_strong(expected, ReadinessState::kReady, std::memory_order_acq_rel);
  }
  void set_draining() { state_.store(ReadinessState::kDraining, std::memory_order_release); }

 private:
  std::atomic<ReadinessState> state_{ReadinessState::kStarting};
};

// "starting", "ready", "draining": the `status` of GET /api/ready.
inline const char* to_string(ReadinessState state) {
  switch (state) {
    case ReadinessState::kStarting:
      return "starting";
    case ReadinessState::kReady:
      return "ready";
    case ReadinessState::kDraining:
      return "draining";
  }
  return "starting";
}

}  // namespace switchboard::api
