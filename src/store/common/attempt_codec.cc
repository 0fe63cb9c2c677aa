#include "store/common/attempt_codec.h"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <system_error>

namespace switchboard::store {
namespace json = boost::json;
namespace {

// A JSON array of [name, value] string pairs, or nullopt.
std::optional<json::array> header_pairs(std::string_view text) {
  std::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_array()) return std::nullopt;
  for (const json::value& pair : parsed.get_array()) {
    if (!pair.is_array() || pair.get_array().size() != 2 || !pair.get_array()[0].is_string() ||
        !pair.get_array()[1].is_string()) {
      return std::nullopt;
    }
  }
  return std::move(parsed.get_array());
}

}  // namespace

StoredRequest compact_request(std::string_view template_url, std::string_view template_headers,
                              std::string_view url, std::string_view headers) {
  StoredRequest out;
  if (url != template_url) out.url = std::string(url);
  out.headers = std::string(headers);
  auto base = header_pairs(template_headers);
  auto mine = header_pairs(headers);
  if (!base || !mine || base->size() != mine->size()) return out;
  json::object delta;
  for (std::size_t i = 0; i < mine->size(); ++i) {
    const json::array& b = (*base)[i].get_array();
    const json::array& m = (*mine)[i].get_array();
    if (b[0] != m[0]) return out;  // a different header list: keep it whole
    if (b[1] != m[1]) delta[std::to_string(i)] = m[1];
  }
  out.headers = json::serialize(delta);
  return out;
}

Result<std::string> expand_request_headers(std::string_view template_headers, std::string_view stored) {
  if (stored.empty() || stored.front() != '{') return std::string(stored);
  std::error_code ec;
  json::value delta = json::parse(stored, ec);
  auto base = header_pairs(template_headers);
  if (ec || !delta.is_object() || !base) {
    return make_error(ErrorCode::kInternal, "stored attempt headers do not fit the delivery's request");
  }
  for (const auto& [key, value] : delta.get_object()) {
    std::size_t index = 0;
    const auto parsed = std::from_chars(key.data(), key.data() + key.size(), index);
    if (parsed.ec != std::errc() || parsed.ptr != key.data() + key.size() || index >= base->size() ||
        !value.is_string()) {
      return make_error(ErrorCode::kInternal, "stored attempt headers do not fit the delivery's request");
    }
    (*base)[index].get_array()[1] = value;
  }
  return json::serialize(*base);
}

namespace {

// Index = stored code. Append only (attempt_codec.h).
constexpr std::array<model::AttemptError, 9> kErrorCodes = {
    model::AttemptError::kNone,     model::AttemptError::kHttpStatus, model::AttemptError::kTimeout,
    model::AttemptError::kConnect,  model::AttemptError::kTls,        model::AttemptError::kDns,
    model::AttemptError::kRedirect, model::AttemptError::kRefused,    model::AttemptError::kOther};

std::string status_message(int status_code) { return "HTTP " + std::to_string(status_code); }

}  // namespace

std::int64_t attempt_error_code(model::AttemptError error) {
  for (std::size_t code = 0; code < kErrorCodes.size(); ++code) {
    if (kErrorCodes[code] == error) return static_cast<std::int64_t>(code);
  }
  return static_cast<std::int64_t>(kErrorCodes.size() - 1);  // unreachable: every class is listed
}

std::optional<model::AttemptError> attempt_error_from_code(std::int64_t code) {
  if (code < 0 || code >= static_cast<std::int64_t>(kErrorCodes.size())) return std::nullopt;
  return kErrorCodes[static_cast<std::size_t>(code)];
}

std::optional<std::string> compact_error_message(model::AttemptError error, std::optional<int> status_code,
                                                 const std::string& message) {
  if (error == model::AttemptError::kHttpStatus && status_code && message == status_message(*status_code)) {
    return std::nullopt;
  }
  return message;
}

std::string expand_error_message(const std::optional<std::string>& stored, std::optional<int> status_code) {
  if (stored) return *stored;
  return status_code ? status_message(*status_code) : std::string();
}

std::int64_t latency_column(double latency_ms) { return std::llround(latency_ms * 1000.0); }

double latency_from_column(std::int64_t latency_us) { return static_cast<double>(latency_us) / 1000.0; }

}  // namespace switchboard::store
