#include "model/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchboard::model {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint(milliseconds(1'790'000'000'000));

TEST(RetryPolicyTest, DelayDoublesFrom30SecondsAndCapsAtTwoHours) {
  struct Case {
    int failed_attempt;
    milliseconds delay;
  };
  const std::vector<Case> cases = {
      {1, seconds(30)}, {2, minutes(1)},  {3, minutes(2)},  {4, minutes(4)}, {5, minutes(8)},
      {6, minutes(16)}, {7, minutes(32)}, {8, minutes(64)}, {9, hours(2)},   {10, hours(2)},
      {25, hours(2)},   {60, hours(2)},   {1000, hours(2)},
  };
  const auto policy = RetryPolicy::v2();
  for (const auto& c : cases) EXPECT_EQ(policy.delay_after(c.failed_attempt), c.delay) << c.failed_attempt;
}

TEST(RetryPolicyTest, NextAttemptFollowsTheFailureNotTheSchedule) {
  const auto policy = RetryPolicy::v2();
  // A slow failure (e.g. a 30 s timeout) pushes the next attempt back by its latency.
  EXPECT_EQ(policy.next_attempt_at(1, kT0, kT0 + seconds(30)), kT0 + seconds(60));
  EXPECT_EQ(policy.next_attempt_at(3, kT0, kT0 + minutes(10)), kT0 + minutes(12));
}

TEST(RetryPolicyTest, InstantFailuresGiveTheDocumentedScheduleWithinTheDay) {
  // Every attempt fails at once: collect the attempt times until exhaustion.
  const auto policy = RetryPolicy::v2();
  std::vector<milliseconds> offsets{milliseconds(0)};
  TimePoint at = kT0;
  for (int attempt = 1;; ++attempt) {
    auto next = policy.next_attempt_at(attempt, kT0, at);
    if (!next) break;
    at = *next;
    offsets.push_back(at - kT0);
  }
  // 0, 30 s, 1.5 m, 3.5 m, 7.5 m, 15.5 m, 31.5 m, 63.5 m, 127.5 m, then every 2 h while ≤ 24 h.
  std::vector<milliseconds> want = {milliseconds(0), seconds(30),   seconds(90),   seconds(210), seconds(450),
                                    seconds(930),    seconds(1890), seconds(3810), seconds(7650)};
  for (int k = 1; seconds(7650) + hours(2) * k <= hours(24); ++k)
    want.push_back(seconds(7650) + hours(2) * k);
  EXPECT_EQ(offsets, want);
  EXPECT_EQ(offsets.size(), 19u);  // the 24 h window ends the schedule before the 26-attempt budget
  EXPECT_LE(offsets.back(), hours(24));
}

TEST(RetryPolicyTest, AttemptBudgetEndsAtTwentySix) {
  auto policy = RetryPolicy::v2();
  policy.window = hours(24 * 365);  // take the window out of play
  EXPECT_TRUE(policy.next_attempt_at(25, kT0, kT0 + hours(30)).has_value());
  EXPECT_FALSE(policy.next_attempt_at(26, kT0, kT0 + hours(30)).has_value());
  EXPECT_FALSE(policy.next_attempt_at(27, kT0, kT0 + hours(30)).has_value());
  EXPECT_FALSE(policy.next_attempt_at(0, kT0, kT0).has_value());
}

TEST(RetryPolicyTest, NothingIsScheduledPastTwentyFourHoursAfterTheEvent) {
  struct Case {
    int failed_attempt;
    milliseconds failed_after_event;
    bool has_next;
  };
  const std::vector<Case> cases = {
      {10, hours(22), true},                     // due exactly at 24 h: allowed
      {10, hours(22) + milliseconds(1), false},  // 1 ms later: exhausted
      {1, hours(24) - seconds(30), true},        // 30 s before the end
      {1, hours(24) - seconds(29), false},
      {1, hours(25), false},  // old event replayed late
  };
  const auto policy = RetryPolicy::v2();
  for (const auto& c : cases) {
    EXPECT_EQ(policy.next_attempt_at(c.failed_attempt, kT0, kT0 + c.failed_after_event).has_value(),
              c.has_next)
        << c.failed_attempt << " at +" << c.failed_after_event.count() << " ms";
  }
}

TEST(RetryPolicyTest, TimeScaleDividesEveryDuration) {
  const auto policy = RetryPolicy::v2(3600.0);           // one hour of policy per second
  EXPECT_EQ(policy.delay_after(1), milliseconds(8));     // 30 s / 3600 ≈ 8.33 ms
  EXPECT_EQ(policy.delay_after(9), milliseconds(2000));  // 2 h / 3600
  EXPECT_TRUE(policy.next_attempt_at(10, kT0, kT0 + seconds(22)).has_value());
  EXPECT_FALSE(policy.next_attempt_at(10, kT0, kT0 + seconds(23)).has_value());  // window is 24 s
  EXPECT_EQ(RetryPolicy::v2(1e9).delay_after(1), milliseconds(1));               // never zero
}

TEST(RetryPolicyTest, V1RetriesThreeTimesThirtySecondsApart) {
  const auto policy = RetryPolicy::v1();
  EXPECT_EQ(policy.next_attempt_at(1, kT0, kT0), kT0 + seconds(30));
  EXPECT_EQ(policy.next_attempt_at(2, kT0, kT0 + seconds(30)), kT0 + seconds(60));
  EXPECT_EQ(policy.next_attempt_at(3, kT0, kT0 + seconds(60)), kT0 + seconds(90));
  EXPECT_FALSE(policy.next_attempt_at(4, kT0, kT0 + seconds(90)).has_value());  // dropped
}

TEST(HealthRuleTest, ThreeExhaustedDeliveriesInARowMarkTheWebhookFailed) {
  const std::vector<std::pair<int, bool>> cases = {{0, false}, {1, false}, {2, false}, {3, true}, {4, true}};
  for (auto [count, failed] : cases) EXPECT_EQ(should_mark_failed(count), failed) << count;
}

// Attempts a delivery queued `queued_after` its window start gets when every attempt fails at once.
int attempts_when_queued(const RetryPolicy& policy, milliseconds queued_after) {
  TimePoint at = kT0 + queued_after;
  int attempts = 1;
  while (auto next = policy.next_attempt_at(attempts, kT0, at)) {
    at = *next;
    ++attempts;
  }
  return attempts;
}

TEST(HealthRuleTest, TheSlackIsWhatTheWindowLeavesAfterTheWholeSchedule) {
  // v2: 19 attempts, the last 22 h 07 m 30 s after the first; the window is 24 h.
  EXPECT_EQ(RetryPolicy::v2().full_schedule_slack(), hours(1) + minutes(52) + seconds(30));
  // Scaled delays are rounded each (8, 17, 33, 67, 133, 267, 533, 1067 ms, then 2000 ms ×10): 24000 − 22125.
  EXPECT_EQ(RetryPolicy::v2(3600.0).full_schedule_slack(), milliseconds(1875));
  // v1 (4 attempts 30 s apart) ends 90 s into its 24 h.
  EXPECT_EQ(RetryPolicy::v1().full_schedule_slack(), hours(24) - seconds(90));
}

TEST(HealthRuleTest, OnlyADeliveryWithItsWholeScheduleCountsTowardFailure) {
  struct Case {
    double time_scale;
    milliseconds queued_after_window_start;  // how late the delivery was queued (a backdated event)
    bool counts;
  };
  const std::vector<Case> cases = {
      {1, milliseconds(0), true},
      {1, -minutes(5), true},  // occurred_at slightly ahead of our clock
      {1, seconds(30), true},
      {1, hours(1) + minutes(52) + seconds(30), true},  // still room for all 19 attempts
      {1, hours(1) + minutes(52) + seconds(30) + milliseconds(1), false},
      {1, hours(23), false},  // the report: 23 h old, one or two attempts
      {1, hours(24), false},
      {1, hours(24 * 365 * 6), false},  // 2020
      {3600, milliseconds(1875), true},
      {3600, milliseconds(1876), false},
      {3600, seconds(20), false},
  };
  for (const auto& c : cases) {
    const auto policy = RetryPolicy::v2(c.time_scale);
    SCOPED_TRACE(testing::Message() << "scale " << c.time_scale << ", queued +"
                                    << c.queued_after_window_start.count() << " ms");
    EXPECT_EQ(policy.had_full_schedule(kT0, kT0 + c.queued_after_window_start), c.counts);
  }
}

// The rule is the schedule's own: a delivery counts exactly when it gets as
// many attempts as one queued at its window start.
TEST(HealthRuleTest, CountingMeansGettingEveryAttemptOfTheSchedule) {
  for (double scale : {1.0, 60.0, 3600.0}) {
    const auto policy = RetryPolicy::v2(scale);
    const int full = attempts_when_queued(policy, milliseconds(0));
    EXPECT_EQ(full, 19) << scale;
    const milliseconds window = policy.scaled(hours(24));
    for (milliseconds late{0}; late <= window; late += window / 997) {
      SCOPED_TRACE(testing::Message() << "scale " << scale << ", +" << late.count() << " ms");
      EXPECT_EQ(policy.had_full_schedule(kT0, kT0 + late), attempts_when_queued(policy, late) == full);
    }
    const milliseconds slack = policy.full_schedule_slack();
    EXPECT_EQ(attempts_when_queued(policy, slack), full) << scale;
    EXPECT_LT(attempts_when_queued(policy, slack + milliseconds(1)), full) << scale;
  }
}

}  // namespace
}  // namespace switchboard::model
