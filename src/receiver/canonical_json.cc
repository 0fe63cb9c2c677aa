#include "receiver/canonical_json.h"

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cstdlib>
#include <set>
#include <vector>

namespace switchboard::receiver {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// JSON.stringify's QuoteJSONString: only '"', '\\' and control characters are escaped.
void append_string(std::string& out, std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (byte < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// A boost::json::basic_parser handler that writes the canonical text as it parses.
class CanonicalWriter {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);  // NOLINT(readability-identifier-naming)
  static constexpr std::size_t max_array_size = std::size_t(-1);   // NOLINT(readability-identifier-naming)
  static constexpr std::size_t max_key_size = std::size_t(-1);     // NOLINT(readability-identifier-naming)
  static constexpr std::size_t max_string_size = std::size_t(-1);  // NOLINT(readability-identifier-naming)

  std::string out;
  bool duplicate_key = false;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return open('{'); }
  bool on_object_end(std::size_t, error_code&) { return close('}'); }
  bool on_array_begin(error_code&) { return open('['); }
  bool on_array_end(std::size_t, error_code&) { return close(']'); }
  bool on_key_part(string_view part, std::size_t, error_code&) { return buffer(part); }
  bool on_key(string_view part, std::size_t, error_code&) {
    pending_.append(part.data(), part.size());
    separate();
    auto& keys = frames_.back().keys;
    if (!keys.insert(pending_).second) duplicate_key = true;
    append_string(out, pending_);
    out.push_back(':');
    frames_.back().after_key = true;
    pending_.clear();
    return true;
  }
  bool on_string_part(string_view part, std::size_t, error_code&) { return buffer(part); }
  bool on_string(string_view part, std::size_t, error_code&) {
    pending_.append(part.data(), part.size());
    separate();
    append_string(out, pending_);
    pending_.clear();
    return true;
  }
  bool on_number_part(string_view part, error_code&) { return buffer(part); }
  bool on_int64(std::int64_t, string_view part, error_code& ec) { return number(part, ec); }
  bool on_uint64(std::uint64_t, string_view part, error_code& ec) { return number(part, ec); }
  bool on_double(double, string_view part, error_code& ec) { return number(part, ec); }
  bool on_bool(bool value, error_code&) { return scalar(value ? "true" : "false"); }
  bool on_null(error_code&) { return scalar("null"); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  struct Frame {
    bool first = true;
    bool after_key = false;
    std::set<std::string> keys;
  };

  // Writes the ',' before a key or an array element (a value after its key needs none).
  void separate() {
    if (frames_.empty()) return;
    auto& frame = frames_.back();
    if (frame.after_key) {
      frame.after_key = false;
      return;
    }
    if (!frame.first) out.push_back(',');
    frame.first = false;
  }
  bool open(char bracket) {
    separate();
    out.push_back(bracket);
    frames_.emplace_back();
    return true;
  }
  bool close(char bracket) {
    out.push_back(bracket);
    frames_.pop_back();
    return true;
  }
  bool buffer(string_view part) {
    pending_.append(part.data(), part.size());
    return true;
  }
  bool scalar(std::string_view text) {
    separate();
    out.append(text);
    return true;
  }
  // JavaScript numbers are doubles: the text is read as one, correctly rounded.
  bool number(string_view part, error_code& ec) {
    pending_.append(part.data(), part.size());
    double value = 0;
    const auto [end, result] = std::from_chars(pending_.data(), pending_.data() + pending_.size(), value);
    pending_.clear();
    if (result != std::errc()) {  // out of double range: JSON.parse would give Infinity
      ec = boost::json::error::exponent_overflow;
      return false;
    }
    return scalar(js_number(value));
  }

  std::vector<Frame> frames_;
  std::string pending_;  // a key, string or number arriving in parts
};

}  // namespace

// ECMAScript Number::toString(x) with radix 10: the shortest round-trip digits
// d1..dk and exponent n (x = 0.d1..dk × 10^n), laid out by the spec's rules.
std::string js_number(double value) {
  if (value == 0) return "0";  // also -0
  if (value < 0) return "-" + js_number(-value);
  std::array<char, 64> buffer{};
  const auto result =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::scientific);
  const std::string_view text(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
  const auto e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int k = static_cast<int>(digits.size());
  int exponent10 = 0;  // to_chars writes "e+NN" / "e-NN"
  const auto exponent_text = text.substr(e + (text[e + 1] == '+' ? 2 : 1));
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent10);
  const int n = exponent10 + 1;
  const auto count = [](int i) { return static_cast<std::size_t>(i); };
  if (k <= n && n <= 21) return digits + std::string(count(n - k), '0');
  if (0 < n && n <= 21) return digits.substr(0, count(n)) + "." + digits.substr(count(n));
  if (-6 < n && n <= 0) return "0." + std::string(count(-n), '0') + digits;
  const std::string exponent = (n - 1 < 0 ? "e-" : "e+") + std::to_string(std::abs(n - 1));
  if (k == 1) return digits + exponent;
  return digits.substr(0, 1) + "." + digits.substr(1) + exponent;
}

std::optional<std::string> js_canonical(std::string_view text) {
  boost::json::basic_parser<CanonicalWriter> parser(boost::json::parse_options{});
  error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used != text.size() || parser.handler().duplicate_key) return std::nullopt;
  return std::move(parser.handler().out);
}

}  // namespace switchboard::receiver
