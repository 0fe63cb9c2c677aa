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
//
// Health (spec §4, refined by issue 12): only a delivery that had room for its
// whole schedule counts toward marking its webhook `failed`. The window is
// anchored at the event's time (occurred_at), so an event published late
// (backdated) loses the start of its window; once it has lost more than the
// schedule's slack it gets fewer attempts than a delivery queued on time, and
// its exhaustion says little about the receiver.
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

  // `d` divided by time_scale (at least 1 ms): how every policy duration runs.
  std::chrono::milliseconds scaled(std::chrono::milliseconds d) const;

  // How late after its window start a delivery may be queued and still fit
  // every attempt of the schedule (failures taking no time) into the window:
  // the window minus the sum of the delays before the schedule's last
  // attempt. v2 unscaled: 24 h − 22 h 07 m 30 s = 1 h 52 m 30 s (19 attempts).
  std::chrono::milliseconds full_schedule_slack() const;

  // Whether an exhausted delivery whose window starts at `window_start` and
  // that was queued (could first be attempted) at `queued_at` counts toward
  // its webhook's failure: only if it had room for its whole schedule.
  bool had_full_schedule(TimePoint window_start, TimePoint queued_at) const;
};

// Subscription health (spec §4): a webhook becomes `failed` after this many
// consecutive deliveries that each exhausted their window without a 2xx.
inline constexpr int kExhaustedDeliveriesBeforeFailed = 3;

inline bool should_mark_failed(int consecutive_exhausted) {
  return consecutive_exhausted >= kExhaustedDeliveriesBeforeFailed;
}

}  // namespace switchboard::model
