// The episode rules of operational events (issue 16 item 2) as pure
// functions of (the webhook's open episodes, what is seen now, the company's
// threshold): which events to send and the episodes after sending them. Each
// event goes out once per episode; webhook.recovered closes the episodes.
//
//  webhook.failed     the webhook's status is `failed` (the engine set it).
//  webhook.disabled   it is `inactive` because the receiver said 410 Gone.
//  webhook.degraded   active, and its success rate is under the threshold
//                     over at least min_attempts attempts in the window
//                     (counted from the health rollups, from no earlier than
//                     the last re-enable: see degraded_window_start).
//  webhook.recovered  active again after failed/disabled (re-enabled), or a
//                     degraded one back at or above the threshold.
//  delivery.exhausted aggregated: at most one report per webhook per window,
//                     carrying how many deliveries exhausted since the last.
//
// Pure; thread-safe. Table-tested in episode_rules_test.cc on given times.
#pragma once

#include <vector>

#include "alerts/operational_events.h"
#include "common/clock.h"
#include "model/webhook.h"
#include "store/alert_store.h"

namespace switchboard::alerts {

// What the monitor sees of one webhook now.
struct Observation {
  model::WebhookStatus status = model::WebhookStatus::kActive;
  bool gone = false;  // inactive because its receiver answered 410
  int attempts = 0;   // in the degraded window
  int succeeded = 0;  // of those
  TimePoint now{};
};

struct Decision {
  std::vector<OperationalEvent> send;  // in this order
  store::WebhookEpisodes next;         // to save (before sending: at most once, not at least once)
};

// Whether `attempts`/`succeeded` is under the threshold with enough attempts.
bool below_threshold(int attempts, int succeeded, const store::DegradedThreshold& threshold);
// Whether it is known to be at or above it (enough attempts to tell).
bool at_or_above_threshold(int attempts, int succeeded, const store::DegradedThreshold& threshold);

// The start of the degraded window: now - window, but not before the last
// re-enable (quiet_since), so the failures that led to `failed` do not open a
// degraded episode right after the webhook is re-enabled.
TimePoint degraded_window_start(const store::WebhookEpisodes& episodes, TimePoint now,
                                const store::DegradedThreshold& threshold);

Decision decide(const store::WebhookEpisodes& episodes, const Observation& seen,
                const store::DegradedThreshold& threshold);

// delivery.exhausted: whether a report of the pending count is due now (some
// pending, and none sent within `interval`).
bool exhausted_report_due(const store::WebhookEpisodes& episodes, TimePoint now,
                          std::chrono::milliseconds interval);

}  // namespace switchboard::alerts
