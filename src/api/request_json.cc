#include "api/request_json.h"

#include <charconv>

#include "api/errors.h"
#include "common/crypto.h"
#include "model/error_codes.h"
#include "model/event_input_json.h"
#include "model/limits.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

// The checks every JSON body passes (present, application/json, valid, not too
// deep), around the parser given.
using JsonParser = json::value (*)(std::string_view text, boost::system::error_code& ec,
                                   json::storage_ptr storage);

tl::expected<json::value, Response> parse_body_with(const Request& request,
                                                    std::optional<json::value> empty_as, JsonParser parser,
                                                    json::storage_ptr storage = {}) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (empty_as) return *empty_as;
    return tl::unexpected(
        error_response(400, error_codes::kMalformedJson, "A JSON request body is required."));
  }
  if (auto type = request.header("Content-Type"); type && !type->empty()) {
    std::string_view t = *type;
    if (t.substr(0, 16) != "application/json") {
      return tl::unexpected(
          error_response(415, error_codes::kUnsupportedMediaType, "Send the body as application/json."));
    }
  }
  boost::system::error_code ec;
  json::value value = parser(request.body, ec, std::move(storage));
  if (ec) {
    std::string message = ec == json::error::too_deep
                              ? "The JSON body is nested too deeply."
                              : "The request body is not valid JSON: " + ec.message() + ".";
    return tl::unexpected(error_response(400, error_codes::kMalformedJson, message));
  }
  return value;
}

json::value parse_with_boost(std::string_view text, boost::system::error_code& ec,
                             json::storage_ptr storage) {
  json::parse_options options;
  options.max_depth = model::limits::kMaxJsonDepth;
  return json::parse(text, ec, std::move(storage), options);
}

json::value parse_numbers_from_text(std::string_view text, boost::system::error_code& ec,
                                    json::storage_ptr storage) {
  return model::parse_ingest_json(text, model::limits::kMaxJsonDepth, ec, std::move(storage));
}

}  // namespace

tl::expected<json::value, Response> parse_json_body(const Request& request,
                                                    std::optional<json::value> empty_as) {
  return parse_body_with(request, std::move(empty_as), parse_with_boost);
}

tl::expected<json::value, Response> parse_exact_json_body(const Request& request, json::storage_ptr storage) {
  return parse_body_with(request, std::nullopt, parse_numbers_from_text, std::move(storage));
}

std::string encode_cursor(std::string_view last_id) { return crypto::base64url_encode(last_id); }

namespace {

std::optional<std::string> decode_cursor(std::string_view cursor) {
  // base64url without padding -> standard base64 with padding for the strict
  // decoder.
  std::string standard(cursor);
  for (char& c : standard) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    }
  }
  while (standard.size() % 4 != 0) standard.push_back('=');
  auto decoded = crypto::base64_decode(standard);
  // Cursors carry ids: generated ones, or directory ids (1-128 of
  // [A-Za-z0-9_.:-]).
  if (!decoded || decoded->empty() || decoded->size() > 128) return std::nullopt;
  for (char c : *decoded) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '-')) {
      return std::nullopt;
    }
  }
  return decoded;
}

}  // namespace

tl::expected<store::PageRequest, Response> parse_page_request(const Request& request) {
  store::PageRequest page;
  page.limit = model::limits::kDefaultPageSize;
  if (auto limit = request.query_param("limit")) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 ||
        value > model::limits::kMaxPageSize) {
      return tl::unexpected(error_response(
          422, error_codes::kInvalidValue,
          "limit must be a whole number from 1 to " + std::to_string(model::limits::kMaxPageSize) + ".",
          "limit"));
    }
    page.limit = value;
  }
  if (auto cursor = request.query_param("cursor"); cursor && !cursor->empty()) {
    auto decoded = decode_cursor(*cursor);
    if (!decoded) {
      return tl::unexpected(error_response(422, error_codes::kInvalidValue,
                                           "cursor is not a cursor this API returned.", "cursor"));
    }
    page.after_id = std::move(*decoded);
  }
  return page;
}

}  // namespace switchboard::api
