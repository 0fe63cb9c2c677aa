// The client certificate upload rules (model/client_certificate.h), table-driven
// over certificates made in-process.
#include "model/client_certificate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/error_codes.h"
#include "model/limits.h"
#include "model/test_certificates.h"

namespace switchboard::model {
namespace {

using testing::make_ca;
using testing::make_certificate;
using testing::TestPem;

TimePoint wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

TEST(ClientCertificateTest, AcceptedUploadsAreNormalizedAndDescribed) {
  const TestPem ca = make_ca();
  const TestPem leaf = make_certificate({.common_name = "acme-client", .issuer = &ca});
  auto parsed =
      parse_client_certificate("junk before\n" + leaf.cert_pem + ca.cert_pem, leaf.key_pem, wall_now());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->subject, "CN=acme-client,O=Switchboard Tests");
  EXPECT_EQ(parsed->issuer, "CN=switchboard-test-ca,O=Switchboard Tests");
  EXPECT_EQ(parsed->certificate_pem, leaf.cert_pem + ca.cert_pem);  // the junk is dropped
  EXPECT_NE(parsed->private_key_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_EQ(parsed->fingerprint_sha256.size(), 64u);
  const auto in_a_week = wall_now() + std::chrono::hours(24 * 7);
  EXPECT_LT(std::chrono::abs(parsed->not_after - in_a_week), std::chrono::minutes(1));
}

TEST(ClientCertificateTest, Rules) {
  const TestPem ca = make_ca();
  const TestPem good = make_certificate({.issuer = &ca});
  const TestPem other = make_certificate();
  const TestPem expired = make_certificate({.not_before_seconds = -7200, .not_after_seconds = -3600});
  const TestPem server_only = make_certificate({.extended_key_usage = "serverAuth"});
  const TestPem no_eku = make_certificate({.extended_key_usage = ""});
  const TestPem not_yet = make_certificate({.not_before_seconds = 3600});
  struct Case {
    const char* name;
    std::string certificate;
    std::string key;
    const char* field;  // "" = accepted
    const char* code;
  };
  const std::vector<Case> cases = {
      {"self-signed", other.cert_pem, other.key_pem, "", ""},
      {"no extended key usage", no_eku.cert_pem, no_eku.key_pem, "", ""},
      {"not valid yet (staged early)", not_yet.cert_pem, not_yet.key_pem, "", ""},
      {"empty certificate", "", good.key_pem, "certificate", error_codes::kRequired},
      {"not PEM", "hello", good.key_pem, "certificate", error_codes::kInvalidCertificate},
      {"a key in the certificate field", good.key_pem, good.key_pem, "certificate",
       error_codes::kInvalidCertificate},
      {"a key after the chain", good.cert_pem + good.key_pem, good.key_pem, "certificate",
       error_codes::kInvalidCertificate},
      {"corrupt base64", "-----BEGIN CERTIFICATE-----\nAAAA!!!\n-----END CERTIFICATE-----\n", good.key_pem,
       "certificate", error_codes::kInvalidCertificate},
      {"too long", std::string(limits::kMaxClientCertificateBytes + 1, 'a'), good.key_pem, "certificate",
       error_codes::kTooLong},
      {"expired", expired.cert_pem, expired.key_pem, "certificate", error_codes::kCertificateExpired},
      {"server-only EKU", server_only.cert_pem, server_only.key_pem, "certificate",
       error_codes::kInvalidCertificate},
      {"empty key", good.cert_pem, "", "private_key", error_codes::kRequired},
      {"key not PEM", good.cert_pem, "secret", "private_key", error_codes::kInvalidPrivateKey},
      {"key is a certificate", good.cert_pem, good.cert_pem, "private_key", error_codes::kInvalidPrivateKey},
      {"two keys", good.cert_pem, good.key_pem + other.key_pem, "private_key",
       error_codes::kInvalidPrivateKey},
      {"encrypted key", good.cert_pem, testing::encrypted_key_pem(good.key_pem, "pw"), "private_key",
       error_codes::kInvalidPrivateKey},
      {"key too long", good.cert_pem, std::string(limits::kMaxClientKeyBytes + 1, 'k'), "private_key",
       error_codes::kTooLong},
      {"key of another certificate", good.cert_pem, other.key_pem, "private_key", error_codes::kKeyMismatch},
      {"key of the CA, not the leaf", good.cert_pem + ca.cert_pem, ca.key_pem, "private_key",
       error_codes::kKeyMismatch},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parse_client_certificate(c.certificate, c.key, wall_now());
    if (std::string(c.field).empty()) {
      EXPECT_TRUE(parsed) << parsed.error().message;
      continue;
    }
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().field, c.field);
    EXPECT_EQ(parsed.error().code, c.code);
    EXPECT_FALSE(parsed.error().message.empty());
  }
}

TEST(ClientCertificateTest, TooLongAChain) {
  std::string chain;
  const TestPem leaf = make_certificate();
  chain += leaf.cert_pem;
  for (std::size_t i = 0; i < limits::kMaxClientCertificateChain; ++i) chain += make_ca().cert_pem;
  auto parsed = parse_client_certificate(chain, leaf.key_pem, wall_now());
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, error_codes::kTooMany);
}

}  // namespace
}  // namespace switchboard::model
