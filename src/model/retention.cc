#include "model/retention.h"

#include <algorithm>

#include "model/retention_limits.h"

namespace switchboard::model {
namespace {

std::chrono::milliseconds scaled(std::chrono::milliseconds duration, double time_scale) {
  if (time_scale <= 0) time_scale = 1;
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(duration.count()) / time_scale));
}

}  // namespace

bool retention_in_range(std::chrono::seconds retention) {
  return retention >= limits::kMinRetention && retention <= limits::kMaxRetention;
}

RetentionCutoffs retention_cutoffs(TimePoint now, std::chrono::seconds retention,
                                   std::chrono::milliseconds window, double time_scale) {
  return RetentionCutoffs{now - scaled(retention, time_scale), now - scaled(window, time_scale)};
}

bool event_purgeable(TimePoint created_at, std::span<const TimePoint> pending_window_starts,
                     bool has_pending_v1_delivery, const RetentionCutoffs& cutoffs) {
  if (created_at >= cutoffs.expired_before || has_pending_v1_delivery) return false;
  return std::none_of(pending_window_starts.begin(), pending_window_starts.end(),
                      [&](TimePoint start) { return start > cutoffs.window_open_after; });
}

}  // namespace switchboard::model
