// The `data` schemas of the 14 v2 events (spec §2): which fields each event
// carries, which of them a receiver can rely on (required), their types and
// allowed values. The single definition that ingest validation, the OpenAPI
// document, docs/events.md, "Send test event" samples and the simulator all
// follow. Pure: no clock, no I/O; the tables are built once and immutable, so
// everything here is safe to call from any thread.
//
// Rules the validator applies:
//   - a required field must be present and not null; an optional field may be
//     absent or null (null means "not known", e.g. recording_url before the
//     recording is processed);
//   - present values must have their kind (string, integer ≥ 0, RFC 3339 time,
//     phone number, http(s) URL, one of the listed values, object, array);
//   - a few rules span fields (`EventSchema::rules`), e.g. a text message
//     needs `text`, a campaign message (source "lccmpapi") needs myop_ref_id,
//     times within a call and a leg are in order;
//   - fields the schema does not name are allowed and passed through unchanged.
// Every broken rule is reported as a FieldError with the full path
// ("data.legs[0].role"), a snake_case code and a sentence.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/webhook_input.h"

namespace switchboard::model {

enum class FieldKind {
  kId,           // string of 1 to 128 characters (ids, references)
  kString,       // non-empty string of at most max_length characters
  kInteger,      // integer ≥ 0 (an integral JSON number such as 42 or 42.0)
  kBoolean,      // true | false
  kTime,         // RFC 3339 time, e.g. "2026-11-22T10:03:59.120Z"
  kPhone,        // optional "+" then 1 to 20 digits (E.164 or an extension), or "anonymous"
  kUrl,          // absolute http(s) URL with a host, at most 2048 characters
  kEnum,         // one of `values`
  kObject,       // JSON object with `fields`
  kObjectArray,  // array of objects with `fields`, min_items..max_items long
  kStringArray,  // array of strings of at most max_length characters, at most max_items long
};

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::kString;
  bool required = false;
  std::string description;
  std::vector<std::string_view> values;  // kEnum: the allowed values
  std::vector<FieldSpec> fields;         // kObject, kObjectArray: the members
  std::size_t max_length = 0;            // kString, kStringArray items (0: the kind's default)
  std::size_t min_items = 0;             // arrays
  std::size_t max_items = 0;             // arrays (0: the kind's default)
};

// A rule across fields of one event's data: appends its errors (paths start with "data.").
using DataRuleCheck = void (*)(const boost::json::object& data, std::vector<FieldError>& errors);
struct DataRule {
  std::string_view description;  // a sentence, for the documentation
  DataRuleCheck check;
};

struct EventSchema {
  std::string_view type;  // the catalog type
  std::vector<FieldSpec> fields;
  std::vector<DataRule> rules;
};

// Defaults and bounds shared by the kinds.
inline constexpr std::size_t kMaxIdLength = 128;
inline constexpr std::size_t kDefaultMaxStringLength = 1024;
inline constexpr std::size_t kMaxTextLength = 4096;
inline constexpr std::size_t kDefaultMaxItems = 100;
inline constexpr std::size_t kMaxPhoneDigits = 20;
inline constexpr std::size_t kMaxDataErrors = 50;  // a response lists at most this many

// Campaign messages carry this source (seed 000: filter on source, not on myop_ref_id).
inline constexpr std::string_view kCampaignSource = "lccmpapi";

// The schemas of all catalog events, in catalog order.
const std::vector<EventSchema>& event_schemas();
// nullptr when `type` is not a catalog event type.
const EventSchema* find_event_schema(std::string_view type);

// Checks `data` against `schema`; returns every broken rule (at most
// kMaxDataErrors), empty when the data is valid.
std::vector<FieldError> validate_event_data(const EventSchema& schema, const boost::json::object& data);

// Single-value checks, exposed for tests and for the simulator.
bool is_valid_phone(std::string_view text);
bool is_valid_event_url(std::string_view text);

// The JSON Schema (OpenAPI 3.1 dialect) of one event's data, as published in
// src/api/openapi.json under components.schemas["EventData.<type>"].
boost::json::object event_data_json_schema(const EventSchema& schema);

}  // namespace switchboard::model
