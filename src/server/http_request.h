// Reading one HTTP/1.x request with Beast, the steps the server and the
// fuzz target (fuzz/http_request_fuzz.cc) share, so that what is fuzzed is
// what is served:
//   1. prepare_parser() before the header is read;
//   2. check_header() once the header is parsed and before any body byte is
//      read: the framing rule (model/http_framing.h: smuggling, Host) and the
//      body limit of the path. A refused request is answered and the
//      connection closed; nothing after its header is ever parsed;
//   3. the body is read with the limit check_header() chose;
//   4. to_api_request() converts the finished message.
// A read error is answered by error_answer() (or the connection just closes).
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "api/http_types.h"
#include "server/http_server.h"

namespace switchboard::server {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A JSON error answer of the transport ({"error":{"code","message"}}).
api::Response transport_error(int status, std::string_view code, std::string_view message);

// Sets the header limit. The body limit depends on the path, so it is not
// applied while the header is read (Beast would refuse a large
// Content-Length before the path is known): check_header() applies it.
void prepare_parser(RequestParser& parser, const HttpServerOptions& options);

struct HeaderCheck {
  // Set when the request is refused: answer it and close the connection
  // (lingering, so that the client reads the answer).
  std::optional<api::Response> refusal;
  std::size_t body_limit = 0;  // the largest body this request's path accepts
};

// Step 2; on acceptance, also sets the parser's body limit.
HeaderCheck check_header(RequestParser& parser, const HttpServerOptions& options);

// The answer to a read error, nullopt when the connection should just close
// (the client went away, the read timed out). `body_limit` is the limit
// check_header() chose (for the 413 message).
std::optional<api::Response> error_answer(boost::beast::error_code ec, std::size_t body_limit);

// nullopt when the target is not a valid origin-form URL.
std::optional<api::Request> to_api_request(boost::beast::http::request<boost::beast::http::string_body>&& in,
                                           const std::string& remote);

}  // namespace switchboard::server
