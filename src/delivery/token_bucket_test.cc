// TokenBucket: rate, capacity and the time of the next token, on manual time.
#include "delivery/token_bucket.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using Time = TokenBucket::Time;

const Time kT0 = Time(std::chrono::hours(1));

TEST(TokenBucketTest, CapacityTable) {
  struct Case {
    int rate;
    double capacity;
  };
  for (const Case& c : std::vector<Case>{{1, 1.0}, {50, 1.0}, {100, 2.0}, {1000, 20.0}, {10000, 200.0}}) {
    EXPECT_DOUBLE_EQ(TokenBucket::capacity_for(c.rate), c.capacity) << c.rate;
  }
}

// Takes tokens as fast as the bucket allows over `span`, starting full at kT0,
// stepping time by `step`; returns how many were taken.
int starts_within(int rate, milliseconds span, milliseconds step = milliseconds(1)) {
  TokenBucket bucket(rate, kT0);
  int started = 0;
  for (Time now = kT0; now < kT0 + span; now += step) {
    while (bucket.try_take(now)) ++started;
  }
  return started;
}

TEST(TokenBucketTest, StartsPerWindowTable) {
  struct Case {
    int rate;
    milliseconds span;
    int most;  // capacity + rate * span, rounded down
  };
  for (const Case& c : std::vector<Case>{{50, milliseconds(1000), 50},
                                         {50, milliseconds(4000), 200},
                                         {1, milliseconds(1000), 1},
                                         {1, milliseconds(3000), 3},
                                         {1000, milliseconds(1000), 1019},
                                         {10000, milliseconds(1000), 10190}}) {
    const int started = starts_within(c.rate, c.span);
    EXPECT_LE(started, c.most) << c.rate << "/s over " << c.span.count() << " ms";
    EXPECT_GE(started, c.most - 2) << c.rate << "/s over " << c.span.count() << " ms";
  }
}

TEST(TokenBucketTest, NextTokenAtIsWhenTheTokenIsThere) {
  TokenBucket bucket(50, kT0);
  EXPECT_EQ(bucket.next_token_at(kT0), kT0);
  ASSERT_TRUE(bucket.try_take(kT0));
  EXPECT_FALSE(bucket.try_take(kT0));
  const Time next = bucket.next_token_at(kT0);
  EXPECT_GE(next, kT0 + milliseconds(20));
  EXPECT_LT(next, kT0 + milliseconds(21));
  EXPECT_FALSE(bucket.try_take(kT0 + milliseconds(19)));
  EXPECT_TRUE(bucket.try_take(next));
}

TEST(TokenBucketTest, IdleTimeFillsOnlyToCapacity) {
  TokenBucket bucket(50, kT0);
  ASSERT_TRUE(bucket.try_take(kT0));
  EXPECT_FALSE(bucket.full(kT0));
  // An hour idle: still one token (no burst of 180,000 after a quiet spell).
  const Time later = kT0 + std::chrono::hours(1);
  EXPECT_TRUE(bucket.full(later));
  EXPECT_TRUE(bucket.try_take(later));
  EXPECT_FALSE(bucket.try_take(later));
}

TEST(TokenBucketTest, ANewRateKeepsTheTokensCappedToTheNewCapacity) {
  TokenBucket bucket(1000, kT0);  // 20 tokens
  bucket.set_rate(10, kT0);       // capacity 1
  EXPECT_TRUE(bucket.try_take(kT0));
  EXPECT_FALSE(bucket.try_take(kT0));
  EXPECT_TRUE(bucket.try_take(kT0 + milliseconds(100)));
}

TEST(TokenBucketTest, TimeGoingBackwardsTakesNothingAway) {
  TokenBucket bucket(50, kT0);
  ASSERT_TRUE(bucket.try_take(kT0));
  EXPECT_FALSE(bucket.try_take(kT0 - milliseconds(500)));
  EXPECT_TRUE(bucket.try_take(kT0 + milliseconds(20) + milliseconds(1)));
}

}  // namespace
}  // namespace switchboard::delivery
