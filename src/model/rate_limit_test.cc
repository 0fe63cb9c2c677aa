#include "model/rate_limit.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::model {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kStart = TimePoint(milliseconds(1'790'000'000'000));

TEST(RateLimit, PerSecondGivesABurstOfTwiceThatAndZeroIsUnlimited) {
  struct Case {
    double per_second;
    bool unlimited;
    double burst;
  };
  const std::vector<Case> cases = {
      {0, true, 0}, {-5, true, 0}, {0.2, false, 1}, {1, false, 2}, {100, false, 200}};
  for (const auto& c : cases) {
    auto limit = rate_limit_per_second(c.per_second);
    EXPECT_EQ(limit.unlimited(), c.unlimited) << c.per_second;
    if (!c.unlimited) EXPECT_EQ(limit.burst, c.burst) << c.per_second;
  }
}

// Each step: a request `at_ms` after the start, and what it must get.
struct Step {
  int at_ms;
  bool allowed;
  std::int64_t remaining;
  int retry_after_s;  // when refused
};

TEST(RateLimiter, ABucketAllowsItsBurstThenRefillsAtTheRate) {
  const RateLimit limit{2, 3};  // 2 per second, 3 at once
  const std::vector<Step> steps = {
      {0, true, 2, 0},      // full bucket: 3 -> 2
      {0, true, 1, 0},      //
      {0, true, 0, 0},      // empty
      {0, false, 0, 1},     // refused: one request comes back in 0.5 s, rounded up to 1 s
      {400, false, 0, 1},   // 0.8 of a request so far
      {500, true, 0, 0},    // 1.0: passes
      {2000, true, 2, 0},   // 1.5 s later: 3 (capped at the burst) -> 2
      {60000, true, 2, 0},  // a long pause never stores more than the burst
  };
  RateLimiter limiter;
  for (const auto& s : steps) {
    auto d = limiter.take("tok_1", limit, kStart + milliseconds(s.at_ms));
    EXPECT_EQ(d.allowed, s.allowed) << "at " << s.at_ms << " ms";
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, s.remaining) << "at " << s.at_ms << " ms";
    if (!s.allowed) EXPECT_EQ(d.retry_after, seconds(s.retry_after_s)) << "at " << s.at_ms << " ms";
  }
}

TEST(RateLimiter, RetryAfterIsTheWholeSecondsUntilTheNextRequestPasses) {
  struct Case {
    double per_second;
    int retry_after_s;
  };
  const std::vector<Case> cases = {{10, 1}, {1, 1}, {0.5, 2}, {0.1, 10}};
  for (const auto& c : cases) {
    RateLimiter limiter;
    const RateLimit limit{c.per_second, 1};
    ASSERT_TRUE(limiter.take("k", limit, kStart).allowed);
    auto refused = limiter.take("k", limit, kStart);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after, seconds(c.retry_after_s)) << c.per_second;
    // Waiting exactly that long is enough.
    EXPECT_TRUE(limiter.take("k", limit, kStart + refused.retry_after).allowed) << c.per_second;
  }
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  RateLimiter limiter;
  const RateLimit limit{1, 1};
  EXPECT_TRUE(limiter.take("tok_a", limit, kStart).allowed);
  EXPECT_FALSE(limiter.take("tok_a", limit, kStart).allowed);
  EXPECT_TRUE(limiter.take("tok_b", limit, kStart).allowed);
}

TEST(RateLimiter, UnlimitedKeepsNoState) {
  RateLimiter limiter;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.take("tok_a", RateLimit{}, kStart).allowed);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, AClockThatStepsBackRefillsNothing) {
  RateLimiter limiter;
  const RateLimit limit{1, 1};
  EXPECT_TRUE(limiter.take("k", limit, kStart + seconds(10)).allowed);
  EXPECT_FALSE(limiter.take("k", limit, kStart).allowed);
  EXPECT_FALSE(limiter.take("k", limit, kStart + seconds(10)).allowed);
  EXPECT_TRUE(limiter.take("k", limit, kStart + seconds(11)).allowed);
}

TEST(RateLimiter, HoldsAtMostMaxKeysForgettingTheLeastRecentlyUsed) {
  RateLimiter limiter(32);  // 2 per shard
  const RateLimit limit{1, 1};
  for (int i = 0; i < 1000; ++i) limiter.take("tok_" + std::to_string(i), limit, kStart);
  EXPECT_LE(limiter.size(), 32u);
  // A key used between the new ones stays remembered (and so still limited);
  // had it been forgotten, it would come back with a full bucket.
  RateLimiter lru(32);
  EXPECT_TRUE(lru.take("hot", limit, kStart).allowed);
  for (int i = 0; i < 1000; ++i) {
    lru.take("new_" + std::to_string(i), limit, kStart);
    EXPECT_FALSE(lru.take("hot", limit, kStart).allowed) << "after " << i << " new keys";
  }
}

}  // namespace
}  // namespace switchboard::model
