// Data retention (issue 15, item 1): which stored events have expired, as pure
// functions. A company's events (with their deliveries and attempts) are kept
// for its retention (limits::kMinRetention..kMaxRetention; the server default
// when it has none). The stores' purge implements event_purgeable() in SQL;
// store/common/retention_purger.h runs it in the background.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "common/clock.h"
#include "model/retention_limits.h"

namespace switchboard::model {

// Whether `retention` is one a company may choose.
bool retention_in_range(std::chrono::seconds retention);

// What a purge at `now` compares with.
struct RetentionCutoffs {
  // Events accepted (created_at) before this have expired.
  TimePoint expired_before;
  // A pending delivery whose retry window started (event_time) after this is
  // still inside it: neither it nor its event is deleted.
  TimePoint window_open_after;
};

// `retention` is the company's (or the default); `window` the retry window
// (model::RetryPolicy::window). Both run `time_scale` times faster, as every
// policy duration does under `serve --time-scale`.
RetentionCutoffs retention_cutoffs(TimePoint now, std::chrono::seconds retention,
                                   std::chrono::milliseconds window, double time_scale);

// The rule: an event may be deleted (with everything that hangs off it) when
// it has expired, none of its pending deliveries is still inside its retry
// window, and it has no pending v1 delivery. `pending_window_starts` are the
// event_time of its pending v2 deliveries.
bool event_purgeable(TimePoint created_at, std::span<const TimePoint> pending_window_starts,
                     bool has_pending_v1_delivery, const RetentionCutoffs& cutoffs);

}  // namespace switchboard::model
