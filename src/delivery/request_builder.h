// RequestBuilder: the exact HTTP request one delivery attempt sends (spec §2
// "Delivery request"): URL (api_key/query rows appended), headers, signatures.
// Pure functions of their inputs; no I/O, no clock. Thread-safe.
//
// Signatures, for a webhook with a secret:
//   X-MyOperator-Signature: hex(HMAC-SHA256(key = the secret string as-is, body))
//   X-MO-Signature:         sha256=<the same hex>
//   webhook-id / webhook-timestamp / webhook-signature: Standard Webhooks,
//     "v1," + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")), where the key
//     of a "whsec_" secret is the base64-decoded remainder and of any other
//     secret its raw bytes.
// While a rotation is in progress (previous_secret set and
// previous_secret_expires_at > now) both secrets sign: webhook-signature holds
// two space-separated entries, X-MyOperator-Signature and X-MO-Signature two
// comma-separated values; the new secret comes first everywhere.
//
// Asymmetric signatures (issue 16 item 5, model/signing_keys.h): a webhook
// with an Ed25519 key adds "v1a," + base64(Ed25519(key, "<id>.<timestamp>.<body>"))
// to webhook-signature after the HMAC entries (the previous key's entry too
// while its rotation grace lasts, the new key first); with a key but no secret,
// webhook-signature holds only those, and the X-MyOperator/X-MO headers are
// absent. The client certificate (mutual TLS) rides along in BuiltRequest for
// the HTTP client to present.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/webhook.h"

namespace switchboard::delivery {

struct HttpHeader {
  std::string name;
  std::string value;
  bool operator==(const HttpHeader&) const = default;
};

// What masking puts in place of a secret (auth values, api keys, custom
// header values, signatures): the model's one masked value.
inline constexpr std::string_view kMaskedValue = model::kMaskedSecret;

struct DeliveryRequestInput {
  std::string event_id;
  std::string_view payload;  // the exact bytes sent and signed
  int attempt = 1;           // 1-based
  TimePoint now{};           // X-MO-Timestamp / webhook-timestamp, and whether a rotation is live
  std::string user_agent;
};

struct BuiltRequest {
  std::string url;
  std::vector<HttpHeader> headers;
  // The same request for the attempt log: every header value but those
  // model::is_public_request_header names, and api key values in the query,
  // replaced with kMaskedValue.
  std::string masked_url;
  std::vector<HttpHeader> masked_headers;
  // The webhook's client certificate for mutual TLS; null = none (issue 16 item 5).
  std::shared_ptr<const model::ClientCertificate> client_certificate;
};

// kInvalidArgument when the webhook's URL does not parse (validation should
// have prevented that).
Result<BuiltRequest> build_delivery_request(const model::Webhook& webhook, const DeliveryRequestInput& input);

// The Standard Webhooks signing key of `secret` (see the header comment).
std::string standard_webhooks_key(std::string_view secret);
// hex(HMAC-SHA256(secret, body)), the X-MyOperator-Signature value for one secret.
std::string myoperator_signature(std::string_view secret, std::string_view body);
// "v1,<base64>", one webhook-signature entry for one secret.
std::string standard_webhooks_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                                        std::string_view body);

// "v1a,<base64>", one webhook-signature entry for one Ed25519 key (issue 16 item 5).
std::string ed25519_webhooks_signature(const model::Ed25519Key& key, std::string_view id,
                                       std::int64_t timestamp, std::string_view body);

// A header list as the attempt log stores it: a JSON array of [name, value].
std::string headers_to_json(const std::vector<HttpHeader>& headers);

}  // namespace switchboard::delivery
