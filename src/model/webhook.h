// Webhook v2: the configuration a company admin sets for one endpoint.
// Plain value types; no I/O. Secrets are held here in clear: encryption at
// rest is the store's job, masking in responses is the API's job (with the
// one rule below: kMaskedSecret and is_public_request_header).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "model/limits.h"
#include "model/signing_keys.h"

namespace switchboard::model {

enum class AuthType { kNone, kBasic, kApiKey };
enum class ApiKeyLocation { kHeader, kQuery };
enum class WebhookStatus { kActive, kInactive, kFailed };

std::string_view to_string(AuthType type);
std::string_view to_string(ApiKeyLocation location);
std::string_view to_string(WebhookStatus status);
std::optional<WebhookStatus> parse_webhook_status(std::string_view text);

// The value that API answers, logs and the attempt log show in place of a
// secret: the Basic password, API key values, every custom header value (v1
// and v2), signatures. On PATCH, a secret field whose value is exactly this
// keeps the stored secret, so a client can send back what it read.
inline constexpr std::string_view kMaskedSecret = "********";

// Whether a header of a delivery request may be shown (failure inspect,
// attempt log) as it was sent: only the headers Switchboard itself sets with
// values that are not secret, signatures included (an HMAC of one body and
// timestamp, not the secret). Every other header (Authorization, API keys,
// custom headers) is shown as kMaskedSecret. Case-insensitive.
bool is_public_request_header(std::string_view name);

struct ClientCertificate;  // model/client_certificate.h

struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};

struct WebhookAuth {
  AuthType type = AuthType::kNone;
  std::string username;                               // kBasic
  std::string password;                               // kBasic, secret
  ApiKeyLocation location = ApiKeyLocation::kHeader;  // kApiKey
  std::vector<KeyValue> keys;                         // kApiKey, values are secret
  bool operator==(const WebhookAuth&) const = default;
};

// Per-webhook delivery controls (issue 16 item 4), edited with the spec.
// Defaults are the engine's behaviour without them; bounds are in limits.h.
struct DeliveryControls {
  int timeout_ms = limits::kMaxWebhookTimeoutMs;    // total per request, from limits::kMinWebhookTimeoutMs
  int max_in_flight = limits::kMaxWebhookInFlight;  // requests in flight at once, from 1
  // Requests started per second at most (token bucket on the monotonic clock);
  // nullopt = unlimited.
  std::optional<int> max_rate;
  bool operator==(const DeliveryControls&) const = default;
};

// Why the delivery engine took a webhook out of service (status `inactive`),
// kept until an admin enables it again; nullopt for an admin's disable.
enum class DisabledReason { kGone /* the receiver answered 410 Gone */ };
std::string_view to_string(DisabledReason reason);
std::optional<DisabledReason> parse_disabled_reason(std::string_view text);

struct WebhookFilters {
  std::vector<std::string> direction;  // "inbound" | "outbound"; empty = all
  std::vector<std::string> department_ids;
  std::vector<std::string> agent_ids;
  bool operator==(const WebhookFilters&) const = default;
};

// Everything a user edits on a webhook (what PATCH compares for `no_changes`).
struct WebhookSpec {
  std::string name;
  std::string description;
  std::string url;
  WebhookAuth auth;
  std::vector<KeyValue> headers;    // values are secret: sealed at rest, masked in answers
  std::vector<std::string> events;  // event types, in catalog order, no duplicates
  WebhookFilters filters;
  DeliveryControls delivery;  // timeout_ms, max_in_flight, max_rate
  bool operator==(const WebhookSpec&) const = default;
};

struct Webhook {
  std::string id;  // wh_…
  std::string company_id;
  WebhookSpec spec;
  std::optional<std::string> secret;           // whsec_…, secret
  std::optional<std::string> previous_secret;  // still signs until previous_secret_expires_at
  std::optional<TimePoint> previous_secret_expires_at;
  WebhookStatus status = WebhookStatus::kActive;
  int consecutive_exhausted = 0;                  // deliveries in a row that exhausted their window
  std::optional<DisabledReason> disabled_reason;  // set with kInactive by the engine (410)
  TimePoint created_at{};
  TimePoint updated_at{};
  // Mutual TLS and Ed25519 signatures (issue 16 item 5), each changed only by
  // its own narrow write. The certificate is immutable once made, so copies of
  // the webhook share it rather than copy its PEM; null = none.
  std::shared_ptr<const ClientCertificate> client_certificate;
  SigningKeys signing_keys;
};

}  // namespace switchboard::model
