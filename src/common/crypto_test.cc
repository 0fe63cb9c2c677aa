#include "common/crypto.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

namespace switchboard::crypto {
namespace {

using namespace std::string_literals;

std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// ---------------------------------------------------------------- encodings

struct Base64Case {
  std::string raw;
  std::string std_text;  // standard alphabet, padded
  std::string url_text;  // URL-safe alphabet, unpadded
};

TEST(Base64, KnownVectors) {
  // RFC 4648 section 10, plus bytes that exercise '+', '/', '-' and '_'.
  const std::vector<Base64Case> cases = {
      {"", "", ""},
      {"f", "Zg==", "Zg"},
      {"fo", "Zm8=", "Zm8"},
      {"foo", "Zm9v", "Zm9v"},
      {"foob", "Zm9vYg==", "Zm9vYg"},
      {"fooba", "Zm9vYmE=", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
      {bytes_of({0xfb, 0xff, 0xfe}), "+//+", "-__-"},
      {bytes_of({0xfb, 0xff}), "+/8=", "-_8"},
      {"\0\0\0"s, "AAAA", "AAAA"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.std_text);
    EXPECT_EQ(base64_encode(c.raw), c.std_text);
    EXPECT_EQ(base64url_encode(c.raw), c.url_text);
    EXPECT_EQ(base64_decode(c.std_text), c.raw);
  }
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 7) {
    const std::string raw = all.substr(0, len);
    EXPECT_EQ(base64_decode(base64_encode(raw)), raw) << "length " << len;
  }
}

TEST(Base64, StrictDecodeRejects) {
  const std::vector<std::string> rejected = {
      "Zg",          // missing padding
      "Zg=",         // length not a multiple of 4
      "Zm9vY",       // length not a multiple of 4
      "Zm8==",       // too much padding for the length
      "Z===",        // three padding characters
      "====",        // padding only
      "=Zg=",        // padding at the front
      "Zg==Zg==",    // padding in the middle
      "Zm9v YmFy",   // inner space
      " Zm9v",       // leading space (also wrong length)
      "Zm9vYmFy\n",  // trailing newline
      "Zm9v\r\nYmFy",
      "Zm9v!mFy",    // character outside the alphabet
      "-_8=",        // URL-safe alphabet is not standard base64
      "Zh==",        // non-zero bits under the padding: second spelling of "f"
      "Zm9=",        // non-zero bits under the padding: second spelling of "fo"
      "Zm9v\0mFy"s,  // embedded NUL
  };
  for (const auto& text : rejected) {
    EXPECT_EQ(base64_decode(text), std::nullopt) << "accepted: " << text;
  }
}

TEST(Hex, EncodesLowercase) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"\0"s, "00"},
      {bytes_of({0x00, 0x01, 0xab, 0xff}), "0001abff"},
      {"Hi", "4869"},
  };
  for (const auto& [raw, hex] : cases) EXPECT_EQ(hex_encode(raw), hex);
}

// ---------------------------------------------------------------- hashing

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 appendix B examples.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (const auto& [input, digest] : cases) {
    EXPECT_EQ(sha256_hex(input), digest) << input;
    EXPECT_EQ(hex_encode(sha256(input)), digest) << input;
  }
}

TEST(HmacSha256, KnownVectors) {
  struct Case {
    std::string name;
    std::string key;
    std::string data;
    std::string mac_hex;
  };
  const std::vector<Case> cases = {
      {"RFC 4231 case 1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"RFC 4231 case 2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"RFC 4231 case 6 (key longer than a block)", std::string(131, '\xaa'),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"empty key and message", "", "", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string mac = hmac_sha256(c.key, c.data);
    EXPECT_EQ(mac.size(), 32u);
    EXPECT_EQ(hex_encode(mac), c.mac_hex);
  }
}

TEST(ConstantTimeEquals, Table) {
  const std::vector<std::tuple<std::string, std::string, bool>> cases = {
      {"", "", true},   {"abc", "abc", true},     {"abc", "abd", false},     {"abc", "ab", false},
      {"", "a", false}, {"a\0b"s, "a\0b"s, true}, {"a\0b"s, "a\0c"s, false},
  };
  for (const auto& [a, b, equal] : cases) {
    EXPECT_EQ(constant_time_equals(a, b), equal) << '"' << a << "\" vs \"" << b << '"';
  }
}

TEST(RandomBytes, HasRequestedSizeAndVaries) {
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(1000).size(), 1000u);
  // 2^-256 chance of a false failure.
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

// ---------------------------------------------------------------- SecretBox

SecretBox make_box(char fill) { return SecretBox::from_key(std::string(SecretBox::kKeyBytes, fill)).value(); }

TEST(SecretBox, FromKeyRequiresExactly32Bytes) {
  for (const std::size_t size : {0u, 1u, 16u, 31u, 33u, 64u}) {
    const auto box = SecretBox::from_key(std::string(size, 'k'));
    ASSERT_FALSE(box.has_value()) << size;
    EXPECT_EQ(box.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(SecretBox::from_key(std::string(32, 'k')).has_value());
}

TEST(SecretBox, RoundTrips) {
  const SecretBox box = make_box('k');
  const std::vector<std::string> plaintexts = {
      "", "x", "whsec_0123456789abcdef", "with\0nul\0bytes"s, std::string(10000, 'z'), random_bytes(257),
  };
  for (const auto& plaintext : plaintexts) {
    const std::string sealed = box.seal(plaintext);
    EXPECT_EQ(sealed.substr(0, 3), "v1.");
    // nonce + ciphertext + tag, base64-encoded.
    EXPECT_EQ(base64_decode(sealed.substr(3)).value().size(), 12 + plaintext.size() + 16);
    const auto opened = box.open(sealed);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(SecretBox, SealingTwiceGivesDifferentText) {
  const SecretBox box = make_box('k');
  EXPECT_NE(box.seal("same secret"), box.seal("same secret"));
  EXPECT_NE(box.seal(""), box.seal(""));
}

TEST(SecretBox, DetectsTamperingWithAnyByte) {
  const SecretBox box = make_box('k');
  const std::string sealed = box.seal("top secret");
  const std::string payload = base64_decode(sealed.substr(3)).value();
  // Every byte is covered: nonce, ciphertext and tag.
  for (std::size_t i = 0; i < payload.size(); ++i) {
    std::string tampered = payload;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    const auto opened = box.open("v1." + base64_encode(tampered));
    ASSERT_FALSE(opened.has_value()) << "flipped byte " << i;
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  }
  // Truncation and extension are tampering too.
  EXPECT_FALSE(box.open("v1." + base64_encode(payload.substr(0, payload.size() - 1))).has_value());
  EXPECT_FALSE(box.open("v1." + base64_encode(payload + "x")).has_value());
}

TEST(SecretBox, WrongKeyFails) {
  const std::string sealed = make_box('a').seal("top secret");
  const auto opened = make_box('b').open(sealed);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
}

TEST(SecretBox, RejectsMalformedSealedText) {
  const SecretBox box = make_box('k');
  const std::string valid = box.seal("x");
  const std::vector<std::string> rejected = {
      "",
      "v1.",
      "v1",
      "top secret",
      "v2." + valid.substr(3),
      "V1." + valid.substr(3),
      valid.substr(3),                              // prefix missing
      "v1.!!!!",                                    // not base64
      "v1." + base64_encode(std::string(27, 'a')),  // shorter than nonce + tag
      "v1." + base64_encode(std::string(28, 'a')),  // forged nonce + tag, empty message
      valid + "\n",
      " " + valid,
  };
  for (const auto& text : rejected) {
    const auto opened = box.open(text);
    ASSERT_FALSE(opened.has_value()) << "accepted: " << text;
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
  }
}

// ---------------------------------------------------------------- key files

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sb_crypto_test_" + hex_encode(random_bytes(8)));
    std::filesystem::create_directory(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& contents) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, CreatesPrivateHexFileAndReloadsSameKey) {
  const auto path = dir_ / "secret.key";
  const auto created = load_or_create_key_file(path, true);
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->size(), 32u);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(read(path), hex_encode(*created) + "\n");

  for (const bool create : {false, true}) {
    const auto reloaded = load_or_create_key_file(path, create);
    ASSERT_TRUE(reloaded.has_value()) << reloaded.error().message;
    EXPECT_EQ(*reloaded, *created);
  }
}

TEST_F(KeyFileTest, NewFilesGetNewKeys) {
  const auto a = load_or_create_key_file(dir_ / "a.key", true);
  const auto b = load_or_create_key_file(dir_ / "b.key", true);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_NE(*a, *b);
}

TEST_F(KeyFileTest, AcceptsEveryDocumentedEncoding) {
  std::string key;
  for (int i = 0; i < 32; ++i) key.push_back(static_cast<char>(i * 7 + 1));
  std::string upper_hex = hex_encode(key);
  for (char& c : upper_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string whitespace_key(32, ' ');  // raw bytes that look like whitespace

  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"raw", key, key},
      {"raw with trailing newline", key + "\n", key},
      {"raw bytes that are all spaces", whitespace_key, whitespace_key},
      {"hex", hex_encode(key), key},
      {"hex with newline", hex_encode(key) + "\n", key},
      {"uppercase hex with surrounding whitespace", "  \t" + upper_hex + "\r\n\n", key},
      {"base64", base64_encode(key), key},
      {"base64 with newline", base64_encode(key) + "\n", key},
  };
  for (const auto& [name, contents, expected] : cases) {
    SCOPED_TRACE(name);
    const auto loaded = load_or_create_key_file(write("key", contents), false);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(*loaded, expected);
  }
}

TEST_F(KeyFileTest, RejectsMalformedFilesWithoutOverwriting) {
  const std::string key(32, 'k');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"whitespace only", "   \n"},
      {"short text", "not a key"},
      {"31 raw bytes", std::string(31, 'k')},
      {"33 raw bytes", std::string(33, 'k')},
      {"63 hex characters", hex_encode(key).substr(1)},
      {"65 hex characters", hex_encode(key) + "0"},
      {"64 characters, one not hex", "g" + hex_encode(key).substr(1)},
      {"hex with inner space", hex_encode(key).insert(32, " ")},
      {"base64 of 31 bytes", base64_encode(std::string(31, 'k'))},
      {"base64 of 33 bytes", base64_encode(std::string(33, 'k'))},
      {"unpadded base64", base64url_encode(key)},
      {"huge file", std::string(100000, 'a')},
  };
  for (const auto& [name, contents] : cases) {
    SCOPED_TRACE(name);
    const auto path = write("key", contents);
    for (const bool create : {false, true}) {
      const auto loaded = load_or_create_key_file(path, create);
      ASSERT_FALSE(loaded.has_value());
      EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument);
    }
    EXPECT_EQ(read(path), contents);
  }
}

TEST_F(KeyFileTest, ReportsMissingAndUnreachableFiles) {
  const auto missing = load_or_create_key_file(dir_ / "missing.key", false);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.key"));

  // The parent directory is not created on the caller's behalf.
  const auto no_parent = load_or_create_key_file(dir_ / "no" / "such" / "dir.key", true);
  ASSERT_FALSE(no_parent.has_value());
  EXPECT_EQ(no_parent.error().code, ErrorCode::kUnavailable);

  // A directory where the file should be is an I/O problem, not a bad key.
  std::filesystem::create_directory(dir_ / "is_a_dir");
  const auto directory = load_or_create_key_file(dir_ / "is_a_dir", true);
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace switchboard::crypto
