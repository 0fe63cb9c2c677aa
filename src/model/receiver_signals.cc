#include "model/receiver_signals.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>

namespace switchboard::model {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMaxRetryAfter = std::chrono::hours(24 * 365);

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                    "Friday", "Saturday", "Sunday"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// A cursor over the date text: each take_* consumes exactly what it names or fails.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool literal(std::string_view expected) {
    if (text_.substr(0, expected.size()) != expected) return false;
    text_.remove_prefix(expected.size());
    return true;
  }
  // Exactly `width` digits.
  std::optional<int> digits(std::size_t width) {
    if (text_.size() < width || !all_digits(text_.substr(0, width))) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) value = value * 10 + (text_[i] - '0');
    text_.remove_prefix(width);
    return value;
  }
  // One of `names`; its index.
  template <std::size_t N>
  std::optional<int> one_of(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i) {
      if (literal(names[i])) return static_cast<int>(i);
    }
    return std::nullopt;
  }
  bool done() const { return text_.empty(); }

 private:
  std::string_view text_;
};

struct DateParts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// "HH:MM:SS"
bool read_clock(Cursor& in, DateParts& parts) {
  auto h = in.digits(2);
  if (!h || !in.literal(":")) return false;
  auto m = in.digits(2);
  if (!m || !in.literal(":")) return false;
  auto s = in.digits(2);
  if (!s) return false;
  parts.hour = *h;
  parts.minute = *m;
  parts.second = *s;
  return true;
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<DateParts> imf_fixdate(std::string_view text) {
  Cursor in(text);
  DateParts p;
  if (!in.one_of(kDays) || !in.literal(", ")) return std::nullopt;
  auto day = in.digits(2);
  if (!day || !in.literal(" ")) return std::nullopt;
  auto month = in.one_of(kMonths);
  if (!month || !in.literal(" ")) return std::nullopt;
  auto year = in.digits(4);
  if (!year || !in.literal(" ") || !read_clock(in, p) || !in.literal(" GMT") || !in.done())
    return std::nullopt;
  p.day = *day;
  p.month = *month + 1;
  p.year = *year;
  return p;
}

// RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year: RFC 9110 says
// to read one more than 50 years ahead as the past century's; 1970..2069 here).
std::optional<DateParts> rfc850_date(std::string_view text) {
  Cursor in(text);
  DateParts p;
  if (!in.one_of(kLongDays) || !in.literal(", ")) return std::nullopt;
  auto day = in.digits(2);
  if (!day || !in.literal("-")) return std::nullopt;
  auto month = in.one_of(kMonths);
  if (!month || !in.literal("-")) return std::nullopt;
  auto year = in.digits(2);
  if (!year || !in.literal(" ") || !read_clock(in, p) || !in.literal(" GMT") || !in.done())
    return std::nullopt;
  p.day = *day;
  p.month = *month + 1;
  p.year = *year < 70 ? 2000 + *year : 1900 + *year;
  return p;
}

// asctime: "Sun Nov  6 08:49:37 1994" (the day padded with a space)
std::optional<DateParts> asctime_date(std::string_view text) {
  Cursor in(text);
  DateParts p;
  if (!in.one_of(kDays) || !in.literal(" ")) return std::nullopt;
  auto month = in.one_of(kMonths);
  if (!month || !in.literal(" ")) return std::nullopt;
  std::optional<int> day;
  if (in.literal(" ")) {
    day = in.digits(1);
  } else {
    day = in.digits(2);
  }
  if (!day || !in.literal(" ") || !read_clock(in, p) || !in.literal(" ")) return std::nullopt;
  auto year = in.digits(4);
  if (!year || !in.done()) return std::nullopt;
  p.day = *day;
  p.month = *month + 1;
  p.year = *year;
  return p;
}

std::optional<TimePoint> to_time(const DateParts& p) {
  using namespace std::chrono;
  const year_month_day date{year{p.year}, month{static_cast<unsigned>(p.month)},
                            day{static_cast<unsigned>(p.day)}};
  if (!date.ok() || p.hour > 23 || p.minute > 59 || p.second > 60) return std::nullopt;
  const sys_seconds at = sys_days{date} + hours{p.hour} + minutes{p.minute} + seconds{std::min(p.second, 59)};
  return time_point_cast<milliseconds>(at);
}

std::optional<TimePoint> parse_http_date(std::string_view text) {
  std::optional<DateParts> parts = imf_fixdate(text);
  if (!parts) parts = rfc850_date(text);
  if (!parts) parts = asctime_date(text);
  if (!parts) return std::nullopt;
  return to_time(*parts);
}

}  // namespace

bool honours_retry_after(int status_code) { return status_code == 429 || status_code == 503; }

std::optional<milliseconds> parse_retry_after(std::string_view value, TimePoint now) {
  const std::string_view text = trim(value);
  if (all_digits(text)) {
    // Enough digits for more than the cap are the cap (no overflow).
    if (text.size() > 10) return kMaxRetryAfter;
    const milliseconds delay = std::chrono::seconds(std::stoll(std::string(text)));
    return std::min(delay, kMaxRetryAfter);
  }
  const std::optional<TimePoint> at = parse_http_date(text);
  if (!at) return std::nullopt;
  if (*at <= now) return milliseconds(0);
  return std::min(std::chrono::duration_cast<milliseconds>(*at - now), kMaxRetryAfter);
}

std::optional<TimePoint> next_attempt_after_retry_after(const RetryPolicy& policy, int failed_attempt,
                                                        TimePoint event_time, TimePoint failed_at,
                                                        milliseconds requested) {
  if (failed_attempt < 1 || failed_attempt >= policy.max_attempts) return std::nullopt;
  const TimePoint window_end = event_time + policy.scaled(policy.window);
  if (failed_at >= window_end) return std::nullopt;
  const milliseconds wait = policy.scaled(std::max<milliseconds>(requested, kMinRetryAfter));
  // Compared as a remaining span first: a year's wait added to a time cannot overflow, but stays clear.
  if (wait >= window_end - failed_at) return window_end;
  return failed_at + wait;
}

}  // namespace switchboard::model
