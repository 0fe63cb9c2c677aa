// The HTTP/1.1 request reader (server/http_request.h): the bytes are what a
// client sends on one connection. Each request goes through the same steps
// as in the server: prepare_parser, the header, check_header (framing rule
// of model/http_framing.h and the body limit), the body, to_api_request; a
// read error gets error_answer. Keep-alive requests follow one another until
// one is refused, fails or asks to close, as on a real connection.
//
// Invariants: no crash, leak or UB; a refused request ends the connection
// (nothing after its header is parsed, so no smuggled second request); every
// accepted request has the framing the rule allows, checked here against an
// independent reading of its header fields: Transfer-Encoding exactly
// "chunked" and then no Content-Length and a chunked body, or a body of
// exactly its Content-Length, or none; HTTP/1.1 has exactly one Host; the
// body is within the path's limit; every answer is 400, 413 or 431 with a
// JSON error body.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "server/http_request.h"

namespace {

using namespace switchboard;
namespace http = boost::beast::http;

server::HttpServerOptions fuzz_options() {
  server::HttpServerOptions options;
  options.max_body_bytes = 1024;
  options.large_body_prefixes = {"/api/v2/events/batch"};
  options.large_body_bytes = 8192;
  options.max_header_bytes = 4096;
  return options;
}

// Feeds the parser from `input` until the header (or the whole message) is
// done, as Beast's read operations do; the end of the input is the client
// closing the connection (Beast: end_of_stream before any byte of a
// request, else put_eof, which refuses an unfinished message).
void feed(server::RequestParser& parser, std::string_view& input, bool whole, boost::beast::error_code& ec) {
  parser.eager(whole);
  while (!(whole ? parser.is_done() : parser.is_header_done())) {
    std::size_t used = 0;
    if (!input.empty()) {
      used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
      input.remove_prefix(used);
      if (ec && ec != http::error::need_more) return;
      ec = {};
    }
    if (used == 0) {  // the client sent all it will send
      if (!parser.got_some()) {
        ec = http::error::end_of_stream;
        return;
      }
      parser.put_eof(ec);
      if (!ec && !(whole ? parser.is_done() : parser.is_header_done())) ec = http::error::partial_message;
      return;
    }
  }
}

void check_answer(const api::Response& answer) {
  FUZZ_CHECK(answer.status == 400 || answer.status == 413 || answer.status == 431);
  boost::system::error_code ec;
  const auto body = boost::json::parse(answer.body, ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(body.at("error").at("code").is_string());
  FUZZ_CHECK(!body.at("error").at("message").get_string().empty());
}

std::string lower_without_blanks(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

// What RFC 9112 §6 and this server allow, read directly from the fields.
void check_accepted_framing(const server::RequestParser& parser, std::size_t body_limit) {
  const auto& message = parser.get();
  int hosts = 0;
  std::string codings;  // every Transfer-Encoding field value, joined
  int transfer_encodings = 0;
  int content_lengths = 0;
  for (const auto& field : message) {
    const std::string name = lower_without_blanks(field.name_string());
    if (name == "host") ++hosts;
    if (name == "transfer-encoding") {
      ++transfer_encodings;
      codings += "," + lower_without_blanks(field.value());
    }
    if (name == "content-length") ++content_lengths;
  }
  if (message.version() >= 11) FUZZ_CHECK(hosts == 1);
  if (transfer_encodings > 0) {
    std::string elements;  // without empty list elements
    for (std::size_t start = 0; start <= codings.size();) {
      auto comma = codings.find(',', start);
      if (comma == std::string::npos) comma = codings.size();
      if (comma > start) elements += (elements.empty() ? "" : ",") + codings.substr(start, comma - start);
      start = comma + 1;
    }
    FUZZ_CHECK(elements == "chunked");
    FUZZ_CHECK(content_lengths == 0);
    FUZZ_CHECK(message.version() >= 11);
    FUZZ_CHECK(parser.chunked());
  } else {
    FUZZ_CHECK(!parser.chunked());
    if (content_lengths > 0) {
      FUZZ_CHECK(parser.content_length().has_value());
      FUZZ_CHECK(message.body().size() == *parser.content_length());
    } else {
      FUZZ_CHECK(message.body().empty());
    }
  }
  FUZZ_CHECK(message.body().size() <= body_limit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const server::HttpServerOptions options = fuzz_options();
  std::string_view input = fuzz::as_text(data, size);
  for (int requests = 0; requests < 32; ++requests) {
    server::RequestParser parser;
    server::prepare_parser(parser, options);
    boost::beast::error_code ec;
    feed(parser, input, /*whole=*/false, ec);
    if (ec) {
      if (auto answer = server::error_answer(ec, 0)) check_answer(*answer);
      return 0;  // the connection ends
    }
    const auto check = server::check_header(parser, options);
    if (check.refusal) {
      check_answer(*check.refusal);
      return 0;  // answered and closed: what follows the header is never parsed
    }
    feed(parser, input, /*whole=*/true, ec);
    if (ec) {
      if (auto answer = server::error_answer(ec, check.body_limit)) check_answer(*answer);
      return 0;
    }
    if (const auto refusal = server::check_trailers(parser, check)) {
      check_answer(*refusal);
      FUZZ_CHECK(parser.chunked());
      return 0;  // answered and closed
    }
    check_accepted_framing(parser, check.body_limit);
    auto message = parser.release();
    const bool keep_alive = message.keep_alive();
    const std::string method(message.method_string());
    const std::size_t body_size = message.body().size();
    if (auto request = server::to_api_request(std::move(message), "127.0.0.1")) {
      FUZZ_CHECK(request->method == method);
      FUZZ_CHECK(request->body.size() == body_size);
    }
    if (!keep_alive || input.empty()) return 0;
  }
  return 0;
}
