#include "api/delivery_json.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "model/webhook.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::value optional_int(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

// Stored header lists are JSON arrays of [name, value]; shown as objects.
// The request's headers were masked before they were stored; they are masked
// again here by the same rule, for rows logged before custom header values
// were masked.
json::array headers_json(const std::string& stored, bool mask_secrets) {
  json::array out;
  boost::system::error_code ec;
  auto parsed = json::parse(stored, ec);
  if (ec || !parsed.is_array()) return out;
  for (const auto& pair : parsed.get_array()) {
    if (pair.is_array() && pair.get_array().size() == 2) {
      const json::value& name = pair.get_array()[0];
      const bool shown =
          !mask_secrets || (name.is_string() && model::is_public_request_header(name.get_string()));
      out.push_back(json::object{{"name", name},
                                 {"value", shown ? pair.get_array()[1] : json::value(model::kMaskedSecret)}});
    }
  }
  return out;
}

}  // namespace

json::object delivery_json(const model::Delivery& d, int max_attempts,
                           const std::optional<std::string>& blocked_by) {
  return {{"id", d.id},
          {"webhook_id", d.webhook_id},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"state", model::to_string(d.state)},
          {"attempts", d.attempts},
          {"max_attempts", max_attempts},
          {"waiting_for_earlier", blocked_by.has_value()},
          {"blocked_by", blocked_by ? json::value(*blocked_by) : json::value(nullptr)},
          {"last_status_code", optional_int(d.last_status_code)},
          {"last_error", d.last_error.empty() ? json::value(nullptr) : json::value(d.last_error)},
          {"next_attempt_at",
           d.next_attempt_at ? json::value(format_rfc3339(*d.next_attempt_at)) : json::value(nullptr)},
          {"created_at", format_rfc3339(d.created_at)},
          {"updated_at", format_rfc3339(d.updated_at)}};
}

json::object attempt_json(const model::Attempt& a, bool detail) {
  json::object out{{"id", a.id},
                   {"delivery_id", a.delivery_id},
                   {"event_id", a.event_id},
                   {"event_type", a.event_type},
                   {"attempt", a.attempt},
                   {"at", format_rfc3339(a.at)},
                   {"status_code", optional_int(a.status_code)},
                   {"error", a.error == model::AttemptError::kNone ? json::value(nullptr)
                                                                   : json::value(model::to_string(a.error))},
                   {"error_message", a.error_message},
                   {"latency_ms", a.latency_ms}};
  if (detail) {
    out["request"] = json::object{{"url", a.request_url},
                                  {"headers", headers_json(a.request_headers, /*mask_secrets=*/true)},
                                  {"body", a.request_body}};
    out["response"] = json::object{{"headers", headers_json(a.response_headers, /*mask_secrets=*/false)},
                                   {"body", a.response_body}};
  }
  return out;
}

}  // namespace switchboard::api
