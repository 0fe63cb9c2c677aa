// Signature verification as a receiver does it (receiver/verify.h). The input
// is "<header lines>\n\n<body>": each line "Name: value" is a request header.
// It goes through receiver::verify_delivery with and without secrets, and
// each header value through parse_decimal, standard_webhooks_key and the three
// *_signature_matches functions.
//
// Invariants: no exception escapes; a delivery that verifies has an event id
// equal to X-MO-Event-Id, an attempt in 1..10^6 and a canonical body;
// signatures_checked is set exactly when secrets are given; parse_decimal
// accepts exactly 1-18 digits; and signing then verifying agrees for any
// secret, id and body: the body signed with the first header line as the
// secret (and the second as webhook-id) verifies under all three schemes, and
// a one-byte change to it verifies under none.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "receiver/canonical_json.h"
#include "receiver/verify.h"

namespace {

using namespace switchboard;
using receiver::Headers;

constexpr std::int64_t kNow = 1795342800;  // 2026-11-22T10:20:00Z
const std::vector<std::string> kSecrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "plain-secret"};

Headers parse_headers(std::string_view head) {
  Headers headers;
  while (!head.empty()) {
    auto [line, rest] = fuzz::split_once(head, "\n");
    head = rest;
    auto [name, value] = fuzz::split_once(line, ":");
    if (value.starts_with(' ')) value.remove_prefix(1);
    headers.emplace_back(std::string(name), std::string(value));
  }
  return headers;
}

void check_parse_decimal(std::string_view text) {
  const auto value = receiver::parse_decimal(text);
  const bool digits =
      !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string_view::npos;
  FUZZ_CHECK(value.has_value() == digits);
  if (value) {
    FUZZ_CHECK(*value >= 0);
    const auto significant = text.find_first_not_of('0');
    FUZZ_CHECK(std::to_string(*value) ==
               (significant == std::string_view::npos ? "0" : text.substr(significant)));
  }
}

void check_verification(const Headers& headers, std::string_view body,
                        const receiver::VerifyOptions& options) {
  const auto result = receiver::verify_delivery(headers, body, options, kNow);
  FUZZ_CHECK(result.signatures_checked == !options.secrets.empty());
  if (result.ok()) {
    FUZZ_CHECK(!result.event_id.empty());
    FUZZ_CHECK(receiver::header_values(headers, "X-MO-Event-Id").front() == result.event_id);
    FUZZ_CHECK(result.attempt >= 1 && result.attempt <= 1'000'000);
    FUZZ_CHECK(receiver::js_canonical(body) == body);
  }
}

bool mentions(const receiver::Verification& result, std::string_view header) {
  for (const auto& error : result.errors) {
    if (error.starts_with(header)) return true;
  }
  return false;
}

// Signs `body` as Switchboard does and verifies it with the same secret.
void check_sign_then_verify(const std::string& secret, std::string_view id, std::string body) {
  const std::string hex = receiver::hex_signature(secret, body);
  const std::string timestamp = std::to_string(kNow);
  const auto standard = receiver::standard_webhooks_signature(secret, id, timestamp, body);
  FUZZ_CHECK(standard.has_value() == receiver::standard_webhooks_key(secret).has_value());
  const std::vector<std::string> secrets{secret};
  FUZZ_CHECK(receiver::myoperator_signature_matches(hex, secrets, body));
  FUZZ_CHECK(receiver::mo_signature_matches("sha256=" + hex, secrets, body));
  if (standard)
    FUZZ_CHECK(receiver::standard_webhooks_signature_matches(*standard, id, timestamp, secrets, body));

  Headers headers{{"Content-Type", "application/json"},
                  {"X-MyOperator-Signature", hex},
                  {"X-MO-Signature", "sha256=" + hex},
                  {"X-MO-Event-Id", std::string(id)},
                  {"X-MO-Delivery-Attempt", "1"},
                  {"X-MO-Timestamp", timestamp},
                  {"webhook-id", std::string(id)},
                  {"webhook-timestamp", timestamp},
                  {"webhook-signature", standard.value_or("v1,none")}};
  const receiver::VerifyOptions options{secrets, std::chrono::minutes(5)};
  auto result = receiver::verify_delivery(headers, body, options, kNow);
  FUZZ_CHECK(!mentions(result, "X-MyOperator-Signature"));
  FUZZ_CHECK(!mentions(result, "X-MO-Signature"));
  FUZZ_CHECK(!mentions(result, "X-MO-Timestamp"));
  FUZZ_CHECK(!mentions(result, "webhook-") || !standard);

  if (body.empty()) return;
  body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x01);
  result = receiver::verify_delivery(headers, body, options, kNow);
  FUZZ_CHECK(mentions(result, "X-MyOperator-Signature does not match"));
  FUZZ_CHECK(mentions(result, "X-MO-Signature does not match"));
  FUZZ_CHECK(mentions(result, "webhook-signature does not match"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [head, body] = fuzz::split_once(fuzz::as_text(data, size), "\n\n");
  const Headers headers = parse_headers(head);

  check_verification(headers, body, {});
  check_verification(headers, body, {kSecrets, std::chrono::minutes(5)});
  check_verification(headers, body, {{kSecrets.front()}, std::nullopt});

  for (std::size_t i = 0; i < headers.size(); ++i) {
    const auto& [name, value] = headers[i];
    check_parse_decimal(value);
    (void)receiver::standard_webhooks_key(value);
    if (i >= 4) continue;  // each match costs HMACs; verify_delivery has tried the real headers
    (void)receiver::myoperator_signature_matches(value, kSecrets, body);
    (void)receiver::mo_signature_matches(value, kSecrets, body);
    (void)receiver::standard_webhooks_signature_matches(value, name, std::to_string(kNow), kSecrets, body);
  }

  const auto [secret, rest] = fuzz::split_once(head, "\n");
  const auto [id, unused] = fuzz::split_once(rest, "\n");
  check_sign_then_verify(std::string(secret), id, std::string(body));
  return 0;
}
