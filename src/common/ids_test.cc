#include "common/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace switchboard {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

TimePoint at_ms(std::int64_t ms) { return TimePoint{milliseconds{ms}}; }

TEST(NewId, HasPrefixUnderscoreAnd26CrockfordCharacters) {
  for (const std::string_view prefix : {"wh", "evt", "msg", "a", "long_prefix"}) {
    const std::string id = new_id(prefix, at_ms(1'795'341'839'123));
    SCOPED_TRACE(id);
    ASSERT_EQ(id.size(), prefix.size() + 1 + 26);
    EXPECT_EQ(id.substr(0, prefix.size()), prefix);
    EXPECT_EQ(id[prefix.size()], '_');
    for (const char c : id.substr(prefix.size() + 1)) {
      EXPECT_NE(kCrockford.find(c), std::string_view::npos) << c;
    }
    EXPECT_TRUE(is_valid_id(id, prefix));
  }
}

TEST(NewId, EncodesTimestampInFirstTenCharacters) {
  // The ULID specification's example timestamp is the 1469922850259 row.
  const std::vector<std::pair<std::int64_t, std::string>> cases = {
      {0, "0000000000"},
      {1, "0000000001"},
      {31, "000000000Z"},
      {32, "0000000010"},
      {1'469'922'850'259, "01ARZ3NDEK"},
      {1'795'341'839'123, "01M81BCTRK"},  // 2026-11-22T10:03:59.123Z
      {(std::int64_t{1} << 48) - 1, "7ZZZZZZZZZ"},
  };
  for (const auto& [ms, encoded] : cases) {
    EXPECT_EQ(new_id("wh", at_ms(ms)).substr(3, 10), encoded) << ms;
  }
}

TEST(NewId, ClampsTimesOutside48Bits) {
  EXPECT_EQ(new_id("wh", at_ms(-1)).substr(3, 10), "0000000000");
  EXPECT_EQ(new_id("wh", at_ms(std::int64_t{1} << 50)).substr(3, 10), "7ZZZZZZZZZ");
}

TEST(NewId, LaterTimesSortAfterEarlierOnes) {
  const std::vector<std::int64_t> times = {
      0,
      1,
      2,
      31,
      32,
      999,
      1000,
      1'700'000'000'000,
      1'700'000'000'001,
      1'795'341'839'123,
      (std::int64_t{1} << 48) - 1,
  };
  // Several IDs per instant, so random bits cannot mask a timestamp bug.
  std::string previous;
  for (const std::int64_t ms : times) {
    std::string smallest_at_this_time;
    std::string largest_at_this_time;
    for (int i = 0; i < 20; ++i) {
      const std::string id = new_id("evt", at_ms(ms));
      if (smallest_at_this_time.empty() || id < smallest_at_this_time) smallest_at_this_time = id;
      if (id > largest_at_this_time) largest_at_this_time = id;
    }
    EXPECT_LT(previous, smallest_at_this_time) << ms;
    previous = largest_at_this_time;
  }
}

TEST(NewId, IsUniqueWithinOneMillisecond) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(new_id("wh", at_ms(1'700'000'000'000)));
  EXPECT_EQ(seen.size(), 10000u);
}

// Each thread draws its random bytes from its own block (ids.cc): blocks
// filled from the CSPRNG never hand two threads the same bytes.
TEST(NewId, IsUniqueAcrossThreads) {
  std::vector<std::string> ids[4];
  std::vector<std::thread> threads;
  for (auto& out : ids) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 2500; ++i) out.push_back(new_id("evt", at_ms(1'700'000'000'000)));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> seen;
  for (const auto& out : ids) seen.insert(out.begin(), out.end());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IsValidId, Table) {
  struct Case {
    std::string id;
    std::string prefix;
    bool valid;
  };
  const std::string body = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
  const std::vector<Case> cases = {
      {"wh_" + body, "wh", true},
      {"evt_" + body, "evt", true},
      {"wh_00000000000000000000000000", "wh", true},
      {"wh_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "wh", true},
      {"wh_" + body, "evt", false},           // other prefix
      {"evt_" + body, "ev", false},           // prefix is a prefix of the real one
      {"wh" + body, "wh", false},             // no underscore
      {"wh-" + body, "wh", false},            // wrong separator
      {"wh_" + body.substr(1), "wh", false},  // 25 characters
      {"wh_" + body + "0", "wh", false},      // 27 characters
      {"wh_", "wh", false},
      {"", "wh", false},
      {"wh_01arz3ndektsv4rrffq69g5fav", "wh", false},  // lowercase is not what new_id makes
      {"wh_01ARZ3NDEKTSV4RRFFQ69G5FAI", "wh", false},  // I is not Crockford
      {"wh_01ARZ3NDEKTSV4RRFFQ69G5FAL", "wh", false},  // L is not Crockford
      {"wh_01ARZ3NDEKTSV4RRFFQ69G5FAO", "wh", false},  // O is not Crockford
      {"wh_01ARZ3NDEKTSV4RRFFQ69G5FAU", "wh", false},  // U is not Crockford
      {"wh_01ARZ3NDEK-SV4RRFFQ69G5FAV", "wh", false},
      {"wh_8ZZZZZZZZZZZZZZZZZZZZZZZZZ", "wh", false},  // timestamp wider than 48 bits
      {" wh_" + body, "wh", false},
      {"wh_" + body + "\n", "wh", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_valid_id(c.id, c.prefix), c.valid) << '"' << c.id << "\" prefix \"" << c.prefix << '"';
  }
}

}  // namespace
}  // namespace switchboard
