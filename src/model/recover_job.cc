// Recover jobs: see recover_job.h.
#include "model/recover_job.h"

namespace switchboard::model {

std::string_view to_string(RecoverStatus status) {
  switch (status) {
    case RecoverStatus::kRunning:
      return "running";
    case RecoverStatus::kDone:
      return "done";
    case RecoverStatus::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<RecoverStatus> parse_recover_status(std::string_view text) {
  for (auto status : {RecoverStatus::kRunning, RecoverStatus::kDone, RecoverStatus::kFailed}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

RecoverSinceCheck check_recover_since(TimePoint since, TimePoint now, std::chrono::hours max_age) {
  if (since > now) return RecoverSinceCheck::kInFuture;
  if (since < now - max_age) return RecoverSinceCheck::kTooOld;
  return RecoverSinceCheck::kOk;
}

}  // namespace switchboard::model
