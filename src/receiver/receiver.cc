#include "receiver/receiver.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include "common/result.h"
#include "receiver/tls_identity.h"
#include "receiver/verify.h"

namespace switchboard::receiver {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBodyBytes = std::size_t{1024} * 1024;
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::seconds(120);  // longer than any client's keep-alive

std::string response_body(int status, const std::string& event_id, bool verified) {
  boost::json::object body;
  body["ok"] = status >= 200 && status < 300;
  if (!event_id.empty()) body["event_id"] = event_id;
  body["verified"] = verified;
  return boost::json::serialize(body);
}

struct Answer {
  int status = 200;
  std::string body;
  bool delayed = false;  // after delay_ms
};

// What every connection shares with the Receiver.
struct State {
  ReceiverOptions options;
  VerifyOptions verify;
  std::optional<ssl::context> tls;  // empty with plain_http
  std::string cert_pem;
  std::atomic<long long> requests{0};    // deliveries answered (not hung), for fail_first
  std::atomic<long long> deliveries{0};  // every delivery, for delay_first

  mutable std::mutex mutex;
  mutable std::condition_variable received;
  std::deque<ReceivedEvent> events;  // the most recent max_kept_events
  std::size_t count = 0;
  std::size_t verified = 0;
  std::size_t open = 0;  // recorded, not yet answered (delayed or hung)
  std::size_t max_open = 0;

  // A delivery recorded by record() was answered, or its connection ended.
  void closed_one() {
    std::lock_guard lock(mutex);
    if (open > 0) --open;
  }

  std::string summary() const {
    std::lock_guard lock(mutex);
    return boost::json::serialize(
        boost::json::object{{"received", count}, {"verified", verified}, {"failed", count - verified}});
  }

  // Verifies and records one delivery; returns the answer, or nullopt to hang.
  std::optional<Answer> record(const http::request<http::string_body>& request) {
    ReceivedEvent event;
    event.received_at = std::chrono::steady_clock::now();
    event.received_unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    event.target = std::string(request.target());
    for (const auto& field : request) event.headers.emplace_back(field.name_string(), field.value());
    event.body = request.body();
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    Verification v = verify_delivery(event.headers, event.body, verify, now.count());
    event.event_id = std::move(v.event_id);
    event.event_type = std::move(v.event_type);
    event.attempt = v.attempt;
    event.sequence = v.sequence;
    event.call_id = std::move(v.call_id);
    event.signatures_ok = v.errors.empty();
    event.signatures_checked = v.signatures_checked;
    event.signature_errors = std::move(v.errors);
    const long long index = deliveries.fetch_add(1);
    if (!options.hang) {
      event.status = requests.fetch_add(1) < options.fail_first ? options.fail_status : options.status;
    }
    std::optional<Answer> answer;
    if (event.status != 0) {
      const bool delayed = options.delay_ms > 0 && (options.delay_first <= 0 || index < options.delay_first);
      answer =
          Answer{event.status, response_body(event.status, event.event_id, event.signatures_ok), delayed};
    }
    if (options.on_event) options.on_event(event);
    {
      std::lock_guard lock(mutex);
      ++count;
      max_open = std::max(max_open, ++open);
      if (event.signatures_ok) ++verified;
      events.push_back(std::move(event));
      while (events.size() > options.max_kept_events) events.pop_front();
    }
    received.notify_all();
    return answer;
  }
};

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Session(tcp::socket socket, std::shared_ptr<State> state)
      : stream_(make_stream(std::move(socket), *state)),
        timer_(stream_.get_executor()),
        state_(std::move(state)) {}
  ~Session() { settle(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    auto self = this->shared_from_this();
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (ec) return self->close();
        self->read();
      });
    } else {
      asio::dispatch(stream_.get_executor(), [self] { self->read(); });
    }
  }

 private:
  static Stream make_stream(tcp::socket socket, State& state) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *state.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::body_limit) {
      linger_ = true;  // the client may still be sending the body: read it away
                       // so it sees our answer
      return answer(413, R"({"ok":false,"error":"body_too_large"})", false, 11);
    }
    if (ec == http::error::header_limit)
      return answer(431, R"({"ok":false,"error":"headers_too_large"})", false, 11);
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return answer(400, R"({"ok":false,"error":"bad_request"})", false, 11);
    }
    if (ec) return close();

    auto request = parser_->release();
    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    // A GET without a query string is a probe for scripts and tests; with one,
    // it is a calling-webhook v1 GET delivery (the fields as query parameters).
    const bool get = request.method() == http::verb::get;
    if (get && request.target().find('?') == beast::string_view::npos) {
      return answer(200, state_->summary(), keep_alive, version);
    }
    if (!get && request.method() != http::verb::post) {
      return answer(405, R"({"ok":false,"error":"deliveries are POST requests"})", keep_alive, version);
    }
    auto reply = state_->record(request);
    open_ = true;
    if (!reply) return hang();
    if (!reply->delayed) return answer(reply->status, std::move(reply->body), keep_alive, version);
    // A timer, not a sleep: other connections on this I/O thread carry on
    // meanwhile.
    timer_.expires_after(std::chrono::milliseconds(state_->options.delay_ms));
    timer_.async_wait([self = this->shared_from_this(), reply = std::move(*reply), keep_alive,
                       version](beast::error_code wait_ec) mutable {
      if (wait_ec) return self->close();
      self->answer(reply.status, std::move(reply.body), keep_alive, version);
    });
  }

  void answer(int status, std::string body, bool keep_alive, unsigned version) {
    settle();
    auto response = std::make_shared<http::response<http::string_body>>();
    response->result(static_cast<unsigned>(status));
    response->version(version);
    response->set(http::field::server, "switchboard-receive/" SWITCHBOARD_VERSION);
    response->set(http::field::content_type, "application/json");
    if ((status == 429 || status == 503) && !state_->options.retry_after.empty()) {
      response->set(http::field::retry_after, state_->options.retry_after);
    }
    response->body() = std::move(body);
    response->keep_alive(keep_alive);
    response->prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_write(
        stream_, *response,
        [self = this->shared_from_this(), response, keep_alive](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (self->linger_) return self->drain(kMaxBodyBytes * 4);
          if (!keep_alive) return self->shutdown();
          self->read();
        });
  }

  // Never answers; reads and discards until the client gives up or stop().
  void hang() {
    beast::get_lowest_layer(stream_).expires_never();
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->hang();
                            });
  }

  // Discards what the client still sends (bounded in time and bytes), then
  // closes.
  void drain(std::size_t budget) {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = this->shared_from_this(), budget](beast::error_code ec, std::size_t n) {
                              if (ec || n >= budget) return self->close();
                              self->drain(budget - n);
                            });
  }

  // Graceful end after a "Connection: close" answer: TLS close_notify, then
  // close.
  void shutdown() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      close();
    }
  }

  // The delivery this session holds open (if any) is over.
  void settle() {
    if (open_) state_->closed_one();
    open_ = false;
  }

  void close() {
    settle();
    beast::error_code ec;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  Stream stream_;
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::array<char, 16384> scratch_{};
  bool linger_ = false;
  bool open_ = false;  // a recorded delivery not answered yet (State::open counts it)
};

}  // namespace

struct Receiver::Impl {
  std::shared_ptr<State> state;
  std::string host;
  std::uint16_t port = 0;
  std::unique_ptr<asio::io_context> ioc;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::once_flag stopped;

  void accept() {
    acceptor->async_accept(asio::make_strand(*ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (state->tls) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), state)->start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), state)->start();
        }
      }
      accept();
    });
  }
};

namespace {

// "host:port" or "[v6]:port".
Result<std::pair<std::string, std::uint16_t>> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const auto invalid =
      make_error(ErrorCode::kInvalidArgument, "--listen must be HOST:PORT, not \"" + listen + "\"");
  if (colon == std::string::npos || colon == 0) return invalid;
  std::string host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return invalid;
    host = host.substr(1, host.size() - 2);
  }
  const auto port = parse_decimal(std::string_view(listen).substr(colon + 1));
  if (!port || *port > 65535) return invalid;
  return std::pair{host, static_cast<std::uint16_t>(*port)};
}

Result<void> check_options(const ReceiverOptions& options) {
  const auto invalid = [](std::string message) {
    return make_error(ErrorCode::kInvalidArgument, std::move(message));
  };
  if (options.status < 200 || options.status > 599) return invalid("--status must be between 200 and 599");
  if (options.fail_first < 0) return invalid("--fail-first must not be negative");
  if (options.fail_status < 200 || options.fail_status > 599)
    return invalid("fail_status must be between 200 and 599");
  if (options.delay_ms < 0) return invalid("--delay-ms must not be negative");
  if (options.delay_first < 0) return invalid("delay_first must not be negative");
  if (options.io_threads < 1) return invalid("io_threads must be at least 1");
  if (options.cert.empty() != options.key.empty()) return invalid("--cert and --key go together");
  return {};
}

Result<void> set_up_tls(State& state) {
  const auto& options = state.options;
  auto identity =
      options.cert.empty() ? generate_self_signed_identity() : load_identity(options.cert, options.key);
  if (!identity) return forward_error(identity);
  state.tls.emplace(ssl::context::tls_server);
  state.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  beast::error_code ec;
  state.tls->use_certificate_chain(asio::buffer(identity->cert_pem), ec);
  if (!ec) state.tls->use_private_key(asio::buffer(identity->key_pem), ssl::context::pem, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "unusable certificate or key: " + ec.message());
  if (!options.cert_out.empty()) {
    if (auto written = write_pem_file(options.cert_out, identity->cert_pem); !written) return written;
  }
  state.cert_pem = std::move(identity->cert_pem);
  return {};
}

Result<tcp::endpoint> resolve(asio::io_context& ioc, const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) return make_error(ErrorCode::kInvalidArgument, "cannot resolve " + host);
  return results.begin()->endpoint();
}

}  // namespace

Result<std::unique_ptr<Receiver>> Receiver::start(const ReceiverOptions& options) {
  if (auto checked = check_options(options); !checked) return forward_error(checked);
  auto listen = split_listen(options.listen);
  if (!listen) return forward_error(listen);

  auto impl = std::make_unique<Impl>();
  impl->state = std::make_shared<State>();
  impl->state->options = options;
  impl->state->verify = VerifyOptions{options.secrets, options.timestamp_tolerance};
  if (!options.plain_http) {
    if (auto tls = set_up_tls(*impl->state); !tls) return forward_error(tls);
  }

  impl->ioc = std::make_unique<asio::io_context>(options.io_threads);
  auto endpoint = resolve(*impl->ioc, listen->first, listen->second);
  if (!endpoint) return forward_error(endpoint);
  impl->acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(*impl->ioc));
  beast::error_code ec;
  impl->acceptor->open(endpoint->protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(*endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(ErrorCode::kUnavailable, "cannot listen on " + options.listen + ": " + ec.message());
  impl->host = listen->first;
  impl->port = impl->acceptor->local_endpoint().port();
  impl->accept();
  for (int i = 0; i < options.io_threads; ++i)
    impl->threads.emplace_back([ioc = impl->ioc.get()] { ioc->run(); });
  return std::unique_ptr<Receiver>(new Receiver(std::move(impl)));
}

Receiver::Receiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Receiver::~Receiver() { stop(); }

std::uint16_t Receiver::port() const { return impl_->port; }

std::string Receiver::cert_pem() const { return impl_->state->cert_pem; }

std::string Receiver::url() const {
  const bool v6 = impl_->host.find(':') != std::string::npos;
  return std::string(impl_->state->options.plain_http ? "http://" : "https://") + (v6 ? "[" : "") +
         impl_->host + (v6 ? "]" : "") + ":" + std::to_string(impl_->port);
}

std::size_t Receiver::count() const {
  std::lock_guard lock(impl_->state->mutex);
  return impl_->state->count;
}

std::size_t Receiver::verified() const {
  std::lock_guard lock(impl_->state->mutex);
  return impl_->state->verified;
}

std::size_t Receiver::max_open() const {
  std::lock_guard lock(impl_->state->mutex);
  return impl_->state->max_open;
}

std::vector<ReceivedEvent> Receiver::events() const {
  std::lock_guard lock(impl_->state->mutex);
  return {impl_->state->events.begin(), impl_->state->events.end()};
}

bool Receiver::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  const auto& state = *impl_->state;
  std::unique_lock lock(state.mutex);
  return state.received.wait_for(lock, timeout, [&] { return state.count >= count; });
}

void Receiver::stop() {
  std::call_once(impl_->stopped, [this] {
    impl_->ioc->stop();
    for (auto& thread : impl_->threads) thread.join();
    beast::error_code ec;
    impl_->acceptor->close(ec);
    impl_->acceptor.reset();
    // Destroying the io_context destroys the handlers it still holds, and with
    // them every session: their sockets close, so hung clients see EOF now.
    impl_->ioc.reset();
  });
}

}  // namespace switchboard::receiver
