#include "model/v1_webhook.h"

#include <algorithm>
#include <boost/json.hpp>
#include <unordered_set>

#include "model/error_codes.h"
#include "model/limits.h"
#include "model/webhook_origin.h"

namespace switchboard::model {

namespace json = boost::json;

std::string_view to_string(V1Type type) {
  switch (type) {
    case V1Type::kAfterCall:
      return "after_call";
    case V1Type::kIncall:
      return "incall";
    case V1Type::kDisposition:
      return "disposition";
  }
  return "after_call";
}

std::optional<V1Type> parse_v1_type(std::string_view text) {
  if (text == "after_call") return V1Type::kAfterCall;
  if (text == "incall") return V1Type::kIncall;
  if (text == "disposition") return V1Type::kDisposition;
  return std::nullopt;
}

TimePoint v1_sunset_time() {
  using namespace std::chrono;
  return time_point_cast<milliseconds>(sys_days{year{2026} / July / 31});
}

std::string v1_deprecation_header() {
  // v2 replaced v1 when it shipped; the deprecation is dated 1 January 2026.
  using namespace std::chrono;
  return "@" + std::to_string(sys_seconds{sys_days{year{2026} / January / 1}}.time_since_epoch().count());
}

std::string_view to_string(V1Method method) { return method == V1Method::kGet ? "GET" : "POST"; }

std::string_view to_string(V1DeliveryState state) {
  switch (state) {
    case V1DeliveryState::kPending:
      return "pending";
    case V1DeliveryState::kDelivered:
      return "delivered";
    case V1DeliveryState::kDropped:
      return "dropped";
  }
  return "pending";
}

std::optional<V1DeliveryState> parse_v1_delivery_state(std::string_view text) {
  if (text == "pending") return V1DeliveryState::kPending;
  if (text == "delivered") return V1DeliveryState::kDelivered;
  if (text == "dropped") return V1DeliveryState::kDropped;
  return std::nullopt;
}

const std::vector<std::string_view>& v1_legacy_fields() {
  static const std::vector<std::string_view> fields = {
      "uid",           "company_id",    "clid",      "call_state", "event",         "users",
      "public_ivr_id", "client_ref_id", "direction", "duration",   "recording_url", "disposition"};
  return fields;
}

std::optional<V1Type> v1_type_for_event(std::string_view event_type) {
  if (event_type == "call.initiated" || event_type == "call.dial_begin" || event_type == "call.answered") {
    return V1Type::kIncall;
  }
  if (event_type == "call.end") return V1Type::kAfterCall;
  if (event_type == "call.disposition") return V1Type::kDisposition;
  return std::nullopt;
}

std::string_view v1_event_code(V1Type type) {
  switch (type) {
    case V1Type::kIncall:
      return "1";
    case V1Type::kAfterCall:
      return "2";
    case V1Type::kDisposition:
      return "3";
  }
  return "2";
}

std::string_view v1_call_state(std::string_view event_type) {
  if (event_type == "call.initiated") return "1";
  if (event_type == "call.dial_begin") return "2";
  if (event_type == "call.answered") return "3";
  if (event_type == "call.end") return "4";
  if (event_type == "call.disposition") return "5";
  return "";
}

namespace {

json::value string_or_null(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v && v->is_string()) return *v;
  return nullptr;
}

// The customer's number: the caller on inbound calls, the called party on
// outbound ones.
json::value caller_id(const json::object& data) {
  const json::value* direction = data.if_contains("direction");
  const bool outbound = direction && direction->is_string() && direction->get_string() == "outbound";
  return string_or_null(data, outbound ? "to" : "from");
}

// Numbers of the agent legs (the agents the call reached or rang), in leg
// order.
json::value agent_numbers(const json::object& data) {
  json::array users;
  const json::value* legs = data.if_contains("legs");
  if (!legs || !legs->is_array()) return users;
  for (const json::value& leg : legs->get_array()) {
    if (!leg.is_object()) continue;
    const json::object& o = leg.get_object();
    const json::value* role = o.if_contains("role");
    const json::value* number = o.if_contains("number");
    if (role && role->is_string() && role->get_string() == "agent" && number && number->is_string()) {
      std::string n(number->get_string());
      if (!n.empty() && n.front() == '+') n.erase(0, 1);  // legacy users are bare digits
      users.emplace_back(n);
    }
  }
  return users;
}

json::value public_ivr_id(const json::object& data) {
  const json::value* ivr = data.if_contains("ivr");
  if (!ivr || !ivr->is_object()) return nullptr;
  return string_or_null(ivr->get_object(), "id");
}

json::value field_value(std::string_view name, std::string_view event_type, std::string_view company_id,
                        const json::object& data) {
  if (name == "uid") return string_or_null(data, "call_id");
  if (name == "company_id") return json::string(company_id);
  if (name == "clid") return caller_id(data);
  if (name == "call_state") return json::string(v1_call_state(event_type));
  if (name == "event") {
    auto type = v1_type_for_event(event_type);
    return type ? json::value(json::string(v1_event_code(*type))) : json::value(nullptr);
  }
  if (name == "users") return agent_numbers(data);
  if (name == "public_ivr_id") return public_ivr_id(data);
  if (name == "client_ref_id") return string_or_null(data, "client_ref_id");
  if (name == "direction") return string_or_null(data, "direction");
  if (name == "duration") {
    const json::value* v = data.if_contains("duration_sec");
    return v && v->is_int64() ? *v : json::value(nullptr);
  }
  if (name == "recording_url") return string_or_null(data, "recording_url");
  if (name == "disposition") return string_or_null(data, "disposition");
  return nullptr;
}

}  // namespace

std::vector<std::pair<std::string, json::value>> v1_field_values(std::string_view event_type,
                                                                 std::string_view company_id,
                                                                 const json::object& data,
                                                                 const std::vector<std::string>& fields) {
  std::vector<std::pair<std::string, json::value>> out;
  if (fields.empty()) {
    for (std::string_view name : v1_legacy_fields()) {
      out.emplace_back(std::string(name), field_value(name, event_type, company_id, data));
    }
  } else {
    for (const std::string& name : fields) {
      out.emplace_back(name, field_value(name, event_type, company_id, data));
    }
  }
  return out;
}

std::string v1_payload_json(std::string_view event_type, std::string_view company_id,
                            const json::object& data, const std::vector<std::string>& fields) {
  json::object inner;
  for (auto& [name, value] : v1_field_values(event_type, company_id, data, fields)) {
    inner[name] = std::move(value);
  }
  json::object outer;
  outer["myoperator"] = std::move(inner);
  return json::serialize(outer);
}

std::vector<std::pair<std::string, std::string>> v1_query_fields(std::string_view event_type,
                                                                 std::string_view company_id,
                                                                 const json::object& data,
                                                                 const std::vector<std::string>& fields) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, value] : v1_field_values(event_type, company_id, data, fields)) {
    std::string text;
    if (value.is_string()) {
      text = value.get_string();
    } else if (value.is_array()) {
      for (const json::value& item : value.get_array()) {
        if (!text.empty()) text += ',';
        text += item.is_string() ? std::string(item.get_string()) : json::serialize(item);
      }
    } else if (!value.is_null()) {
      text = json::serialize(value);
    }
    out.emplace_back(name, std::move(text));
  }
  return out;
}

namespace {

InputFailure invalid(std::string field, std::string code, std::string message) {
  return InputFailure{InputFailure::Kind::kInvalid,
                      {FieldError{std::move(field), std::move(code), std::move(message)}}};
}

// A body the contract does not describe (api.md: unknown field -> 400), as for
// v2.
InputFailure malformed(std::string field, std::string code, std::string message) {
  return InputFailure{InputFailure::Kind::kMalformed,
                      {FieldError{std::move(field), std::move(code), std::move(message)}}};
}

// headers / query: [{"key":"…","value":"…"}]; a value equal to kMaskedSecret
// keeps the current value of that key (PATCH after a GET).
// `kept` (when given) receives "<name>[i].value" for each masked value.
std::optional<InputFailure> parse_params(const json::value& v, std::string_view name, bool header,
                                         const std::vector<V1Param>& current, std::vector<V1Param>& out,
                                         std::vector<std::string>* kept) {
  const std::string field(name);
  if (!v.is_array())
    return invalid(field, error_codes::kInvalidType, field + " must be an array of {key, value}.");
  if (v.get_array().size() > limits::kMaxCustomHeaders) {
    return invalid(field, error_codes::kTooMany,
                   "At most " + std::to_string(limits::kMaxCustomHeaders) + " " + field + " are allowed.");
  }
  out.clear();
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < v.get_array().size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    const json::value& item = v.get_array()[i];
    const json::object* o = item.if_object();
    const json::value* key = o ? o->if_contains("key") : nullptr;
    const json::value* value = o ? o->if_contains("value") : nullptr;
    if (!o || o->size() != 2 || !key || !key->is_string() || !value || !value->is_string()) {
      return invalid(at, error_codes::kInvalidType, at + " must be an object with string key and value.");
    }
    std::string k(key->get_string());
    std::string val(value->get_string());
    if (k.empty() || k.size() > limits::kMaxHeaderKeyLength || (header && !is_valid_header_name(k))) {
      return invalid(at + ".key", header ? error_codes::kInvalidHeaderName : error_codes::kInvalidValue,
                     at + ".key must be a valid " + std::string(header ? "header name" : "parameter name") +
                         " of at most " + std::to_string(limits::kMaxHeaderKeyLength) + " characters.");
    }
    if (header && is_reserved_header(k)) {
      return invalid(at + ".key", error_codes::kReservedHeader,
                     "Header \"" + k + "\" is set by the platform.");
    }
    std::string lowered = k;
    if (header) std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
    if (!seen.insert(lowered).second) {
      return invalid(at + ".key", error_codes::kDuplicateKey, "Key \"" + k + "\" is given twice.");
    }
    if (val == kMaskedSecret) {
      auto it = std::find_if(current.begin(), current.end(), [&](const V1Param& p) { return p.key == k; });
      if (it == current.end()) {
        return invalid(at + ".value", error_codes::kInvalidValue,
                       "A masked value can only keep an existing one.");
      }
      val = it->value;
      if (kept) kept->push_back(at + ".value");
    }
    if (val.empty() || val.size() > limits::kMaxHeaderValueLength ||
        std::any_of(val.begin(), val.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; })) {
      return invalid(at + ".value", header ? error_codes::kInvalidHeaderValue : error_codes::kInvalidValue,
                     at + ".value must be 1 to " + std::to_string(limits::kMaxHeaderValueLength) +
                         " characters without line breaks.");
    }
    out.push_back(V1Param{std::move(k), std::move(val)});
  }
  return std::nullopt;
}

// Every value of `params` is kept as stored: "<name>[i].value" for each.
void keep_all(const std::vector<V1Param>& params, std::string_view name, std::vector<std::string>* kept) {
  if (!kept) return;
  for (std::size_t i = 0; i < params.size(); ++i) {
    kept->push_back(std::string(name) + "[" + std::to_string(i) + "].value");
  }
}

std::optional<InputFailure> apply(const json::object& body, V1WebhookSpec& spec, bool create,
                                  std::vector<std::string>* kept) {
  static const std::unordered_set<std::string_view> known = {"type",   "url",     "headers", "query",
                                                             "fields", "enabled", "method"};
  for (const auto& entry : body) {
    if (!known.count(entry.key())) {
      return malformed(std::string(entry.key()), error_codes::kUnknownField,
                       "Unknown field \"" + std::string(entry.key()) + "\".");
    }
  }
  if (const json::value* v = body.if_contains("type")) {
    auto type = v->is_string() ? parse_v1_type(v->get_string()) : std::nullopt;
    if (!type)
      return invalid("type", error_codes::kInvalidValue, "type must be after_call, incall or disposition.");
    spec.type = *type;
  } else if (create) {
    return invalid("type", error_codes::kRequired, "type is required.");
  }
  if (const json::value* v = body.if_contains("url")) {
    if (!v->is_string())
      return invalid("url", error_codes::kHttpsRequired, std::string(kHttpsRequiredMessage));
    auto errors = validate_url(v->get_string());
    if (!errors.empty()) return InputFailure{InputFailure::Kind::kInvalid, std::move(errors)};
    spec.url = std::string(v->get_string());
  } else if (create) {
    return invalid("url", error_codes::kRequired, std::string(kHttpsRequiredMessage));
  }
  if (const json::value* v = body.if_contains("headers")) {
    std::vector<V1Param> parsed;
    if (auto failure = parse_params(*v, "headers", true, spec.headers, parsed, kept)) return failure;
    spec.headers = std::move(parsed);
  } else {
    keep_all(spec.headers, "headers", kept);
  }
  if (const json::value* v = body.if_contains("query")) {
    std::vector<V1Param> parsed;
    if (auto failure = parse_params(*v, "query", false, spec.query, parsed, kept)) return failure;
    spec.query = std::move(parsed);
  } else {
    keep_all(spec.query, "query", kept);
  }
  if (const json::value* v = body.if_contains("fields")) {
    if (!v->is_array())
      return invalid("fields", error_codes::kInvalidType, "fields must be an array of field names.");
    std::vector<std::string> fields;
    const auto& legacy = v1_legacy_fields();
    for (std::size_t i = 0; i < v->get_array().size(); ++i) {
      const json::value& item = v->get_array()[i];
      const std::string at = "fields[" + std::to_string(i) + "]";
      if (!item.is_string() ||
          std::find(legacy.begin(), legacy.end(), std::string_view(item.get_string())) == legacy.end()) {
        return invalid(at, error_codes::kUnknownFieldName,
                       at + " must be one of the legacy fields (uid, "
                            "company_id, clid, call_state, event, "
                            "users, public_ivr_id, client_ref_id, direction, "
                            "duration, recording_url, "
                            "disposition).");
      }
      std::string name(item.get_string());
      if (std::find(fields.begin(), fields.end(), name) != fields.end()) {
        return invalid(at, error_codes::kDuplicateKey, "Field \"" + name + "\" is given twice.");
      }
      fields.push_back(std::move(name));
    }
    spec.fields = std::move(fields);
  }
  if (const json::value* v = body.if_contains("enabled")) {
    if (!v->is_bool()) return invalid("enabled", error_codes::kInvalidType, "enabled must be true or false.");
    spec.enabled = v->get_bool();
  }
  if (const json::value* v = body.if_contains("method")) {
    if (v->is_string() && v->get_string() == "POST") {
      spec.method = V1Method::kPost;
    } else if (v->is_string() && v->get_string() == "GET") {
      spec.method = V1Method::kGet;
    } else {
      return invalid("method", error_codes::kInvalidValue, "method must be POST or GET.");
    }
  }
  return std::nullopt;
}

InputResult<V1WebhookSpec> parse(const json::value& body, V1WebhookSpec spec, bool create,
                                 std::vector<std::string>* kept) {
  if (!body.is_object()) {
    return tl::unexpected(
        InputFailure{InputFailure::Kind::kMalformed,
                     {FieldError{"", error_codes::kInvalidType, "The body must be a JSON object."}}});
  }
  if (auto failure = apply(body.get_object(), spec, create, kept)) return tl::unexpected(std::move(*failure));
  return spec;
}

}  // namespace

InputResult<V1WebhookSpec> parse_v1_webhook_create(const json::value& body) {
  return parse(body, V1WebhookSpec{}, /*create=*/true, nullptr);
}

InputResult<V1WebhookSpec> parse_v1_webhook_patch(const json::value& body, const V1WebhookSpec& current,
                                                  std::vector<std::string>* kept_credentials) {
  std::vector<std::string> kept;
  auto result = parse(body, current, /*create=*/false, &kept);
  if (result && kept_credentials) *kept_credentials = std::move(kept);
  return result;
}

std::vector<FieldError> v1_credentials_for_new_origin(std::string_view current_url,
                                                      const V1WebhookSpec& patch,
                                                      const std::vector<std::string>& kept_credentials) {
  return kept_credentials_for_new_origin(current_url, patch.url, kept_credentials);
}

}  // namespace switchboard::model
