// HttpServer: the HTTP/1.1 front door (Boost.Beast). Each I/O thread runs
// its own io_context and owns the connections it was given (round robin at
// accept), so a connection's steps never hop between I/O threads. A parsed
// request is first offered to the InlineHandler on that I/O thread (quick,
// non-blocking answers: no thread hop at all); what it declines is handed to a
// worker pool that runs the (possibly blocking) handler, and the response is
// written back on the connection's I/O thread. Keep-alive, pipelined requests
// are answered in order.
//
// Limits enforced here, before any handler runs: request body size (413),
// header size (431), read timeout. stop() stops accepting, lets in-flight
// requests finish (up to a deadline) and joins every thread.
//
// Every answer carries X-Request-Id: the client's when acceptable
// (server/request_id.h), else a new one; the handlers run with it as their
// thread's log context (common/logging.h), so their log lines carry it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "common/result.h"
#include "model/limits.h"

namespace switchboard::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see HttpServer::port())
  int io_threads = 2;
  int worker_threads = 32;
  std::size_t max_body_bytes = model::limits::kDefaultMaxBodyBytes;
  // Larger limit for paths starting with one of these prefixes (batch ingest).
  std::vector<std::string> large_body_prefixes;
  std::size_t large_body_bytes = model::limits::kMaxBatchBodyBytes;
  std::size_t max_header_bytes = model::limits::kMaxHeaderBytes;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds drain_timeout{10};
};

// Runs on a worker thread; may block (store reads, group commits).
using RequestHandler = std::function<api::Response(const api::Request&)>;
// Runs on the I/O thread that read the request: answers it at once, or
// declines (nullopt) and the request goes to the RequestHandler on a worker.
// Must never block (no store access, no waiting), or every connection of that
// I/O thread waits with it. A deferred answer (api::PendingResponse) is fine.
using InlineHandler = std::function<std::optional<api::Response>(const api::Request&)>;

class HttpServer {
 public:
  // Binds and listens; kUnavailable when the address cannot be bound.
  // `quick` is optional: without it every request goes to the worker pool.
  static Result<std::unique_ptr<HttpServer>> start(const HttpServerOptions& options, RequestHandler handler,
                                                   InlineHandler quick = {});
  virtual ~HttpServer() = default;

  virtual std::uint16_t port() const = 0;
  // The start of a graceful stop: every answer from now on carries
  // Connection: close (what to answer is the handlers' choice: the service
  // refuses new requests with 503 `draining`); the listener stays open, so a
  // load balancer's probe still gets an answer (GET /api/ready: 503) until
  // stop(). Idempotent; any thread.
  virtual void begin_drain() = 0;
  // Graceful: stop accepting, finish in-flight requests, join threads.
  // Idempotent.
  virtual void stop() = 0;
};

}  // namespace switchboard::server
