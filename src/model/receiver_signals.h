// Receiver signals (Standard Webhooks; issue 16 item 3): what a receiver's
// answer asks of the sender, as pure functions. No clock, no I/O.
//
// - 429 Too Many Requests or 503 Service Unavailable with a valid
//   `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) moves the
//   delivery's next attempt to that time instead of the retry schedule's. The
//   attempt still counts (the attempt budget and the 24 h window hold):
//     * a delay shorter than kMinRetryAfter waits kMinRetryAfter, so a
//       receiver answering "Retry-After: 0" cannot spend the attempt budget
//       in a burst;
//     * a time past the delivery's window is moved back to the window's end:
//       the delivery gets its last attempt there (the receiver asked for a
//       pause, not to drop the event); when the window has already ended, or
//       the attempt budget is spent, the delivery is exhausted as usual.
//   Garbage in the header (anything else) is ignored: the schedule applies.
//   Under `serve --time-scale N` the requested delay is divided by N like every
//   policy duration.
// - 410 Gone disables the webhook at once (status inactive, reason `gone`).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "model/retry_policy.h"

namespace switchboard::model {

inline constexpr std::chrono::seconds kMinRetryAfter{1};

// The status codes whose Retry-After the engine honours.
bool honours_retry_after(int status_code);
// The status that disables the webhook.
inline bool is_gone(int status_code) { return status_code == 410; }

// The wait a Retry-After value asks for, measured from `now` (the time the
// answer arrived): delay-seconds (1*DIGIT, huge values capped at a year), or an
// HTTP-date in any of RFC 9110's three forms (IMF-fixdate, the obsolete RFC 850
// and asctime forms), a date in the past being a zero wait. Surrounding
// spaces and tabs are allowed; anything else is nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, TimePoint now);

// The next attempt of a delivery whose attempt `failed_attempt` failed at
// `failed_at` with a Retry-After asking for `requested` (unscaled), following
// the rules above; nullopt = exhausted.
std::optional<TimePoint> next_attempt_after_retry_after(const RetryPolicy& policy, int failed_attempt,
                                                        TimePoint event_time, TimePoint failed_at,
                                                        std::chrono::milliseconds requested);

}  // namespace switchboard::model
