// The retention rule as tables, on fixed times: what expires, what must not.
#include "model/retention.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "model/retention_limits.h"

namespace switchboard::model {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kNow{milliseconds(1'800'000'000'000)};

struct RangeCase {
  std::string name;
  seconds retention;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const RangeCase& c) { return out << c.name; }
};

class RetentionRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(RetentionRangeTest, Range) { EXPECT_EQ(retention_in_range(GetParam().retention), GetParam().ok); }

INSTANTIATE_TEST_SUITE_P(
    Cases, RetentionRangeTest,
    ::testing::Values(RangeCase{"zero", seconds(0), false}, RangeCase{"negative", seconds(-3600), false},
                      RangeCase{"just_under_an_hour", seconds(3599), false},
                      RangeCase{"one_hour", seconds(3600), true},
                      RangeCase{"default", limits::kDefaultRetention, true},
                      RangeCase{"400_days", hours(24 * 400), true},
                      RangeCase{"400_days_and_a_second", hours(24 * 400) + seconds(1), false}),
    [](const auto& info) { return info.param.name; });

struct PurgeCase {
  std::string name;
  milliseconds age;                   // now - created_at
  std::vector<milliseconds> pending;  // now - event_time of each pending delivery
  bool pending_v1;
  double time_scale;
  bool purgeable;
  friend std::ostream& operator<<(std::ostream& out, const PurgeCase& c) { return out << c.name; }
};

class EventPurgeableTest : public ::testing::TestWithParam<PurgeCase> {};

TEST_P(EventPurgeableTest, Rule) {
  const PurgeCase& c = GetParam();
  // 30 days' retention, a 24 h window.
  const RetentionCutoffs cutoffs = retention_cutoffs(kNow, hours(24 * 30), hours(24), c.time_scale);
  std::vector<TimePoint> starts;
  for (milliseconds ago : c.pending) starts.push_back(kNow - ago);
  EXPECT_EQ(event_purgeable(kNow - c.age, starts, c.pending_v1, cutoffs), c.purgeable);
}

constexpr milliseconds kDays30 = hours(24 * 30);
constexpr milliseconds kMs1{1};

INSTANTIATE_TEST_SUITE_P(
    Cases, EventPurgeableTest,
    ::testing::Values(
        PurgeCase{"fresh_event_kept", hours(1), {}, false, 1, false},
        PurgeCase{"exactly_at_retention_kept", kDays30, {}, false, 1, false},
        PurgeCase{"just_past_retention_purged", kDays30 + kMs1, {}, false, 1, true},
        PurgeCase{"old_event_delivered_purged", hours(24 * 31), {}, false, 1, true},
        PurgeCase{"pending_inside_window_kept", hours(24 * 31), {hours(23)}, false, 1, false},
        PurgeCase{"redelivered_yesterday_still_in_window_kept",
                  hours(24 * 300),
                  {hours(24) - kMs1},
                  false,
                  1,
                  false},
        PurgeCase{"pending_window_over_purged", hours(24 * 31), {hours(24) + kMs1}, false, 1, true},
        PurgeCase{
            "one_of_two_pending_inside_window_kept", hours(24 * 31), {hours(25), hours(2)}, false, 1, false},
        PurgeCase{"pending_v1_kept", hours(24 * 31), {}, true, 1, false},
        // --time-scale 3600: 30 days are 12 minutes, the window 24 seconds.
        PurgeCase{"scaled_expired", milliseconds(12 * 60 * 1000 + 1), {}, false, 3600, true},
        PurgeCase{"scaled_not_yet", milliseconds(12 * 60 * 1000), {}, false, 3600, false},
        PurgeCase{"scaled_pending_inside_window", hours(1), {milliseconds(23'000)}, false, 3600, false},
        PurgeCase{"scaled_pending_window_over", hours(1), {milliseconds(24'001)}, false, 3600, true}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace switchboard::model
