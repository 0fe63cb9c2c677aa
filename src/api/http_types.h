// Transport-neutral request and response types. The server layer converts
// Beast messages to and from these, so the API layer never sees sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::api {

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // decoded path without the query string
  std::multimap<std::string, std::string> query;             // decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  std::string remote_address;

  // First header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  // First query parameter with this name, if any.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

// The open end of a streamed response (Server-Sent Events), given by the
// transport. Thread-safe: any thread may send.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues bytes for the client. False once the stream has ended: the client
  // went away, the server is stopping, or the client fell too far behind
  // (its queue passed the transport's bound, which ends the stream).
  virtual bool send(std::string bytes) = 0;
  virtual bool is_open() const = 0;
  virtual void close() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set for a streamed response: the transport sends the status and headers
  // (no length; the connection closes when the stream ends), then calls
  // `stream` once with the sink; `body` is ignored.
  std::function<void(std::shared_ptr<StreamSink>)> stream;
};

}  // namespace switchboard::api
