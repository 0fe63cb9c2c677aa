#include "alerts/episode_rules.h"

#include <algorithm>

namespace switchboard::alerts {

bool below_threshold(int attempts, int succeeded, const store::DegradedThreshold& threshold) {
  if (attempts < threshold.min_attempts || attempts <= 0) return false;
  // succeeded / attempts < below_percent / 100, in integers.
  return static_cast<long long>(succeeded) * 100 < static_cast<long long>(threshold.below_percent) * attempts;
}

bool at_or_above_threshold(int attempts, int succeeded, const store::DegradedThreshold& threshold) {
  if (attempts < threshold.min_attempts || attempts <= 0) return false;
  return !below_threshold(attempts, succeeded, threshold);
}

TimePoint degraded_window_start(const store::WebhookEpisodes& episodes, TimePoint now,
                                const store::DegradedThreshold& threshold) {
  TimePoint start = now - std::chrono::duration_cast<std::chrono::milliseconds>(threshold.window);
  if (episodes.quiet_since) start = std::max(start, *episodes.quiet_since);
  return start;
}

Decision decide(const store::WebhookEpisodes& episodes, const Observation& seen,
                const store::DegradedThreshold& threshold) {
  Decision out{{}, episodes};
  store::WebhookEpisodes& next = out.next;
  using model::WebhookStatus;
  if (seen.status == WebhookStatus::kFailed && !next.failed_since) {
    out.send.push_back(OperationalEvent::kWebhookFailed);
    next.failed_since = seen.now;
  }
  if (seen.status == WebhookStatus::kInactive && seen.gone && !next.disabled_since) {
    out.send.push_back(OperationalEvent::kWebhookDisabled);
    next.disabled_since = seen.now;
  }
  if (seen.status != WebhookStatus::kActive) return out;

  if (next.failed_since || next.disabled_since) {  // re-enabled
    out.send.push_back(OperationalEvent::kWebhookRecovered);
    next.failed_since.reset();
    next.disabled_since.reset();
    next.degraded_since.reset();
    next.quiet_since = seen.now;
    return out;
  }
  if (!next.degraded_since && below_threshold(seen.attempts, seen.succeeded, threshold)) {
    out.send.push_back(OperationalEvent::kWebhookDegraded);
    next.degraded_since = seen.now;
  } else if (next.degraded_since && at_or_above_threshold(seen.attempts, seen.succeeded, threshold)) {
    out.send.push_back(OperationalEvent::kWebhookRecovered);
    next.degraded_since.reset();
  }
  return out;
}

bool exhausted_report_due(const store::WebhookEpisodes& episodes, TimePoint now,
                          std::chrono::milliseconds interval) {
  if (episodes.exhausted_pending <= 0) return false;
  return !episodes.exhausted_sent_at || now - *episodes.exhausted_sent_at >= interval;
}

}  // namespace switchboard::alerts
