// Cryptographic primitives, all backed by OpenSSL 3. Thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace switchboard::crypto {

// Cryptographically secure random bytes (RAND_bytes). Aborts if the CSPRNG fails.
std::string random_bytes(std::size_t count);

std::string hex_encode(std::string_view bytes);                   // lowercase
std::string base64_encode(std::string_view bytes);                // standard alphabet, padded
std::optional<std::string> base64_decode(std::string_view text);  // strict; nullopt on bad input
std::string base64url_encode(std::string_view bytes);             // URL-safe alphabet, unpadded

std::string sha256(std::string_view data);  // raw 32 bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

// Constant-time comparison of two byte strings.
bool constant_time_equals(std::string_view a, std::string_view b);

// Authenticated encryption of small secrets at rest: AES-256-GCM with a random
// 96-bit nonce per message. Sealed form: "v1." + base64(nonce | ciphertext | tag).
class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // `key` must be exactly kKeyBytes raw bytes.
  static Result<SecretBox> from_key(std::string_view key);

  std::string seal(std::string_view plaintext) const;
  // kInvalidArgument when the text is not a sealed value or fails authentication.
  Result<std::string> open(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// Reads a 32-byte key from `path` (raw 32 bytes, or 64 hex characters, or
// base64 of 32 bytes; surrounding whitespace ignored). When the file does not
// exist and `create_if_missing`, writes a new random key there with mode 0600.
Result<std::string> load_or_create_key_file(const std::filesystem::path& path, bool create_if_missing);

}  // namespace switchboard::crypto
