#include "store/common/webhook_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <utility>

#include "common/result.h"
#include "store/common/column_codec.h"
#include "store/common/webhook_key_codec.h"

namespace switchboard::store {
namespace json = boost::json;
namespace {

tl::unexpected<Error> malformed(std::string_view column, std::string_view what) {
  return make_error(ErrorCode::kInternal,
                    "stored webhook " + std::string(column) + " column is malformed: " + std::string(what));
}

Result<json::value> parse_column(std::string_view column_name, std::string_view text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) return malformed(column_name, ec.message());
  return value;
}

// Field access that reports a malformed column instead of throwing.
std::optional<std::string> string_field(const json::object& object, std::string_view key) {
  const json::value* field = object.if_contains(key);
  if (field == nullptr || !field->is_string()) return std::nullopt;
  return std::string(field->get_string());
}

std::optional<std::vector<std::string>> strings_of(const json::value& value) {
  const json::array* array = value.if_array();
  if (array == nullptr) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(array->size());
  for (const json::value& item : *array) {
    if (!item.is_string()) return std::nullopt;
    out.emplace_back(item.get_string());
  }
  return out;
}

json::array strings_to_json(const std::vector<std::string>& values) {
  json::array array;
  array.reserve(values.size());
  for (const std::string& value : values) array.emplace_back(value);
  return array;
}

// Empty secrets stay empty: there is nothing to hide and "" round-trips.
std::string seal_value(std::string_view plain, const crypto::SecretBox& secrets) {
  return plain.empty() ? std::string() : secrets.seal(plain);
}

Result<std::string> open_value(std::string_view sealed, const crypto::SecretBox& secrets) {
  if (sealed.empty()) return std::string();
  auto opened = secrets.open(sealed);
  if (!opened) {
    return make_error(ErrorCode::kInternal,
                      "a stored secret cannot be decrypted (wrong secret key?): " + opened.error().message);
  }
  return opened;
}

}  // namespace

std::string encode_auth(const model::WebhookAuth& auth, const crypto::SecretBox& secrets) {
  json::object object;
  object["type"] = auth_type_column(auth.type);
  object["username"] = auth.username;
  object["password"] = seal_value(auth.password, secrets);
  object["location"] = key_location_column(auth.location);
  json::array keys;
  keys.reserve(auth.keys.size());
  for (const model::KeyValue& key : auth.keys) {
    keys.emplace_back(json::object{{"key", key.key}, {"value", seal_value(key.value, secrets)}});
  }
  object["keys"] = std::move(keys);
  return json::serialize(object);
}

Result<model::WebhookAuth> decode_auth(std::string_view column, const crypto::SecretBox& secrets) {
  auto value = parse_column("auth", column);
  if (!value) return forward_error(value);
  const json::object* object = value->if_object();
  if (object == nullptr) return malformed("auth", "not an object");

  model::WebhookAuth auth;
  auto type = string_field(*object, "type");
  auto parsed_type = type ? auth_type_from_column(*type) : std::nullopt;
  if (!parsed_type) return malformed("auth", "bad type");
  auth.type = *parsed_type;
  auto location = string_field(*object, "location");
  auto parsed_location = location ? key_location_from_column(*location) : std::nullopt;
  if (!parsed_location) return malformed("auth", "bad location");
  auth.location = *parsed_location;
  auto username = string_field(*object, "username");
  auto password = string_field(*object, "password");
  if (!username || !password) return malformed("auth", "missing username or password");
  auth.username = std::move(*username);
  auto opened_password = open_value(*password, secrets);
  if (!opened_password) return forward_error(opened_password);
  auth.password = std::move(*opened_password);

  const json::value* keys = object->if_contains("keys");
  if (keys == nullptr || !keys->is_array()) return malformed("auth", "missing keys");
  for (const json::value& item : keys->get_array()) {
    const json::object* pair = item.if_object();
    auto key = pair != nullptr ? string_field(*pair, "key") : std::nullopt;
    auto sealed = pair != nullptr ? string_field(*pair, "value") : std::nullopt;
    if (!key || !sealed) return malformed("auth", "bad key entry");
    auto opened = open_value(*sealed, secrets);
    if (!opened) return forward_error(opened);
    auth.keys.push_back(model::KeyValue{std::move(*key), std::move(*opened)});
  }
  return auth;
}

std::string encode_key_values(const std::vector<model::KeyValue>& pairs, const crypto::SecretBox& secrets) {
  json::array array;
  array.reserve(pairs.size());
  for (const model::KeyValue& pair : pairs) {
    array.emplace_back(json::object{{"key", pair.key}, {"sealed", seal_value(pair.value, secrets)}});
  }
  return json::serialize(array);
}

namespace {

// Decodes the headers column; `legacy` tells whether any value was in clear.
Result<std::vector<model::KeyValue>> decode_headers(std::string_view column, const crypto::SecretBox& secrets,
                                                    bool& legacy) {
  legacy = false;
  auto value = parse_column("headers", column);
  if (!value) return forward_error(value);
  const json::array* array = value->if_array();
  if (array == nullptr) return malformed("headers", "not an array");
  std::vector<model::KeyValue> pairs;
  pairs.reserve(array->size());
  for (const json::value& item : *array) {
    const json::object* pair = item.if_object();
    auto key = pair != nullptr ? string_field(*pair, "key") : std::nullopt;
    if (!key) return malformed("headers", "bad entry");
    if (auto sealed = string_field(*pair, "sealed")) {
      auto opened = open_value(*sealed, secrets);
      if (!opened) return forward_error(opened);
      pairs.push_back(model::KeyValue{std::move(*key), std::move(*opened)});
    } else if (auto text = string_field(*pair, "value")) {
      legacy = true;  // written before header values were sealed
      pairs.push_back(model::KeyValue{std::move(*key), std::move(*text)});
    } else {
      return malformed("headers", "bad entry");
    }
  }
  return pairs;
}

}  // namespace

Result<std::vector<model::KeyValue>> decode_key_values(std::string_view column,
                                                       const crypto::SecretBox& secrets) {
  bool legacy = false;
  return decode_headers(column, secrets, legacy);
}

std::optional<std::string> reseal_key_values(std::string_view column, const crypto::SecretBox& secrets) {
  bool legacy = false;
  auto pairs = decode_headers(column, secrets, legacy);
  if (!pairs || !legacy) return std::nullopt;
  return encode_key_values(*pairs, secrets);
}

std::string encode_strings(const std::vector<std::string>& values) {
  return json::serialize(strings_to_json(values));
}

Result<std::vector<std::string>> decode_strings(std::string_view column) {
  auto value = parse_column("events", column);
  if (!value) return forward_error(value);
  auto strings = strings_of(*value);
  if (!strings) return malformed("events", "not an array of strings");
  return std::move(*strings);
}

std::string encode_filters(const model::WebhookFilters& filters) {
  json::object object;
  object["direction"] = strings_to_json(filters.direction);
  object["department_ids"] = strings_to_json(filters.department_ids);
  object["agent_ids"] = strings_to_json(filters.agent_ids);
  return json::serialize(object);
}

Result<model::WebhookFilters> decode_filters(std::string_view column) {
  auto value = parse_column("filters", column);
  if (!value) return forward_error(value);
  const json::object* object = value->if_object();
  if (object == nullptr) return malformed("filters", "not an object");
  model::WebhookFilters filters;
  auto read = [&](std::string_view key, std::vector<std::string>& out) {
    const json::value* field = object->if_contains(key);
    auto strings = field != nullptr ? strings_of(*field) : std::nullopt;
    if (!strings) return false;
    out = std::move(*strings);
    return true;
  };
  if (!read("direction", filters.direction) || !read("department_ids", filters.department_ids) ||
      !read("agent_ids", filters.agent_ids)) {
    return malformed("filters", "bad list");
  }
  return filters;
}

std::optional<std::string> seal_optional(const std::optional<std::string>& secret,
                                         const crypto::SecretBox& secrets) {
  if (!secret) return std::nullopt;
  return secrets.seal(*secret);
}

Result<std::optional<std::string>> open_optional(const std::optional<std::string>& sealed,
                                                 const crypto::SecretBox& secrets) {
  if (!sealed) return std::optional<std::string>();
  auto opened = secrets.open(*sealed);
  if (!opened) {
    return make_error(
        ErrorCode::kInternal,
        "a stored signing secret cannot be decrypted (wrong secret key?): " + opened.error().message);
  }
  return std::optional<std::string>(std::move(*opened));
}

std::string encode_v1_params(const std::vector<model::V1Param>& params, const crypto::SecretBox& secrets) {
  json::array out;
  for (const model::V1Param& p : params) {
    out.push_back(json::object{{"key", p.key}, {"value", secrets.seal(p.value)}});
  }
  return json::serialize(out);
}

Result<std::vector<model::V1Param>> decode_v1_params(std::string_view column,
                                                     const crypto::SecretBox& secrets) {
  boost::system::error_code ec;
  json::value v = json::parse(column, ec);
  if (ec || !v.is_array()) return make_error(ErrorCode::kInternal, "malformed v1 params column");
  std::vector<model::V1Param> out;
  for (const json::value& item : v.get_array()) {
    const json::object* o = item.if_object();
    if (!o || !o->contains("key") || !o->contains("value") || !o->at("key").is_string() ||
        !o->at("value").is_string()) {
      return make_error(ErrorCode::kInternal, "malformed v1 params column");
    }
    auto value = secrets.open(o->at("value").get_string());
    if (!value) return make_error(ErrorCode::kInternal, "a sealed v1 value does not open");
    out.push_back(model::V1Param{std::string(o->at("key").get_string()), std::move(*value)});
  }
  return out;
}

V1Columns encode_v1_webhook(const model::V1Webhook& w, const crypto::SecretBox& secrets) {
  return V1Columns{std::string(model::to_string(w.spec.type)),
                   w.spec.url,
                   std::string(model::to_string(w.spec.method)),
                   encode_v1_params(w.spec.headers, secrets),
                   encode_v1_params(w.spec.query, secrets),
                   encode_strings(w.spec.fields),
                   w.spec.enabled};
}

std::string encode_delivery_controls(const model::DeliveryControls& controls) {
  json::object out{{"timeout_ms", controls.timeout_ms}, {"max_in_flight", controls.max_in_flight}};
  if (controls.max_rate) {
    out["max_rate"] = *controls.max_rate;
  } else {
    out["max_rate"] = nullptr;
  }
  return json::serialize(out);
}

Result<model::DeliveryControls> decode_delivery_controls(std::string_view column) {
  boost::system::error_code ec;
  json::value v = json::parse(column, ec);
  if (ec || !v.is_object()) return make_error(ErrorCode::kInternal, "malformed delivery_controls column");
  const json::object& o = v.get_object();
  model::DeliveryControls controls;
  const auto read_int = [&](std::string_view name, int& target) {
    const json::value* member = o.if_contains(name);
    if (member == nullptr || member->is_null()) return true;
    if (!member->is_int64()) return false;
    target = static_cast<int>(member->get_int64());
    return true;
  };
  int rate = 0;
  const bool has_rate = o.contains("max_rate") && !o.at("max_rate").is_null();
  if (!read_int("timeout_ms", controls.timeout_ms) || !read_int("max_in_flight", controls.max_in_flight) ||
      !read_int("max_rate", rate)) {
    return make_error(ErrorCode::kInternal, "malformed delivery_controls column");
  }
  if (has_rate) controls.max_rate = rate;
  return controls;
}

std::optional<std::string> encode_disabled_reason(const std::optional<model::DisabledReason>& reason) {
  if (!reason) return std::nullopt;
  return std::string(model::to_string(*reason));
}

WebhookColumns encode_webhook(const model::Webhook& webhook, const crypto::SecretBox& secrets) {
  const model::WebhookSpec& spec = webhook.spec;
  return WebhookColumns{spec.name,
                        spec.description,
                        spec.url,
                        encode_auth(spec.auth, secrets),
                        encode_key_values(spec.headers, secrets),
                        encode_strings(spec.events),
                        encode_filters(spec.filters),
                        seal_optional(webhook.secret, secrets),
                        seal_optional(webhook.previous_secret, secrets),
                        webhook.previous_secret_expires_at,
                        std::string(webhook_status_column(webhook.status)),
                        webhook.consecutive_exhausted,
                        webhook.created_at,
                        webhook.updated_at,
                        encode_delivery_controls(spec.delivery),
                        encode_disabled_reason(webhook.disabled_reason)};
}

Result<model::Webhook> decode_webhook(StoredWebhook row, const crypto::SecretBox& secrets) {
  WebhookColumns& columns = row.columns;
  model::Webhook webhook;
  webhook.id = std::move(row.id);
  webhook.company_id = std::move(row.company_id);
  webhook.spec.name = std::move(columns.name);
  webhook.spec.description = std::move(columns.description);
  webhook.spec.url = std::move(columns.url);

  auto auth = decode_auth(columns.auth, secrets);
  if (!auth) return forward_error(auth);
  webhook.spec.auth = std::move(*auth);
  auto headers = decode_key_values(columns.headers, secrets);
  if (!headers) return forward_error(headers);
  webhook.spec.headers = std::move(*headers);
  auto events = decode_strings(columns.events);
  if (!events) return forward_error(events);
  webhook.spec.events = std::move(*events);
  auto filters = decode_filters(columns.filters);
  if (!filters) return forward_error(filters);
  webhook.spec.filters = std::move(*filters);
  auto delivery = decode_delivery_controls(columns.delivery_controls);
  if (!delivery) return forward_error(delivery);
  webhook.spec.delivery = *delivery;

  auto secret = open_optional(columns.secret, secrets);
  if (!secret) return forward_error(secret);
  webhook.secret = std::move(*secret);
  auto previous = open_optional(columns.previous_secret, secrets);
  if (!previous) return forward_error(previous);
  webhook.previous_secret = std::move(*previous);
  webhook.previous_secret_expires_at = columns.previous_secret_expires_at;

  auto status = webhook_status_from_column(columns.status);
  if (!status) return make_error(ErrorCode::kInternal, "stored webhook has an unknown status");
  webhook.status = *status;
  webhook.consecutive_exhausted = columns.consecutive_exhausted;
  if (columns.disabled_reason) {
    webhook.disabled_reason = model::parse_disabled_reason(*columns.disabled_reason);
    if (!webhook.disabled_reason)
      return make_error(ErrorCode::kInternal, "stored webhook has an unknown disabled_reason");
  }
  webhook.created_at = columns.created_at;
  webhook.updated_at = columns.updated_at;

  // Issue 16 item 5: the client certificate and the Ed25519 signing keys.
  auto certificate = decode_client_certificate(columns.client_certificate, secrets);
  if (!certificate) return forward_error(certificate);
  webhook.client_certificate = std::move(*certificate);
  auto signing_keys = decode_signing_keys(columns.signing_keys, secrets);
  if (!signing_keys) return forward_error(signing_keys);
  webhook.signing_keys = std::move(*signing_keys);
  return webhook;
}

WebhookSpecColumns encode_spec(const model::WebhookSpec& spec, const crypto::SecretBox& secrets) {
  return WebhookSpecColumns{spec.name,
                            spec.description,
                            spec.url,
                            encode_auth(spec.auth, secrets),
                            encode_key_values(spec.headers, secrets),
                            encode_strings(spec.events),
                            encode_filters(spec.filters),
                            encode_delivery_controls(spec.delivery)};
}

WebhookSecretColumns encode_secrets(const model::WebhookSecrets& webhook_secrets,
                                    const crypto::SecretBox& secrets) {
  return WebhookSecretColumns{seal_optional(webhook_secrets.secret, secrets),
                              seal_optional(webhook_secrets.previous_secret, secrets),
                              webhook_secrets.previous_secret_expires_at};
}

}  // namespace switchboard::store
