// The "auth" member of a webhook body: none, basic, or API keys in headers or
// the query string. Masked secret values ("********") keep the stored ones.
#include <set>
#include <string>

#include "model/error_codes.h"
#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_internal.h"

namespace switchboard::model::input_detail {
namespace {

constexpr std::string_view kTypeField = "auth.type";
constexpr std::string_view kUsernameField = "auth.username";
constexpr std::string_view kPasswordField = "auth.password";
constexpr std::string_view kLocationField = "auth.location";
constexpr std::string_view kKeysField = "auth.keys";

std::optional<AuthType> parse_auth_type(std::string_view text) {
  for (AuthType type : {AuthType::kNone, AuthType::kBasic, AuthType::kApiKey}) {
    if (to_string(type) == text) return type;
  }
  return std::nullopt;
}

std::optional<ApiKeyLocation> parse_location(std::string_view text) {
  for (ApiKeyLocation location : {ApiKeyLocation::kHeader, ApiKeyLocation::kQuery}) {
    if (to_string(location) == text) return location;
  }
  return std::nullopt;
}

std::string limit_message(std::string_view what, std::size_t limit) {
  return std::string(what) + " must be at most " + std::to_string(limit) + " characters.";
}

// Members that only one auth type uses are refused under the others, so that
// a client never believes a credential is in effect when it is not.
void reject_member(const boost::json::object& object, std::string_view name, AuthType used_with,
                   ErrorSink& errors) {
  if (!object.contains(name)) return;
  const std::string path = member_path("auth", name);
  errors.invalid(path, error_codes::kNotAllowed,
                 path + " is only used with " + std::string(to_string(used_with)) + " auth.");
}

// Validates a Basic auth password; a masked one is replaced by the stored
// password.
void check_password(const WebhookAuth* current, std::string& password, std::vector<std::string>& kept,
                    ErrorSink& errors) {
  const std::string path(kPasswordField);
  if (password == kMaskedSecret) {
    if (current != nullptr && current->type == AuthType::kBasic) {
      password = current->password;
      if (!password.empty()) kept.push_back(path);
    } else {
      errors.invalid(path, error_codes::kInvalidValue,
                     "The masked password can only keep an existing Basic auth "
                     "password; enter the password.");
    }
  } else if (password.empty()) {
    errors.invalid(path, error_codes::kRequired, "Password is required for Basic auth.");
  } else if (password.size() > limits::kMaxPasswordLength) {
    errors.invalid(path, error_codes::kTooLong, limit_message("Password", limits::kMaxPasswordLength));
  }
}

void parse_basic(const boost::json::object& object, const WebhookAuth* current, ParsedAuth& out,
                 ErrorSink& errors) {
  WebhookAuth& auth = out.auth;
  bool type_error = false;
  auth.username =
      string_member(object, "username", std::string(kUsernameField), errors, &type_error).value_or("");
  if (!type_error) {
    if (auth.username.empty()) {
      errors.invalid(std::string(kUsernameField), error_codes::kRequired,
                     "Username is required for Basic auth.");
    } else if (auth.username.size() > limits::kMaxUsernameLength) {
      errors.invalid(std::string(kUsernameField), error_codes::kTooLong,
                     limit_message("Username", limits::kMaxUsernameLength));
    } else if (auth.username.find(':') != std::string::npos) {
      // RFC 7617: the user-id ends at the first colon.
      errors.invalid(std::string(kUsernameField), error_codes::kInvalidValue,
                     "Username must not contain ':'.");
    }
  }

  type_error = false;
  auth.password =
      string_member(object, "password", std::string(kPasswordField), errors, &type_error).value_or("");
  if (!type_error) check_password(current, auth.password, out.kept, errors);
  reject_member(object, "location", AuthType::kApiKey, errors);
  reject_member(object, "keys", AuthType::kApiKey, errors);
}

// The stored value of the API key called `name`, for a masked value to keep.
const std::string* current_key_value(const WebhookAuth* current, std::string_view name) {
  if (current == nullptr || current->type != AuthType::kApiKey || name.empty()) return nullptr;
  for (const KeyValue& key : current->keys) {
    if (iequals(key.key, name)) return &key.value;
  }
  return nullptr;
}

// One {"name","value"} row of auth.keys. `location` is nullopt when it is
// itself invalid.
void parse_key_row(const boost::json::value& value, const std::string& path,
                   std::optional<ApiKeyLocation> location, const WebhookAuth* current,
                   std::set<std::string>& seen, ParsedAuth& out, ErrorSink& errors) {
  WebhookAuth& auth = out.auth;
  KeyValue key;
  if (!value.is_object()) {
    errors.invalid_type(path, "an object with \"name\" and \"value\"");
    auth.keys.push_back(std::move(key));
    return;
  }
  const boost::json::object& object = value.get_object();
  reject_unknown_fields(object, {"name", "value"}, path, errors);
  const bool in_header = location == ApiKeyLocation::kHeader;

  const std::string name_path = member_path(path, "name");
  bool type_error = false;
  key.key = string_member(object, "name", name_path, errors, &type_error).value_or("");
  if (!type_error) {
    if (key.key.empty()) {
      errors.invalid(name_path, error_codes::kRequired, "API key name is required.");
    } else if (key.key.size() > limits::kMaxHeaderKeyLength) {
      errors.invalid(name_path, error_codes::kTooLong,
                     limit_message("API key name", limits::kMaxHeaderKeyLength));
    } else if (in_header && !is_valid_header_name(key.key)) {
      errors.invalid(name_path, error_codes::kInvalidHeaderName,
                     "API key name \"" + key.key + "\" is not a valid HTTP header name.");
    } else if (in_header && is_reserved_header(key.key)) {
      errors.invalid(name_path, error_codes::kReservedHeader,
                     "Header \"" + key.key + "\" is set by Switchboard and cannot be used as an API key.");
    } else if (seen.count(to_lower(key.key)) != 0) {
      errors.invalid(name_path, error_codes::kDuplicateKey, "Duplicate API key name \"" + key.key + "\".");
    }
    if (!key.key.empty()) seen.insert(to_lower(key.key));
  }

  const std::string value_path = member_path(path, "value");
  type_error = false;
  key.value = string_member(object, "value", value_path, errors, &type_error).value_or("");
  if (!type_error) {
    if (key.value == kMaskedSecret) {
      if (const std::string* kept = current_key_value(current, key.key)) {
        key.value = *kept;
        if (!key.value.empty()) out.kept.push_back(value_path);
      } else {
        errors.invalid(value_path, error_codes::kInvalidValue,
                       "The masked value can only keep the value of an "
                       "existing API key with the same name; "
                       "enter the value.");
      }
    } else if (key.value.empty()) {
      errors.invalid(value_path, error_codes::kRequired, "API key value is required.");
    } else if (key.value.size() > limits::kMaxHeaderValueLength) {
      errors.invalid(value_path, error_codes::kTooLong,
                     limit_message("API key value", limits::kMaxHeaderValueLength));
    } else if (in_header) {
      if (auto problem = header_value_problem(key.value)) {
        errors.invalid(value_path, error_codes::kInvalidHeaderValue, *problem);
      }
    }
  }
  auth.keys.push_back(std::move(key));
}

void parse_api_key(const boost::json::object& object, const WebhookAuth* current, ParsedAuth& out,
                   ErrorSink& errors) {
  WebhookAuth& auth = out.auth;
  reject_member(object, "username", AuthType::kBasic, errors);
  reject_member(object, "password", AuthType::kBasic, errors);

  std::optional<ApiKeyLocation> location;
  bool type_error = false;
  const auto text = string_member(object, "location", std::string(kLocationField), errors, &type_error);
  if (!type_error) {
    if (!text) {
      errors.invalid(std::string(kLocationField), error_codes::kRequired,
                     "Choose where the API keys go: header or query.");
    } else if (!(location = parse_location(*text))) {
      errors.invalid(std::string(kLocationField), error_codes::kInvalidValue,
                     "API key location must be \"header\" or \"query\".");
    }
  }
  auth.location = location.value_or(ApiKeyLocation::kHeader);

  const boost::json::value* keys = object.if_contains("keys");
  if (keys == nullptr) {
    errors.invalid(std::string(kKeysField), error_codes::kRequired, "Add at least one API key.");
    return;
  }
  if (!keys->is_array()) {
    errors.invalid_type(std::string(kKeysField), "an array");
    return;
  }
  const boost::json::array& rows = keys->get_array();
  if (rows.size() < limits::kMinApiKeys) {
    errors.invalid(std::string(kKeysField), error_codes::kTooFew, "Add at least one API key.");
  } else if (rows.size() > limits::kMaxApiKeys) {
    errors.invalid(std::string(kKeysField), error_codes::kTooMany,
                   "At most " + std::to_string(limits::kMaxApiKeys) + " API keys are allowed.");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    parse_key_row(rows[i], index_path(kKeysField, i), location, current, seen, out, errors);
  }
}

}  // namespace

ParsedAuth parse_auth(const boost::json::value& value, const WebhookAuth* current, ErrorSink& errors) {
  ParsedAuth out;
  if (value.is_null()) {  // null means no auth
    out.type_known = true;
    return out;
  }
  if (!value.is_object()) {
    errors.invalid_type("auth", "an object");
    return out;
  }
  const boost::json::object& object = value.get_object();
  reject_unknown_fields(object, {"type", "username", "password", "location", "keys"}, "auth", errors);

  bool type_error = false;
  const auto text = string_member(object, "type", std::string(kTypeField), errors, &type_error);
  if (type_error) return out;
  if (!text) {
    errors.invalid(std::string(kTypeField), error_codes::kRequired,
                   "Choose an authentication type: none, basic or api_key.");
    return out;
  }
  const std::optional<AuthType> type = parse_auth_type(*text);
  if (!type) {
    errors.invalid(std::string(kTypeField), error_codes::kInvalidValue,
                   "Authentication type must be \"none\", \"basic\" or \"api_key\".");
    return out;
  }
  out.auth.type = *type;
  out.type_known = true;
  switch (*type) {
    case AuthType::kNone:
      reject_member(object, "username", AuthType::kBasic, errors);
      reject_member(object, "password", AuthType::kBasic, errors);
      reject_member(object, "location", AuthType::kApiKey, errors);
      reject_member(object, "keys", AuthType::kApiKey, errors);
      break;
    case AuthType::kBasic:
      parse_basic(object, current, out, errors);
      break;
    case AuthType::kApiKey:
      parse_api_key(object, current, out, errors);
      break;
  }
  return out;
}

}  // namespace switchboard::model::input_detail
