// Single-value rules (URL, signing secret) and the small helpers the webhook
// body parser shares between its files.
#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <string>

#include "common/crypto.h"
#include "model/error_codes.h"
#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_internal.h"

namespace switchboard::model {

namespace input_detail {

void ErrorSink::malformed(std::string field, std::string code, std::string message) {
  malformed_.push_back(FieldError{std::move(field), std::move(code), std::move(message)});
}

void ErrorSink::invalid(std::string field, std::string code, std::string message) {
  invalid_.push_back(FieldError{std::move(field), std::move(code), std::move(message)});
}

void ErrorSink::invalid_type(std::string field, std::string_view expected) {
  std::string message = field + " must be " + std::string(expected) + ".";
  invalid(std::move(field), error_codes::kInvalidType, std::move(message));
}

InputFailure ErrorSink::to_failure() && {
  // A body with fields we do not know may mean something we do not
  // understand, so the other errors (often its consequences, e.g. a misspelt
  // "evnts" leaving "events" missing) are not reported beside it.
  if (!malformed_.empty()) return InputFailure{InputFailure::Kind::kMalformed, std::move(malformed_)};
  return InputFailure{InputFailure::Kind::kInvalid, std::move(invalid_)};
}

std::string member_path(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string path(prefix);
  path += '.';
  path += name;
  return path;
}

std::string index_path(std::string_view prefix, std::size_t index) {
  return std::string(prefix) + "[" + std::to_string(index) + "]";
}

void reject_unknown_fields(const boost::json::object& object, std::initializer_list<std::string_view> known,
                           std::string_view prefix, ErrorSink& errors) {
  reject_unknown_fields(object, std::vector<std::string_view>(known), prefix, errors);
}

void reject_unknown_fields(const boost::json::object& object, const std::vector<std::string_view>& known,
                           std::string_view prefix, ErrorSink& errors) {
  for (const auto& member : object) {
    const std::string_view name = member.key();
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string path = member_path(prefix, name);
    errors.malformed(path, error_codes::kUnknownField, "Unknown field \"" + path + "\".");
  }
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::optional<std::string> string_member(const boost::json::object& object, std::string_view name,
                                         const std::string& path, ErrorSink& errors, bool* type_error) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    errors.invalid_type(path, "a string");
    if (type_error != nullptr) *type_error = true;
    return std::nullopt;
  }
  return std::string(value->get_string());
}

}  // namespace input_detail

namespace {

constexpr std::string_view kHttpsPrefix = "https://";
constexpr std::string_view kSecretPrefix = "whsec_";

FieldError url_error(std::string code, std::string message) {
  return FieldError{"url", std::move(code), std::move(message)};
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
}

// `digits` is what the URL grammar accepts as a port: zero or more digits.
bool is_valid_port(std::string_view digits) {
  unsigned long value = 0;
  for (char c : digits) {
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) return false;
  }
  return value != 0;
}

}  // namespace

std::vector<FieldError> validate_url(std::string_view url) {
  // One error at most: the first rule broken, in the order a user fixes them.
  if (url.empty()) return {url_error(error_codes::kRequired, "URL is required.")};
  if (url.size() < kHttpsPrefix.size() ||
      !input_detail::iequals(url.substr(0, kHttpsPrefix.size()), kHttpsPrefix)) {
    return {url_error(error_codes::kHttpsRequired, std::string(kHttpsRequiredMessage))};
  }
  if (url.size() > limits::kMaxUrlLength) {
    return {url_error(error_codes::kTooLong,
                      "URL must be at most " + std::to_string(limits::kMaxUrlLength) + " characters.")};
  }
  if (has_space_or_control(url)) {
    return {url_error(error_codes::kInvalidUrl, "URL must not contain spaces or control characters.")};
  }
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return {url_error(error_codes::kInvalidUrl, "URL is not valid.")};
  const boost::urls::url_view& view = *parsed;
  if (view.encoded_host().empty()) return {url_error(error_codes::kInvalidUrl, "URL must include a host.")};
  if (view.has_userinfo()) {
    return {url_error(error_codes::kInvalidUrl,
                      "URL must not contain a user name or password; use Basic "
                      "auth instead.")};
  }
  if (view.has_port() && !is_valid_port(view.port())) {
    return {url_error(error_codes::kInvalidUrl, "URL port must be between 1 and 65535.")};
  }
  if (view.has_fragment())
    return {url_error(error_codes::kInvalidUrl, "URL must not contain a fragment (#…).")};
  return {};
}

bool is_valid_secret(std::string_view secret) {
  if (secret.size() <= kSecretPrefix.size() || secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return false;
  }
  std::string encoded(secret.substr(kSecretPrefix.size()));
  // Padding is optional (Standard Webhooks secrets are often written without
  // it); when present it must be complete.
  if (encoded.find('=') == std::string::npos) {
    if (encoded.size() % 4 == 1) return false;
    encoded.append((4 - encoded.size() % 4) % 4, '=');
  }
  const std::optional<std::string> key = crypto::base64_decode(encoded);
  return key && key->size() >= limits::kMinSecretBytes && key->size() <= limits::kMaxSecretBytes;
}

}  // namespace switchboard::model
