#include "server/http_request.h"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <iterator>
#include <vector>

#include "model/error_codes.h"
#include "model/http_framing.h"

namespace switchboard::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

api::Response transport_error(int status, std::string_view code, std::string_view message) {
  api::Response r;
  r.status = status;
  r.body = boost::json::serialize(
      boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}});
  return r;
}

void prepare_parser(RequestParser& parser, const HttpServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(boost::none);
}

HeaderCheck check_header(RequestParser& parser, const HttpServerOptions& options) {
  const auto& header = parser.get();
  HeaderCheck check;
  check.body_limit = options.max_body_bytes;
  const auto target = header.target();
  for (const auto& prefix : options.large_body_prefixes) {
    if (target.starts_with(prefix)) check.body_limit = options.large_body_bytes;
  }

  std::vector<model::HeaderField> fields;
  fields.reserve(8);
  for (const auto& field : header) fields.push_back({field.name_string(), field.value()});
  check.header_fields = fields.size();
  const auto framing = model::request_framing(fields, header.version());
  if (!framing.ok()) {
    check.refusal = transport_error(400, model::error_codes::kBadRequest, framing.error);
    return check;
  }
  // Beast reads the body as it framed the request: it must agree with the
  // rule (a disagreement would be a smuggling primitive of its own).
  const bool agrees = framing.framing == model::BodyFraming::kChunked
                          ? parser.chunked()
                          : !parser.chunked() && (framing.framing == model::BodyFraming::kContentLength
                                                      ? parser.content_length() == framing.content_length
                                                      : !parser.content_length());
  if (!agrees) {
    check.refusal =
        transport_error(400, model::error_codes::kBadRequest, "The request's framing is ambiguous.");
    return check;
  }
  if (framing.framing == model::BodyFraming::kContentLength && framing.content_length > check.body_limit) {
    check.refusal =
        transport_error(413, model::error_codes::kPayloadTooLarge,
                        "The request body exceeds " + std::to_string(check.body_limit) + " bytes.");
    return check;
  }
  parser.body_limit(check.body_limit);
  return check;
}

std::optional<api::Response> check_trailers(const RequestParser& parser, const HeaderCheck& check) {
  const auto& message = parser.get();
  if (static_cast<std::size_t>(std::distance(message.begin(), message.end())) == check.header_fields) {
    return std::nullopt;
  }
  return transport_error(400, model::error_codes::kBadRequest,
                         "Trailer fields after a chunked body are not accepted.");
}

std::optional<api::Response> error_answer(beast::error_code ec, std::size_t body_limit) {
  if (ec == http::error::body_limit) {
    return transport_error(413, model::error_codes::kPayloadTooLarge,
                           "The request body exceeds " + std::to_string(body_limit) + " bytes.");
  }
  if (ec == http::error::header_limit) {
    return transport_error(431, model::error_codes::kHeadersTooLarge, "The request headers are too large.");
  }
  if (ec == http::error::end_of_stream) return std::nullopt;  // closed between requests
  if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return transport_error(400, model::error_codes::kBadRequest, "The request is not valid HTTP/1.1.");
  }
  return std::nullopt;  // eof, timeout, reset, aborted: nobody to answer
}

std::optional<api::Request> to_api_request(http::request<http::string_body>&& in, const std::string& remote) {
  auto target = boost::urls::parse_origin_form(in.target());
  if (!target) return std::nullopt;
  api::Request out;
  out.method = std::string(in.method_string());
  out.path = target->path();  // percent-decoded
  for (auto param : target->params()) out.query.emplace(param.key, param.value);
  out.headers.reserve(8);
  for (const auto& field : in) out.headers.emplace_back(field.name_string(), field.value());
  out.body = std::move(in.body());
  out.remote_address = remote;
  return out;
}

}  // namespace switchboard::server
