// The webhook-signature header with Ed25519 keys (issue 16 item 5), table-
// driven. Expected "v1a," values were computed independently with the openssl
// CLI from the raw seeds (DER prefix 302e020100300506032b657004220420 + seed):
//   printf '%s' "evt_1.1790000000.$BODY" | openssl pkeyutl -sign -inkey k.pem -rawin | base64
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "delivery/request_builder.h"
#include "model/client_certificate.h"
#include "model/limits.h"

namespace switchboard::delivery {
namespace {

const TimePoint kNow = TimePoint(std::chrono::milliseconds(1'790'000'000'123));  // unix 1790000000
const std::string kBody = R"({"event_id":"evt_1","event_type":"call.answered"})";

// RFC 8032 TEST 1's seed, and 32 bytes of 0x02.
const std::string kSeedA = [] {
  const std::string hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}();
const std::string kSeedB(32, '\x02');
const std::string kSigA =
    "v1a,M6HokB2p3lMsYXAuej4LubMWLGUfYN8pOpPN3tjhGCimGIRyxHSIxDuWzbp/4hwFw2y81JCYToP8ZcQ0F/TGBw==";
const std::string kSigB =
    "v1a,Nv2BB45uvoyf5PyA9uiBE7xDJ0q25egThkyhCYMTKADFUBKjYUxA8H3HdFIpoLF0nc25Fx80fgdeBAsv+ynZDA==";
const std::string kHmac = "v1,jAPfyhXHF5Cn4bF3fHC8r28nU9mwj+IhpGtJRkJ2NLc=";  // secret "mysecret"

std::optional<std::string> header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return std::nullopt;
}

TEST(RequestBuilderEd25519Test, PublicKeyOfTheSecondSeedMatchesOpenssl) {
  EXPECT_EQ(model::ed25519_public_key_text(*model::ed25519_key_from_seed(kSeedB)),
            "whpk_gTl3Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5Q=");
}

TEST(RequestBuilderEd25519Test, SignatureHeader) {
  const model::Ed25519Key a = *model::ed25519_key_from_seed(kSeedA);
  const model::Ed25519Key b = *model::ed25519_key_from_seed(kSeedB);
  const TimePoint later = kNow + std::chrono::hours(1);
  struct Case {
    const char* name;
    std::optional<std::string> secret;
    model::SigningKeys keys;
    std::optional<std::string> signature;  // webhook-signature; nullopt = no Standard Webhooks headers
    bool hmac_headers;                     // X-MyOperator-Signature / X-MO-Signature present
  };
  const std::vector<Case> cases = {
      {"nothing signs", std::nullopt, {}, std::nullopt, false},
      {"HMAC only (unchanged)", "mysecret", {}, kHmac, true},
      {"Ed25519 only: no HMAC headers", std::nullopt, {a, std::nullopt, std::nullopt}, kSigA, false},
      {"both: HMAC first", "mysecret", {a, std::nullopt, std::nullopt}, kHmac + " " + kSigA, true},
      {"rotation: new key first, old still signs",
       "mysecret",
       {b, a, later},
       kHmac + " " + kSigB + " " + kSigA,
       true},
      {"rotation over: the old key no longer signs", std::nullopt, {b, a, kNow}, kSigB, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    model::Webhook webhook;
    webhook.id = "wh_1";
    webhook.spec.url = "https://hooks.example.com/in";
    webhook.secret = c.secret;
    webhook.signing_keys = c.keys;
    auto built = build_delivery_request(webhook, {"evt_1", kBody, 1, kNow, "ua"});
    ASSERT_TRUE(built);
    EXPECT_EQ(header(built->headers, "webhook-signature"), c.signature);
    EXPECT_EQ(header(built->headers, "webhook-id"),
              c.signature ? std::optional<std::string>("evt_1") : std::nullopt);
    EXPECT_EQ(header(built->headers, "webhook-timestamp"),
              c.signature ? std::optional<std::string>("1790000000") : std::nullopt);
    EXPECT_EQ(header(built->headers, "X-MyOperator-Signature").has_value(), c.hmac_headers);
    EXPECT_EQ(header(built->headers, "X-MO-Signature").has_value(), c.hmac_headers);
    // Signatures are public: the attempt log keeps them as sent.
    EXPECT_EQ(header(built->masked_headers, "webhook-signature"), c.signature);
  }
}

TEST(RequestBuilderEd25519Test, EachEntryVerifiesWithItsPublicKey) {
  const model::Ed25519Key a = *model::ed25519_key_from_seed(kSeedA);
  const std::string entry = ed25519_webhooks_signature(a, "evt_9", 1790000001, "{}");
  ASSERT_EQ(entry.rfind("v1a,", 0), 0u);
  auto raw = crypto::base64_decode(entry.substr(4));
  ASSERT_TRUE(raw);
  EXPECT_TRUE(model::ed25519_verify(a.public_key, "evt_9.1790000001.{}", *raw));
  EXPECT_FALSE(model::ed25519_verify(a.public_key, "evt_9.1790000001.{ }", *raw));
}

TEST(RequestBuilderEd25519Test, TheClientCertificateRidesAlong) {
  model::Webhook webhook;
  webhook.spec.url = "https://hooks.example.com/in";
  auto built = build_delivery_request(webhook, {"evt_1", kBody, 1, kNow, "ua"});
  ASSERT_TRUE(built);
  EXPECT_EQ(built->client_certificate, nullptr);
  webhook.client_certificate = std::make_shared<const model::ClientCertificate>(
      model::ClientCertificate{"CERT", "KEY", "CN=a", "CN=a", kNow, "00"});
  built = build_delivery_request(webhook, {"evt_1", kBody, 1, kNow, "ua"});
  ASSERT_TRUE(built);
  EXPECT_EQ(built->client_certificate, webhook.client_certificate);
  for (const auto& h : built->masked_headers) EXPECT_EQ(h.value.find("KEY"), std::string::npos) << h.name;
}

}  // namespace
}  // namespace switchboard::delivery
