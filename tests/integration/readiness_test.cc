// Readiness and the graceful stop over real sockets (issue 18 items 3-5):
// GET /api/ready is 503 "starting" until the service is up (observed from
// ServeConfig::on_listening, which runs after the port is bound and before
// the live-calls restore: no timing), 200 once start() returns, 503
// "draining" from begin_drain() on while every other new request is refused
// with Connection: close; every answer carries an X-Request-Id.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "model/error_codes.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

std::string code_of(const HttpResult& result) {
  const auto& json = result.json();
  if (!json.is_object() || !json.as_object().contains("error")) return {};
  return std::string(json.at("error").at("code").as_string());
}

std::string status_of(const HttpResult& result) {
  const auto& json = result.json();
  if (!json.is_object() || !json.as_object().contains("status")) return {};
  return std::string(json.at("status").as_string());
}

TEST(ReadinessTest, ReadyIsStartingUntilTheServiceIsUpThenReady) {
  TempDir dir;
  server::ServeConfig config;
  config.run_delivery = true;  // the engine too is part of "up"
  config.allow_private_networks = true;
  std::optional<HttpResult> ready, health, api, event_types;
  config.on_listening = [&](std::uint16_t port) {
    ready = http_request(port, "GET", "/api/ready");
    health = http_request(port, "GET", "/api/health");
    api = http_request(port, "GET", "/api/v2/webhooks", std::string("no-token-needed-to-be-refused"));
    event_types = http_request(port, "GET", "/api/openapi.json");
  };
  TestServer server(dir.path(), config);
  ASSERT_TRUE(ready && health && api && event_types);
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(status_of(*ready), "starting");
  EXPECT_EQ(health->status, 200);  // liveness: the process and its store answer
  EXPECT_EQ(api->status, 503);
  EXPECT_EQ(code_of(*api), model::error_codes::kStarting);
  EXPECT_EQ(api->headers["retry-after"], "1");
  EXPECT_EQ(event_types->status, 503);

  const HttpResult now_ready = server.get("/api/ready", std::nullopt);
  EXPECT_EQ(now_ready.status, 200);
  EXPECT_EQ(status_of(now_ready), "ready");
  EXPECT_EQ(server.get("/api/v2/webhooks", server.owner_token()).status, 200);
}

TEST(ReadinessTest, DrainAnswersNotReadyAndRefusesNewRequestsWithConnectionClose) {
  TempDir dir;
  server::ServeConfig config;
  config.run_delivery = true;
  config.allow_private_networks = true;
  config.drain_timeout = std::chrono::milliseconds(2000);
  TestServer server(dir.path(), config);
  const auto token = server.owner_token();
  ASSERT_EQ(server.get("/api/ready", std::nullopt).status, 200);

  server.service().begin_drain();
  const HttpResult ready = server.get("/api/ready", std::nullopt);
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(status_of(ready), "draining");
  EXPECT_EQ(ready.headers.at("connection"), "close");
  EXPECT_EQ(server.get("/api/health", std::nullopt).status, 200);  // still alive
  const HttpResult refused = server.post("/api/v2/events", token, R"({"type":"call.answered","data":{}})");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(code_of(refused), model::error_codes::kDraining);
  EXPECT_EQ(refused.headers.at("connection"), "close");

  const server::DrainReport report = server.service().drain();
  EXPECT_EQ(report.abandoned, 0);
  EXPECT_FALSE(report.left_cluster);  // SQLite: no cluster to leave
}

TEST(ReadinessTest, EveryAnswerCarriesTheRequestId) {
  TempDir dir;
  TestServer server(dir.path());
  struct Case {
    std::optional<std::string> sent;
    bool echoed;
  };
  const Case cases[] = {
      {std::string("abc-123.x:y_z"), true},
      {std::string(129, 'a'), false},  // too long: replaced
      {std::string("a b=c"), false},   // not [A-Za-z0-9._:-]: replaced
      {std::nullopt, false},           // none: made
  };
  for (const auto& c : cases) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (c.sent) headers.emplace_back("X-Request-Id", *c.sent);
    for (const char* path : {"/api/health", "/api/v2/webhooks", "/no-such-route"}) {
      const HttpResult result = http_request(server.port(), "GET", path, std::nullopt, "", headers);
      ASSERT_TRUE(result.headers.contains("x-request-id")) << path;
      const std::string id = result.headers.at("x-request-id");
      if (c.echoed) {
        EXPECT_EQ(id, *c.sent) << path;
      } else {
        EXPECT_TRUE(id.starts_with("req_")) << path << " " << id;
      }
    }
  }
}

}  // namespace
}  // namespace switchboard::testing
