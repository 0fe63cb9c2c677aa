// How an HTTP/1.x request's body is framed (RFC 9112 §6), decided from its
// header fields alone, before any body byte is read. Two parsers that frame
// one request differently (a proxy and this server) is request smuggling, so
// anything ambiguous is refused (400, and the connection is closed without
// reading further):
//   - Transfer-Encoding must be exactly `chunked` (one coding, in one or more
//     fields): `gzip`, `identity`, `xchunked`, `chunked, identity`,
//     `gzip, chunked` (a coding this server cannot decode), an empty value…
//     are refused, as is Transfer-Encoding on an HTTP/1.0 request;
//   - Transfer-Encoding and Content-Length together are refused;
//   - Content-Length must be digits, and several values must agree;
//   - an HTTP/1.1 request needs exactly one Host field, with one value.
// Pure: the server (server/http_request.h) and the fuzz target call it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace switchboard::model {

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

enum class BodyFraming { kNone, kContentLength, kChunked };

struct FramingDecision {
  BodyFraming framing = BodyFraming::kNone;
  std::uint64_t content_length = 0;  // with kContentLength
  std::string error;                 // empty: acceptable; else the sentence of the 400 answer
  bool ok() const { return error.empty(); }
};

// `version` as Beast encodes it: 10 for HTTP/1.0, 11 for HTTP/1.1.
FramingDecision request_framing(std::span<const HeaderField> fields, unsigned version);

}  // namespace switchboard::model
