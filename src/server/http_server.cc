#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/result.h"
#include "model/error_codes.h"
#include "server/http_request.h"
#include "server/request_id.h"

namespace switchboard::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session;

// State every connection shares with the server.
struct Shared {
  HttpServerOptions options;
  RequestHandler handler;
  InlineHandler quick;  // may be empty
  asio::thread_pool workers;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  // Sessions waiting for a deferred answer (api::PendingResponse), by ticket.
  // Nothing else holds them meanwhile; stop() takes the rest, so that none
  // outlives the io_context its socket belongs to.
  std::mutex deferred_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<Session>> deferred;
  std::uint64_t next_ticket = 0;

  std::uint64_t hold(std::shared_ptr<Session> session) {
    std::lock_guard lock(deferred_mutex);
    deferred.emplace(++next_ticket, std::move(session));
    return next_ticket;
  }
  // Hands the session back to `resume` (which posts to its I/O thread), unless
  // stop() has let it go. Under the lock, so that nothing is posted after
  // stop() took the rest.
  template <typename Resume>
  void release(std::uint64_t ticket, Resume&& resume) {
    std::lock_guard lock(deferred_mutex);
    auto held = deferred.extract(ticket);
    if (held) resume(std::move(held.mapped()));
  }

  Shared(HttpServerOptions o, RequestHandler h, InlineHandler q)
      : options(std::move(o)),
        handler(std::move(h)),
        quick(std::move(q)),
        workers(static_cast<std::size_t>(options.worker_threads)) {}
};

api::Response plain_error(int status, std::string_view code, std::string_view message) {
  api::Response r;
  r.status = status;
  r.body = R"({"error":{"code":")" + std::string(code) + R"(","message":")" + std::string(message) + "\"}}";
  return r;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  // Reads the header first: the framing rule and the body limit (which
  // depends on the path) are applied before any body byte is read
  // (server/http_request.h).
  void read() {
    request_id_.clear();
    parser_.emplace();
    prepare_parser(*parser_, shared_->options);
    check_ = {};
    head_ = false;
    stream_.expires_after(shared_->options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    head_ = parser_->get().method() == http::verb::head;
    request_id_ = choose_request_id(header_value(parser_->get(), kRequestIdHeader));
    check_ = check_header(*parser_, shared_->options);
    if (check_.refusal) {
      // Smuggling, no Host, or too large: answer and close; what follows the
      // header (the body, maybe a second request) is discarded unparsed.
      linger_ = true;
      return write(*std::exchange(check_.refusal, std::nullopt),
                   /*keep_alive=*/false, parser_->get().version());
    }
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      auto answer = error_answer(ec, check_.body_limit);
      if (!answer) return close();
      linger_ = true;  // the client may still be sending: read it away so it
                       // sees our answer
      return write(std::move(*answer), /*keep_alive=*/false, 11);
    }
    if (auto refusal = check_trailers(*parser_, check_)) {
      linger_ = true;
      return write(std::move(*refusal), /*keep_alive=*/false, parser_->get().version());
    }
    auto message = parser_->release();
    const bool keep_alive = message.keep_alive() && !shared_->stopping;
    const unsigned version = message.version();
    auto request = to_api_request(std::move(message), remote_);
    if (!request) {
      return write(
          plain_error(400, model::error_codes::kBadRequest, "The request target is not a valid URL path."),
          false, version);
    }

    shared_->in_flight++;
    counted_ = true;
    // Quick answers on this thread: no hop to a worker and back.
    if (auto answer = answer_inline(*request, request_id_)) {
      if (answer->pending) return defer(answer->pending, keep_alive, version);
      return write(std::move(*answer), keep_alive, version);
    }
    asio::post(shared_->workers, [self = shared_from_this(), request = std::move(*request), keep_alive,
                                  version, id = request_id_] {
      const ScopedLogContext context(id);
      api::Response response = run_guarded(self->shared_->handler, request);
      if (response.pending) return self->defer(response.pending, keep_alive, version);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), keep_alive, version]() mutable {
                   self->write(std::move(response), keep_alive, version);
                 });
    });
  }

  // The InlineHandler's answer, nullopt when there is none or it declines.
  std::optional<api::Response> answer_inline(const api::Request& request, const std::string& id) {
    if (!shared_->quick) return std::nullopt;
    const ScopedLogContext context(id);
    try {
      auto answer = shared_->quick(request);
      if (answer) {
        log_server_error(request, *answer);
        log_request(request, *answer);
      }
      return answer;
    } catch (const std::exception& e) {
      return handler_failed(request, e);
    }
  }

  template <typename Handler>
  static api::Response run_guarded(const Handler& handler, const api::Request& request) {
    try {
      api::Response response = handler(request);
      log_server_error(request, response);
      log_request(request, response);
      return response;
    } catch (const std::exception& e) {
      return handler_failed(request, e);
    }
  }

  // One debug line per request answered (the thread's log context adds its
  // request id and company). Never the query, headers or body: they may hold
  // tokens, secrets or payloads.
  static void log_request(const api::Request& request, const api::Response& response) {
    if (!spdlog::should_log(spdlog::level::debug)) return;
    spdlog::debug("event=request method={} path=\"{}\" status={}", request.method, request.path,
                  response.pending ? 0 : response.status);
  }

  static void log_server_error(const api::Request& request, const api::Response& response) {
    if (!response.pending && response.status >= 500) {
      spdlog::warn("event=http_error method={} path={} status={}", request.method, request.path,
                   response.status);
    }
  }

  static api::Response handler_failed(const api::Request& request, const std::exception& e) {
    spdlog::error("event=handler_exception method={} path={} what=\"{}\"", request.method, request.path,
                  e.what());
    return plain_error(500, model::error_codes::kInternalError, "Something went wrong on our side.");
  }

  // A deferred response: the worker is free at once; the answer is written on
  // this connection's I/O thread whenever it comes, from whichever thread. The
  // request stays counted in in_flight until then, so stop() waits for it (up
  // to its deadline). A client that left meanwhile makes the write fail, which
  // closes the connection.
  void defer(const std::shared_ptr<api::PendingResponse>& pending, bool keep_alive, unsigned version) {
    const std::uint64_t ticket = shared_->hold(shared_from_this());
    pending->on_complete(
        [shared = shared_, ticket, keep_alive, version, id = request_id_](api::Response response) {
          if (response.status >= 500) {
            spdlog::warn("event=http_error deferred=true status={} request_id={}", response.status, id);
          }
          shared->release(ticket, [&](std::shared_ptr<Session> session) {
            auto executor = session->stream_.get_executor();
            asio::post(executor,
                       [session = std::move(session), response = std::move(response), keep_alive,
                        version]() mutable { session->write(std::move(response), keep_alive, version); });
          });
        });
  }

  // Every write is counted in in_flight until it completes, so that stop()
  // waits for the bytes to leave, not just for the handler to return.
  void write(api::Response response, bool keep_alive, unsigned version) {
    if (!counted_) shared_->in_flight++;
    counted_ = false;
    // No answer to HEAD carries a body (RFC 9110 §9.3.2): not a stream either.
    if (head_) response.stream = nullptr;
    if (response.stream) return start_stream(std::move(response), version);
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version);
    message->set(http::field::server, "switchboard/" SWITCHBOARD_VERSION);
    message->set("X-Content-Type-Options", "nosniff");
    message->set(kRequestIdHeader, request_id());
    if (!response.content_type.empty()) message->set(http::field::content_type, response.content_type);
    if (response.content_type.starts_with("application/json"))
      message->set(http::field::cache_control, "no-store");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();
    // HEAD: the Content-Length of what GET would send, and no body.
    if (head_) message->body().clear();
    stream_.expires_after(shared_->options.read_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, keep_alive](beast::error_code ec, std::size_t) {
                        self->shared_->in_flight--;
                        if (!ec && self->linger_) return self->linger_close();
                        if (ec || !keep_alive) return self->close();
                        self->read();
                      });
  }

  // A streamed response: the header without a length (the body ends when the
  // connection closes), then whatever the sink is given. The stream does not
  // count as in flight once its header is out, so stop() does not wait for it.
  void start_stream(api::Response response, unsigned version) {
    auto header = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(response.status), version);
    header->set(http::field::server, "switchboard/" SWITCHBOARD_VERSION);
    header->set("X-Content-Type-Options", "nosniff");
    header->set(kRequestIdHeader, request_id());
    header->set(http::field::content_type, response.content_type);
    header->set(http::field::cache_control, "no-store");
    header->set("X-Accel-Buffering",
                "no");  // proxies must not hold the events back
    for (auto& [name, value] : response.headers) header->set(name, value);
    header->keep_alive(false);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*header);
    stream_.expires_after(shared_->options.read_timeout);
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), header, serializer,
                              start = std::move(response.stream)](beast::error_code ec, std::size_t) {
                               self->shared_->in_flight--;
                               if (ec || self->shared_->stopping) return self->close();
                               self->streaming_ = true;
                               self->watch_for_close();
                               start(std::make_shared<Sink>(self));
                             });
  }

  // The client of a stream sends nothing more: any read completing means it
  // closed (or broke) the connection.
  void watch_for_close() {
    stream_.socket().async_read_some(
        asio::buffer(scratch_),
        [self = shared_from_this()](beast::error_code, std::size_t) { self->end_stream(); });
  }

  // Called on the session's I/O thread.
  void enqueue(std::string bytes) {
    if (!streaming_) return;
    outbox_.push_back(std::move(bytes));
    write_next();
  }

  // Called on the session's I/O thread. A producer's pieces go before what was sent after it.
  void enqueue_producer(api::StreamSink::Producer next) {
    if (!streaming_) return;
    producers_.push_back(std::move(next));
    write_next();
  }

  // One write at a time, of `writing_now_`: the next piece of the first
  // producer (asked for only now, so a long body is never all in memory),
  // else the front of outbox_.
  void write_next() {
    if (writing_ || !streaming_) return;
    writing_now_.clear();
    while (!producers_.empty() && writing_now_.empty()) {
      if (auto piece = producers_.front()()) {
        writing_now_ = std::move(*piece);
      } else {
        producers_.pop_front();
      }
    }
    if (writing_now_.empty() && !outbox_.empty()) {
      writing_now_ = std::move(outbox_.front());
      outbox_.pop_front();
      queued_bytes_ -= writing_now_.size();
    }
    if (writing_now_.empty()) return;
    writing_ = true;
    stream_.expires_after(shared_->options.read_timeout);
    asio::async_write(stream_, asio::buffer(writing_now_),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec || !self->streaming_) return self->end_stream();
                        self->write_next();
                      });
  }

  // Ends the stream and lets go of what was still to be written (the piece
  // being written stays until its write's handler runs).
  void end_stream() {
    stream_open_ = false;
    outbox_.clear();
    producers_.clear();
    if (!streaming_) return;
    streaming_ = false;
    close();
  }

  // The api::StreamSink of one streaming session. Holds the session weakly:
  // whoever keeps the sink (the live hub) does not keep a dead connection.
  class Sink final : public api::StreamSink {
   public:
    explicit Sink(const std::shared_ptr<Session>& session) : session_(session) {}
    bool send(std::string bytes) override {
      auto session = session_.lock();
      if (!session || !session->stream_open_) return false;
      const std::size_t queued = session->queued_bytes_ += bytes.size();
      if (queued > kMaxStreamBacklog) {
        close();
        return false;
      }
      asio::post(session->stream_.get_executor(),
                 [session, bytes = std::move(bytes)]() mutable { session->enqueue(std::move(bytes)); });
      return true;
    }
    bool send_from(Producer next) override {
      auto session = session_.lock();
      if (!session || !session->stream_open_) return false;
      asio::post(session->stream_.get_executor(),
                 [session, next = std::move(next)]() mutable { session->enqueue_producer(std::move(next)); });
      return true;
    }
    bool is_open() const override {
      auto session = session_.lock();
      return session && session->stream_open_;
    }
    void close() override {
      if (auto session = session_.lock()) {
        session->stream_open_ = false;
        asio::post(session->stream_.get_executor(), [session] { session->end_stream(); });
      }
    }

   private:
    std::weak_ptr<Session> session_;
  };

  // A client that has not read this much of its stream is too slow: end it.
  static constexpr std::size_t kMaxStreamBacklog = 1 << 20;

  // Half-closes and discards what the client still sends (bounded in time and
  // bytes), so a client that is mid-upload reads our error instead of a reset.
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    linger_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    drain();
  }

  void drain() {
    if (std::chrono::steady_clock::now() > linger_deadline_ || drained_ > (64u << 20)) return close();
    stream_.expires_after(std::chrono::seconds(5));
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->drained_ += n;
                              self->drain();
                            });
  }

  // The id of the request being answered; one is made for an answer given
  // before any header was read (a timeout, a malformed request line).
  const std::string& request_id() {
    if (request_id_.empty()) request_id_ = new_request_id();
    return request_id_;
  }

  template <typename Message>
  static std::optional<std::string_view> header_value(const Message& message, std::string_view name) {
    auto found = message.find(beast::string_view(name.data(), name.size()));
    if (found == message.end()) return std::nullopt;
    return std::string_view(found->value().data(), found->value().size());
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::string request_id_;  // of the request being read or answered (server/request_id.h)
  bool counted_ = false;
  HeaderCheck check_;  // of the request being read (check_header): its body
                       // limit and header size
  bool head_ = false;  // the request being answered is a HEAD
  bool linger_ = false;
  std::chrono::steady_clock::time_point linger_deadline_{};
  std::size_t drained_ = 0;
  std::array<char, 16384> scratch_{};  // the request being answered was counted
                                       // in in_flight by on_read
  // Streamed responses (its I/O thread only, except the two atomics the Sink reads).
  bool streaming_ = false;
  bool writing_ = false;                             // an async_write of writing_now_ is in flight
  std::string writing_now_;                          // the bytes being written
  std::deque<api::StreamSink::Producer> producers_;  // send_from() bodies not yet written out
  std::deque<std::string> outbox_;
  std::atomic<bool> stream_open_{true};
  std::atomic<std::size_t> queued_bytes_{0};
};

// One io_context per I/O thread (concurrency hint 1: its scheduler never
// wakes a second runner), each owning the connections it was given: a
// connection's handlers run on its one thread, in order, without a strand,
// and a post from another thread wakes only that one.
class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& options, RequestHandler handler, InlineHandler quick)
      : shared_(std::make_shared<Shared>(options, std::move(handler), std::move(quick))),
        contexts_(make_contexts(options.io_threads)),
        acceptor_(contexts_.front()->get_executor()) {
    for (auto& context : contexts_) guards_.emplace_back(context->get_executor());
  }

  ~BeastServer() override { stop(); }

  Result<void> listen() {
    beast::error_code ec;
    auto address = asio::ip::make_address(shared_->options.host, ec);
    if (ec) return make_error(ErrorCode::kInvalidArgument, "invalid listen address " + shared_->options.host);
    tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return make_error(ErrorCode::kUnavailable, "cannot listen on " + shared_->options.host + ":" +
                                                     std::to_string(shared_->options.port) + ": " +
                                                     ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    accept();
    for (auto& context : contexts_) threads_.emplace_back([&context = *context] { context.run(); });
    return {};
  }

  std::uint16_t port() const override { return port_; }

  void begin_drain() override {
    // Answers from now on close their connection; the listener stays open.
    shared_->stopping = true;
  }

  void stop() override {
    std::call_once(stopped_, [this] {
      shared_->stopping = true;
      asio::post(acceptor_.get_executor(), [this] {
        beast::error_code ec;
        acceptor_.close(ec);
      });
      // Drain: requests already being handled finish and are answered.
      const auto deadline = std::chrono::steady_clock::now() + shared_->options.drain_timeout;
      while (shared_->in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      for (auto& context : contexts_) context->stop();
      for (auto& t : threads_) t.join();
      shared_->workers.join();
      // Deferred answers still missing now are not written: their sessions
      // are let go here, while the io_context they belong to lives.
      std::unordered_map<std::uint64_t, std::shared_ptr<Session>> abandoned;
      {
        std::lock_guard lock(shared_->deferred_mutex);
        abandoned.swap(shared_->deferred);
      }
      abandoned.clear();
    });
  }

 private:
  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int count) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < std::max(1, count); ++i) contexts.push_back(std::make_unique<asio::io_context>(1));
    return contexts;
  }

  // Each new connection goes to the next I/O thread's context.
  void accept() {
    auto& context = *contexts_[next_context_++ % contexts_.size()];
    acceptor_.async_accept(context.get_executor(), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) std::make_shared<Session>(std::move(socket), shared_)->start();
      accept();
    });
  }

  std::shared_ptr<Shared> shared_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  // Keep each context running while it has no connection.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::size_t next_context_ = 0;  // acceptor's thread only
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::once_flag stopped_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpServerOptions& options,
                                                      RequestHandler handler, InlineHandler quick) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler), std::move(quick));
  if (auto listening = server->listen(); !listening) return forward_error(listening);
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace switchboard::server
