// Transport-neutral request and response types. The server layer converts
// Beast messages to and from these, so the API layer never sees sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"

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
// transport: common/byte_stream.h.
using StreamSink = ByteStream;

class PendingResponse;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set for a streamed response: the transport sends the status and headers
  // (no length; the connection closes when the stream ends), then calls
  // `stream` once with the sink; `body` is ignored.
  std::function<void(std::shared_ptr<StreamSink>)> stream;
  // Set for a deferred response: the handler has started work that answers
  // later (e.g. a test delivery waiting on a receiver), and returns at once so
  // that no worker waits; the transport writes what `pending` is completed
  // with. The other fields are ignored.
  std::shared_ptr<PendingResponse> pending;
};

// The answer to a request, given later by whoever finishes the work.
// Thread-safe: complete() and on_complete() may be called from any thread, in
// either order. When the last reference goes without complete(), the client
// gets 500 (a handler's bug must not leave a connection waiting for ever).
class PendingResponse {
 public:
  PendingResponse() = default;
  PendingResponse(const PendingResponse&) = delete;
  PendingResponse& operator=(const PendingResponse&) = delete;
  ~PendingResponse();

  // The answer; the first call wins, later ones are ignored.
  void complete(Response response);
  // For the transport: `deliver` runs once with the answer, at once (on this
  // thread) when it is already there, else on the thread that completes.
  void on_complete(std::function<void(Response)> deliver);

 private:
  std::mutex mutex_;
  std::optional<Response> answer_;  // completed before the transport asked
  std::function<void(Response)> deliver_;
  bool completed_ = false;
};

}  // namespace switchboard::api
