#include "delivery/request_builder.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

// Expected signatures were computed independently with openssl, e.g.
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'mysecret'
//   printf '%s' "evt_1.1790000000.$BODY" | openssl dgst -sha256 -hmac 'mysecret' -binary | base64
namespace switchboard::delivery {

inline void PrintTo(const HttpHeader& header, std::ostream* out) {
  *out << header.name << ": " << header.value;
}

namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(std::chrono::milliseconds(1'790'000'000'123));  // unix 1790000000
const std::string kBody = R"({"event_id":"evt_1","event_type":"call.answered"})";

model::Webhook make_webhook(std::string url = "https://hooks.example.com/in?x=1") {
  model::Webhook webhook;
  webhook.id = "wh_1";
  webhook.company_id = "co_1";
  webhook.spec.url = std::move(url);
  return webhook;
}

DeliveryRequestInput make_input(int attempt = 1) {
  return DeliveryRequestInput{"evt_1", kBody, attempt, kNow, "Switchboard-Webhooks/test"};
}

BuiltRequest build(const model::Webhook& webhook, const DeliveryRequestInput& input = make_input()) {
  auto built = build_delivery_request(webhook, input);
  EXPECT_TRUE(built.has_value()) << (built ? "" : built.error().message);
  return built ? *built : BuiltRequest{};
}

std::optional<std::string> header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return std::nullopt;
}

TEST(RequestBuilderTest, BaseHeadersWithoutSecret) {
  const auto request = build(make_webhook(), make_input(3));
  EXPECT_EQ(request.url, "https://hooks.example.com/in?x=1");
  const std::vector<HttpHeader> want = {
      {"Content-Type", "application/json"}, {"User-Agent", "Switchboard-Webhooks/test"},
      {"X-MO-Event-Id", "evt_1"},           {"X-MO-Delivery-Attempt", "3"},
      {"X-MO-Timestamp", "1790000000"},
  };
  EXPECT_EQ(request.headers, want);
  EXPECT_EQ(request.masked_headers, want);
  EXPECT_EQ(request.masked_url, request.url);
}

TEST(RequestBuilderTest, SignaturesMatchIndependentVectors) {
  struct Case {
    std::string secret;
    std::string hex;       // X-MyOperator-Signature
    std::string standard;  // webhook-signature
  };
  const std::vector<Case> cases = {
      // A plain secret signs with its raw bytes in both schemes.
      {"mysecret", "f05fd0566352d5f4f05c92fea16d5330590c03b9829be2a1f60e784b23c050f6",
       "v1,jAPfyhXHF5Cn4bF3fHC8r28nU9mwj+IhpGtJRkJ2NLc="},
      // whsec_ without padding: "dGVzdGtleQ" is base64 of "testkey" once padded; the hex
      // scheme still uses the whole secret string.
      {"whsec_dGVzdGtleQ", "63cae9baef145e1c3946020447448043627c89e68dc2216276bba2d4e26d803b",
       "v1,bqLLo/Si7ZfMF49KcnrZkjHMkRmPO+OIGmiw3itEpK0="},
  };
  for (const auto& c : cases) {
    auto webhook = make_webhook();
    webhook.secret = c.secret;
    const auto request = build(webhook);
    EXPECT_EQ(header(request.headers, "X-MyOperator-Signature"), c.hex) << c.secret;
    EXPECT_EQ(header(request.headers, "X-MO-Signature"), "sha256=" + c.hex) << c.secret;
    EXPECT_EQ(header(request.headers, "webhook-id"), "evt_1");
    EXPECT_EQ(header(request.headers, "webhook-timestamp"), "1790000000");
    EXPECT_EQ(header(request.headers, "webhook-signature"), c.standard) << c.secret;
    // Signatures are logged as sent: an HMAC of one body and timestamp, not the secret.
    for (const char* name : {"X-MyOperator-Signature", "X-MO-Signature", "webhook-signature"}) {
      EXPECT_EQ(header(request.masked_headers, name), header(request.headers, name)) << name;
    }
    EXPECT_EQ(header(request.masked_headers, "webhook-id"), "evt_1");
  }
}

TEST(RequestBuilderTest, StandardWebhooksPublishedExample) {
  // The example of the Standard Webhooks / Svix documentation.
  EXPECT_EQ(
      standard_webhooks_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                  1614265330, R"({"test": 2432232314})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_EQ(myoperator_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", R"({"test": 2432232314})"),
            "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c");
}

TEST(RequestBuilderTest, StandardWebhooksKey) {
  EXPECT_EQ(standard_webhooks_key("whsec_dGVzdGtleQ=="), "testkey");
  EXPECT_EQ(standard_webhooks_key("whsec_dGVzdGtleQ"), "testkey");
  EXPECT_EQ(standard_webhooks_key("plain"), "plain");
  EXPECT_EQ(standard_webhooks_key("whsec_!!not base64"), "whsec_!!not base64");
  EXPECT_EQ(standard_webhooks_key("WHSEC_dGVzdGtleQ"), "WHSEC_dGVzdGtleQ");
}

TEST(RequestBuilderTest, RotationSignsWithBothSecretsNewFirstUntilExpiry) {
  auto webhook = make_webhook();
  webhook.secret = "mysecret";
  webhook.previous_secret = "oldsecret";
  const std::string new_hex = "f05fd0566352d5f4f05c92fea16d5330590c03b9829be2a1f60e784b23c050f6";
  const std::string old_hex = "88ace0adb7bc1f11c0ebe94a070fb6e40124f7281eecd56b8651a1fe30c6762d";
  const std::string new_v1 = "v1,jAPfyhXHF5Cn4bF3fHC8r28nU9mwj+IhpGtJRkJ2NLc=";
  const std::string old_v1 = "v1,xLSoJ8Zri4Fc7KmZ4ECsukhzPidfF3AjBws8o/zeZE0=";

  struct Case {
    std::optional<TimePoint> expires_at;
    bool both;
  };
  const std::vector<Case> cases = {
      {kNow + hours(24), true},
      {kNow + std::chrono::milliseconds(1), true},
      {kNow, false},  // expired exactly now
      {kNow - seconds(1), false},
      {std::nullopt, false},  // no expiry recorded: the old secret does not sign
  };
  for (const auto& c : cases) {
    webhook.previous_secret_expires_at = c.expires_at;
    const auto request = build(webhook);
    if (c.both) {
      EXPECT_EQ(header(request.headers, "X-MyOperator-Signature"), new_hex + "," + old_hex);
      EXPECT_EQ(header(request.headers, "X-MO-Signature"), "sha256=" + new_hex + ",sha256=" + old_hex);
      EXPECT_EQ(header(request.headers, "webhook-signature"), new_v1 + " " + old_v1);
    } else {
      EXPECT_EQ(header(request.headers, "X-MyOperator-Signature"), new_hex);
      EXPECT_EQ(header(request.headers, "webhook-signature"), new_v1);
    }
  }
}

TEST(RequestBuilderTest, BasicAuthIsMaskedInTheLog) {
  auto webhook = make_webhook();
  webhook.spec.auth.type = model::AuthType::kBasic;
  webhook.spec.auth.username = "user";
  webhook.spec.auth.password = "p@ss:word";
  const auto request = build(webhook);
  EXPECT_EQ(header(request.headers, "Authorization"), "Basic dXNlcjpwQHNzOndvcmQ=");
  EXPECT_EQ(header(request.masked_headers, "Authorization"), std::string(kMaskedValue));
}

TEST(RequestBuilderTest, ApiKeyHeadersThenCustomHeadersLast) {
  auto webhook = make_webhook();
  webhook.secret = "mysecret";
  webhook.spec.auth.type = model::AuthType::kApiKey;
  webhook.spec.auth.location = model::ApiKeyLocation::kHeader;
  webhook.spec.auth.keys = {{"X-Api-Key", "k1"}, {"X-Tenant-Token", "k2"}};
  webhook.spec.headers = {{"X-Custom", "hello"}, {"X-Empty", ""}};
  const auto request = build(webhook);
  ASSERT_EQ(request.headers.size(), 14u);
  EXPECT_EQ(request.headers[10], (HttpHeader{"X-Api-Key", "k1"}));
  EXPECT_EQ(request.headers[11], (HttpHeader{"X-Tenant-Token", "k2"}));
  EXPECT_EQ(request.headers[12], (HttpHeader{"X-Custom", "hello"}));
  EXPECT_EQ(request.headers[13], (HttpHeader{"X-Empty", ""}));
  EXPECT_EQ(request.masked_headers[10], (HttpHeader{"X-Api-Key", std::string(kMaskedValue)}));
  EXPECT_EQ(request.masked_headers[11], (HttpHeader{"X-Tenant-Token", std::string(kMaskedValue)}));
  // Every custom header value is a secret too (the attempt log and the
  // failure inspect show this copy).
  EXPECT_EQ(request.masked_headers[12], (HttpHeader{"X-Custom", std::string(kMaskedValue)}));
  EXPECT_EQ(request.masked_headers[13], (HttpHeader{"X-Empty", std::string(kMaskedValue)}));
  EXPECT_EQ(request.url, webhook.spec.url);
}

TEST(RequestBuilderTest, ApiKeyQueryRowsAreAppendedEncodedAndMasked) {
  struct Case {
    std::string url;
    std::vector<model::KeyValue> keys;
    std::string want_url;
    std::string want_masked_url;
  };
  const std::vector<Case> cases = {
      {"https://h.example/in",
       {{"api_key", "abc"}},
       "https://h.example/in?api_key=abc",
       "https://h.example/in?api_key=********"},
      {"https://h.example/in?x=1",
       {{"k", "a&b=c#d"}, {"t", "x+y z"}},
       "https://h.example/in?x=1&k=a%26b%3Dc%23d&t=x%2By%20z",
       "https://h.example/in?x=1&k=********&t=********"},
      {"https://h.example:8443/p/a%20th?q=%2F#frag",
       {{"key name", "v/é"}},
       "https://h.example:8443/p/a%20th?q=%2F&key%20name=v%2F%C3%A9#frag",
       "https://h.example:8443/p/a%20th?q=%2F&key%20name=********#frag"},
  };
  for (const auto& c : cases) {
    auto webhook = make_webhook(c.url);
    webhook.spec.auth.type = model::AuthType::kApiKey;
    webhook.spec.auth.location = model::ApiKeyLocation::kQuery;
    webhook.spec.auth.keys = c.keys;
    const auto request = build(webhook);
    EXPECT_EQ(request.url, c.want_url);
    EXPECT_EQ(request.masked_url, c.want_masked_url);
    EXPECT_FALSE(header(request.headers, c.keys.front().key).has_value());  // not also a header
  }
}

TEST(RequestBuilderTest, LineBreaksCannotInjectHeaders) {
  auto webhook = make_webhook();
  webhook.spec.headers = {{"X-A", "v\r\nX-Injected: 1"}, {std::string("X-B\n", 4), std::string("a\0b", 3)}};
  const auto request = build(webhook);
  ASSERT_EQ(request.headers.size(), 7u);
  EXPECT_EQ(request.headers[5], (HttpHeader{"X-A", "v  X-Injected: 1"}));
  EXPECT_EQ(request.headers[6], (HttpHeader{"X-B ", "a b"}));
}

TEST(RequestBuilderTest, UnparsableUrlIsAnError) {
  auto built = build_delivery_request(make_webhook("not a url"), make_input());
  ASSERT_FALSE(built.has_value());
  EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
}

TEST(RequestBuilderTest, HeadersToJson) {
  EXPECT_EQ(headers_to_json({}), "[]");
  EXPECT_EQ(headers_to_json({{"A", "1"}, {"B", "quote\"d"}}), R"([["A","1"],["B","quote\"d"]])");
}

}  // namespace
}  // namespace switchboard::delivery
