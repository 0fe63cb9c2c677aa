// A webhook's asymmetric signing keys (issue 16 item 5): Ed25519 key pairs
// whose signatures go out as Standard Webhooks "v1a,<base64 signature>"
// entries of `webhook-signature`, beside the HMAC "v1," ones, over the same
// signed content "<webhook-id>.<webhook-timestamp>.<body>". Receivers verify
// them with the public key, shown as "whpk_<base64 of the raw 32 bytes>",
// without holding any secret.
//
// Rotation follows the HMAC secret's (webhook_changes.h): a new key replaces
// the current one, which keeps signing beside it until now +
// limits::kSecretRotationGrace, the new one first.
//
// Value types and pure functions (OpenSSL EVP for the key arithmetic; the
// random seed is passed in). Thread-safe.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace switchboard::model {

inline constexpr std::string_view kEd25519PublicKeyPrefix = "whpk_";
inline constexpr std::string_view kEd25519SignaturePrefix = "v1a,";
inline constexpr std::size_t kEd25519SeedBytes = 32;

struct Ed25519Key {
  std::string seed;        // the raw 32-byte private key: secret, sealed at rest
  std::string public_key;  // the raw 32-byte public key
  // The OpenSSL key made once from the seed (ed25519_key_from_seed): making it
  // derives the public key, half the cost of a signature (perf, see
  // ed25519_sign). Read-only once made, so threads may sign with it at once.
  std::shared_ptr<EVP_PKEY> openssl_key;
  bool operator==(const Ed25519Key& other) const {
    return seed == other.seed && public_key == other.public_key;
  }
};

struct SigningKeys {
  std::optional<Ed25519Key> ed25519;
  std::optional<Ed25519Key> previous_ed25519;  // still signs until previous_expires_at
  std::optional<TimePoint> previous_expires_at;
  bool operator==(const SigningKeys&) const = default;
};

// The key pair of a 32-byte seed; nullopt for any other length.
std::optional<Ed25519Key> ed25519_key_from_seed(std::string_view seed);

// "whpk_" + base64 of the raw public key.
std::string ed25519_public_key_text(const Ed25519Key& key);

// The raw 64-byte Ed25519 signature (RFC 8032, no pre-hash) of `message`.
std::string ed25519_sign(const Ed25519Key& key, std::string_view message);
// Whether `signature` is `public_key`'s over `message` (tests, the receiver).
bool ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature);

// The keys that sign at `now`: the current one, then the previous one while
// its grace lasts.
std::vector<const Ed25519Key*> ed25519_keys_signing(const SigningKeys& keys, TimePoint now);

// Puts `fresh` in place of the current key; the current one, if any, keeps
// signing until now + limits::kSecretRotationGrace.
SigningKeys rotate_ed25519_key(const SigningKeys& current, Ed25519Key fresh, TimePoint now);

}  // namespace switchboard::model
