// Receiver signals: Retry-After parsing and the next attempt it gives.
#include "model/receiver_signals.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

namespace switchboard::model {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// 1994-11-06T08:49:37Z, the date of RFC 9110's examples.
const TimePoint kRfcDate = TimePoint(seconds(784111777));

struct RetryAfterCase {
  std::string name;
  std::string value;
  std::optional<milliseconds> wait;  // nullopt = ignored (garbage)
  friend std::ostream& operator<<(std::ostream& out, const RetryAfterCase& c) { return out << c.name; }
};

class ParseRetryAfterTest : public ::testing::TestWithParam<RetryAfterCase> {};

TEST_P(ParseRetryAfterTest, Value) {
  const RetryAfterCase& c = GetParam();
  // "now" is 10 s before the RFC's example date.
  EXPECT_EQ(parse_retry_after(c.value, kRfcDate - seconds(10)), c.wait);
}

INSTANTIATE_TEST_SUITE_P(Table, ParseRetryAfterTest,
                         ::testing::ValuesIn(std::vector<RetryAfterCase>{
                             {"Seconds", "120", seconds(120)},
                             {"Zero", "0", seconds(0)},
                             {"LeadingZeros", "007", seconds(7)},
                             {"SurroundingSpace", " \t30 ", seconds(30)},
                             {"HugeIsCapped", "99999999999999999999999", hours(24 * 365)},
                             {"BigButBelowDigitCap", "9999999999", hours(24 * 365)},
                             {"ImfFixdate", "Sun, 06 Nov 1994 08:49:37 GMT", seconds(10)},
                             {"Rfc850", "Sunday, 06-Nov-94 08:49:37 GMT", seconds(10)},
                             {"Asctime", "Sun Nov  6 08:49:37 1994", seconds(10)},
                             {"DateInThePastIsNow", "Sun, 06 Nov 1994 08:49:00 GMT", seconds(0)},
                             {"LeapSecondTreatedAs59", "Sun, 06 Nov 1994 08:49:60 GMT", seconds(32)},
                             {"Empty", "", std::nullopt},
                             {"Spaces", "   ", std::nullopt},
                             {"Negative", "-5", std::nullopt},
                             {"Plus", "+5", std::nullopt},
                             {"Fraction", "1.5", std::nullopt},
                             {"Unit", "10s", std::nullopt},
                             {"TwoNumbers", "10 20", std::nullopt},
                             {"Words", "soon", std::nullopt},
                             {"Rfc3339", "1994-11-06T08:49:37Z", std::nullopt},
                             {"NotGmt", "Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
                             {"LowerCaseMonth", "Sun, 06 nov 1994 08:49:37 GMT", std::nullopt},
                             {"BadDay", "Sun, 31 Nov 1994 08:49:37 GMT", std::nullopt},
                             {"BadHour", "Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
                             {"ShortDay", "Sun, 6 Nov 1994 08:49:37 GMT", std::nullopt},
                             {"TrailingJunk", "Sun, 06 Nov 1994 08:49:37 GMTx", std::nullopt},
                             {"MissingComma", "Sun 06 Nov 1994 08:49:37 GMT", std::nullopt},
                             {"ControlCharacter", "12\r\n", std::nullopt},
                         }),
                         [](const ::testing::TestParamInfo<RetryAfterCase>& info) {
                           return info.param.name;
                         });

TEST(HonoursRetryAfter, Only429And503) {
  for (int status : {200, 400, 404, 410, 500, 502, 504}) EXPECT_FALSE(honours_retry_after(status)) << status;
  EXPECT_TRUE(honours_retry_after(429));
  EXPECT_TRUE(honours_retry_after(503));
  EXPECT_TRUE(is_gone(410));
  EXPECT_FALSE(is_gone(404));
}

struct NextCase {
  std::string name;
  double time_scale = 1.0;
  int failed_attempt = 1;
  milliseconds failed_after_event{0};  // failed_at - event_time
  milliseconds requested{0};
  std::optional<milliseconds> next_after_event;  // next - event_time; nullopt = exhausted
  friend std::ostream& operator<<(std::ostream& out, const NextCase& c) { return out << c.name; }
};

class NextAttemptAfterRetryAfterTest : public ::testing::TestWithParam<NextCase> {};

TEST_P(NextAttemptAfterRetryAfterTest, Time) {
  const NextCase& c = GetParam();
  const TimePoint event_time = kRfcDate;
  const auto next =
      next_attempt_after_retry_after(RetryPolicy::v2(c.time_scale), c.failed_attempt, event_time,
                                     event_time + c.failed_after_event, c.requested);
  if (!c.next_after_event) {
    EXPECT_EQ(next, std::nullopt);
    return;
  }
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next - event_time, *c.next_after_event);
}

const milliseconds kDay = hours(24);

INSTANTIATE_TEST_SUITE_P(Table, NextAttemptAfterRetryAfterTest,
                         ::testing::ValuesIn(std::vector<NextCase>{
                             // The receiver's time replaces the schedule's (30 s after attempt 1).
                             {"Later", 1.0, 1, seconds(5), seconds(600), seconds(605)},
                             {"Sooner", 1.0, 3, seconds(100), seconds(2), seconds(102)},
                             {"ZeroWaitsTheFloor", 1.0, 1, seconds(5), seconds(0), seconds(6)},
                             {"PastTheWindowGetsTheWindowsEnd", 1.0, 1, hours(20), hours(10), kDay},
                             {"ExactlyTheWindowsEnd", 1.0, 1, hours(20), hours(4), kDay},
                             {"AYearIsTheWindowsEnd", 1.0, 2, seconds(1), hours(24 * 365), kDay},
                             {"WindowOverIsExhausted", 1.0, 1, kDay, seconds(1), std::nullopt},
                             {"BudgetSpentIsExhausted", 1.0, 26, seconds(5), seconds(1), std::nullopt},
                             {"LastAttemptOfTheBudget", 1.0, 25, seconds(5), seconds(1), seconds(6)},
                             {"NoAttemptIsExhausted", 1.0, 0, seconds(5), seconds(1), std::nullopt},
                             // --time-scale divides the requested wait like every policy duration.
                             {"Scaled", 1000.0, 1, seconds(1), seconds(600), milliseconds(1600)},
                             {"ScaledWindowEnd", 1000.0, 1, seconds(85), hours(1), milliseconds(86400)},
                         }),
                         [](const ::testing::TestParamInfo<NextCase>& info) { return info.param.name; });

}  // namespace
}  // namespace switchboard::model
