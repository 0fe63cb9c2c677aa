// Test only: a small HTTPS/1.1 server on 127.0.0.1 (port 0) for the delivery
// tests, built on Beast + Asio SSL with C++20 coroutines on one thread. Its
// certificate is self-signed, generated in-process (EC P-256, SAN localhost,
// 127.0.0.1, ::1, CA:TRUE so that it is its own trust anchor).
//
// The reply to each request comes from a handler (status, headers, body,
// delay, or hang until the server stops); keep-alive is honoured. The server
// counts TCP connections and records every request.
//
// Mutual TLS (issue 16 item 5): given a TestClientAuth, the server asks for a
// client certificate issued by that CA (and refuses the handshake without one
// when `required`), and records the subject of the certificate each request
// came with (RecordedRequest::client_subject, "" when none).
//
// Thread-safety: the accessors may be called from any thread.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace switchboard::delivery::testing {

struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// A fresh self-signed certificate for localhost / 127.0.0.1 / ::1.
inline TestCertificate make_test_certificate(const std::string& common_name = "switchboard-test") {
  const auto fail = [](const char* what) { throw std::runtime_error(std::string("test cert: ") + what); };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) fail("EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  static std::atomic<long> serial{1};
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
  };
  for (const auto& [nid, value] : extensions) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (extension == nullptr) fail("X509V3_EXT_conf_nid");
    X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("X509_sign");
  const auto to_pem = [&](auto write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!write(bio.get())) fail("PEM_write");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  };
  TestCertificate out;
  out.cert_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()) == 1; });
  out.key_pem = to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  return out;
}

struct RecordedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string client_subject;  // the client certificate's subject (RFC 2253), "" = none

  std::string header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (boost::beast::iequals(key, name)) return value;
    }
    return {};
  }
};

struct TestReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body = "ok";
  std::chrono::milliseconds delay{0};
  bool hang = false;  // never answer (until the server stops)
};

struct TestClientAuth {
  std::string ca_pem;    // client certificates must chain to this CA
  bool required = true;  // false: ask for one but accept a handshake without
};

class TestTlsServer {
 public:
  using Handler = std::function<TestReply(const RecordedRequest&)>;

  explicit TestTlsServer(Handler handler = {}, TestCertificate certificate = make_test_certificate(),
                         std::optional<TestClientAuth> client_auth = std::nullopt)
      : certificate_(std::move(certificate)),
        handler_(std::move(handler)),
        ssl_(boost::asio::ssl::context::tls_server),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    ssl_.use_certificate_chain(boost::asio::buffer(certificate_.cert_pem));
    ssl_.use_private_key(boost::asio::buffer(certificate_.key_pem), boost::asio::ssl::context::pem);
    if (client_auth) {
      ssl_.add_certificate_authority(boost::asio::buffer(client_auth->ca_pem));
      ssl_.set_verify_mode(boost::asio::ssl::verify_peer |
                           (client_auth->required ? boost::asio::ssl::verify_fail_if_no_peer_cert : 0));
      // Session resumption needs an id context once peers are verified.
      static const unsigned char kContext[] = "switchboard-test";
      SSL_CTX_set_session_id_context(ssl_.native_handle(), kContext, sizeof(kContext) - 1);
    }
    port_ = acceptor_.local_endpoint().port();
    boost::asio::co_spawn(io_, accept_loop(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~TestTlsServer() {
    io_.stop();
    thread_.join();
  }

  TestTlsServer(const TestTlsServer&) = delete;
  TestTlsServer& operator=(const TestTlsServer&) = delete;

  unsigned short port() const { return port_; }
  const std::string& cert_pem() const { return certificate_.cert_pem; }
  std::string url(const std::string& path = "/hook", const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + path;
  }

  void set_handler(Handler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
  }
  int connections() const { return connections_.load(); }
  std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [error, socket] =
          co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (error) co_return;
      ++connections_;
      boost::asio::co_spawn(io_, serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    using boost::asio::use_awaitable;
    try {
      boost::beast::ssl_stream<boost::beast::tcp_stream> stream(std::move(socket), ssl_);
      co_await stream.async_handshake(boost::asio::ssl::stream_base::server, use_awaitable);
      const std::string client_subject = peer_subject(stream.native_handle());
      boost::beast::flat_buffer buffer;
      for (;;) {
        http::request<http::string_body> request;
        co_await http::async_read(stream, buffer, request, use_awaitable);
        RecordedRequest recorded{std::string(request.method_string()),
                                 std::string(request.target()),
                                 {},
                                 request.body(),
                                 client_subject};
        for (const auto& field : request) {
          recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        Handler handler;
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(recorded);
          handler = handler_;
        }
        const TestReply reply = handler ? handler(recorded) : TestReply{};
        if (reply.hang || reply.delay.count() > 0) {
          boost::asio::steady_timer timer(io_, reply.hang ? std::chrono::hours(1) : reply.delay);
          co_await timer.async_wait(use_awaitable);
        }
        http::response<http::string_body> response{static_cast<http::status>(reply.status),
                                                   request.version()};
        for (const auto& [name, value] : reply.headers) response.set(name, value);
        response.body() = reply.body;
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        co_await http::async_write(stream, response, use_awaitable);
        if (!response.keep_alive()) break;
      }
    } catch (const std::exception&) {
      // The peer went away, or refused our certificate: normal for these tests.
    }
  }

  static std::string peer_subject(SSL* ssl) {
    std::unique_ptr<X509, decltype(&X509_free)> peer(SSL_get1_peer_certificate(ssl), X509_free);
    if (!peer) return {};
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(peer.get()), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
  }

  TestCertificate certificate_;
  mutable std::mutex mutex_;
  Handler handler_;
  std::vector<RecordedRequest> requests_;
  std::atomic<int> connections_{0};
  boost::asio::io_context io_;
  boost::asio::ssl::context ssl_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
};

}  // namespace switchboard::delivery::testing
