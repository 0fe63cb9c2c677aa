#include "model/signing_keys.h"

#include <openssl/evp.h>

#include <memory>

#include "common/crypto.h"
#include "model/limits.h"

namespace switchboard::model {

namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using ContextPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::optional<Ed25519Key> ed25519_key_from_seed(std::string_view seed) {
  if (seed.size() != kEd25519SeedBytes) return std::nullopt;
  KeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size()),
             EVP_PKEY_free);
  if (!key) return std::nullopt;
  std::string public_key(32, '\0');
  std::size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(public_key.data()), &length) !=
          1 ||
      length != public_key.size()) {
    return std::nullopt;
  }
  return Ed25519Key{std::string(seed), std::move(public_key),
                    std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free)};
}

std::string ed25519_public_key_text(const Ed25519Key& key) {
  return std::string(kEd25519PublicKeyPrefix) + crypto::base64_encode(key.public_key);
}

// Signs with the key made once from the seed; making it per signature
// (EVP_PKEY_new_raw_private_key) was 38 % of the time of a 79 % share of
// ed25519_sign in a profile (perf record -g), i.e. half of each signature.
std::string ed25519_sign(const Ed25519Key& key, std::string_view message) {
  std::shared_ptr<EVP_PKEY> pkey = key.openssl_key;
  if (!pkey) {  // a key built by hand (tests) rather than by ed25519_key_from_seed
    pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(key.seed), key.seed.size()),
               EVP_PKEY_free);
  }
  ContextPtr context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  // Only a seed that is not 32 bytes can fail here, and the store never holds one.
  if (!pkey || !context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes(message), message.size()) != 1) {
    return std::string();
  }
  signature.resize(length);
  return signature;
}

bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) {
  KeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(public_key), public_key.size()),
              EVP_PKEY_free);
  ContextPtr context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return pkey && context && EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
         EVP_DigestVerify(context.get(), bytes(signature), signature.size(), bytes(message),
                          message.size()) == 1;
}

std::vector<const Ed25519Key*> ed25519_keys_signing(const SigningKeys& keys, TimePoint now) {
  std::vector<const Ed25519Key*> out;
  if (!keys.ed25519) return out;
  out.push_back(&*keys.ed25519);
  if (keys.previous_ed25519 && keys.previous_expires_at && *keys.previous_expires_at > now) {
    out.push_back(&*keys.previous_ed25519);
  }
  return out;
}

SigningKeys rotate_ed25519_key(const SigningKeys& current, Ed25519Key fresh, TimePoint now) {
  SigningKeys out;
  if (current.ed25519) {
    out.previous_ed25519 = current.ed25519;
    out.previous_expires_at = now + limits::kSecretRotationGrace;
  }
  out.ed25519 = std::move(fresh);
  return out;
}

}  // namespace switchboard::model
