// A minimal HTTPS client for the receiver's tests: one connection, requests
// with a deadline, the server certificate verified against a given PEM for
// the name "localhost". Test code only; one thread per client.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "receiver/verify.h"

namespace switchboard::receiver::test_support {

struct ClientResponse {
  boost::beast::error_code error;
  int status = 0;
  std::string body;
};

class TestClient {
 public:
  TestClient(std::uint16_t port, const std::string& cert_pem, std::string host_name = "localhost")
      : port_(port), host_name_(std::move(host_name)) {
    context_.set_verify_mode(boost::asio::ssl::verify_peer);
    boost::beast::error_code ec;
    context_.add_certificate_authority(boost::asio::buffer(cert_pem), ec);
  }

  // TCP connect and TLS handshake, verifying the certificate.
  boost::beast::error_code connect(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    namespace asio = boost::asio;
    stream_.emplace(io_, context_);
    SSL_set_tlsext_host_name(stream_->native_handle(), host_name_.c_str());
    stream_->set_verify_callback(asio::ssl::host_name_verification(host_name_));
    auto& tcp = boost::beast::get_lowest_layer(*stream_);
    tcp.expires_after(timeout);
    boost::beast::error_code result;
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port_);
    tcp.async_connect(endpoint, [&](boost::beast::error_code ec) {
      if (ec) {
        result = ec;
        return;
      }
      stream_->async_handshake(asio::ssl::stream_base::client,
                               [&](boost::beast::error_code hs) { result = hs; });
    });
    run();
    return result;
  }

  ClientResponse request(boost::beast::http::verb method, std::string body, const Headers& headers,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5),
                         bool keep_alive = true) {
    namespace http = boost::beast::http;
    if (!stream_) {
      if (auto ec = connect(timeout)) return {ec};
    }
    auto request = std::make_shared<http::request<http::string_body>>(method, "/webhooks", 11);
    request->set(http::field::host, host_name_);
    for (const auto& [name, value] : headers) request->set(name, value);
    request->body() = std::move(body);
    request->keep_alive(keep_alive);
    request->prepare_payload();
    auto response = std::make_shared<http::response_parser<http::string_body>>();
    response->body_limit(4 * 1024 * 1024);
    boost::beast::get_lowest_layer(*stream_).expires_after(timeout);
    ClientResponse out;
    http::async_write(*stream_, *request, [&, request, response](boost::beast::error_code ec, std::size_t) {
      if (ec) {
        out.error = ec;
        return;
      }
      http::async_read(*stream_, buffer_, *response,
                       [&, response](boost::beast::error_code read_ec, std::size_t) { out.error = read_ec; });
    });
    run();
    if (!out.error) {
      out.status = static_cast<int>(response->get().result_int());
      out.body = response->get().body();
    } else {
      stream_.reset();  // a failed connection is not reused
      buffer_.clear();
    }
    return out;
  }

  ClientResponse post(std::string body, const Headers& headers,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return request(boost::beast::http::verb::post, std::move(body), headers, timeout);
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  std::uint16_t port_;
  std::string host_name_;
  boost::asio::io_context io_;
  boost::asio::ssl::context context_{boost::asio::ssl::context::tls_client};
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace switchboard::receiver::test_support
