#include "model/event_input.h"

#include <algorithm>
#include <boost/json.hpp>
#include <iterator>

#include "common/time_format.h"
#include "model/envelope.h"
#include "model/error_codes.h"
#include "model/event_catalog.h"
#include "model/event_input_json.h"
#include "model/event_schema.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

const json::string* string_at(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

constexpr std::size_t kMaxNumberErrors = 10;

// Finds the numbers receivers would read changed (model/event_input_json.h
// marks them while parsing; values built otherwise are judged by value);
// reports the first few paths. `path` is the value's path; it grows and
// shrinks back as the walk goes (no string built per field: issue 14).
void check_numbers(const json::value& v, std::string& path, std::vector<FieldError>& errors,
                   std::size_t limit) {
  if (errors.size() >= limit) return;
  switch (v.kind()) {
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: {
      const std::string_view code = refused_number_code(v);
      if (code == error_codes::kUnsafeInteger) {
        errors.push_back({path, std::string(code),
                          path + " is beyond ±9007199254740991 (2^53 − 1), which "
                                 "JavaScript cannot hold exactly; "
                                 "send it as a string."});
      } else if (!code.empty()) {
        errors.push_back({path, std::string(code),
                          path + " has more precision than a JavaScript number "
                                 "keeps, so receivers would read "
                                 "another value; send it with at most the digits "
                                 "that read back the same, or "
                                 "as a string."});
      }
      break;
    }
    case json::kind::array: {
      const std::size_t length = path.size();
      std::size_t i = 0;
      for (const auto& item : v.get_array()) {
        path.append("[").append(std::to_string(i++)).append("]");
        check_numbers(item, path, errors, limit);
        path.resize(length);
      }
      break;
    }
    case json::kind::object: {
      const std::size_t length = path.size();
      for (const auto& field : v.get_object()) {
        path.append(".").append(field.key().data(), field.key().size());
        check_numbers(field.value(), path, errors, limit);
        path.resize(length);
      }
      break;
    }
    default:
      break;
  }
}

// data.<key> or data.<object>.id, whichever is present (e.g. department_id or
// department.id).
std::string id_attribute(const json::object& data, std::string_view flat_key, std::string_view object_key) {
  if (const auto* s = string_at(data, flat_key)) return std::string(*s);
  if (const json::value* o = data.if_contains(object_key); o && o->is_object()) {
    if (const auto* s = string_at(o->get_object(), "id")) return std::string(*s);
  }
  return {};
}

}  // namespace

OccurredAtRange OccurredAtRange::around(TimePoint now, const RetryPolicy& policy) {
  OccurredAtRange range;
  range.max_age = policy.scaled(policy.window);
  range.max_ahead = policy.scaled(kOccurredAtAllowedSkew);
  range.earliest = now - range.max_age;
  range.latest = now + range.max_ahead;
  return range;
}

std::string format_policy_duration(std::chrono::milliseconds d) {
  using namespace std::chrono;
  if (d < seconds(1)) return std::to_string(d.count()) + " ms";
  std::string out;
  auto part = [&](long long n, const char* unit) {
    if (n == 0) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(n) + " " + unit;
  };
  part(duration_cast<hours>(d).count(), "h");
  part(duration_cast<minutes>(d % hours(1)).count(), "min");
  part(duration_cast<seconds>(d % minutes(1)).count(), "s");
  part((d % seconds(1)).count(), "ms");
  return out;
}

InputResult<EventInput> parse_event(const json::value& body, const OccurredAtRange& accepted) {
  if (!body.is_object()) {
    return tl::unexpected(
        InputFailure{InputFailure::Kind::kMalformed,
                     {{"", error_codes::kInvalidBody, "The event must be a JSON object."}}});
  }
  const auto& obj = body.get_object();
  InputFailure unknown{InputFailure::Kind::kMalformed, {}};
  for (const auto& field : obj) {
    const auto k = field.key();
    if (k != "type" && k != "occurred_at" && k != "idempotency_key" && k != "data") {
      unknown.errors.push_back(
          {std::string(k), error_codes::kUnknownField, "Unknown field \"" + std::string(k) + "\"."});
    }
  }
  if (!unknown.errors.empty()) return tl::unexpected(std::move(unknown));

  EventInput out;
  std::vector<FieldError> errors;
  const EventTypeInfo* info = nullptr;
  if (const json::value* type = obj.if_contains("type");
      !type || (type->is_string() && type->get_string().empty())) {
    errors.push_back({"type", error_codes::kRequired, "type is required."});
  } else if (!type->is_string()) {
    errors.push_back({"type", error_codes::kInvalidType, "type must be a string."});
  } else if (info = find_event_type(type->get_string()); !info) {
    errors.push_back({"type", error_codes::kUnknownEvent,
                      "\"" + std::string(type->get_string()) + "\" is not an event type."});
  } else {
    out.type = std::string(info->type);
  }

  if (const json::value* at = obj.if_contains("occurred_at"); at && !at->is_null()) {
    auto parsed = at->is_string() ? parse_rfc3339(at->get_string()) : std::nullopt;
    if (!parsed) {
      errors.push_back({"occurred_at", error_codes::kInvalidValue,
                        "occurred_at must be an RFC 3339 time, e.g. "
                        "2026-11-22T10:03:59.120Z."});
    } else if (*parsed < accepted.earliest || *parsed > accepted.latest) {
      errors.push_back({"occurred_at", error_codes::kOccurredAtOutOfRange,
                        "occurred_at must be at most " + format_policy_duration(accepted.max_age) +
                            " before and " + format_policy_duration(accepted.max_ahead) +
                            " after the time it is received (between " + format_rfc3339(accepted.earliest) +
                            " and " + format_rfc3339(accepted.latest) + ")."});
    } else {
      out.occurred_at = parsed;
    }
  }

  if (const json::value* key = obj.if_contains("idempotency_key"); key && !key->is_null()) {
    if (!key->is_string() || key->get_string().empty() ||
        key->get_string().size() > kMaxIdempotencyKeyLength) {
      errors.push_back({"idempotency_key", error_codes::kInvalidValue,
                        "idempotency_key must be a string of 1 to 255 characters."});
    } else {
      out.idempotency_key = std::string(key->get_string());
    }
  }

  const json::value* data = obj.if_contains("data");
  if (!data) {
    errors.push_back({"data", error_codes::kRequired, "data is required."});
  } else if (!data->is_object()) {
    errors.push_back({"data", error_codes::kInvalidType, "data must be a JSON object."});
  } else {
    const std::size_t first_number_error = errors.size();
    std::string path = "data";
    check_numbers(*data, path, errors, first_number_error + kMaxNumberErrors);
    const std::vector<FieldError> number_errors(
        errors.begin() + static_cast<std::ptrdiff_t>(first_number_error), errors.end());
    const auto& d = data->get_object();
    if (info) {
      const EventSchema* schema = find_event_schema(info->type);
      auto data_errors = validate_event_data(*schema, d);
      // A refused number is reported once, as such (not also as, say, not an
      // integer ≥ 0).
      std::erase_if(data_errors, [&](const FieldError& e) {
        return std::any_of(number_errors.begin(), number_errors.end(),
                           [&](const FieldError& n) { return n.field == e.field; });
      });
      const std::string_view id_key = info->group == "call" ? "call_id" : "conversation_id";
      const auto* id = string_at(d, id_key);
      const bool id_valid =
          id && std::none_of(data_errors.begin(), data_errors.end(),
                             [&](const FieldError& e) { return e.field == "data." + std::string(id_key); });
      if (id_valid && info->sequenced) {
        out.sequenced = true;
        out.sequence_key = std::string(info->group == "call" ? "call:" : "conversation:") + std::string(*id);
      }
      errors.insert(errors.end(), std::make_move_iterator(data_errors.begin()),
                    std::make_move_iterator(data_errors.end()));
    }
    if (const auto* direction = string_at(d, "direction")) out.attributes.direction = std::string(*direction);
    out.attributes.department_id = id_attribute(d, "department_id", "department");
    out.attributes.agent_id = id_attribute(d, "agent_id", "agent");
  }

  if (!errors.empty()) return tl::unexpected(InputFailure{InputFailure::Kind::kInvalid, std::move(errors)});
  out.data_json = to_js_json(*data);
  return out;
}

}  // namespace switchboard::model
