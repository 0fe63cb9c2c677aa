#include "model/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace switchboard::model {

namespace {

std::chrono::milliseconds scale_by(std::chrono::milliseconds d, double time_scale) {
  // Never below 1 ms, so a huge scale still orders attempts strictly.
  const double ms = static_cast<double>(d.count()) / time_scale;
  return std::chrono::milliseconds(std::max<long long>(1, std::llround(ms)));
}

}  // namespace

std::chrono::milliseconds RetryPolicy::scaled(std::chrono::milliseconds d) const {
  return scale_by(d, time_scale);
}

std::chrono::milliseconds RetryPolicy::full_schedule_slack() const {
  const std::chrono::milliseconds window_length = scaled(window);
  std::chrono::milliseconds last_attempt{0};  // after the window start, attempt 1 at 0
  for (int failed = 1; failed < max_attempts; ++failed) {
    const auto next = last_attempt + delay_after(failed);
    if (next > window_length) break;
    last_attempt = next;
  }
  return window_length - last_attempt;
}

bool RetryPolicy::had_full_schedule(TimePoint window_start, TimePoint queued_at) const {
  return queued_at - window_start <= full_schedule_slack();
}

RetryPolicy RetryPolicy::v2(double time_scale) {
  RetryPolicy p;
  p.time_scale = time_scale;
  return p;
}

RetryPolicy RetryPolicy::v1(double time_scale) {
  RetryPolicy p;
  p.max_attempts = 4;
  p.first_delay = std::chrono::seconds(30);
  p.max_delay = std::chrono::seconds(30);
  p.window = std::chrono::hours(24);
  p.doubling = false;
  p.time_scale = time_scale;
  return p;
}

std::chrono::milliseconds RetryPolicy::delay_after(int failed_attempt) const {
  std::chrono::milliseconds delay = first_delay;
  if (doubling) {
    // 30 s · 2^(k−1), computed without overflow: stop doubling once at the cap.
    for (int k = 1; k < failed_attempt && delay < max_delay; ++k) delay *= 2;
  }
  return scale_by(std::min(delay, max_delay), time_scale);
}

std::optional<TimePoint> RetryPolicy::next_attempt_at(int failed_attempt, TimePoint event_time,
                                                      TimePoint failed_at) const {
  if (failed_attempt < 1 || failed_attempt >= max_attempts) return std::nullopt;
  const TimePoint next = failed_at + delay_after(failed_attempt);
  if (next > event_time + scaled(window)) return std::nullopt;
  return next;
}

}  // namespace switchboard::model
