#include "store/common/attempt_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
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

}  // namespace switchboard::store
