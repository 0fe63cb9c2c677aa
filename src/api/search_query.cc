#include "api/search_query.h"

#include <cctype>

#include "common/ids.h"

namespace switchboard::api {

namespace {

// A phone number as admins type it: digits with an optional leading +,
// spaces, dashes, dots and parentheses; 6 to 15 digits (E.164's maximum).
std::optional<std::string> phone_digits(std::string_view text) {
  std::string digits;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
    } else if (!(c == '+' && i == 0) && c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      return std::nullopt;
    }
  }
  if (digits.size() < 6 || digits.size() > 15) return std::nullopt;
  return digits;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<SearchQuery> classify_search(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (text.empty()) return std::nullopt;
  SearchQuery q;
  q.text = std::string(text);
  if (is_valid_id(text, "evt")) {
    q.event_id = true;
  } else if (is_valid_id(text, "dlv")) {
    q.delivery_id = true;
  } else {
    // Call ids are the telephony side's own strings, digits included: a
    // number-like text is looked up both ways.
    q.call_id = true;
    q.phone = phone_digits(text);
  }
  return q;
}

}  // namespace switchboard::api
