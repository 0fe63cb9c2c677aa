#include "common/time_format.h"

#include <fmt/format.h>

#include <chrono>

namespace switchboard {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

// RFC 3339 has exactly four year digits. Clamping to the representable range
// keeps the output parseable rather than emitting something like "-001-…".
constexpr std::chrono::year_month_day kMinDate{std::chrono::year{0}, std::chrono::January,
                                               std::chrono::day{1}};
constexpr std::chrono::year_month_day kMaxDate{std::chrono::year{9999}, std::chrono::December,
                                               std::chrono::day{31}};

// A cursor over the input. Every reader consumes exactly what it promises or
// reports failure; callers stop at the first failure.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }

  // Exactly `count` ASCII digits. std::isdigit is avoided: it is locale-aware.
  bool digits(std::size_t count, int& out) {
    if (text_.size() - pos_ < count) return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    out = value;
    return true;
  }

  bool literal(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // RFC 3339's ABNF is case-insensitive, so "t" and "z" are legal spellings.
  bool literal_either_case(char upper) {
    return literal(upper) || literal(static_cast<char>(upper - 'A' + 'a'));
  }

  // One to nine fraction digits after the '.', truncated to milliseconds.
  bool fraction_ms(int& out) {
    int ms = 0;
    std::size_t count = 0;
    while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (count < 3) ms = ms * 10 + (text_[pos_] - '0');
      ++count;
      ++pos_;
    }
    if (count == 0 || count > 9) return false;
    for (std::size_t i = count; i < 3; ++i) ms *= 10;
    out = ms;
    return true;
  }

  char peek() const { return at_end() ? '\0' : text_[pos_]; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Parses "Z", "+hh:mm" or "-hh:mm" into the amount to subtract from local time.
std::optional<minutes> parse_offset(Scanner& in) {
  if (in.literal_either_case('Z')) return minutes{0};
  int sign = 0;
  if (in.literal('+')) {
    sign = 1;
  } else if (in.literal('-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  int hh = 0;
  int mm = 0;
  if (!in.digits(2, hh) || !in.literal(':') || !in.digits(2, mm)) return std::nullopt;
  if (hh > 23 || mm > 59) return std::nullopt;
  return minutes{sign * (hh * 60 + mm)};
}

}  // namespace

std::string format_rfc3339(TimePoint t) {
  const TimePoint min = sys_days{kMinDate};
  const TimePoint max = sys_days{kMaxDate} + days{1} - milliseconds{1};
  if (t < min) t = min;
  if (t > max) t = max;

  // floor, not truncation: a time before 1970 belongs to the earlier day.
  const sys_days day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<milliseconds> hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  Scanner in(text);
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!in.digits(4, year) || !in.literal('-') || !in.digits(2, month) || !in.literal('-') ||
      !in.digits(2, day) || !in.literal_either_case('T') || !in.digits(2, hour) || !in.literal(':') ||
      !in.digits(2, minute) || !in.literal(':') || !in.digits(2, second)) {
    return std::nullopt;
  }
  int ms = 0;
  if (in.peek() == '.') {
    in.literal('.');
    if (!in.fraction_ms(ms)) return std::nullopt;
  }
  const std::optional<minutes> offset = parse_offset(in);
  if (!offset || !in.at_end()) return std::nullopt;

  // year_month_day::ok() rejects month 13 and day 31 of a 30-day month and
  // knows the leap-year rule, so "2026-02-29" fails and "2024-02-29" passes.
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  // Leap second 60 is rejected: system_clock has no representation for it.
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;

  return TimePoint{sys_days{ymd}} + hours{hour} + minutes{minute} + seconds{second} + milliseconds{ms} -
         *offset;
}

}  // namespace switchboard
