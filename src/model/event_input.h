// Parsing and validation of one published event (POST /api/v2/events, and
// each element of /events/batch). Pure: no clock, no I/O.
//
// Body: {"type": catalog type, "occurred_at": RFC 3339 (optional),
//        "idempotency_key": string (optional), "data": object}
// `data` must follow the event type's schema (model/event_schema.h: required
// fields, kinds, allowed values; other fields pass through). data.call_id
// (call events) and data.conversation_id (WhatsApp events) key event_sequence
// and per-call delivery order. Numbers beyond ±(2^53 − 1) are refused
// (`unsafe_integer`), and so are numbers JavaScript would read as another
// value (`imprecise_number`): read the body with parse_ingest_json
// (model/event_input_json.h) so that every number is judged by its text.
// occurred_at must lie in an OccurredAtRange (`occurred_at_out_of_range`).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "common/clock.h"
#include "model/retry_policy.h"
#include "model/webhook_input.h"
#include "model/webhook_match.h"

namespace switchboard::model {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

struct EventInput {
  std::string type;
  std::optional<TimePoint> occurred_at;  // absent: the time we accept it
  std::optional<std::string> idempotency_key;
  std::string data_json;     // `data` in JSON.stringify form (model/envelope.h)
  bool sequenced = false;    // carries event_sequence
  std::string sequence_key;  // "call:<call_id>" / "conversation:<id>"; "" when unsequenced
  EventAttributes attributes;
};

// How far from the server's clock a published occurred_at may be. The retry
// window is anchored at occurred_at, so an event older than one window (24 h)
// could not get a single retry; and a clock is trusted to be at most
// kOccurredAtAllowedSkew ahead. Both durations run like every policy duration
// (serve --time-scale divides them), so that a test sees the same proportions.
inline constexpr std::chrono::minutes kOccurredAtAllowedSkew{5};

struct OccurredAtRange {
  TimePoint earliest = TimePoint::min();
  TimePoint latest = TimePoint::max();
  std::chrono::milliseconds max_age{0};    // now − earliest, for the message
  std::chrono::milliseconds max_ahead{0};  // latest − now

  // [now − policy's window, now + kOccurredAtAllowedSkew], both scaled by the policy.
  static OccurredAtRange around(TimePoint now, const RetryPolicy& policy);
  // No bound: for tools that check data only (simulate's tests, fuzzing).
  static OccurredAtRange unbounded() { return {}; }
};

// "24 h", "5 min", "1 h 52 min 30 s", "83 ms": a policy duration for messages.
std::string format_policy_duration(std::chrono::milliseconds d);

InputResult<EventInput> parse_event(const boost::json::value& body, const OccurredAtRange& accepted);

}  // namespace switchboard::model
