#include "receiver/verify.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/crypto.h"
#include "receiver/test_support.h"

namespace switchboard::receiver {
namespace {

using test_support::delivery_headers;
using test_support::envelope;
using test_support::remove_header;
using test_support::set_header;

// Published Standard Webhooks / Svix example, an independent known answer.
constexpr std::string_view kSvixSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const std::string kSecret = "whsec_" + crypto::base64_encode(std::string(32, '\x11'));
const std::string kOldSecret = "whsec_" + crypto::base64_encode(std::string(32, '\x22'));
const std::string kRawSecret = "plain-shared-secret";
constexpr std::int64_t kNow = 1'790'000'000;
const std::string kEventId = "evt_01JABCXYZ123";

TEST(SignatureTest, StandardWebhooksMatchesPublishedExample) {
  EXPECT_EQ(standard_webhooks_signature(kSvixSecret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                        R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

// Known answers computed with Python's hmac module.
TEST(SignatureTest, HexSchemesKeyWithTheWholeSecretString) {
  EXPECT_EQ(hex_signature(kSvixSecret, R"({"test": 2432232314})"),
            "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c");
  EXPECT_EQ(hex_signature("raw-secret", R"({"a":1})"),
            "b03be4d34bb221d642e871c60dc261c91ec291cffb3b43cc48a584ec89840bc6");
}

TEST(SignatureTest, StandardWebhooksKeyForRawAndUnpaddedSecrets) {
  EXPECT_EQ(standard_webhooks_signature("raw-secret", "evt_1", "1700000000", R"({"a":1})"),
            "v1,FwlkwDgu3XJqjMI7bpWtK0SX7TR53N0vN0hMh8j7Z+k=");
  EXPECT_EQ(standard_webhooks_key("whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM"), "0123456789abcdef0123");
  EXPECT_EQ(standard_webhooks_signature("whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM", "evt_2", "1700000000", "{}"),
            "v1,Fb043MwwC+SpOVkolqMcfGUZ8XF9ewEfsh2jJYXnpNc=");
  EXPECT_EQ(standard_webhooks_key("raw"), "raw");
  EXPECT_EQ(standard_webhooks_key("whsec_not*base64"), std::nullopt);
  EXPECT_EQ(standard_webhooks_signature("whsec_not*base64", "evt_1", "1", "{}"), std::nullopt);
}

TEST(SignatureTest, HeaderListsAcceptAnyMatch) {
  const std::string body = R"({"a":1})";
  const std::string good = hex_signature(kSecret, body);
  const std::string other = hex_signature(kOldSecret, body);
  EXPECT_TRUE(myoperator_signature_matches(other + "," + good, {kSecret}, body));
  EXPECT_TRUE(myoperator_signature_matches(other + ", " + good, {kSecret}, body));
  EXPECT_FALSE(myoperator_signature_matches(other, {kSecret}, body));
  EXPECT_FALSE(myoperator_signature_matches("", {kSecret}, body));
  EXPECT_TRUE(mo_signature_matches("sha256=" + other + ",sha256=" + good, {kSecret}, body));
  EXPECT_FALSE(mo_signature_matches(good, {kSecret}, body));  // the prefix is required
  EXPECT_FALSE(mo_signature_matches("sha1=" + good, {kSecret}, body));

  const auto standard = *standard_webhooks_signature(kSecret, "evt_1", "5", body);
  const auto old = *standard_webhooks_signature(kOldSecret, "evt_1", "5", body);
  EXPECT_TRUE(standard_webhooks_signature_matches(old + " " + standard, "evt_1", "5", {kSecret}, body));
  EXPECT_TRUE(standard_webhooks_signature_matches(old + "  " + standard, "evt_1", "5", {kSecret}, body));
  EXPECT_FALSE(standard_webhooks_signature_matches(old, "evt_1", "5", {kSecret}, body));
  EXPECT_FALSE(standard_webhooks_signature_matches(standard, "evt_1", "6", {kSecret}, body));
  EXPECT_FALSE(
      standard_webhooks_signature_matches("v1a," + standard.substr(3), "evt_1", "5", {kSecret}, body));
}

TEST(ParseDecimalTest, AcceptsOnlyPlainDigits) {
  EXPECT_EQ(parse_decimal("0"), 0);
  EXPECT_EQ(parse_decimal("1790000000"), 1790000000);
  EXPECT_EQ(parse_decimal(""), std::nullopt);
  EXPECT_EQ(parse_decimal("-1"), std::nullopt);
  EXPECT_EQ(parse_decimal("+1"), std::nullopt);
  EXPECT_EQ(parse_decimal(" 1"), std::nullopt);
  EXPECT_EQ(parse_decimal("1e3"), std::nullopt);
  EXPECT_EQ(parse_decimal("1234567890123456789"), std::nullopt);
}

struct DeliveryCase {
  std::string name;
  std::vector<std::string> signed_with;  // secrets the sender used
  std::vector<std::string> known;        // secrets the receiver has
  std::function<void(Headers&, std::string&)> change;
  std::vector<std::string> errors;
  std::optional<std::chrono::seconds> tolerance = std::chrono::minutes(5);
  std::int64_t sent_at = kNow;
};

void no_change(Headers&, std::string&) {}

const std::vector<std::string> kMismatch = {"X-MyOperator-Signature does not match",
                                            "X-MO-Signature does not match",
                                            "webhook-signature does not match"};

std::vector<DeliveryCase> delivery_cases() {
  const std::vector<std::string> one = {kSecret};
  return {
      {"SignedWithWhsec", one, one, no_change, {}},
      {"SignedWithRawSecret", {kRawSecret}, {kRawSecret}, no_change, {}},
      {"NoSecretsAreUnchecked", {}, {}, no_change, {}},
      {"NoSecretsIgnoreSignatureHeaders", {kOldSecret}, {}, no_change, {}},
      {"WrongSecret", {kOldSecret}, one, no_change, kMismatch},
      {"RotationSenderHasBoth", {kOldSecret, kSecret}, one, no_change, {}},
      {"RotationReceiverHasBoth", one, {kOldSecret, kSecret}, no_change, {}},
      {"TamperedBody", one, one,
       [](Headers&, std::string& body) { body.replace(body.find("inbound"), 7, "outbound"); }, kMismatch},
      // Byte-exact HMACs verify, but a receiver that re-serializes (seed 004) would not.
      {"BodyNotCanonical",
       one,
       one,
       [](Headers& h, std::string& body) {
         body.insert(body.size() - 1, " ");
         h = delivery_headers({kSecret}, kEventId, 2, kNow, body);
       },
       {"body is not what JSON.stringify(JSON.parse(body)) gives"}},
      {"UppercaseHexRejected",
       one,
       one,
       [](Headers& h, std::string& body) {
         std::string hex = hex_signature(kSecret, body);
         for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         set_header(h, "X-MyOperator-Signature", hex);
       },
       {"X-MyOperator-Signature does not match"}},
      {"MoSignatureWithoutPrefix",
       one,
       one,
       [](Headers& h, std::string& body) { set_header(h, "X-MO-Signature", hex_signature(kSecret, body)); },
       {"X-MO-Signature does not match"}},
      {"SignatureHeadersMissing",
       one,
       one,
       [](Headers& h, std::string&) {
         remove_header(h, "X-MyOperator-Signature");
         remove_header(h, "X-MO-Signature");
         remove_header(h, "webhook-signature");
       },
       {"X-MyOperator-Signature missing", "X-MO-Signature missing", "webhook-signature missing"}},
      {"WebhookIdMissing",
       one,
       one,
       [](Headers& h, std::string&) { remove_header(h, "webhook-id"); },
       {"webhook-id missing"}},
      {"WebhookIdDiffers",
       one,
       one,
       [](Headers& h, std::string&) { set_header(h, "webhook-id", "evt_other"); },
       {"webhook-id differs from X-MO-Event-Id", "webhook-signature does not match"}},
      {"EventIdDiffersFromEnvelope",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "X-MO-Event-Id", "evt_other"); },
       {"X-MO-Event-Id differs from the envelope's event_id"}},
      {"EventIdMissing",
       {},
       {},
       [](Headers& h, std::string&) { remove_header(h, "X-MO-Event-Id"); },
       {"X-MO-Event-Id missing"}},
      {"AttemptZero",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "X-MO-Delivery-Attempt", "0"); },
       {"X-MO-Delivery-Attempt is not a positive integer"}},
      {"AttemptNegative",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "X-MO-Delivery-Attempt", "-2"); },
       {"X-MO-Delivery-Attempt is not a positive integer"}},
      {"AttemptText",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "X-MO-Delivery-Attempt", "two"); },
       {"X-MO-Delivery-Attempt is not a positive integer"}},
      {"AttemptMissing",
       {},
       {},
       [](Headers& h, std::string&) { remove_header(h, "X-MO-Delivery-Attempt"); },
       {"X-MO-Delivery-Attempt missing"}},
      {"TimestampTooOld",
       one,
       one,
       no_change,
       {"X-MO-Timestamp is 301 s away from now", "webhook-timestamp is 301 s away from now"},
       std::chrono::minutes(5),
       kNow - 301},
      {"TimestampTooNew",
       one,
       one,
       no_change,
       {"X-MO-Timestamp is 400 s away from now", "webhook-timestamp is 400 s away from now"},
       std::chrono::minutes(5),
       kNow + 400},
      {"TimestampAtTolerance", one, one, no_change, {}, std::chrono::minutes(5), kNow - 300},
      {"TimestampCheckDisabled", one, one, no_change, {}, std::nullopt, kNow - 86400},
      {"TimestampNotNumeric",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "X-MO-Timestamp", "now"); },
       {"X-MO-Timestamp is not unix seconds"}},
      {"TimestampMissing",
       {},
       {},
       [](Headers& h, std::string&) { remove_header(h, "X-MO-Timestamp"); },
       {"X-MO-Timestamp missing"}},
      {"BodyNotJson",
       {},
       {},
       [](Headers&, std::string& body) { body = "event=1"; },
       {"body is not a JSON object"}},
      {"BodyJsonArray",
       {},
       {},
       [](Headers&, std::string& body) { body = "[]"; },
       {"body is not a JSON object"}},
      {"EnvelopeWithoutIdAndType",
       {},
       {},
       [](Headers&, std::string& body) { body = "{}"; },
       {"envelope has no event_id", "envelope has no event_type"}},
      {"ContentTypeWithCharset",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "Content-Type", "application/json; charset=utf-8"); },
       {}},
      {"ContentTypeText",
       {},
       {},
       [](Headers& h, std::string&) { set_header(h, "Content-Type", "text/plain"); },
       {"Content-Type is not application/json"}},
      {"HeaderNamesAnyCase",
       one,
       one,
       [](Headers& h, std::string&) {
         for (auto& [name, value] : h) {
           for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
         }
       },
       {}},
      {"SignatureOnSecondHeaderLine",
       one,
       one,
       [](Headers& h, std::string& body) {
         h.insert(h.begin(), {"X-MO-Signature", "sha256=" + hex_signature(kOldSecret, body)});
       },
       {}},
  };
}

class VerifyDeliveryTest : public ::testing::TestWithParam<DeliveryCase> {};

TEST_P(VerifyDeliveryTest, ReportsExactlyTheExpectedErrors) {
  const auto& c = GetParam();
  std::string body = envelope(kEventId);
  // Headers are signed over the original body; `change` may then tamper with either.
  Headers headers = delivery_headers(c.signed_with, kEventId, 2, c.sent_at, body);
  c.change(headers, body);
  const Verification v = verify_delivery(headers, body, {c.known, c.tolerance}, kNow);
  EXPECT_EQ(v.errors, c.errors);
  EXPECT_EQ(v.ok(), c.errors.empty());
  EXPECT_EQ(v.signatures_checked, !c.known.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, VerifyDeliveryTest, ::testing::ValuesIn(delivery_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(VerifyDeliveryFieldsTest, ReportsTheEnvelopeFields) {
  const std::string body = envelope(kEventId, "call.summary");
  const auto v =
      verify_delivery(delivery_headers({kSecret}, kEventId, 3, kNow, body), body, {{kSecret}}, kNow);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.event_id, kEventId);
  EXPECT_EQ(v.event_type, "call.summary");
  EXPECT_EQ(v.attempt, 3);
  EXPECT_EQ(v.sequence, 3);
  EXPECT_EQ(v.call_id, "call_78e3c7");
}

TEST(VerifyDeliveryFieldsTest, UnsequencedEventHasNoSequence) {
  const std::string body = R"({"event_id":"evt_9","event_type":"call.disposition","data":{}})";
  const auto v = verify_delivery(delivery_headers({}, "evt_9", 1, kNow, body), body, {}, kNow);
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.sequence, std::nullopt);
  EXPECT_EQ(v.call_id, "");
}

}  // namespace
}  // namespace switchboard::receiver
