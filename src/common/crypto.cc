#include "common/crypto.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <system_error>
#include <utility>

#include "common/result.h"

namespace switchboard::crypto {
namespace {

constexpr std::string_view kSealedPrefix = "v1.";
constexpr std::size_t kNonceBytes = 12;  // the GCM default; other sizes cost an extra GHASH
constexpr std::size_t kTagBytes = 16;
// A key file is a few dozen bytes; anything far larger is not a key file and
// must not be slurped into memory.
constexpr std::size_t kMaxKeyFileBytes = 4096;

const unsigned char* as_uchar(const char* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* as_uchar(char* p) { return reinterpret_cast<unsigned char*>(p); }

// OpenSSL length parameters are int; refusing larger inputs here keeps the
// narrowing casts below provably safe. Secrets and payloads are far smaller.
void abort_if_too_large(std::size_t size, const char* what) {
  if (size > static_cast<std::size_t>(INT_MAX) / 2) {
    std::fprintf(stderr, "switchboard::crypto: %s input too large (%zu bytes)\n", what, size);
    std::abort();
  }
}

// Failures here mean OpenSSL itself is broken (allocation failure, missing
// algorithm); there is nothing sensible a caller could do with an error.
[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "switchboard::crypto: OpenSSL failure in %s\n", what);
  std::abort();
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The accepted encodings cannot be confused with each other: a raw key is 32
// bytes, hex is 64 characters, base64 is 44. A raw key is tried untrimmed
// first because its bytes may legitimately look like whitespace.
std::optional<std::string> parse_key(std::string_view contents) {
  if (contents.size() == SecretBox::kKeyBytes) return std::string(contents);
  const std::string_view text = trim(contents);
  if (text.size() == 2 * SecretBox::kKeyBytes) return hex_decode(text);
  if (auto decoded = base64_decode(text); decoded && decoded->size() == SecretBox::kKeyBytes) return decoded;
  if (text.size() == SecretBox::kKeyBytes) return std::string(text);
  return std::nullopt;
}

// strerror() may share a static buffer between threads; this does not.
std::string errno_text(int err) { return std::generic_category().message(err); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close() can report a deferred write error, so the writer checks it.
  int release_and_close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

Result<std::string> read_key_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    const ErrorCode code = err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable;
    return make_error(code, "cannot open key file " + path.string() + ": " + errno_text(err));
  }
  std::string contents;
  std::array<char, 1024> buf{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      OPENSSL_cleanse(buf.data(), buf.size());
      return make_error(ErrorCode::kUnavailable,
                        "cannot read key file " + path.string() + ": " + errno_text(err));
    }
    if (n == 0) break;
    contents.append(buf.data(), static_cast<std::size_t>(n));
    if (contents.size() > kMaxKeyFileBytes) break;
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  std::optional<std::string> key = parse_key(contents);
  OPENSSL_cleanse(contents.data(), contents.size());
  if (!key) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "key file " + path.string() + " does not hold a 32-byte key (raw, 64 hex characters, or base64)");
  }
  return std::move(*key);
}

enum class CreateOutcome { kCreated, kAlreadyExists };

// The key is written to a private temporary file, synced, then published with
// link(): the name appears atomically with complete contents, so another
// process racing to create it either wins or reads the winner's whole key,
// never a half-written one. link() fails with EEXIST for the loser.
Result<CreateOutcome> create_key_file(const std::filesystem::path& path, const std::string& key) {
  const std::filesystem::path tmp = path.string() + ".tmp." + hex_encode(random_bytes(8));
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot create key file " + tmp.string() + ": " + errno_text(errno));
  }
  std::string text = hex_encode(key) + "\n";
  std::string_view rest = text;
  int err = 0;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  OPENSSL_cleanse(text.data(), text.size());
  if (err == 0 && ::fsync(fd.get()) != 0) err = errno;
  if (fd.release_and_close() != 0 && err == 0) err = errno;
  bool lost_race = false;
  if (err == 0 && ::link(tmp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) {
      lost_race = true;
    } else {
      err = errno;
    }
  }
  ::unlink(tmp.c_str());
  if (err != 0) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot write key file " + path.string() + ": " + errno_text(err));
  }
  if (lost_race) return CreateOutcome::kAlreadyExists;
  // Without this the new directory entry may not survive a crash, while
  // secrets sealed with the key might: they would then be unreadable forever.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot sync directory of key file " + path.string() + ": " + errno_text(errno));
  }
  return CreateOutcome::kCreated;
}

}  // namespace

std::string random_bytes(std::size_t count) {
  abort_if_too_large(count, "random_bytes");
  std::string out(count, '\0');
  if (count > 0 && RAND_bytes(as_uchar(out.data()), static_cast<int>(count)) != 1) die("RAND_bytes");
  return out;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  abort_if_too_large(bytes.size(), "base64_encode");
  // EVP_EncodeBlock writes 4 characters per 3 bytes plus a NUL terminator.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(as_uchar(out.data()), as_uchar(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Hand-written rather than EVP_DecodeBlock, which skips surrounding
// whitespace, cannot report how much padding it consumed, and accepts
// non-canonical trailing bits. Strictness matters because decoded values are
// compared (signatures, tokens): one value must have exactly one spelling.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t data_chars = last ? 4 - padding : 4;
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      int v = 0;
      if (j < data_chars) {
        v = base64_value(text[i + j]);
        if (v < 0) return std::nullopt;
      }
      group = (group << 6) | static_cast<std::uint32_t>(v);
    }
    out.push_back(static_cast<char>(group >> 16));
    if (data_chars >= 3) out.push_back(static_cast<char>(group >> 8));
    if (data_chars == 4) out.push_back(static_cast<char>(group));
    // Bits that fall into the padding must be zero, or two texts decode alike.
    if (data_chars == 2 && (group & 0xffff) != 0) return std::nullopt;
    if (data_chars == 3 && (group & 0xff) != 0) return std::nullopt;
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), as_uchar(out.data()), &len, EVP_sha256(), nullptr) != 1 ||
      len != 32) {
    die("EVP_Digest");
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // An empty string_view may carry a null pointer, which EVP_Q_mac treats as
  // "no key" rather than "empty key".
  static constexpr unsigned char kEmpty = 0;
  const unsigned char* key_ptr = key.empty() ? &kEmpty : as_uchar(key.data());
  const unsigned char* data_ptr = data.empty() ? &kEmpty : as_uchar(data.data());
  std::string out(32, '\0');
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_ptr, key.size(), data_ptr, data.size(),
                as_uchar(out.data()), out.size(), &len) == nullptr ||
      len != 32) {
    die("EVP_Q_mac");
  }
  return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  // Lengths are public (a MAC or token has a fixed size), so an early return
  // on mismatch leaks nothing worth protecting.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<SecretBox> SecretBox::from_key(std::string_view key) {
  if (key.size() != kKeyBytes) {
    return make_error(ErrorCode::kInvalidArgument, "secret box key must be " + std::to_string(kKeyBytes) +
                                                       " bytes, got " + std::to_string(key.size()));
  }
  return SecretBox(std::string(key));
}

std::string SecretBox::seal(std::string_view plaintext) const {
  abort_if_too_large(plaintext.size(), "SecretBox::seal");
  const std::string nonce = random_bytes(kNonceBytes);
  std::string payload(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  std::memcpy(payload.data(), nonce.data(), kNonceBytes);
  unsigned char* ciphertext = as_uchar(payload.data() + kNonceBytes);

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) die("EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, as_uchar(key_.data()),
                         as_uchar(nonce.data())) != 1) {
    die("EVP_EncryptInit_ex");
  }
  int len = 0;
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), ciphertext, &len, as_uchar(plaintext.data()),
                                              static_cast<int>(plaintext.size())) != 1) {
    die("EVP_EncryptUpdate");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &final_len) != 1) die("EVP_EncryptFinal_ex");
  if (static_cast<std::size_t>(len) + static_cast<std::size_t>(final_len) != plaintext.size())
    die("AES-GCM length");
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          ciphertext + plaintext.size()) != 1) {
    die("EVP_CTRL_GCM_GET_TAG");
  }
  return std::string(kSealedPrefix) + base64_encode(payload);
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  // One message for every rejection: telling a caller which check failed
  // would only help someone forging sealed values.
  const auto reject = [] { return make_error(ErrorCode::kInvalidArgument, "not a valid sealed secret"); };
  if (sealed.substr(0, kSealedPrefix.size()) != kSealedPrefix) return reject();
  std::optional<std::string> payload = base64_decode(sealed.substr(kSealedPrefix.size()));
  if (!payload || payload->size() < kNonceBytes + kTagBytes) return reject();
  abort_if_too_large(payload->size(), "SecretBox::open");

  const std::size_t text_size = payload->size() - kNonceBytes - kTagBytes;
  unsigned char* nonce = as_uchar(payload->data());
  unsigned char* ciphertext = nonce + kNonceBytes;
  unsigned char* tag = ciphertext + text_size;
  std::string plaintext(text_size, '\0');

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) die("EVP_CIPHER_CTX_new");
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, as_uchar(key_.data()), nonce) != 1) {
    die("EVP_DecryptInit_ex");
  }
  int len = 0;
  if (text_size > 0 && EVP_DecryptUpdate(ctx.get(), as_uchar(plaintext.data()), &len, ciphertext,
                                         static_cast<int>(text_size)) != 1) {
    die("EVP_DecryptUpdate");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag) != 1) {
    die("EVP_CTRL_GCM_SET_TAG");
  }
  int final_len = 0;
  // The tag check happens here; unauthenticated plaintext must not escape.
  if (EVP_DecryptFinal_ex(ctx.get(), as_uchar(plaintext.data()) + len, &final_len) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return reject();
  }
  return plaintext;
}

Result<std::string> load_or_create_key_file(const std::filesystem::path& path, bool create_if_missing) {
  Result<std::string> existing = read_key_file(path);
  if (existing || existing.error().code != ErrorCode::kNotFound || !create_if_missing) return existing;

  std::string key = random_bytes(SecretBox::kKeyBytes);
  Result<CreateOutcome> created = create_key_file(path, key);
  if (!created) return forward_error(created);
  if (*created == CreateOutcome::kAlreadyExists) {
    // Another process created the file between our read and our create.
    OPENSSL_cleanse(key.data(), key.size());
    return read_key_file(path);
  }
  return key;
}

}  // namespace switchboard::crypto
