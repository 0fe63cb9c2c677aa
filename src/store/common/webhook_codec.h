// Webhook rows as both stores hold them (SQLite and PostgreSQL use the same
// text): the JSON text columns of the webhooks table (auth, headers, events,
// filters), the sealed secret columns, and the v1_webhooks parameter lists.
// Secrets inside them (the basic-auth password, every API key value, every
// custom header value, the signing secrets, v1 header and query values) are
// sealed with the SecretBox on the way in and opened on the way out, so no
// secret is ever written to the database in clear.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/result.h"
#include "model/v1_webhook.h"
#include "model/webhook.h"
#include "model/webhook_changes.h"

namespace switchboard::store {

std::string encode_auth(const model::WebhookAuth& auth, const crypto::SecretBox& secrets);
// kInternal when the column is malformed or a sealed value does not open
// (e.g. the store was opened with a different key).
Result<model::WebhookAuth> decode_auth(std::string_view column, const crypto::SecretBox& secrets);

// The custom headers: [{"key":"…","sealed":"<sealed value>"}]. Rows written
// before header values were sealed hold [{"key":"…","value":"<clear>"}]; they
// still decode, and reseal_key_values() turns them into the sealed form.
std::string encode_key_values(const std::vector<model::KeyValue>& pairs, const crypto::SecretBox& secrets);
Result<std::vector<model::KeyValue>> decode_key_values(std::string_view column,
                                                       const crypto::SecretBox& secrets);
// The column re-encoded with every value sealed when it holds a value in
// clear; nullopt when it is already sealed (or does not decode: left as is
// for decode_key_values to report).
std::optional<std::string> reseal_key_values(std::string_view column, const crypto::SecretBox& secrets);

std::string encode_strings(const std::vector<std::string>& values);
Result<std::vector<std::string>> decode_strings(std::string_view column);

// The delivery controls (issue 16 item 4): {"timeout_ms":…,"max_in_flight":…,
// "max_rate":…|null}. A member left out (rows from before the column: '{}')
// reads as its default.
std::string encode_delivery_controls(const model::DeliveryControls& controls);
Result<model::DeliveryControls> decode_delivery_controls(std::string_view column);

// The disabled_reason column: NULL, or model::to_string(DisabledReason).
std::optional<std::string> encode_disabled_reason(const std::optional<model::DisabledReason>& reason);

std::string encode_filters(const model::WebhookFilters& filters);
Result<model::WebhookFilters> decode_filters(std::string_view column);

// A secret column: sealed text, or NULL for no secret.
std::optional<std::string> seal_optional(const std::optional<std::string>& secret,
                                         const crypto::SecretBox& secrets);
Result<std::optional<std::string>> open_optional(const std::optional<std::string>& sealed,
                                                 const crypto::SecretBox& secrets);

// A webhook as its columns hold it: JSON text and sealed secrets. Built
// before the write (sealing is not free, and a retried write reuses it).
struct WebhookColumns {
  std::string name, description, url, auth, headers, events, filters;
  std::optional<std::string> secret, previous_secret;
  std::optional<TimePoint> previous_secret_expires_at;
  std::string status;
  int consecutive_exhausted = 0;
  TimePoint created_at{}, updated_at{};
  std::string delivery_controls = "{}";  // encode_delivery_controls
  std::optional<std::string> disabled_reason;
  // Issue 16 item 5 (webhook_key_codec.h): NULL when the webhook has none.
  // encode_webhook leaves them out: a new webhook has neither, and each has
  // its own narrow write (WebhookStore::set_webhook_client_certificate,
  // set_webhook_signing_keys).
  std::optional<std::string> client_certificate, signing_keys;
};
WebhookColumns encode_webhook(const model::Webhook& webhook, const crypto::SecretBox& secrets);

// A webhooks row as read (store/common/rows.h: stored_webhook_from_row).
struct StoredWebhook {
  std::string id, company_id;
  WebhookColumns columns;
};
// Opens the secrets and parses the JSON columns. kInternal when a column is
// malformed, a sealed value does not open, or the status is unknown.
Result<model::Webhook> decode_webhook(StoredWebhook row, const crypto::SecretBox& secrets);

// The parts the narrow writes change (WebhookStore::update_webhook_spec,
// rotate_webhook_secret), as their columns hold them.
struct WebhookSpecColumns {
  std::string name, description, url, auth, headers, events, filters;
  std::string delivery_controls = "{}";
};
WebhookSpecColumns encode_spec(const model::WebhookSpec& spec, const crypto::SecretBox& secrets);
struct WebhookSecretColumns {
  std::optional<std::string> secret, previous_secret;
  std::optional<TimePoint> previous_secret_expires_at;
};
WebhookSecretColumns encode_secrets(const model::WebhookSecrets& webhook_secrets,
                                    const crypto::SecretBox& secrets);

// Calling webhooks v1: headers and query rows as [{"key","value":<sealed>}]
// (the values may be credentials, so every one is sealed).
std::string encode_v1_params(const std::vector<model::V1Param>& params, const crypto::SecretBox& secrets);
Result<std::vector<model::V1Param>> decode_v1_params(std::string_view column,
                                                     const crypto::SecretBox& secrets);

// The text and boolean columns of a v1_webhooks row.
struct V1Columns {
  std::string type, url, method, headers, query, fields;
  bool enabled = true;
};
V1Columns encode_v1_webhook(const model::V1Webhook& webhook, const crypto::SecretBox& secrets);

}  // namespace switchboard::store
