// Verification of one Switchboard delivery request, as a receiver sees it
// (spec.md §2 "Delivery request"):
//   X-MyOperator-Signature: <hex HMAC-SHA256(secret, body)>            (seed 002)
//   X-MO-Signature: sha256=<same hex>                                   (seed 004)
//   webhook-id / webhook-timestamp / webhook-signature: v1,<base64>     (Standard Webhooks)
// plus the delivery headers (X-MO-Event-Id, X-MO-Delivery-Attempt,
// X-MO-Timestamp) and the envelope's event_id.
//
// During a secret rotation a header may carry several signatures (comma-
// separated for the two hex schemes, space-separated for webhook-signature);
// a scheme verifies when any of them matches any configured secret.
//
// Pure functions: no I/O, "now" is passed in. Safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::receiver {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct VerifyOptions {
  // "whsec_…" or raw secrets; empty: signatures are not checked (reported as unchecked).
  std::vector<std::string> secrets;
  // Largest accepted |now - timestamp| for X-MO-Timestamp and webhook-timestamp;
  // nullopt disables the check (time-scaled tests replay old deliveries).
  std::optional<std::chrono::seconds> timestamp_tolerance = std::chrono::minutes(5);
};

struct Verification {
  std::string event_id;               // the envelope's event_id ("" when the body has none)
  std::string event_type;             // the envelope's event_type
  int attempt = 0;                    // X-MO-Delivery-Attempt; 0 when missing or invalid
  std::optional<long long> sequence;  // the envelope's event_sequence
  std::string call_id;                // data.call_id, when present
  bool signatures_checked = false;    // false when no secret is configured
  std::vector<std::string> errors;    // every check that failed, in a fixed order

  bool ok() const { return errors.empty(); }
};

Verification verify_delivery(const Headers& headers, std::string_view body, const VerifyOptions& options,
                             std::int64_t now_unix_seconds);

// Building blocks, exposed for tests and fuzzing.

// Every value of the header `name` (case-insensitive), in order.
std::vector<std::string_view> header_values(const Headers& headers, std::string_view name);

// The Standard Webhooks HMAC key: for "whsec_…" the base64-decoded remainder
// ('=' padding added when missing); nullopt when that is not valid base64.
// Any other secret is used as its raw bytes.
std::optional<std::string> standard_webhooks_key(std::string_view secret);

// Lowercase hex HMAC-SHA256 keyed with the secret's bytes as-is (seed 002 / 004).
std::string hex_signature(std::string_view secret, std::string_view body);
// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>"; nullopt when the secret has no valid key.
std::optional<std::string> standard_webhooks_signature(std::string_view secret, std::string_view id,
                                                       std::string_view timestamp, std::string_view body);

// One header value against the secrets. `header` may hold several signatures.
bool myoperator_signature_matches(std::string_view header, const std::vector<std::string>& secrets,
                                  std::string_view body);
bool mo_signature_matches(std::string_view header, const std::vector<std::string>& secrets,
                          std::string_view body);
bool standard_webhooks_signature_matches(std::string_view header, std::string_view id,
                                         std::string_view timestamp, const std::vector<std::string>& secrets,
                                         std::string_view body);

// Decimal digits only (no sign, no spaces), at most 18 of them.
std::optional<long long> parse_decimal(std::string_view text);

}  // namespace switchboard::receiver
