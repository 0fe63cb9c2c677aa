#include "api/webhook_json.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "model/client_certificate.h"
#include "model/webhook_input.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

// API key and custom header rows: the names as stored, every value masked.
json::array masked_values(const std::vector<model::KeyValue>& rows, std::string_view key_name) {
  json::array out;
  for (const auto& row : rows)
    out.push_back(json::object{{key_name, row.key}, {"value", model::kMaskedSecret}});
  return out;
}

json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

json::object auth_json(const model::WebhookAuth& auth) {
  json::object out{{"type", model::to_string(auth.type)}};
  switch (auth.type) {
    case model::AuthType::kNone:
      break;
    case model::AuthType::kBasic:
      out["username"] = auth.username;
      out["password"] = model::kMaskedSecret;
      break;
    case model::AuthType::kApiKey:
      out["location"] = model::to_string(auth.location);
      out["keys"] = masked_values(auth.keys, "name");
      break;
  }
  return out;
}

// Issue 16 item 5: what may be seen of the client certificate (never its key)
// and of the Ed25519 keys (their public halves, "whpk_…").
json::value client_certificate_json(const model::Webhook& webhook) {
  if (!webhook.client_certificate) return nullptr;
  const model::ClientCertificate& certificate = *webhook.client_certificate;
  return json::object{{"subject", certificate.subject},
                      {"issuer", certificate.issuer},
                      {"not_after", format_rfc3339(certificate.not_after)},
                      {"fingerprint_sha256", certificate.fingerprint_sha256}};
}

void add_signing_keys(json::object& out, const model::SigningKeys& keys) {
  out["ed25519_public_key"] =
      keys.ed25519 ? json::value(model::ed25519_public_key_text(*keys.ed25519)) : json::value(nullptr);
  if (keys.previous_ed25519 && keys.previous_expires_at) {
    out["previous_ed25519_public_key"] = model::ed25519_public_key_text(*keys.previous_ed25519);
    out["previous_ed25519_expires_at"] = format_rfc3339(*keys.previous_expires_at);
  }
}

}  // namespace

json::object webhook_json(const model::Webhook& webhook, std::optional<std::string_view> reveal_secret,
                          std::optional<TimePoint> failing_since) {
  const auto& spec = webhook.spec;
  json::object out{
      {"id", webhook.id},
      {"name", spec.name},
      {"description", spec.description},
      {"url", spec.url},
      {"status", model::to_string(webhook.status)},
      {"auth", auth_json(spec.auth)},
      {"headers", masked_values(spec.headers, "key")},
      {"events", strings(spec.events)},
      {"filters", json::object{{"direction", strings(spec.filters.direction)},
                               {"department_ids", strings(spec.filters.department_ids)},
                               {"agent_ids", strings(spec.filters.agent_ids)}}},
      {"has_secret", webhook.secret.has_value()},
      {"consecutive_failures", webhook.consecutive_exhausted},
      {"last_delivery", nullptr},
      {"failing_since", failing_since ? json::value(format_rfc3339(*failing_since)) : json::value(nullptr)},
      {"created_at", format_rfc3339(webhook.created_at)},
      {"updated_at", format_rfc3339(webhook.updated_at)},
  };
  if (webhook.previous_secret_expires_at && webhook.previous_secret) {
    out["previous_secret_expires_at"] = format_rfc3339(*webhook.previous_secret_expires_at);
  }
  // Delivery controls and receiver signals (issue 16 items 3, 4).
  out["timeout_ms"] = spec.delivery.timeout_ms;
  out["max_in_flight"] = spec.delivery.max_in_flight;
  out["max_rate"] = spec.delivery.max_rate ? json::value(*spec.delivery.max_rate) : json::value(nullptr);
  out["disabled_reason"] = webhook.disabled_reason ? json::value(model::to_string(*webhook.disabled_reason))
                                                   : json::value(nullptr);
  if (reveal_secret) out["secret"] = *reveal_secret;
  out["client_certificate"] = client_certificate_json(webhook);  // issue 16 item 5
  add_signing_keys(out, webhook.signing_keys);
  return out;
}

}  // namespace switchboard::api
