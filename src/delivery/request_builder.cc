#include "delivery/request_builder.h"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "common/crypto.h"

namespace switchboard::delivery {

namespace {

constexpr std::string_view kStandardWebhooksPrefix = "whsec_";

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The secrets that sign now, newest first.
std::vector<std::string_view> signing_secrets(const model::Webhook& webhook, TimePoint now) {
  std::vector<std::string_view> secrets;
  if (!webhook.secret || webhook.secret->empty()) return secrets;
  secrets.push_back(*webhook.secret);
  if (webhook.previous_secret && !webhook.previous_secret->empty() && webhook.previous_secret_expires_at &&
      *webhook.previous_secret_expires_at > now) {
    secrets.push_back(*webhook.previous_secret);
  }
  return secrets;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// Defence in depth behind input validation: a CR, LF or NUL in a stored
// header could otherwise inject headers; each becomes a space.
std::string header_safe(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  }
  return text;
}

// Adds a header to both lists; the log copy masks every value but those of
// the headers model::is_public_request_header names (one rule for the
// attempt log and the failure inspect).
void add(BuiltRequest& request, std::string name, std::string value) {
  name = header_safe(std::move(name));
  value = header_safe(std::move(value));
  request.masked_headers.push_back(
      {name, model::is_public_request_header(name) ? value : std::string(kMaskedValue)});
  request.headers.push_back({std::move(name), std::move(value)});
}

// What Standard Webhooks signs: "<id>.<timestamp>.<body>".
std::string signed_content(std::string_view id, std::int64_t timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return content;
}

}  // namespace

std::string standard_webhooks_key(std::string_view secret) {
  if (secret.substr(0, kStandardWebhooksPrefix.size()) == kStandardWebhooksPrefix) {
    std::string encoded(secret.substr(kStandardWebhooksPrefix.size()));
    // Some generators drop the padding; crypto::base64_decode is strict.
    while (encoded.size() % 4 != 0) encoded += '=';
    if (auto key = crypto::base64_decode(encoded)) return *key;
  }
  // Not a whsec_ secret (or not valid base64 after the prefix): its raw bytes.
  return std::string(secret);
}

std::string myoperator_signature(std::string_view secret, std::string_view body) {
  return crypto::hex_encode(crypto::hmac_sha256(secret, body));
}

std::string standard_webhooks_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                                        std::string_view body) {
  return "v1," + crypto::base64_encode(
                     crypto::hmac_sha256(standard_webhooks_key(secret), signed_content(id, timestamp, body)));
}

std::string ed25519_webhooks_signature(const model::Ed25519Key& key, std::string_view id,
                                       std::int64_t timestamp, std::string_view body) {
  return std::string(model::kEd25519SignaturePrefix) +
         crypto::base64_encode(model::ed25519_sign(key, signed_content(id, timestamp, body)));
}

Result<BuiltRequest> build_delivery_request(const model::Webhook& webhook,
                                            const DeliveryRequestInput& input) {
  auto parsed = boost::urls::parse_uri(webhook.spec.url);
  if (!parsed)
    return make_error(ErrorCode::kInvalidArgument, "webhook URL does not parse: " + webhook.spec.url);
  boost::urls::url url(*parsed);
  boost::urls::url masked_url(*parsed);
  const auto& auth = webhook.spec.auth;
  if (auth.type == model::AuthType::kApiKey && auth.location == model::ApiKeyLocation::kQuery) {
    // Everything but RFC 3986 unreserved characters is percent-encoded, so
    // that no decoder can misread a value ('+' as a space, '=' or '&' as syntax).
    const auto encode = [](std::string_view text) {
      return boost::urls::encode(text, boost::urls::unreserved_chars);
    };
    for (const auto& row : auth.keys) {
      const std::string key = encode(row.key);
      url.encoded_params().append({key, encode(row.value)});
      masked_url.encoded_params().append({key, kMaskedValue});
    }
  }

  BuiltRequest request;
  request.url = std::string(url.buffer());
  request.masked_url = std::string(masked_url.buffer());

  const std::int64_t timestamp = unix_seconds(input.now);
  const std::string timestamp_text = std::to_string(timestamp);
  add(request, "Content-Type", "application/json");
  add(request, "User-Agent", input.user_agent);
  add(request, "X-MO-Event-Id", input.event_id);
  add(request, "X-MO-Delivery-Attempt", std::to_string(input.attempt));
  add(request, "X-MO-Timestamp", timestamp_text);

  const auto secrets = signing_secrets(webhook, input.now);
  const auto ed25519_keys = model::ed25519_keys_signing(webhook.signing_keys, input.now);
  if (!secrets.empty() || !ed25519_keys.empty()) {
    std::vector<std::string> hex_signatures;
    std::vector<std::string> standard_signatures;
    for (std::string_view secret : secrets) {
      hex_signatures.push_back(myoperator_signature(secret, input.payload));
      standard_signatures.push_back(
          standard_webhooks_signature(secret, input.event_id, timestamp, input.payload));
    }
    // Issue 16 item 5: the asymmetric entries after the HMAC ones.
    for (const model::Ed25519Key* key : ed25519_keys) {
      standard_signatures.push_back(
          ed25519_webhooks_signature(*key, input.event_id, timestamp, input.payload));
    }
    if (!hex_signatures.empty()) {
      std::vector<std::string> prefixed;
      prefixed.reserve(hex_signatures.size());
      for (const auto& hex : hex_signatures) prefixed.push_back("sha256=" + hex);
      add(request, "X-MyOperator-Signature", join(hex_signatures, ","));
      add(request, "X-MO-Signature", join(prefixed, ","));
    }
    add(request, "webhook-id", input.event_id);
    add(request, "webhook-timestamp", timestamp_text);
    add(request, "webhook-signature", join(standard_signatures, " "));
  }

  if (auth.type == model::AuthType::kBasic) {
    add(request, "Authorization", "Basic " + crypto::base64_encode(auth.username + ":" + auth.password));
  } else if (auth.type == model::AuthType::kApiKey && auth.location == model::ApiKeyLocation::kHeader) {
    for (const auto& row : auth.keys) add(request, row.key, row.value);
  }
  for (const auto& row : webhook.spec.headers) add(request, row.key, row.value);
  request.client_certificate = webhook.client_certificate;
  return request;
}

std::string headers_to_json(const std::vector<HttpHeader>& headers) {
  boost::json::array array;
  array.reserve(headers.size());
  for (const auto& header : headers) array.push_back(boost::json::array{header.name, header.value});
  return boost::json::serialize(array);
}

}  // namespace switchboard::delivery
