// Custom header rows of a webhook: shape, RFC 9110 rules, reserved names,
// duplicates and conflicts with the headers that auth itself sends. Every
// value is a secret (shown masked); a masked value keeps the stored one.
#include <array>
#include <set>
#include <string>

#include "model/error_codes.h"
#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_internal.h"

namespace switchboard::model {
namespace {

// Headers a receiver must be able to trust came from us, or that belong to
// the connection rather than the message (hop-by-hop).
constexpr std::array<std::string_view, 21> kReservedHeaders{
    "Host",
    "Content-Length",
    "Content-Type",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "Proxy-Authorization",
    "TE",
    "Trailer",
    "Upgrade",
    "Expect",
    "User-Agent",
    "X-MyOperator-Signature",
    "X-MO-Signature",
    "X-MO-Event-Id",
    "X-MO-Delivery-Attempt",
    "X-MO-Timestamp",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
};

constexpr std::string_view kAuthorization = "Authorization";

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-"
//                        / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

bool is_valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_reserved_header(std::string_view name) {
  for (std::string_view reserved : kReservedHeaders) {
    if (input_detail::iequals(name, reserved)) return true;
  }
  return false;
}

namespace input_detail {

std::optional<std::string> header_value_problem(std::string_view value) {
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n') return "Header values must not contain line breaks.";
    if (c == '\0') return "Header values must not contain NUL characters.";
    // RFC 9110 §5.5: field values are visible characters, spaces and tabs.
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return "Header values must not contain control characters.";
    }
  }
  return std::nullopt;
}

std::vector<HeaderRow> read_header_rows(const boost::json::value& value, ErrorSink& errors) {
  std::vector<HeaderRow> rows;
  if (value.is_null()) return rows;  // null clears the headers
  if (!value.is_array()) {
    errors.invalid_type("headers", "an array");
    return rows;
  }
  const boost::json::array& array = value.get_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string path = index_path("headers", i);
    HeaderRow row;
    if (!array[i].is_object()) {
      errors.invalid_type(path, "an object with \"key\" and \"value\"");
      row.key_ok = row.value_ok = false;
      rows.push_back(std::move(row));
      continue;
    }
    const boost::json::object& object = array[i].get_object();
    reject_unknown_fields(object, {"key", "value"}, path, errors);
    bool key_type_error = false;
    row.key = string_member(object, "key", member_path(path, "key"), errors, &key_type_error).value_or("");
    row.key_ok = !key_type_error;
    // The value is optional: absent or null means an empty value.
    if (const boost::json::value* v = object.if_contains("value"); v != nullptr && !v->is_null()) {
      if (v->is_string()) {
        row.value = std::string(v->get_string());
      } else {
        errors.invalid_type(member_path(path, "value"), "a string");
        row.value_ok = false;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void keep_masked_header_values(std::vector<HeaderRow>& rows, const std::vector<KeyValue>* current,
                               std::vector<std::string>& kept, ErrorSink& errors) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    HeaderRow& row = rows[i];
    // A row without a usable key has its own error already (or will, from
    // validate_header_rows): its value is not looked up.
    if (!row.value_ok || row.value != kMaskedSecret || !row.key_ok || row.key.empty()) continue;
    const std::string path = member_path(index_path("headers", i), "value");
    const KeyValue* stored = nullptr;
    if (current != nullptr) {
      for (const KeyValue& header : *current) {
        if (iequals(header.key, row.key)) {
          stored = &header;
          break;
        }
      }
    }
    if (stored == nullptr) {
      errors.invalid(path, error_codes::kInvalidValue,
                     "The masked value can only keep the value of an existing "
                     "header with the same key; "
                     "enter the value.");
      row.value_ok = false;
      continue;
    }
    row.value = stored->value;
    if (!row.value.empty()) kept.push_back(path);
  }
}

std::vector<HeaderRow> to_header_rows(const std::vector<KeyValue>& headers) {
  std::vector<HeaderRow> rows;
  rows.reserve(headers.size());
  for (const KeyValue& header : headers) rows.push_back(HeaderRow{header.key, header.value});
  return rows;
}

std::vector<KeyValue> to_key_values(const std::vector<HeaderRow>& rows) {
  std::vector<KeyValue> headers;
  headers.reserve(rows.size());
  for (const HeaderRow& row : rows) headers.push_back(KeyValue{row.key, row.value});
  return headers;
}

namespace {

// The first rule `key` breaks, as {code, message}; nullopt when it is fine.
// `seen` holds the lower-cased keys of earlier valid rows.
std::optional<std::pair<std::string, std::string>> header_key_problem(const std::string& key,
                                                                      const std::set<std::string>& seen,
                                                                      const WebhookAuth* auth) {
  using Problem = std::pair<std::string, std::string>;
  if (key.empty()) return Problem{error_codes::kRequired, "Header key is required."};
  if (key.size() > limits::kMaxHeaderKeyLength) {
    return Problem{error_codes::kTooLong, "Header key must be at most " +
                                              std::to_string(limits::kMaxHeaderKeyLength) + " characters."};
  }
  if (!is_valid_header_name(key)) {
    return Problem{error_codes::kInvalidHeaderName, "Header key \"" + key +
                                                        "\" is not a valid HTTP header name (letters, digits "
                                                        "and !#$%&'*+-.^_`|~)."};
  }
  if (is_reserved_header(key)) {
    return Problem{error_codes::kReservedHeader,
                   "Header \"" + key + "\" is set by Switchboard and cannot be overridden."};
  }
  if (auth != nullptr && auth->type == AuthType::kBasic && iequals(key, kAuthorization)) {
    return Problem{error_codes::kReservedHeader, "Header \"" + key + "\" is set by Basic authentication."};
  }
  if (seen.count(to_lower(key)) != 0) {
    return Problem{error_codes::kDuplicateKey, "Duplicate header key \"" + key + "\"."};
  }
  if (auth != nullptr && auth->type == AuthType::kApiKey && auth->location == ApiKeyLocation::kHeader) {
    for (const KeyValue& api_key : auth->keys) {
      if (!api_key.key.empty() && iequals(api_key.key, key)) {
        return Problem{error_codes::kDuplicateKey,
                       "Header \"" + key + "\" is already sent by API key authentication."};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

void validate_header_rows(const std::vector<HeaderRow>& rows, const WebhookAuth* auth, ErrorSink& errors) {
  if (rows.size() > limits::kMaxCustomHeaders) {
    errors.invalid("headers", error_codes::kTooMany,
                   "At most " + std::to_string(limits::kMaxCustomHeaders) + " custom headers are allowed.");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const HeaderRow& row = rows[i];
    const std::string path = index_path("headers", i);
    if (row.key_ok) {
      if (auto problem = header_key_problem(row.key, seen, auth)) {
        errors.invalid(member_path(path, "key"), problem->first, problem->second);
      }
      // Every later row with the same key is a duplicate, even when this one is
      // itself broken.
      if (!row.key.empty()) seen.insert(to_lower(row.key));
    }
    if (row.value_ok) {
      if (row.value.size() > limits::kMaxHeaderValueLength) {
        errors.invalid(
            member_path(path, "value"), error_codes::kTooLong,
            "Header value must be at most " + std::to_string(limits::kMaxHeaderValueLength) + " characters.");
      } else if (auto problem = header_value_problem(row.value)) {
        errors.invalid(member_path(path, "value"), error_codes::kInvalidHeaderValue, *problem);
      }
    }
  }
}

}  // namespace input_detail
}  // namespace switchboard::model
