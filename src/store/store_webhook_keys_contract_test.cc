// The Store contract for a webhook's client certificate and Ed25519 signing
// keys (issue 16 item 5): each narrow write changes only its column (and
// updated_at), reads give back what was written, another company's webhook is
// not found. Runs against every backend of store_backends().
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/crypto.h"
#include "model/client_certificate.h"
#include "model/signing_keys.h"
#include "model/test_certificates.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::subscriber;

class WebhookKeysContractTest : public contract::StoreContractFixture {};

std::shared_ptr<const model::ClientCertificate> sample_certificate() {
  const auto pem = model::testing::make_certificate({.common_name = "contract"});
  auto parsed = model::parse_client_certificate(
      pem.cert_pem, pem.key_pem,
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  EXPECT_TRUE(parsed);
  return std::make_shared<const model::ClientCertificate>(std::move(*parsed));
}

TEST_P(WebhookKeysContractTest, ClientCertificateRoundTripsAndIsRemoved) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  const model::Webhook created = subscriber("cmp_a", "wh_1");
  ASSERT_TRUE(store().create_webhook(created, 10));
  auto fresh = store().get_webhook("cmp_a", "wh_1");
  ASSERT_TRUE(fresh) << error_text(fresh);
  EXPECT_EQ(fresh->client_certificate, nullptr);
  EXPECT_EQ(fresh->signing_keys, model::SigningKeys{});

  const auto certificate = sample_certificate();
  auto set = store().set_webhook_client_certificate("cmp_a", "wh_1", certificate, at(1'800'000'000'001));
  ASSERT_TRUE(set) << error_text(set);
  ASSERT_NE(set->client_certificate, nullptr);
  EXPECT_EQ(*set->client_certificate, *certificate);
  EXPECT_EQ(set->updated_at, at(1'800'000'000'001));
  EXPECT_EQ(set->secret, created.secret);  // nothing else changes
  EXPECT_EQ(set->spec, created.spec);
  auto read = store().get_webhook("cmp_a", "wh_1");
  ASSERT_TRUE(read) << error_text(read);
  ASSERT_NE(read->client_certificate, nullptr);
  EXPECT_EQ(*read->client_certificate, *certificate);

  // Another company's webhook is not found, and is not changed.
  EXPECT_EQ(store().set_webhook_client_certificate("cmp_b", "wh_1", nullptr, at(2)).error().code,
            ErrorCode::kNotFound);
  EXPECT_NE(store().get_webhook("cmp_a", "wh_1")->client_certificate, nullptr);

  auto removed = store().set_webhook_client_certificate("cmp_a", "wh_1", nullptr, at(1'800'000'000'002));
  ASSERT_TRUE(removed) << error_text(removed);
  EXPECT_EQ(removed->client_certificate, nullptr);
  EXPECT_EQ(store().get_webhook("cmp_a", "wh_1")->client_certificate, nullptr);
}

TEST_P(WebhookKeysContractTest, SigningKeysRoundTripThroughARotation) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  ASSERT_TRUE(store().create_webhook(subscriber("cmp_a", "wh_1"), 10));
  const auto first = *model::ed25519_key_from_seed(crypto::random_bytes(32));
  const auto second = *model::ed25519_key_from_seed(crypto::random_bytes(32));
  const model::SigningKeys one = model::rotate_ed25519_key({}, first, at(1'800'000'000'000));
  const model::SigningKeys two = model::rotate_ed25519_key(one, second, at(1'800'000'000'100));
  for (const model::SigningKeys& keys : {one, two, model::SigningKeys{}}) {
    auto set = store().set_webhook_signing_keys("cmp_a", "wh_1", keys, at(1'800'000'000'200));
    ASSERT_TRUE(set) << error_text(set);
    EXPECT_EQ(set->signing_keys, keys);
    EXPECT_EQ(store().get_webhook("cmp_a", "wh_1")->signing_keys, keys);
    auto listed = store().list_webhooks("cmp_a", PageRequest{});
    ASSERT_TRUE(listed) << error_text(listed);
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0].signing_keys, keys);
  }
  EXPECT_EQ(store().set_webhook_signing_keys("cmp_b", "wh_1", one, at(2)).error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookKeysContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
