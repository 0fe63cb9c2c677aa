// Reading one HTTP/1.x request with Beast, the steps the server and the
// fuzz target (fuzz/http_request_fuzz.cc) share, so that what is fuzzed is
// what is served:
//   1. prepare_parser() before the header is read;
//   2. check_header() once the header is parsed and before any body byte is
//      read: the framing rule (model/http_framing.h: smuggling, Host) and the
//      body limit of the path. A refused request is answered and the
//      connection closed; nothing after its header is ever parsed;
//   3. the body is read with the limit check_header() chose, and
//      check_trailers() refuses a chunked body that ends with trailer fields
//      (Beast would merge them into the header: a Host, Authorization or
//      Connection sent after the body, past any proxy that checked the
//      header; RFC 9110 §6.5.1 forbids merging and nothing here uses them);
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
  std::size_t body_limit = 0;     // the largest body this request's path accepts
  std::size_t header_fields = 0;  // fields of the header section (trailers come after them)
};

// Step 2; on acceptance, also sets the parser's body limit.
HeaderCheck check_header(RequestParser& parser, const HttpServerOptions& options);

// Step 3, once the whole message is read: a refusal (400, answer and close)
// when trailer fields followed the chunked body.
std::optional<api::Response> check_trailers(const RequestParser& parser, const HeaderCheck& check);

// The answer to a read error, nullopt when the connection should just close
// (the client went away, the read timed out). `body_limit` is the limit
// check_header() chose (for the 413 message).
std::optional<api::Response> error_answer(boost::beast::error_code ec, std::size_t body_limit);

// nullopt when the target is not a valid origin-form URL.
std::optional<api::Request> to_api_request(boost::beast::http::request<boost::beast::http::string_body>&& in,
                                           const std::string& remote);

}  // namespace switchboard::server
