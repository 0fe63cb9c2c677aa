// Events, deliveries and attempts (spec §2–5): plain value types, no I/O.
//
// An Event is what a publisher sent, normalized into the v2 envelope; its
// `payload` holds the exact bytes every receiver gets (and that we sign).
// A Delivery is one event owed to one webhook; it moves
//   pending -> delivered | exhausted (retries spent) | dropped (webhook
//   deleted, v1 drop)
// An Attempt is one HTTP try of a delivery; failed attempts are kept as the
// failure log.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace switchboard::model {

struct Event {
  std::string id;  // evt_…
  std::string company_id;
  std::string type;                      // catalog event type
  std::optional<std::int64_t> sequence;  // event_sequence; none for call.disposition
  std::string sequence_key;              // call_id / conversation id; "" when unsequenced
  TimePoint occurred_at{};               // publisher's time (the 24 h window starts here)
  TimePoint created_at{};                // when we accepted it (envelope created_at)
  std::optional<std::string> idempotency_key;
  std::string payload;  // the envelope, compact JSON, exactly as sent
};

enum class DeliveryState { kPending, kDelivered, kExhausted, kDropped };
std::string_view to_string(DeliveryState state);
std::optional<DeliveryState> parse_delivery_state(std::string_view text);

struct Delivery {
  std::string id;  // dlv_…
  std::string company_id;
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  std::string ordering_key;              // sequence_key of the event: one in flight per
                                         // (webhook, key)
  std::optional<std::int64_t> sequence;  // the event's sequence, for ordering within the key
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;                          // attempts made so far
  TimePoint event_time{};                    // the event's occurred_at (retry window anchor)
  std::optional<TimePoint> next_attempt_at;  // set while pending
  std::optional<int> last_status_code;
  std::string last_error;  // error class of the last failed attempt, "" if none
  TimePoint created_at{};
  TimePoint updated_at{};
};

// A fresh pending delivery of `event` to `webhook_id` (what ingest and replay
// queue), due at `due`, its retry window starting at `window_start`. Only a
// sequenced event is ordered: without a sequence the key orders nothing.
Delivery pending_delivery(std::string id, const Event& event, const std::string& webhook_id, TimePoint due,
                          TimePoint window_start);

// A manual redelivery of `original`: a new pending delivery of the same
// event to the same webhook, in the same chain, due `now`, its retry window
// starting `now`, no attempts yet.
Delivery redelivery_of(const Delivery& original, std::string id, TimePoint now);

// Why an attempt failed, classified where it happened.
enum class AttemptError {
  kNone,
  kHttpStatus,
  kTimeout,
  kConnect,
  kTls,
  kDns,
  kRedirect,
  kRefused /* SSRF */,
  kOther
};
// The one spelling table (model/delivery.cc): the API (attempt logs, the
// `status` filter), both stores' `error` column and the docs use these words.
std::string_view to_string(AttemptError error);
std::optional<AttemptError> parse_attempt_error(std::string_view text);
// Every failure kind (all but kNone), in the table's order.
std::span<const AttemptError> attempt_failure_kinds();

struct Attempt {
  std::string id;  // att_…
  std::string company_id;
  std::string webhook_id;
  std::string delivery_id;
  std::string event_id;
  std::string event_type;
  int attempt = 1;  // 1-based
  TimePoint at{};
  bool success = false;
  std::optional<int> status_code;
  AttemptError error = AttemptError::kNone;
  std::string error_message;
  double latency_ms = 0;
  std::string request_url;       // secrets (api_key query values) masked
  std::string request_headers;   // JSON array of [name, value]; secrets masked
  std::string request_body;      // the exact payload sent
  std::string response_headers;  // JSON array of [name, value]
  std::string response_body;     // excerpt, bounded
};

}  // namespace switchboard::model
