// Parsing and validation of webhook create/patch request bodies (spec §2).
// Pure functions over an already-parsed JSON value; no I/O.
//
// Outcomes:
//   - the body is not an object, or has a field we do not know -> kMalformed (HTTP 400);
//   - any field breaks a rule -> kInvalid (HTTP 422) with EVERY broken rule listed,
//     each with a field path ("headers[2].key"), a snake_case code and a message.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/webhook.h"

namespace switchboard::model {

// On PATCH, "secret":"keep" keeps the signing secret: the explicit choice
// that a change of the URL's origin asks for (webhook_origin.h).
inline constexpr std::string_view kKeepSecret = "keep";

// The exact message for a URL that is not HTTPS (spec §2).
inline constexpr std::string_view kHttpsRequiredMessage = "Valid HTTPS URL required.";

struct FieldError {
  std::string field;    // "url", "auth.keys[0].name", "headers[2].key", "events[1]"
  std::string code;     // "required", "https_required", "too_long", "invalid_url",
                        // "invalid_type", "invalid_value", "too_many", "too_few",
                        // "duplicate_key", "reserved_header", "invalid_header_name",
                        // "invalid_header_value", "unknown_event", "invalid_secret",
                        // "credentials_required", "secret_decision_required"
  std::string message;  // a human sentence
  bool operator==(const FieldError&) const = default;
};

struct InputFailure {
  enum class Kind { kMalformed, kInvalid };
  Kind kind = Kind::kInvalid;
  std::vector<FieldError> errors;  // non-empty
};

// What the request asks to do with the signing secret.
struct SecretChange {
  enum class Kind { kKeep, kClear, kGenerate, kSet };
  Kind kind = Kind::kKeep;
  std::string value;  // for kSet: the whsec_… secret
  // The body said what to do ("keep", "generate", a whsec_… value, null);
  // false when `secret` was absent or the masked value was sent back.
  bool decided = false;
};

struct WebhookInput {
  WebhookSpec spec;     // complete and valid: for PATCH, the current spec with changes applied
  SecretChange secret;  // create: "generate" -> kGenerate, "whsec_…" -> kSet, null/absent -> kKeep
  // PATCH only: the paths in `spec` of the non-empty secret values that are
  // the stored ones rather than sent anew (a masked value sent back, or the
  // member left out): "auth.password", "auth.keys[1].value", "headers[0].value".
  std::vector<std::string> kept_credentials;
};

template <typename T>
using InputResult = tl::expected<T, InputFailure>;

// POST /api/v2/webhooks. Required: url, events. Optional: name, description,
// auth (default none), headers, filters, secret.
InputResult<WebhookInput> parse_webhook_create(const boost::json::value& body);

// PATCH /api/v2/webhooks/{id}: fields present replace the current ones
// (auth, headers, events and filters are replaced whole); masked secret values
// keep the stored ones (the API key or header of the same name,
// case-insensitively). The merged result is validated as a whole. Whether the
// URL's origin changes is not judged here: see credentials_for_new_origin.
InputResult<WebhookInput> parse_webhook_patch(const boost::json::value& body, const WebhookSpec& current);

// Rules for single values, exposed for reuse and for table tests.
std::vector<FieldError> validate_url(std::string_view url);  // field "url"
bool is_valid_header_name(std::string_view name);            // RFC 9110 token
bool is_reserved_header(std::string_view name);              // case-insensitive
bool is_valid_secret(std::string_view secret);               // whsec_ + base64 of 24..64 bytes

}  // namespace switchboard::model
