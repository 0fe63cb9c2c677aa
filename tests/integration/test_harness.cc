#include "test_harness.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <thread>

namespace switchboard::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

boost::json::value HttpResult::json() const {
  if (body.empty()) return nullptr;
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) ADD_FAILURE() << "response is not JSON: " << body;
  return v;
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::optional<std::string>& token, const std::string& body,
                        const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (token) request.set(http::field::authorization, "Bearer " + *token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : extra_headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  auto response = parser.release();
  HttpResult result;
  result.status = response.result_int();
  result.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    result.headers[name] = std::string(field.value());
  }
  beast::error_code ec;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return result;
}

TestServer::TestServer(const std::filesystem::path& data_dir)
    : TestServer(data_dir, [] {
        server::ServeConfig config;
        config.run_delivery = false;
        // Tests of roles and resources make hundreds of requests a second
        // with one token; rate_limit_test.cc covers the limits.
        config.rate_limit = 0;
        return config;
      }()) {}

TestServer::TestServer(const std::filesystem::path& data_dir, server::ServeConfig config) {
  config.listen = "127.0.0.1:0";
  config.data_dir = data_dir;
  config.worker_threads = 8;
  auto started = server::Service::start(config, clock_);
  if (!started) throw std::runtime_error("cannot start test server: " + started.error().message);
  service_ = std::move(*started);
}

TestServer::~TestServer() { stop(); }

void TestServer::stop() {
  if (service_) service_->stop();
  service_.reset();
}

std::string webhook_body(const boost::json::object& overrides) {
  boost::json::object body{{"name", "CRM sync"},
                           {"url", "https://crm.example.com/hooks"},
                           {"events", boost::json::array{"call.summary", "message.received"}}};
  for (const auto& field : overrides) body[field.key()] = field.value();
  return boost::json::serialize(body);
}

bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace switchboard::testing
