// Integration-test harness: a real Service (SQLite file, HTTP on a free
// loopback port) in this process, and a small blocking HTTP client that talks
// to it over real sockets.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/test_temp_dir.h"
#include "server/service.h"

namespace switchboard::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  boost::json::value json() const;             // parsed body (null when empty)
};

// Sends one request on a fresh connection. `extra_headers` are added as given.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::optional<std::string>& token = std::nullopt, const std::string& body = "",
                        const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

// A running server on a fresh (or given) data directory.
class TestServer {
 public:
  // API only, no rate limit on the API routes.
  explicit TestServer(const std::filesystem::path& data_dir);
  // With options on top of the test defaults (listen on a free port, API-only
  // unless config.run_delivery is set).
  TestServer(const std::filesystem::path& data_dir, server::ServeConfig config);
  ~TestServer();

  std::uint16_t port() const { return service_->port(); }
  const std::optional<std::string>& owner_token() const { return service_->bootstrap_owner_token(); }
  server::Service& service() { return *service_; }
  void stop();

  HttpResult get(const std::string& target, const std::optional<std::string>& token) const {
    return http_request(port(), "GET", target, token);
  }
  HttpResult post(const std::string& target, const std::optional<std::string>& token,
                  const std::string& body = "") const {
    return http_request(port(), "POST", target, token, body);
  }
  HttpResult patch(const std::string& target, const std::optional<std::string>& token,
                   const std::string& body) const {
    return http_request(port(), "PATCH", target, token, body);
  }
  HttpResult put(const std::string& target, const std::optional<std::string>& token,
                 const std::string& body) const {
    return http_request(port(), "PUT", target, token, body);
  }
  HttpResult del(const std::string& target, const std::optional<std::string>& token) const {
    return http_request(port(), "DELETE", target, token);
  }

 private:
  SystemClock clock_;
  std::unique_ptr<server::Service> service_;
};

// Polls `done` every 10 ms until it holds or `limit` passes; its last answer.
// For conditions another thread makes true (a receiver got its requests).
bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30));

// A minimal valid webhook body, with overrides merged on top.
std::string webhook_body(const boost::json::object& overrides = {});

}  // namespace switchboard::testing
