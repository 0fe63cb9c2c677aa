#include "model/envelope.h"

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

#include "common/json_text.h"
#include "common/time_format.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

// Number::toString (ECMA-262 §6.1.6.1.20): shortest round-trip digits, then
// plain notation for exponents in [-7, 21), exponent notation otherwise.
void append_js_number(std::string& out, double value) {
  if (value == 0) {  // also -0, which JavaScript prints as "0"
    out.push_back('0');
    return;
  }
  if (!std::isfinite(value)) {  // JSON.stringify prints null; JSON cannot carry these anyway
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf.data(), static_cast<std::size_t>(end - buf.data()));
  // sci = [-]d[.ddd]e±XX
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  const auto e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // value = 0.digits × 10^n
  if (negative) out.push_back('-');
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(std::abs(n - 1));
  }
}

}  // namespace

void append_js_json(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
      out += std::to_string(value.get_int64());
      break;
    case json::kind::uint64:
      out += std::to_string(value.get_uint64());
      break;
    case json::kind::double_:
      append_js_number(out, value.get_double());
      break;
    case json::kind::string:
      append_json_string(out, value.get_string());
      break;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_js_json(out, item);
      }
      out.push_back(']');
      break;
    }
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& field : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, field.key());
        out.push_back(':');
        append_js_json(out, field.value());
      }
      out.push_back('}');
      break;
    }
  }
}

std::string to_js_json(const json::value& value) {
  std::string out;
  append_js_json(out, value);
  return out;
}

std::string compose_envelope(const Event& event, std::string_view data_json) {
  std::string out;
  out.reserve(data_json.size() + 200);
  out += "{\"event_id\":";
  append_json_string(out, event.id);
  out += ",\"event_type\":";
  append_json_string(out, event.type);
  if (event.sequence) {
    out += ",\"event_sequence\":";
    out += std::to_string(*event.sequence);
  }
  out += ",\"created_at\":";
  append_json_string(out, format_rfc3339(event.created_at));
  out += ",\"company_id\":";
  append_json_string(out, event.company_id);
  out += ",\"data\":";
  out += data_json;
  out.push_back('}');
  return out;
}

}  // namespace switchboard::model
