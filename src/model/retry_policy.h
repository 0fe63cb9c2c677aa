// Delivery retry and health rules (spec §3–4, §6) as pure functions of
// (attempt number, event time, failure time). No clock, no I/O.
//
// v2: after failed attempt k the next is due min(30 s · 2^(k−1), 2 h) after that
// failure; at most 26 attempts; no attempt later than 24 h after the event's
// time. When neither allows another attempt the delivery is exhausted.
// v1 (legacy calling webhooks): 3 retries 30 s apart, then the event is dropped.
//
// `time_scale` (serve --time-scale N) divides every duration, so that the whole
// 24-hour schedule can be observed in seconds in tests.
#pragma once

#include <chrono>
#include <optional>

#include "common/clock.h"

namespace switchboard::model {

struct RetryPolicy {
  int max_attempts = 26;
  std::chrono::milliseconds first_delay = std::chrono::seconds(30);
  std::chrono::milliseconds max_delay = std::chrono::hours(2);
  std::chrono::milliseconds window = std::chrono::hours(24);  // from the event's time
  double time_scale = 1.0;

  // The v2 policy of spec §3, scaled.
  static RetryPolicy v2(double time_scale = 1.0);
  // The v1 policy of spec §6: 4 attempts in all (1 + 3 retries), 30 s apart, no doubling.
  static RetryPolicy v1(double time_scale = 1.0);

  // The wait after failed attempt `failed_attempt` (1-based), already scaled.
  std::chrono::milliseconds delay_after(int failed_attempt) const;

  // When attempt failed_attempt+1 is due, or nullopt when the delivery is
  // exhausted (attempt budget spent, or the next attempt would fall after the window).
  std::optional<TimePoint> next_attempt_at(int failed_attempt, TimePoint event_time,
                                           TimePoint failed_at) const;

  bool doubling = true;  // false for v1: every retry waits first_delay
};

// Subscription health (spec §4): a webhook becomes `failed` after this many
// consecutive deliveries that each exhausted their window without a 2xx.
inline constexpr int kExhaustedDeliveriesBeforeFailed = 3;

inline bool should_mark_failed(int consecutive_exhausted) {
  return consecutive_exhausted >= kExhaustedDeliveriesBeforeFailed;
}

}  // namespace switchboard::model
