// A webhook's client certificate and Ed25519 key over real HTTP (issue 16
// item 5): the routes' answers, bad input as 400 field errors, private keys
// never answered and never stored in clear, another company's webhook 404.
// Deliveries with them are tested end to end in
// tests/e2e/enterprise_receivers_test.sh and src/delivery/http_client_mtls_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "model/test_certificates.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The base64 body of a PEM block, the part that must never be in clear.
std::string pem_body_line(const std::string& pem) {
  const auto start = pem.find('\n') + 1;
  return pem.substr(start, pem.find('\n', start) - start);
}

class WebhookKeysApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
    auto created = server_->post("/api/v2/webhooks", owner_, webhook_body());
    ASSERT_EQ(created.status, 201) << created.body;
    path_ = "/api/v2/webhooks/" + std::string(created.json().at("id").as_string());
  }

  HttpResult put_certificate(const std::string& certificate, const std::string& key) {
    return server_->put(path_ + "/client-certificate", owner_,
                        json::serialize(json::object{{"certificate", certificate}, {"private_key", key}}));
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
  std::string path_;
};

TEST_F(WebhookKeysApiTest, ClientCertificateIsShownButItsKeyNever) {
  const auto ca = model::testing::make_ca();
  const auto leaf = model::testing::make_certificate({.common_name = "acme", .issuer = &ca});
  auto r = put_certificate(leaf.cert_pem + ca.cert_pem, leaf.key_pem);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value shown = r.json().at("client_certificate");
  EXPECT_EQ(shown.at("subject"), "CN=acme,O=Switchboard Tests");
  EXPECT_EQ(shown.at("issuer"), "CN=switchboard-test-ca,O=Switchboard Tests");
  EXPECT_EQ(shown.at("fingerprint_sha256").as_string().size(), 64u);
  const auto get = server_->get(path_, owner_);
  EXPECT_EQ(get.json().at("client_certificate"), shown);
  const auto list = server_->get("/api/v2/webhooks", owner_);
  for (const std::string* text : std::initializer_list<const std::string*>{&r.body, &get.body, &list.body}) {
    EXPECT_EQ(text->find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(text->find(pem_body_line(leaf.key_pem)), std::string::npos);
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(read_file(entry.path()).find(pem_body_line(leaf.key_pem)), std::string::npos) << entry.path();
  }
  EXPECT_EQ(server_->del(path_ + "/client-certificate", owner_).status, 204);
  EXPECT_TRUE(server_->get(path_, owner_).json().at("client_certificate").is_null());
  EXPECT_EQ(server_->del(path_ + "/client-certificate", owner_).status, 204);  // idempotent
}

TEST_F(WebhookKeysApiTest, BadInputIsA400NamingTheField) {
  const auto good = model::testing::make_certificate();
  const auto other = model::testing::make_certificate();
  struct Case {
    const char* name;
    std::string body;
    std::string code;
    std::string field;
  };
  const auto body = [](const auto& certificate, const auto& key) {
    return json::serialize(
        json::object{{"certificate", json::value_from(certificate)}, {"private_key", json::value_from(key)}});
  };
  const std::vector<Case> cases = {
      {"not a certificate", body("hello", good.key_pem), "invalid_certificate", "certificate"},
      {"key does not match", body(good.cert_pem, other.key_pem), "key_mismatch", "private_key"},
      {"key not PEM", body(good.cert_pem, "nope"), "invalid_private_key", "private_key"},
      {"missing key", json::serialize(json::object{{"certificate", good.cert_pem}}), "required",
       "private_key"},
      {"not a string", body(42, good.key_pem), "invalid_type", "certificate"},
      {"unknown field", R"({"cert":"x"})", "unknown_field", "cert"},
      {"not an object", "[]", "invalid_body", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server_->put(path_ + "/client-certificate", owner_, c.body);
    ASSERT_EQ(r.status, 400) << r.body;
    const json::value error = r.json().at("error");
    EXPECT_EQ(std::string(error.at("code").as_string()), c.code);
    if (!c.field.empty()) {
      EXPECT_EQ(std::string(error.at("field").as_string()), c.field);
    }
  }
  EXPECT_TRUE(server_->get(path_, owner_).json().at("client_certificate").is_null());
}

TEST_F(WebhookKeysApiTest, Ed25519KeyIsGeneratedRotatedAndRemoved) {
  auto first = server_->post(path_ + "/signing-keys/ed25519", owner_);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string key1(first.json().at("ed25519_public_key").as_string());
  ASSERT_EQ(key1.rfind("whpk_", 0), 0u);
  EXPECT_EQ(crypto::base64_decode(key1.substr(5))->size(), 32u);
  EXPECT_FALSE(first.json().as_object().contains("previous_ed25519_public_key"));

  auto second = server_->post(path_ + "/signing-keys/ed25519", owner_);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(std::string(second.json().at("ed25519_public_key").as_string()), key1);
  EXPECT_EQ(std::string(second.json().at("previous_ed25519_public_key").as_string()), key1);
  EXPECT_TRUE(second.json().at("previous_ed25519_expires_at").is_string());

  EXPECT_EQ(server_->post(path_ + "/signing-keys/ed25519", owner_, R"({"x":1})").status, 400);
  EXPECT_EQ(server_->del(path_ + "/signing-keys/ed25519", owner_).status, 204);
  const auto after = server_->get(path_, owner_).json();
  EXPECT_TRUE(after.at("ed25519_public_key").is_null());
  EXPECT_FALSE(after.as_object().contains("previous_ed25519_public_key"));
}

}  // namespace
}  // namespace switchboard::testing
