#include "receiver/verify.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "common/crypto.h"
#include "receiver/canonical_json.h"

namespace switchboard::receiver {
namespace {

constexpr std::string_view kWhsecPrefix = "whsec_";
constexpr std::string_view kMoSignaturePrefix = "sha256=";
constexpr std::string_view kStandardVersionPrefix = "v1,";

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits on `separator`, trimming each part and skipping empty ones.
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    auto part = trim(text.substr(0, at));
    if (!part.empty()) parts.push_back(part);
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// The hex schemes compare against our lowercase hex exactly, as seed 002's
// Python receiver (hmac.compare_digest on hexdigest()) does.
bool any_hex_matches(const std::vector<std::string_view>& candidates, const std::vector<std::string>& secrets,
                     std::string_view body) {
  bool matched = false;
  for (const auto& secret : secrets) {
    const std::string expected = hex_signature(secret, body);
    for (auto candidate : candidates) matched |= crypto::constant_time_equals(candidate, expected);
  }
  return matched;
}

std::optional<std::string_view> first_header(const Headers& headers, std::string_view name) {
  auto values = header_values(headers, name);
  if (values.empty()) return std::nullopt;
  return values.front();
}

// The envelope fields a receiver reports; errors when the body is not one.
void read_envelope(std::string_view body, Verification& out) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    out.errors.emplace_back("body is not a JSON object");
    return;
  }
  // Receivers that re-serialize before checking X-MO-Signature (seed 004) verify only canonical bodies.
  if (js_canonical(body) != body) {
    out.errors.emplace_back("body is not what JSON.stringify(JSON.parse(body)) gives");
  }
  const auto& envelope = parsed.get_object();
  if (const auto* id = envelope.if_contains("event_id"); id && id->is_string()) {
    out.event_id = std::string(id->get_string());
  } else {
    out.errors.emplace_back("envelope has no event_id");
  }
  if (const auto* type = envelope.if_contains("event_type"); type && type->is_string()) {
    out.event_type = std::string(type->get_string());
  } else {
    out.errors.emplace_back("envelope has no event_type");
  }
  if (const auto* sequence = envelope.if_contains("event_sequence"); sequence && sequence->is_int64()) {
    out.sequence = sequence->get_int64();
  }
  if (const auto* data = envelope.if_contains("data"); data && data->is_object()) {
    if (const auto* call = data->get_object().if_contains("call_id"); call && call->is_string()) {
      out.call_id = std::string(call->get_string());
    }
  }
}

// Checks one unix-seconds timestamp header; returns its text when present.
std::optional<std::string_view> check_timestamp(const Headers& headers, std::string_view name,
                                                const VerifyOptions& options, std::int64_t now,
                                                std::vector<std::string>& errors) {
  const auto text = first_header(headers, name);
  if (!text) {
    errors.push_back(std::string(name) + " missing");
    return std::nullopt;
  }
  const auto seconds = parse_decimal(*text);
  if (!seconds) {
    errors.push_back(std::string(name) + " is not unix seconds");
    return text;
  }
  if (options.timestamp_tolerance) {
    const long long skew = std::llabs(now - *seconds);
    if (skew > options.timestamp_tolerance->count()) {
      errors.push_back(std::string(name) + " is " + std::to_string(skew) + " s away from now");
    }
  }
  return text;
}

void check_signatures(const Headers& headers, std::string_view body, const VerifyOptions& options,
                      std::int64_t now, std::optional<std::string_view> mo_event_id, Verification& out) {
  auto& errors = out.errors;
  const auto& secrets = options.secrets;

  const auto myoperator = header_values(headers, "X-MyOperator-Signature");
  if (myoperator.empty()) {
    errors.emplace_back("X-MyOperator-Signature missing");
  } else if (std::none_of(myoperator.begin(), myoperator.end(),
                          [&](auto value) { return myoperator_signature_matches(value, secrets, body); })) {
    errors.emplace_back("X-MyOperator-Signature does not match");
  }

  const auto mo = header_values(headers, "X-MO-Signature");
  if (mo.empty()) {
    errors.emplace_back("X-MO-Signature missing");
  } else if (std::none_of(mo.begin(), mo.end(),
                          [&](auto value) { return mo_signature_matches(value, secrets, body); })) {
    errors.emplace_back("X-MO-Signature does not match");
  }

  const auto id = first_header(headers, "webhook-id");
  if (!id) {
    errors.emplace_back("webhook-id missing");
  } else if (mo_event_id && *id != *mo_event_id) {
    errors.emplace_back("webhook-id differs from X-MO-Event-Id");
  }
  const auto timestamp = check_timestamp(headers, "webhook-timestamp", options, now, errors);
  const auto standard = header_values(headers, "webhook-signature");
  if (standard.empty()) {
    errors.emplace_back("webhook-signature missing");
  } else if (id && timestamp && std::none_of(standard.begin(), standard.end(), [&](auto value) {
               return standard_webhooks_signature_matches(value, *id, *timestamp, secrets, body);
             })) {
    errors.emplace_back("webhook-signature does not match");
  }
}

}  // namespace

std::vector<std::string_view> header_values(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) values.emplace_back(value);
  }
  return values;
}

std::optional<long long> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<std::string> standard_webhooks_key(std::string_view secret) {
  if (!secret.starts_with(kWhsecPrefix)) return std::string(secret);
  std::string encoded(secret.substr(kWhsecPrefix.size()));
  while (encoded.size() % 4 != 0) encoded.push_back('=');
  return crypto::base64_decode(encoded);
}

std::string hex_signature(std::string_view secret, std::string_view body) {
  return crypto::hex_encode(crypto::hmac_sha256(secret, body));
}

std::optional<std::string> standard_webhooks_signature(std::string_view secret, std::string_view id,
                                                       std::string_view timestamp, std::string_view body) {
  const auto key = standard_webhooks_key(secret);
  if (!key) return std::nullopt;
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  return std::string(kStandardVersionPrefix) + crypto::base64_encode(crypto::hmac_sha256(*key, content));
}

bool myoperator_signature_matches(std::string_view header, const std::vector<std::string>& secrets,
                                  std::string_view body) {
  return any_hex_matches(split(header, ','), secrets, body);
}

bool mo_signature_matches(std::string_view header, const std::vector<std::string>& secrets,
                          std::string_view body) {
  std::vector<std::string_view> hexes;
  for (auto part : split(header, ',')) {
    if (part.starts_with(kMoSignaturePrefix)) hexes.push_back(part.substr(kMoSignaturePrefix.size()));
  }
  return any_hex_matches(hexes, secrets, body);
}

bool standard_webhooks_signature_matches(std::string_view header, std::string_view id,
                                         std::string_view timestamp, const std::vector<std::string>& secrets,
                                         std::string_view body) {
  const auto candidates = split(header, ' ');
  bool matched = false;
  for (const auto& secret : secrets) {
    const auto expected = standard_webhooks_signature(secret, id, timestamp, body);
    if (!expected) continue;
    // Other versions (e.g. "v1a," asymmetric signatures) are skipped, as the spec asks.
    for (auto candidate : candidates) {
      if (candidate.starts_with(kStandardVersionPrefix)) {
        matched |= crypto::constant_time_equals(candidate, *expected);
      }
    }
  }
  return matched;
}

Verification verify_delivery(const Headers& headers, std::string_view body, const VerifyOptions& options,
                             std::int64_t now_unix_seconds) {
  Verification out;
  auto& errors = out.errors;

  const auto content_type = first_header(headers, "Content-Type");
  if (!content_type || !iequals(trim(content_type->substr(0, content_type->find(';'))), "application/json")) {
    errors.emplace_back("Content-Type is not application/json");
  }
  read_envelope(body, out);

  const auto mo_event_id = first_header(headers, "X-MO-Event-Id");
  if (!mo_event_id) {
    errors.emplace_back("X-MO-Event-Id missing");
  } else if (!out.event_id.empty() && *mo_event_id != out.event_id) {
    errors.emplace_back("X-MO-Event-Id differs from the envelope's event_id");
  }

  const auto attempt_text = first_header(headers, "X-MO-Delivery-Attempt");
  const auto attempt = attempt_text ? parse_decimal(*attempt_text) : std::nullopt;
  if (!attempt_text) {
    errors.emplace_back("X-MO-Delivery-Attempt missing");
  } else if (!attempt || *attempt < 1 || *attempt > 1'000'000) {
    errors.emplace_back("X-MO-Delivery-Attempt is not a positive integer");
  } else {
    out.attempt = static_cast<int>(*attempt);
  }

  check_timestamp(headers, "X-MO-Timestamp", options, now_unix_seconds, errors);

  if (!options.secrets.empty()) {
    out.signatures_checked = true;
    check_signatures(headers, body, options, now_unix_seconds, mo_event_id, out);
  }
  return out;
}

}  // namespace switchboard::receiver
