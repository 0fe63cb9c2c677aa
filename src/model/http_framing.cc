#include "model/http_framing.h"

#include <limits>
#include <optional>
#include <vector>

namespace switchboard::model {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The elements of a comma-separated field value (RFC 9110 §5.6.1), empty
// elements dropped as the list syntax requires.
void append_elements(std::string_view value, std::vector<std::string_view>& out) {
  while (true) {
    const auto comma = value.find(',');
    const auto element = trim(value.substr(0, comma));
    if (!element.empty()) out.push_back(element);
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

std::optional<std::uint64_t> parse_digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

FramingDecision refuse(std::string message) {
  FramingDecision decision;
  decision.error = std::move(message);
  return decision;
}

}  // namespace

FramingDecision request_framing(std::span<const HeaderField> fields, unsigned version) {
  int hosts = 0;
  bool host_list = false;
  bool has_transfer_encoding = false;
  std::vector<std::string_view> codings;
  bool has_content_length = false;
  std::vector<std::string_view> lengths;
  for (const auto& field : fields) {
    if (iequals(field.name, "host")) {
      ++hosts;
      host_list = host_list || field.value.find(',') != std::string_view::npos;
    } else if (iequals(field.name, "transfer-encoding")) {
      has_transfer_encoding = true;
      append_elements(field.value, codings);
    } else if (iequals(field.name, "content-length")) {
      has_content_length = true;
      const auto before = lengths.size();
      append_elements(field.value, lengths);
      if (lengths.size() == before) return refuse("Content-Length must be a number of bytes.");
    }
  }

  if (version >= 11 && (hosts != 1 || host_list)) {
    return refuse(hosts == 0 ? "An HTTP/1.1 request needs a Host header."
                             : "An HTTP/1.1 request must have exactly one Host header.");
  }

  FramingDecision decision;
  if (has_transfer_encoding) {
    if (version < 11) return refuse("Transfer-Encoding is not allowed on an HTTP/1.0 request.");
    if (has_content_length) {
      return refuse("A request must not have both Transfer-Encoding and Content-Length.");
    }
    if (codings.size() != 1 || !iequals(codings.front(), "chunked")) {
      return refuse("The only transfer coding accepted is chunked, alone.");
    }
    decision.framing = BodyFraming::kChunked;
    return decision;
  }
  if (has_content_length) {
    std::optional<std::uint64_t> length;
    for (auto element : lengths) {
      auto value = parse_digits(element);
      if (!value) return refuse("Content-Length must be a number of bytes.");
      if (length && *length != *value) return refuse("The Content-Length values disagree.");
      length = value;
    }
    decision.framing = BodyFraming::kContentLength;
    decision.content_length = *length;
  }
  return decision;
}

}  // namespace switchboard::model
