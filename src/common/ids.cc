#include "common/ids.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/crypto.h"

namespace switchboard {
namespace {

// Crockford's base32 omits I, L, O and U so that IDs survive being read
// aloud or retyped; its alphabet is in ASCII order, so IDs compare as strings
// in the same order as the numbers they encode.
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kBodyChars = 26;
constexpr std::size_t kTimeChars = 10;  // 50 bits hold the 48-bit timestamp
constexpr std::size_t kRandomBytes = 10;
constexpr std::int64_t kMaxTimestamp = (std::int64_t{1} << 48) - 1;
// The top two of the 50 timestamp bits are always zero, so the first
// character can be at most '7'.
constexpr char kMaxFirstChar = '7';

bool in_alphabet(char c) { return kAlphabet.find(c) != std::string_view::npos; }

// Random bytes for ids, drawn from the CSPRNG (RAND_bytes) a block at a time
// and handed out per id. One RAND_bytes call per id cost ~7 % of the CPU of
// batch ingest (issue 14: OpenSSL 3's DRBG locks, sets parameters and
// reinitializes its cipher on every call); a block serves ~100 ids. Each
// thread has its own block: nothing is shared, and no byte is handed out twice.
class RandomBlock {
 public:
  void take(unsigned char* out, std::size_t count) {
    if (used_ + count > bytes_.size()) {
      const std::string fresh = crypto::random_bytes(bytes_.size());
      std::copy(fresh.begin(), fresh.end(), bytes_.begin());
      used_ = 0;
    }
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), count, out);
    // Handed out bytes are not kept: an id made later never shows them.
    std::fill_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), count, 0);
    used_ += count;
  }

 private:
  std::array<unsigned char, 1024> bytes_{};
  std::size_t used_ = sizeof(bytes_);  // empty: the first take() fills it
};

}  // namespace

std::string new_id(std::string_view prefix, TimePoint now) {
  // A 48-bit millisecond count lasts until the year 10889; clamping keeps
  // the function total for nonsense times (before 1970) instead of letting
  // them wrap around and sort after every real ID.
  std::int64_t ms = now.time_since_epoch().count();
  if (ms < 0) ms = 0;
  if (ms > kMaxTimestamp) ms = kMaxTimestamp;

  std::string id;
  id.reserve(prefix.size() + 1 + kBodyChars);
  id.append(prefix);
  id.push_back('_');

  auto timestamp = static_cast<std::uint64_t>(ms);
  std::array<char, kTimeChars> time_chars{};
  for (std::size_t i = kTimeChars; i-- > 0;) {
    time_chars[i] = kAlphabet[timestamp & 0x1f];
    timestamp >>= 5;
  }
  id.append(time_chars.data(), time_chars.size());

  // 80 random bits are exactly 16 characters; take them 40 bits at a time so
  // the accumulator never overflows.
  thread_local RandomBlock block;
  std::array<unsigned char, kRandomBytes> random{};
  block.take(random.data(), random.size());
  for (std::size_t half = 0; half < 2; ++half) {
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < 5; ++i) bits = (bits << 8) | random[half * 5 + i];
    for (int shift = 35; shift >= 0; shift -= 5) id.push_back(kAlphabet[(bits >> shift) & 0x1f]);
  }
  return id;
}

bool is_valid_id(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 1 + kBodyChars) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') return false;
  const std::string_view body = id.substr(prefix.size() + 1);
  if (body.front() > kMaxFirstChar) return false;
  for (const char c : body) {
    if (!in_alphabet(c)) return false;
  }
  return true;
}

}  // namespace switchboard
