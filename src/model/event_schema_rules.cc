#include "model/event_schema_rules.h"

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/event_schema.h"

namespace switchboard::model::rules {

namespace json = boost::json;

namespace {

// A time field's value, when it is present and well formed (the schema reports
// the rest).
std::optional<TimePoint> time_at(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return parse_rfc3339(v->get_string());
}

void check_times(const json::object& object, const std::string& path, std::vector<FieldError>& errors) {
  const auto started = time_at(object, "started_at");
  const auto answered = time_at(object, "answered_at");
  const auto ended = time_at(object, "ended_at");
  auto before = [&](const std::optional<TimePoint>& later, std::string_view later_name,
                    const std::optional<TimePoint>& earlier, std::string_view earlier_name) {
    if (!later || !earlier || *later >= *earlier) return false;
    const std::string field = path + "." + std::string(later_name);
    errors.push_back({field, error_codes::kInvalidValue,
                      field + " is before " + path + "." + std::string(earlier_name) + "."});
    return true;
  };
  before(answered, "answered_at", started, "started_at");
  if (!before(ended, "ended_at", started, "started_at")) before(ended, "ended_at", answered, "answered_at");
}

bool is_present(const json::object& data, std::string_view key) {
  const json::value* v = data.if_contains(key);
  return v && !v->is_null() && !(v->is_string() && v->get_string().empty());
}

const json::string* string_at(const json::object& data, std::string_view key) {
  const json::value* v = data.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

}  // namespace

void check_call_times(const json::object& data, std::vector<FieldError>& errors) {
  check_times(data, "data", errors);
  const json::value* legs = data.if_contains("legs");
  if (!legs || !legs->is_array()) return;
  for (std::size_t i = 0; i < legs->get_array().size(); ++i) {
    const json::value& leg = legs->get_array()[i];
    if (leg.is_object()) check_times(leg.get_object(), "data.legs[" + std::to_string(i) + "]", errors);
  }
}

void check_has_answered_leg(const json::object& data, std::vector<FieldError>& errors) {
  const json::value* legs = data.if_contains("legs");
  if (!legs || !legs->is_array() || legs->get_array().empty()) return;  // the schema reports it
  for (const json::value& leg : legs->get_array()) {
    if (!leg.is_object()) return;
    const auto* state = string_at(leg.get_object(), "state");
    if (state && *state == "answered") return;
  }
  errors.push_back(
      {"data.legs", error_codes::kInvalidValue, "data.legs must include a leg in state answered."});
}

void check_campaign_reference(const json::object& data, std::vector<FieldError>& errors) {
  const auto* source = string_at(data, "source");
  if (source && *source == kCampaignSource && !is_present(data, "myop_ref_id")) {
    errors.push_back({"data.myop_ref_id", error_codes::kRequired,
                      "data.myop_ref_id is required for campaign messages "
                      "(source \"lccmpapi\")."});
  }
}

void check_message_content(const json::object& data, std::vector<FieldError>& errors) {
  const auto* type = string_at(data, "message_type");
  if (!type) return;
  if (*type == "text" && !is_present(data, "text")) {
    errors.push_back(
        {"data.text", error_codes::kRequired, "data.text is required when data.message_type is text."});
  } else if (*type == "template" && !is_present(data, "template")) {
    errors.push_back({"data.template", error_codes::kRequired,
                      "data.template is required when data.message_type is template."});
  }
}

}  // namespace switchboard::model::rules
