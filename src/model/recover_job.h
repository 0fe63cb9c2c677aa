// Recover (POST /api/v2/webhooks/{id}/recover): a background job that resends
// every exhausted delivery of a webhook since a time as new pending
// deliveries (the redelivery rule, model::redelivery_of, so per-call order is
// kept by the queue's chains), at most model::limits::kMaxRecoverDeliveries.
// The job's value type and the pure rules of its request. No I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace switchboard::model {

enum class RecoverStatus {
  kRunning,  // created; its deliveries not yet queued
  kDone,     // queued (all of them, or the first kMaxRecoverDeliveries: capped)
  kFailed,   // nothing queued: see error (e.g. the webhook stopped being active)
};
std::string_view to_string(RecoverStatus status);
std::optional<RecoverStatus> parse_recover_status(std::string_view text);

struct RecoverJob {
  std::string id;  // rcv_…
  std::string company_id;
  std::string webhook_id;
  TimePoint since{};  // exhausted deliveries created at or after it
  RecoverStatus status = RecoverStatus::kRunning;
  int queued = 0;  // new pending deliveries made
  int total = 0;   // exhausted deliveries found since `since` (queued < total: capped)
  bool capped = false;
  std::string error;  // kFailed: why
  TimePoint created_at{};
  std::optional<TimePoint> finished_at;
};

// Whether `since` may start a recover at `now`: not in the future, and not
// older than `max_age` (the data kept).
enum class RecoverSinceCheck { kOk, kInFuture, kTooOld };
RecoverSinceCheck check_recover_since(TimePoint since, TimePoint now, std::chrono::hours max_age);

}  // namespace switchboard::model
