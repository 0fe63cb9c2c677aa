#include "model/event_input_json.h"

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "model/envelope.h"
#include "model/error_codes.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

// A decimal value as its significant digits (no leading or trailing zeros)
// and a power of ten: value = digits × 10^exponent. Zero has no digits.
struct Decimal {
  std::string digits;
  long long exponent = 0;
};

constexpr long long kExponentCap =
    1'000'000'000;  // beyond any double by far; keeps the sums from overflowing

Decimal normalize(std::string digits, long long exponent) {
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {};
  digits.erase(0, first);
  const auto last = digits.find_last_not_of('0');
  exponent += static_cast<long long>(digits.size() - 1 - last);
  digits.erase(last + 1);
  return {std::move(digits), exponent};
}

// The decimal value of a JSON number's text (its sign aside).
Decimal decimal_of(std::string_view text) {
  std::size_t i = text.starts_with('-') ? 1 : 0;
  std::string digits;
  long long fraction_digits = 0;
  bool in_fraction = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      in_fraction = true;
    } else {
      digits.push_back(text[i]);
      if (in_fraction) ++fraction_digits;
    }
  }
  long long exponent = 0;
  if (i < text.size()) {
    ++i;  // 'e' / 'E'
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    for (; i < text.size(); ++i) {
      if (exponent < kExponentCap) exponent = exponent * 10 + (text[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return normalize(std::move(digits), exponent - fraction_digits);
}

// |value| > 2^53 − 1, on the decimal value itself (no rounding on the way).
bool beyond_safe_range(const Decimal& d) {
  static constexpr std::string_view kMaxSafe = "9007199254740991";  // 16 digits
  if (d.digits.empty()) return false;
  const long long integer_digits = static_cast<long long>(d.digits.size()) + d.exponent;
  const auto safe_digits = static_cast<long long>(kMaxSafe.size());
  if (integer_digits != safe_digits) return integer_digits > safe_digits;
  std::string leading = d.digits.substr(0, kMaxSafe.size());
  leading.resize(kMaxSafe.size(), '0');
  if (leading != kMaxSafe) return leading > kMaxSafe;
  return d.digits.size() > kMaxSafe.size();  // 9007199254740991.x
}

// The decimal value of the shortest spelling of `value` (what JavaScript
// prints).
Decimal decimal_of(double value) {
  std::array<char, 64> buf{};
  const auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), std::fabs(value), std::chars_format::scientific);
  (void)ec;  // 64 bytes always hold a double
  return decimal_of(std::string_view(buf.data(), static_cast<std::size_t>(end - buf.data())));
}

JsonNumber refused(JsonNumberClass kind, bool negative) {
  const double sentinel = kind == JsonNumberClass::kUnsafeInteger ? std::numeric_limits<double>::infinity()
                                                                  : std::numeric_limits<double>::quiet_NaN();
  return {kind, negative, json::value(negative ? -sentinel : sentinel)};
}

// A boost::json::basic_parser handler building the value like Boost's own
// parser does, except for numbers (classify_json_number).
class IngestHandler {
 public:
  // Names and members Boost's basic_parser requires of a handler.
  // NOLINTNEXTLINE(readability-identifier-naming)
  static constexpr std::size_t max_object_size = json::object::max_size();
  // NOLINTNEXTLINE(readability-identifier-naming)
  static constexpr std::size_t max_array_size = json::array::max_size();
  // NOLINTNEXTLINE(readability-identifier-naming)
  static constexpr std::size_t max_key_size = json::string::max_size();
  // NOLINTNEXTLINE(readability-identifier-naming)
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack stack;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    stack.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    stack.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t, json::string_view s, json::error_code&) { return number(s); }
  bool on_uint64(std::uint64_t, json::string_view s, json::error_code&) { return number(s); }
  bool on_double(double, json::string_view s, json::error_code&) { return number(s); }
  bool on_bool(bool b, json::error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  bool number(json::string_view last_part) {
    number_.append(last_part.data(), last_part.size());
    JsonNumber n = classify_json_number(number_);
    number_.clear();
    if (n.value.is_int64()) {
      stack.push_int64(n.value.get_int64());
    } else {
      stack.push_double(n.value.get_double());
    }
    return true;
  }

  std::string number_;  // a number arriving in parts
};

}  // namespace

JsonNumber classify_json_number(std::string_view text) {
  const bool negative = text.starts_with('-');
  const Decimal published = decimal_of(text);
  if (beyond_safe_range(published)) return refused(JsonNumberClass::kUnsafeInteger, negative);
  const bool plain_integer = text.find_first_of(".eE") == std::string_view::npos;
  if (published.digits.empty()) {  // zero, also -0 and 0.0e5: JSON.stringify prints 0
    return {JsonNumberClass::kExact, negative,
            plain_integer ? json::value(std::int64_t{0}) : json::value(0.0)};
  }
  if (published.exponent >= 0) {  // an integer within ±(2^53 − 1): exact as an int64 and as a double
    std::int64_t magnitude = 0;
    for (char c : published.digits) magnitude = magnitude * 10 + (c - '0');
    for (long long e = 0; e < published.exponent; ++e) magnitude *= 10;
    const std::int64_t v = negative ? -magnitude : magnitude;
    return {JsonNumberClass::kExact, negative,
            plain_integer ? json::value(v) : json::value(static_cast<double>(v))};
  }
  // A fraction: the double JavaScript reads must print as the same value.
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
    return refused(JsonNumberClass::kImprecise, negative);  // underflow (1e-400)
  }
  const Decimal shown = decimal_of(value);
  if (shown.digits != published.digits || shown.exponent != published.exponent) {
    return refused(JsonNumberClass::kImprecise, negative);
  }
  return {JsonNumberClass::kExact, negative, json::value(value)};
}

json::value parse_ingest_json(std::string_view text, std::size_t max_depth, boost::system::error_code& ec,
                              json::storage_ptr storage) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<IngestHandler> parser(options);
  parser.handler().stack.reset(std::move(storage));
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) return nullptr;
  if (used != text.size()) {
    ec = json::error::extra_data;
    return nullptr;
  }
  return parser.handler().stack.release();
}

std::string_view refused_number_code(const json::value& number) {
  switch (number.kind()) {
    case json::kind::int64: {
      const std::int64_t v = number.get_int64();
      return v > kMaxSafeInteger || v < -kMaxSafeInteger ? error_codes::kUnsafeInteger : "";
    }
    case json::kind::uint64:
      return number.get_uint64() > static_cast<std::uint64_t>(kMaxSafeInteger) ? error_codes::kUnsafeInteger
                                                                               : "";
    case json::kind::double_: {
      const double d = number.get_double();
      if (std::isnan(d)) return error_codes::kImpreciseNumber;
      return std::fabs(d) > static_cast<double>(kMaxSafeInteger) ? error_codes::kUnsafeInteger : "";
    }
    default:
      return "";
  }
}

}  // namespace switchboard::model
