// Table test of the monitor's look throttle on given times: each row is a
// webhook and a time at which results came in, and whether it is looked at.
#include "alerts/look_throttle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::alerts {
namespace {

using std::chrono::milliseconds;
const MonotonicTime kT0 = MonotonicTime(std::chrono::hours(1));

TEST(LookThrottle, AtMostOneLookPerWebhookPerInterval) {
  struct Row {
    std::string webhook;
    int at_ms;
    bool looked;
  };
  const std::vector<Row> rows = {
      {"wh_a", 0, true},       // never looked at: now
      {"wh_a", 1, false},      // the next batch, 1 ms later: held back
      {"wh_b", 1, true},       // another webhook is not held back by wh_a
      {"wh_a", 9'999, false},  // still inside the interval
      {"wh_a", 10'000, true},  // the interval is over
      {"wh_b", 5'000, false}, {"wh_a", 15'000, false}, {"wh_b", 10'001, true}, {"wh_a", 20'000, true},
  };
  LookThrottle throttle(milliseconds(10'000));
  for (const Row& row : rows) {
    SCOPED_TRACE(row.webhook + " at " + std::to_string(row.at_ms) + " ms");
    const MonotonicTime now = kT0 + milliseconds(row.at_ms);
    const LookThrottle::Key key{"co_1", row.webhook};
    EXPECT_EQ(throttle.allowed(key, now), row.looked);
    if (throttle.allowed(key, now)) throttle.looked(key, now);
  }
}

TEST(LookThrottle, SaysWhenAHeldBackWebhookMayBeLookedAtAndForgetsOldLooks) {
  LookThrottle throttle(milliseconds(10'000));
  const LookThrottle::Key a{"co_1", "wh_a"}, other_company{"co_2", "wh_a"};
  EXPECT_LE(throttle.allowed_at(a), kT0);
  throttle.looked(a, kT0);
  EXPECT_EQ(throttle.allowed_at(a), kT0 + milliseconds(10'000));
  EXPECT_TRUE(throttle.allowed(other_company, kT0));  // keyed by company too
  throttle.looked(other_company, kT0 + milliseconds(5'000));
  throttle.forget_old(kT0 + milliseconds(9'999));
  EXPECT_EQ(throttle.size(), 2u);
  throttle.forget_old(kT0 + milliseconds(10'000));  // a's look no longer holds anything back
  EXPECT_EQ(throttle.size(), 1u);
  EXPECT_TRUE(throttle.allowed(a, kT0 + milliseconds(10'000)));
  EXPECT_FALSE(throttle.allowed(other_company, kT0 + milliseconds(10'000)));
}

TEST(LookThrottle, ZeroIntervalNeverHoldsBack) {
  LookThrottle throttle(milliseconds(0));
  const LookThrottle::Key a{"co_1", "wh_a"};
  throttle.looked(a, kT0);
  EXPECT_TRUE(throttle.allowed(a, kT0));
}

}  // namespace
}  // namespace switchboard::alerts
