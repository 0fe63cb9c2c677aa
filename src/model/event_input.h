// Parsing and validation of one published event (POST /api/v2/events, and
// each element of /events/batch). Pure: no clock, no I/O.
//
// Body: {"type": catalog type, "occurred_at": RFC 3339 (optional),
//        "idempotency_key": string (optional), "data": object}
// `data` must follow the event type's schema (model/event_schema.h: required
// fields, kinds, allowed values; other fields pass through). data.call_id
// (call events) and data.conversation_id (WhatsApp events) key event_sequence
// and per-call delivery order. Integers beyond ±(2^53 − 1) are refused:
// JavaScript receivers would read them changed.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
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

InputResult<EventInput> parse_event(const boost::json::value& body);

}  // namespace switchboard::model
