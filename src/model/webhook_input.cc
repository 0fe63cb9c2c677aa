// Webhook create/patch bodies: the walk over the top-level fields, in the
// order errors are reported (name, description, url, auth, headers, events,
// filters, secret), and the fields simple enough to live here.
#include "model/webhook_input.h"

#include <algorithm>
#include <span>
#include <string>

#include "model/error_codes.h"
#include "model/event_catalog.h"
#include "model/limits.h"
#include "model/webhook_input_internal.h"

namespace switchboard::model {
namespace {

using input_detail::ErrorSink;
using input_detail::index_path;
using input_detail::member_path;

constexpr std::string_view kGenerateSecret = "generate";

// The stored credentials a PATCH that leaves out `auth` keeps.
void keep_auth_credentials(const WebhookAuth& auth, std::vector<std::string>& kept) {
  if (auth.type == AuthType::kBasic && !auth.password.empty()) kept.emplace_back("auth.password");
  if (auth.type != AuthType::kApiKey) return;
  for (std::size_t i = 0; i < auth.keys.size(); ++i) {
    if (!auth.keys[i].value.empty()) kept.push_back(member_path(index_path("auth.keys", i), "value"));
  }
}

// The stored header values a PATCH that leaves out `headers` keeps.
void keep_header_values(const std::vector<KeyValue>& headers, std::vector<std::string>& kept) {
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].value.empty()) kept.push_back(member_path(index_path("headers", i), "value"));
  }
}

// name, description: optional text; null clears it.
void read_text(const boost::json::object& body, std::string_view field, std::string_view label,
               std::size_t limit, std::string& target, ErrorSink& errors) {
  const boost::json::value* value = body.if_contains(field);
  if (value == nullptr) return;
  if (value->is_null()) {
    target.clear();
    return;
  }
  if (!value->is_string()) {
    errors.invalid_type(std::string(field), "a string");
    return;
  }
  target = std::string(value->get_string());
  if (input_detail::utf8_length(target) > limit) {
    errors.invalid(std::string(field), error_codes::kTooLong,
                   std::string(label) + " must be at most " + std::to_string(limit) + " characters.");
  }
}

void read_url(const boost::json::value& value, std::string& target, ErrorSink& errors) {
  if (!value.is_string()) {
    errors.invalid_type("url", "a string");
    return;
  }
  target = std::string(value.get_string());
  for (FieldError& error : validate_url(target)) errors.invalid(error.field, error.code, error.message);
}

// Event types and group names; the result is de-duplicated, in catalog order.
void read_events(const boost::json::value& value, std::vector<std::string>& target, ErrorSink& errors) {
  if (!value.is_array()) {
    errors.invalid_type("events", "an array of event types");
    return;
  }
  const boost::json::array& items = value.get_array();
  if (items.empty()) {
    errors.invalid("events", error_codes::kRequired, "Select at least one event.");
    return;
  }
  const std::span<const EventTypeInfo> catalog = event_catalog();
  std::vector<bool> selected(catalog.size(), false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string path = index_path("events", i);
    if (!items[i].is_string()) {
      errors.invalid_type(path, "a string");
      continue;
    }
    const std::string_view name = items[i].get_string();
    const bool is_group = is_event_group(name);
    if (!is_group && find_event_type(name) == nullptr) {
      errors.invalid(path, error_codes::kUnknownEvent, "Unknown event type \"" + std::string(name) + "\".");
      continue;
    }
    for (std::size_t j = 0; j < catalog.size(); ++j) {
      if (is_group ? catalog[j].group == name : catalog[j].type == name) selected[j] = true;
    }
  }
  target.clear();
  for (std::size_t j = 0; j < catalog.size(); ++j) {
    if (selected[j]) target.emplace_back(catalog[j].type);
  }
}

// One list of filters.*; de-duplicated, first occurrence kept.
std::vector<std::string> read_filter_list(const boost::json::value& value, const std::string& path,
                                          bool is_direction, ErrorSink& errors) {
  std::vector<std::string> out;
  if (value.is_null()) return out;
  if (!value.is_array()) {
    errors.invalid_type(path, "an array of strings");
    return out;
  }
  const boost::json::array& items = value.get_array();
  if (items.size() > limits::kMaxFilterValues) {
    errors.invalid(path, error_codes::kTooMany,
                   "At most " + std::to_string(limits::kMaxFilterValues) + " values are allowed.");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = index_path(path, i);
    if (!items[i].is_string()) {
      errors.invalid_type(item_path, "a string");
      continue;
    }
    const std::string_view text = items[i].get_string();
    if (is_direction && text != "inbound" && text != "outbound") {
      errors.invalid(item_path, error_codes::kInvalidValue, "Direction must be \"inbound\" or \"outbound\".");
      continue;
    }
    if (text.empty()) {
      errors.invalid(item_path, error_codes::kInvalidValue, "Filter values must not be empty.");
      continue;
    }
    if (input_detail::utf8_length(text) > limits::kMaxFilterValueLength) {
      errors.invalid(
          item_path, error_codes::kTooLong,
          "Filter values must be at most " + std::to_string(limits::kMaxFilterValueLength) + " characters.");
      continue;
    }
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  return out;
}

void read_filters(const boost::json::value& value, WebhookFilters& target, ErrorSink& errors) {
  target = WebhookFilters{};
  if (value.is_null()) return;
  if (!value.is_object()) {
    errors.invalid_type("filters", "an object");
    return;
  }
  const boost::json::object& object = value.get_object();
  input_detail::reject_unknown_fields(object, {"direction", "department_ids", "agent_ids"}, "filters",
                                      errors);
  struct List {
    std::string_view name;
    std::vector<std::string>* target;
  };
  for (const List& list :
       {List{"direction", &target.direction}, List{"department_ids", &target.department_ids},
        List{"agent_ids", &target.agent_ids}}) {
    if (const boost::json::value* items = object.if_contains(list.name)) {
      *list.target =
          read_filter_list(*items, member_path("filters", list.name), list.name == "direction", errors);
    }
  }
}

// On create null keeps (= no secret); on patch null clears the stored one,
// "keep" keeps it and so does the masked value (which is not a decision,
// see SecretChange::decided).
SecretChange read_secret(const boost::json::value& value, bool is_patch, ErrorSink& errors) {
  if (value.is_null()) {
    return SecretChange{is_patch ? SecretChange::Kind::kClear : SecretChange::Kind::kKeep, {}, true};
  }
  if (!value.is_string()) {
    errors.invalid_type("secret", "a string or null");
    return {};
  }
  const std::string_view text = value.get_string();
  if (text == kGenerateSecret) return SecretChange{SecretChange::Kind::kGenerate, {}, true};
  if (is_patch && text == kKeepSecret) return SecretChange{SecretChange::Kind::kKeep, {}, true};
  if (is_patch && text == kMaskedSecret) return {};
  if (is_valid_secret(text)) return SecretChange{SecretChange::Kind::kSet, std::string(text), true};
  errors.invalid("secret", error_codes::kInvalidSecret,
                 "Secret must be \"generate\" or \"whsec_\" followed by the base64 of " +
                     std::to_string(limits::kMinSecretBytes) + " to " +
                     std::to_string(limits::kMaxSecretBytes) + " random bytes.");
  return {};
}

// Create and patch share one walk; `current` is null on create.
InputResult<WebhookInput> parse_body(const boost::json::value& body, const WebhookSpec* current) {
  ErrorSink errors;
  if (!body.is_object()) {
    errors.malformed("", error_codes::kInvalidBody, "The request body must be a JSON object.");
    return tl::unexpected(std::move(errors).to_failure());
  }
  const boost::json::object& object = body.get_object();
  {
    // The known members: the spec's, then each feature's own list (so each merges on its own line).
    std::vector<std::string_view> known{"name",    "description", "url",     "auth",
                                        "headers", "events",      "filters", "secret"};
    known.insert(known.end(), input_detail::kDeliveryControlFields.begin(),
                 input_detail::kDeliveryControlFields.end());
    input_detail::reject_unknown_fields(object, known, "", errors);
  }

  const bool is_patch = current != nullptr;
  WebhookInput input;
  if (is_patch) input.spec = *current;
  WebhookSpec& spec = input.spec;

  read_text(object, "name", "Name", limits::kMaxNameLength, spec.name, errors);
  read_text(object, "description", "Description", limits::kMaxDescriptionLength, spec.description, errors);

  if (const boost::json::value* url = object.if_contains("url")) {
    read_url(*url, spec.url, errors);
  } else if (!is_patch) {
    errors.invalid("url", error_codes::kRequired, "URL is required.");
  }

  // Cross-checks between headers and auth need a well-formed auth type.
  bool auth_known = true;
  const boost::json::value* auth = object.if_contains("auth");
  if (auth != nullptr) {
    input_detail::ParsedAuth parsed =
        input_detail::parse_auth(*auth, is_patch ? &current->auth : nullptr, errors);
    spec.auth = std::move(parsed.auth);
    auth_known = parsed.type_known;
    input.kept_credentials = std::move(parsed.kept);
  } else if (is_patch) {
    keep_auth_credentials(spec.auth, input.kept_credentials);
  }

  // Headers are validated when sent, and also when only the auth changes:
  // the stored headers may clash with the new auth (e.g. Authorization +
  // basic).
  const WebhookAuth* auth_for_headers = auth_known ? &spec.auth : nullptr;
  if (const boost::json::value* headers = object.if_contains("headers")) {
    std::vector<input_detail::HeaderRow> rows = input_detail::read_header_rows(*headers, errors);
    input_detail::keep_masked_header_values(rows, is_patch ? &current->headers : nullptr,
                                            input.kept_credentials, errors);
    input_detail::validate_header_rows(rows, auth_for_headers, errors);
    spec.headers = input_detail::to_key_values(rows);
  } else {
    if (auth != nullptr) {
      input_detail::validate_header_rows(input_detail::to_header_rows(spec.headers), auth_for_headers,
                                         errors);
    }
    if (is_patch) keep_header_values(spec.headers, input.kept_credentials);
  }

  if (const boost::json::value* events = object.if_contains("events")) {
    read_events(*events, spec.events, errors);
  } else if (!is_patch) {
    errors.invalid("events", error_codes::kRequired, "Select at least one event.");
  }

  if (const boost::json::value* filters = object.if_contains("filters")) {
    read_filters(*filters, spec.filters, errors);
  }
  if (const boost::json::value* secret = object.if_contains("secret")) {
    input.secret = read_secret(*secret, is_patch, errors);
  }
  input_detail::read_delivery_controls(object, spec.delivery, errors);

  if (!errors.empty()) return tl::unexpected(std::move(errors).to_failure());
  return input;
}

}  // namespace

InputResult<WebhookInput> parse_webhook_create(const boost::json::value& body) {
  return parse_body(body, nullptr);
}

InputResult<WebhookInput> parse_webhook_patch(const boost::json::value& body, const WebhookSpec& current) {
  return parse_body(body, &current);
}

}  // namespace switchboard::model
