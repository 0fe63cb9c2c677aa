#include "common/time_format.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace switchboard {
namespace {

using namespace std::chrono;

// Builds an instant from calendar fields so expectations read like the text.
TimePoint utc(year_month_day date, hours h = hours{0}, minutes m = minutes{0}, seconds s = seconds{0},
              milliseconds ms = milliseconds{0}) {
  return TimePoint{sys_days{date}} + h + m + s + ms;
}

TimePoint at_ms(std::int64_t ms) { return TimePoint{milliseconds{ms}}; }

TEST(FormatRfc3339, KnownInstants) {
  const std::vector<std::pair<TimePoint, std::string>> cases = {
      {at_ms(0), "1970-01-01T00:00:00.000Z"},
      {at_ms(1), "1970-01-01T00:00:00.001Z"},
      {at_ms(10), "1970-01-01T00:00:00.010Z"},
      {at_ms(100), "1970-01-01T00:00:00.100Z"},
      {at_ms(-1), "1969-12-31T23:59:59.999Z"},  // before the epoch rounds down, not toward zero
      {at_ms(1'795'341'839'123), "2026-11-22T10:03:59.123Z"},  // checked against date(1)
      {utc(2024y / February / 29, 23h, 59min, 59s, 999ms), "2024-02-29T23:59:59.999Z"},
      {utc(2000y / March / 1), "2000-03-01T00:00:00.000Z"},
      {utc(1y / January / 1, 1h, 2min, 3s, 4ms), "0001-01-01T01:02:03.004Z"},
      {utc(9999y / December / 31, 23h, 59min, 59s, 999ms), "9999-12-31T23:59:59.999Z"},
  };
  for (const auto& [t, text] : cases) EXPECT_EQ(format_rfc3339(t), text);
}

TEST(FormatRfc3339, ClampsToFourDigitYears) {
  EXPECT_EQ(format_rfc3339(utc(-1y / December / 31)), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(utc(10000y / January / 1)), "9999-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  for (const std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1'795'341'839'123},
                                std::int64_t{253'402'300'799'999}}) {
    const auto parsed = parse_rfc3339(format_rfc3339(at_ms(ms)));
    ASSERT_TRUE(parsed.has_value()) << ms;
    EXPECT_EQ(*parsed, at_ms(ms));
  }
}

TEST(ParseRfc3339, Accepts) {
  const TimePoint base = utc(2026y / November / 22, 10h, 3min, 59s);
  const std::vector<std::pair<std::string, TimePoint>> cases = {
      {"2026-11-22T10:03:59Z", base},
      {"2026-11-22T10:03:59.123Z", base + 123ms},
      {"2026-11-22t10:03:59.123z", base + 123ms},  // RFC 3339 allows lowercase
      {"2026-11-22T10:03:59.1Z", base + 100ms},
      {"2026-11-22T10:03:59.12Z", base + 120ms},
      {"2026-11-22T10:03:59.000Z", base},
      {"2026-11-22T10:03:59.1239Z", base + 123ms},       // truncated, not rounded
      {"2026-11-22T10:03:59.999999999Z", base + 999ms},  // nine digits, truncated
      {"2026-11-22T12:03:59.123+02:00", base + 123ms},
      {"2026-11-22T04:33:59-05:30", base},
      {"2026-11-22T10:03:59+00:00", base},
      {"2026-11-22T10:03:59-00:00", base},
      {"2026-11-23T09:03:59+23:00", base},  // offset crosses midnight
      {"2026-11-21T10:04:59-23:59", base},
      {"1970-01-01T00:00:00Z", at_ms(0)},
      {"1969-12-31T23:59:59.999Z", at_ms(-1)},
      {"2024-02-29T00:00:00Z", utc(2024y / February / 29)},  // leap year
      {"2000-02-29T00:00:00Z", utc(2000y / February / 29)},  // divisible by 400
      {"0000-01-01T00:00:00Z", utc(0y / January / 1)},
      {"9999-12-31T23:59:59.999Z", utc(9999y / December / 31, 23h, 59min, 59s, 999ms)},
  };
  for (const auto& [text, expected] : cases) {
    const auto parsed = parse_rfc3339(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(*parsed, expected) << text << " parsed as " << format_rfc3339(*parsed);
  }
}

TEST(ParseRfc3339, Rejects) {
  const std::vector<std::string> rejected = {
      "",
      "garbage",
      "2026-11-22",                       // date only
      "2026-11-22T10:03:59",              // no offset
      "2026-11-22T10:03Z",                // no seconds
      "2026-11-22 10:03:59Z",             // space instead of T
      "2026-11-22T10:03:59.Z",            // '.' without digits
      "2026-11-22T10:03:59.1234567890Z",  // ten fraction digits
      "2026-11-22T10:03:59,123Z",         // comma decimal separator
      "2026-11-22T10:03:59.123ZZ",        // trailing junk
      "2026-11-22T10:03:59Z ",
      " 2026-11-22T10:03:59Z",
      "2026-11-22T10:03:59.123Z\n",
      "2026-02-30T00:00:00Z",  // no February 30th
      "2026-02-29T00:00:00Z",  // not a leap year
      "1900-02-29T00:00:00Z",  // centuries are not leap years unless divisible by 400
      "2026-04-31T00:00:00Z",  // April has 30 days
      "2026-00-10T00:00:00Z",  // month 0
      "2026-13-10T00:00:00Z",  // month 13
      "2026-11-00T00:00:00Z",  // day 0
      "2026-11-32T00:00:00Z",
      "2026-11-22T24:00:00Z",  // hour 24
      "2026-11-22T10:60:00Z",
      "2026-11-22T10:03:60Z",  // leap seconds are not representable
      "2026-11-22T10:03:99Z",
      "2026-11-22T10:03:59+2:00",   // one-digit offset hour
      "2026-11-22T10:03:59+0200",   // offset without colon
      "2026-11-22T10:03:59+02",     // offset without minutes
      "2026-11-22T10:03:59+24:00",  // offset hour out of range
      "2026-11-22T10:03:59+02:60",  // offset minute out of range
      "2026-11-22T10:03:59 +02:00",
      "26-11-22T10:03:59Z",  // two-digit year
      "+2026-11-22T10:03:59Z",
      "-2026-11-22T10:03:59Z",
      "20261-11-22T10:03:59Z",  // five-digit year
      "2026-1-22T10:03:59Z",    // one-digit month
      "2026-11-2T10:03:59Z",
      "2026-11-22T1:03:59Z",
      "2026/11/22T10:03:59Z",
      "2026-11-22T10-03-59Z",
      "2O26-11-22T10:03:59Z",  // letter O, not zero
      "2026-11-22T10:03:59.-1Z",
      std::string("2026-11-22T10:03:59\0Z", 21),
  };
  for (const auto& text : rejected) {
    const auto parsed = parse_rfc3339(text);
    EXPECT_FALSE(parsed.has_value()) << "accepted \"" << text << "\" as " << format_rfc3339(*parsed);
  }
}

}  // namespace
}  // namespace switchboard
