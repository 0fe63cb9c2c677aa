// AttemptLog: turns one finished HTTP attempt into the store's AttemptOutcome
// (the failure/delivery log row plus when to try again). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "delivery/http_client.h"
#include "delivery/request_builder.h"
#include "model/delivery.h"
#include "model/retry_policy.h"
#include "store/store.h"

namespace switchboard::delivery {

struct FinishedAttempt {
  const model::Delivery* delivery = nullptr;  // as claimed (attempts = attempts made before this one)
  int attempt = 1;                            // 1-based number of this attempt
  TimePoint started_at{};
  TimePoint finished_at{};
  const BuiltRequest* request = nullptr;  // its masked URL and headers are logged
  std::string_view body;                  // the exact payload sent
  const HttpResponse* response = nullptr;
};

// The attempt row (id from new_id("att", finished_at)) and, for a failure,
// the next attempt's time from `policy` (nullopt = exhausted), or from a 429/503's
// Retry-After within the policy's bounds (model/receiver_signals.h); a 410
// sets disables_webhook. Only a
// failure's row carries the request and response (masked, sanitized): the
// stores keep rows of failures only (the failure log), so a success's row has
// its outcome and timing and nothing to log.
store::AttemptOutcome make_attempt_outcome(const FinishedAttempt& finished, const model::RetryPolicy& policy);

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that a
// receiver's arbitrary bytes can be stored and served as JSON text.
std::string sanitize_utf8(std::string_view text);

}  // namespace switchboard::delivery
