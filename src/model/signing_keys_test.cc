// Ed25519 signing keys (model/signing_keys.h): RFC 8032's test vector,
// signatures that verify, rotation with its grace, table-driven.
#include "model/signing_keys.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "model/limits.h"

namespace switchboard::model {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

const TimePoint kNow{std::chrono::milliseconds(1'767'225'600'000)};

TEST(SigningKeysTest, Rfc8032TestVector1) {
  // RFC 8032 §7.1, TEST 1: the empty message.
  auto key = ed25519_key_from_seed(unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(key);
  EXPECT_EQ(crypto::hex_encode(key->public_key),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(crypto::hex_encode(ed25519_sign(*key, "")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
            "d25bf5f0595bbe24655141438e7a100b");
  EXPECT_EQ(ed25519_public_key_text(*key), "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
}

TEST(SigningKeysTest, SeedsOfTheWrongLengthAreRefused) {
  EXPECT_FALSE(ed25519_key_from_seed(""));
  EXPECT_FALSE(ed25519_key_from_seed(std::string(31, 'a')));
  EXPECT_FALSE(ed25519_key_from_seed(std::string(33, 'a')));
}

TEST(SigningKeysTest, SignaturesVerifyOnlyForTheirMessageAndKey) {
  auto key = ed25519_key_from_seed(crypto::random_bytes(32));
  auto other = ed25519_key_from_seed(crypto::random_bytes(32));
  ASSERT_TRUE(key && other);
  const std::string signature = ed25519_sign(*key, "msg_1.1767225600.{}");
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(ed25519_verify(key->public_key, "msg_1.1767225600.{}", signature));
  EXPECT_FALSE(ed25519_verify(key->public_key, "msg_1.1767225601.{}", signature));
  EXPECT_FALSE(ed25519_verify(other->public_key, "msg_1.1767225600.{}", signature));
  EXPECT_FALSE(ed25519_verify("short", "msg_1.1767225600.{}", signature));
}

TEST(SigningKeysTest, RotationKeepsThePreviousKeySigningForTheGrace) {
  const Ed25519Key first = *ed25519_key_from_seed(std::string(32, '\1'));
  const Ed25519Key second = *ed25519_key_from_seed(std::string(32, '\2'));
  const Ed25519Key third = *ed25519_key_from_seed(std::string(32, '\3'));
  const SigningKeys none;
  const SigningKeys one = rotate_ed25519_key(none, first, kNow);
  EXPECT_EQ(one, (SigningKeys{first, std::nullopt, std::nullopt}));
  const SigningKeys two = rotate_ed25519_key(one, second, kNow);
  EXPECT_EQ(two, (SigningKeys{second, first, kNow + limits::kSecretRotationGrace}));
  // A second rotation drops the oldest key: only one previous key signs.
  const SigningKeys three = rotate_ed25519_key(two, third, kNow + std::chrono::hours(1));
  EXPECT_EQ(three, (SigningKeys{third, second, kNow + std::chrono::hours(1) + limits::kSecretRotationGrace}));

  struct Case {
    const char* name;
    SigningKeys keys;
    TimePoint at;
    std::vector<const Ed25519Key*> expected;
  };
  const std::vector<Case> cases = {
      {"no key", none, kNow, {}},
      {"one key", one, kNow, {&*one.ed25519}},
      {"during the grace: new first",
       two,
       kNow + limits::kSecretRotationGrace - std::chrono::milliseconds(1),
       {&*two.ed25519, &*two.previous_ed25519}},
      {"grace over", two, kNow + limits::kSecretRotationGrace, {&*two.ed25519}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto signing = ed25519_keys_signing(c.keys, c.at);
    ASSERT_EQ(signing.size(), c.expected.size());
    for (std::size_t i = 0; i < signing.size(); ++i) EXPECT_EQ(*signing[i], *c.expected[i]);
  }
}

}  // namespace
}  // namespace switchboard::model
