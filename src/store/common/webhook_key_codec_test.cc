// The client_certificate and signing_keys columns (webhook_key_codec.h): what
// is written round-trips, private keys are never in clear in the column, a
// column sealed with another key or malformed is an error. Table-driven.
#include "store/common/webhook_key_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/test_certificates.h"

namespace switchboard::store {
namespace {

crypto::SecretBox box(char fill) { return *crypto::SecretBox::from_key(std::string(32, fill)); }

TimePoint wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

TEST(WebhookKeyCodecTest, ClientCertificateRoundTripsWithTheKeySealed) {
  const auto pem = model::testing::make_certificate();
  auto parsed = model::parse_client_certificate(pem.cert_pem, pem.key_pem, wall_now());
  ASSERT_TRUE(parsed);
  const auto certificate = std::make_shared<const model::ClientCertificate>(*parsed);
  const auto column = encode_client_certificate(certificate, box('k'));
  ASSERT_TRUE(column);
  EXPECT_EQ(column->find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(column->find(parsed->private_key_pem.substr(28, 40)), std::string::npos);
  auto decoded = decode_client_certificate(column, box('k'));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(**decoded, *certificate);
  EXPECT_FALSE(encode_client_certificate(nullptr, box('k')));
  EXPECT_EQ(*decode_client_certificate(std::nullopt, box('k')), nullptr);
  // Another secret key cannot open it.
  EXPECT_EQ(decode_client_certificate(column, box('x')).error().code, ErrorCode::kInternal);
}

TEST(WebhookKeyCodecTest, SigningKeysRoundTripWithTheSeedsSealed) {
  const auto a = *model::ed25519_key_from_seed(std::string(32, '\1'));
  const auto b = *model::ed25519_key_from_seed(std::string(32, '\2'));
  const TimePoint t{std::chrono::milliseconds(1'800'000'000'000)};
  const std::vector<model::SigningKeys> cases = {
      {},
      {a, std::nullopt, std::nullopt},
      {b, a, t},
  };
  for (const auto& keys : cases) {
    const auto column = encode_signing_keys(keys, box('k'));
    EXPECT_EQ(column.has_value(), keys.ed25519.has_value());
    if (column) {
      EXPECT_EQ(column->find(crypto::base64_encode(keys.ed25519->seed)), std::string::npos);
      EXPECT_EQ(decode_signing_keys(column, box('x')).error().code, ErrorCode::kInternal);
    }
    auto decoded = decode_signing_keys(column, box('k'));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, keys);
  }
}

TEST(WebhookKeyCodecTest, MalformedColumnsAreErrors) {
  for (const std::string column : {"", "[]", "{\"ed25519\":5}", "{\"ed25519\":\"v1.bad\"}"}) {
    SCOPED_TRACE(column);
    EXPECT_FALSE(decode_signing_keys(column, box('k')));
  }
  for (const std::string column : {"", "{}", "{\"certificate\":\"x\"}"}) {
    SCOPED_TRACE(column);
    EXPECT_FALSE(decode_client_certificate(column, box('k')));
  }
}

}  // namespace
}  // namespace switchboard::store
