// Webhook v2 management through real HTTP: the full lifecycle, validation
// answers, limits, masking of secrets, and bad input that must change nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "model/limits.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

class WebhookApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
  }

  json::object create_ok(const json::object& overrides = {}) {
    auto r = server_->post("/api/v2/webhooks", owner_, webhook_body(overrides));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }

  std::string list_body() { return server_->get("/api/v2/webhooks", owner_).body; }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(WebhookApiTest, CreateReturnsActiveWebhookWithMaskedSecrets) {
  auto w =
      create_ok({{"auth", json::object{{"type", "basic"}, {"username", "u"}, {"password", "pw-secret-1"}}},
                 {"headers", json::array{json::object{{"key", "X-Source"}, {"value", "switchboard"}}}},
                 {"secret", "generate"}});
  EXPECT_EQ(w.at("status"), "active");
  EXPECT_TRUE(w.at("id").as_string().starts_with("wh_"));
  EXPECT_EQ(w.at("auth").at("password"), "********");
  EXPECT_EQ(w.at("auth").at("username"), "u");
  const std::string secret(w.at("secret").as_string());
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_EQ(w.at("has_secret"), true);

  // Later reads never show the secret or the password.
  auto got = server_->get("/api/v2/webhooks/" + std::string(w.at("id").as_string()), owner_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.find(secret), std::string::npos);
  EXPECT_EQ(got.body.find("pw-secret-1"), std::string::npos);
  EXPECT_FALSE(got.json().as_object().contains("secret"));
  EXPECT_EQ(list_body().find("pw-secret-1"), std::string::npos);
}

// Issue 16 item 4: timeout_ms, max_in_flight and max_rate, with defaults
// that keep today's behaviour, field errors, and PATCH (null = unlimited rate).
TEST_F(WebhookApiTest, DeliveryControlsDefaultsValidationAndPatch) {
  auto w = create_ok();
  EXPECT_EQ(w.at("timeout_ms"), 30000);
  EXPECT_EQ(w.at("max_in_flight"), model::limits::kMaxWebhookInFlight);
  EXPECT_TRUE(w.at("max_rate").is_null());
  EXPECT_TRUE(w.at("disabled_reason").is_null());
  const std::string path = "/api/v2/webhooks/" + std::string(w.at("id").as_string());

  auto r = server_->post("/api/v2/webhooks", owner_,
                         webhook_body({{"timeout_ms", 500}, {"max_in_flight", 0}, {"max_rate", "fast"}}));
  ASSERT_EQ(r.status, 422) << r.body;
  const json::value body = r.json();
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 3u) << r.body;
  EXPECT_EQ(errors[0].at("field"), "timeout_ms");
  EXPECT_EQ(errors[0].at("code"), "invalid_value");
  EXPECT_EQ(errors[1].at("field"), "max_in_flight");
  EXPECT_EQ(errors[2].at("field"), "max_rate");
  EXPECT_EQ(errors[2].at("code"), "invalid_type");

  r = server_->patch(path, owner_, R"({"timeout_ms":5000,"max_in_flight":4,"max_rate":50})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("timeout_ms"), 5000);
  EXPECT_EQ(r.json().at("max_in_flight"), 4);
  EXPECT_EQ(r.json().at("max_rate"), 50);
  EXPECT_EQ(server_->patch(path, owner_, R"({"max_rate":50})").status, 409);  // no_changes
  r = server_->patch(path, owner_, R"({"max_rate":null})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("max_rate").is_null());
  EXPECT_EQ(r.json().at("timeout_ms"), 5000);
  EXPECT_EQ(server_->patch(path, owner_, R"({"max_rate":10001})").status, 422);
  EXPECT_EQ(server_->get(path, owner_).json().at("max_in_flight"), 4);
}

TEST_F(WebhookApiTest, HttpUrlIsRejectedWithTheExactMessage) {
  auto r = server_->post("/api/v2/webhooks", owner_, webhook_body({{"url", "http://crm.example.com/hooks"}}));
  ASSERT_EQ(r.status, 422) << r.body;
  auto body = r.json();
  EXPECT_EQ(body.at("error").at("message"), "Valid HTTPS URL required.");
  EXPECT_EQ(body.at("errors").at(0).at("field"), "url");
  EXPECT_EQ(body.at("errors").at(0).at("message"), "Valid HTTPS URL required.");
  EXPECT_EQ(list_body(), R"({"data":[],"next_cursor":null})");
}

TEST_F(WebhookApiTest, EveryInvalidFieldIsReportedAtOnce) {
  json::array headers{json::object{{"key", "X-A"}, {"value", "1"}},
                      json::object{{"key", "x-a"}, {"value", "2"}},
                      json::object{{"key", "Content-Type"}, {"value", "text/plain"}}};
  auto r = server_->post(
      "/api/v2/webhooks", owner_,
      webhook_body({{"url", "http://x"}, {"headers", headers}, {"events", json::array{"nope"}}}));
  ASSERT_EQ(r.status, 422) << r.body;
  auto body = r.json();
  EXPECT_EQ(body.at("error").at("code"), "validation_failed");
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& e : body.at("errors").as_array()) {
    got.emplace(std::string(e.at("field").as_string()), std::string(e.at("code").as_string()));
  }
  std::set<std::pair<std::string, std::string>> want = {{"url", "https_required"},
                                                        {"headers[1].key", "duplicate_key"},
                                                        {"headers[2].key", "reserved_header"},
                                                        {"events[0]", "unknown_event"}};
  EXPECT_EQ(got, want) << r.body;
}

TEST_F(WebhookApiTest, EleventhWebhookIsRefused) {
  for (int i = 0; i < model::limits::kMaxWebhooksPerCompany; ++i)
    create_ok({{"name", "hook " + std::to_string(i)}});
  auto r = server_->post("/api/v2/webhooks", owner_, webhook_body());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "limit_reached");
  auto list = server_->get("/api/v2/webhooks?limit=500", owner_).json();
  EXPECT_EQ(list.at("data").as_array().size(), 10u);
}

TEST_F(WebhookApiTest, PaginationWalksEveryWebhookOnce) {
  for (int i = 0; i < 7; ++i) create_ok({{"name", "hook " + std::to_string(i)}});
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = server_->get("/api/v2/webhooks?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), owner_);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.json();
    for (const auto& w : body.at("data").as_array())
      EXPECT_TRUE(seen.insert(std::string(w.at("id").as_string())).second);
    cursor = body.at("next_cursor").is_null() ? "" : std::string(body.at("next_cursor").as_string());
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(server_->get("/api/v2/webhooks?limit=0", owner_).status, 422);
  EXPECT_EQ(server_->get("/api/v2/webhooks?limit=501", owner_).status, 422);
  EXPECT_EQ(server_->get("/api/v2/webhooks?cursor=%21%21", owner_).status, 422);
}

TEST_F(WebhookApiTest, PatchChangesOnlyWhatDiffersAndReportsNoChanges) {
  auto w = create_ok(
      {{"auth", json::object{
                    {"type", "api_key"},
                    {"location", "header"},
                    {"keys", json::array{json::object{{"name", "X-Api-Key"}, {"value", "key-secret-1"}}}}}}});
  const std::string path = "/api/v2/webhooks/" + std::string(w.at("id").as_string());
  // Sending back exactly what was read (masked values included) changes nothing.
  json::object same = w;
  for (auto key :
       {"id", "status", "has_secret", "consecutive_failures", "last_delivery", "failing_since", "created_at",
        "updated_at", "disabled_reason", "client_certificate", "ed25519_public_key"}) {
    same.erase(key);
  }
  auto r = server_->patch(path, owner_, json::serialize(same));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "no_changes");
  EXPECT_EQ(server_->patch(path, owner_, "{}").status, 409);

  r = server_->patch(path, owner_, R"({"name":"Renamed"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("name"), "Renamed");
  EXPECT_EQ(r.json().at("auth").at("keys").at(0).at("value"), "********");

  // An invalid patch changes nothing.
  r = server_->patch(path, owner_, R"({"url":"http://insecure.example.com"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(server_->get(path, owner_).json().at("url"), "https://crm.example.com/hooks");
}

TEST_F(WebhookApiTest, DisableEnableAndDeleteWithConfirmation) {
  auto w = create_ok();
  const std::string path = "/api/v2/webhooks/" + std::string(w.at("id").as_string());
  auto r = server_->post(path + "/disable", owner_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("status"), "inactive");
  r = server_->post(path + "/enable", owner_);
  EXPECT_EQ(r.json().at("status"), "active");

  for (std::string bad : {"", "?confirm=delete", "?confirm=DELETE%20", "?confirm=yes", "?confirm="}) {
    r = server_->del(path + bad, owner_);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json().at("error").at("code"), "confirmation_required");
    EXPECT_EQ(server_->get(path, owner_).status, 200) << "deleted by " << bad;
  }
  EXPECT_EQ(server_->del(path + "?confirm=DELETE", owner_).status, 204);
  EXPECT_EQ(server_->get(path, owner_).status, 404);
  EXPECT_EQ(server_->del(path + "?confirm=DELETE", owner_).status, 404);
}

TEST_F(WebhookApiTest, RotateKeepsThePreviousSecretForADay) {
  auto w = create_ok({{"secret", "generate"}});
  const std::string path = "/api/v2/webhooks/" + std::string(w.at("id").as_string());
  auto r = server_->post(path + "/secret/rotate", owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.json().at("secret"), w.at("secret"));
  EXPECT_TRUE(r.json().as_object().contains("previous_secret_expires_at"));
  auto stored = server_->service().store().get_webhook(
      std::string(server_->get("/api/v2/me", owner_).json().at("company").at("id").as_string()),
      std::string(w.at("id").as_string()));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored->previous_secret, std::string(w.at("secret").as_string()));
  EXPECT_EQ(*stored->secret, std::string(r.json().at("secret").as_string()));
}

TEST_F(WebhookApiTest, BadInputGetsTheErrorShapeAndChangesNothing) {
  struct Case {
    std::string name;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int status;
    std::string code;
  };
  std::string deep(100, '[');
  deep += std::string(100, ']');
  const std::vector<Case> cases = {
      {"malformed JSON", R"({"url":)", {}, 400, "malformed_json"},
      {"not an object", R"(["https://x.example.com"])", {}, 400, "invalid_body"},
      {"unknown field", webhook_body({{"colour", "blue"}}), {}, 400, "unknown_field"},
      {"wrong type", webhook_body({{"url", 42}}), {}, 422, "invalid_type"},
      {"too deep", deep, {}, 400, "malformed_json"},
      {"empty body", "", {}, 400, "malformed_json"},
      {"wrong content type", webhook_body(), {{"Content-Type", "text/plain"}}, 415, "unsupported_media_type"},
      {"huge body", std::string(300 * 1024, ' ') + webhook_body(), {}, 413, "payload_too_large"},
  };
  for (const auto& c : cases) {
    auto r = http_request(server_->port(), "POST", "/api/v2/webhooks", owner_, c.body, c.headers);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    auto body = r.json();
    ASSERT_TRUE(body.is_object()) << c.name;
    EXPECT_EQ(json::value_to<std::string>(body.at("error").at("code")), c.code) << c.name << ": " << r.body;
    EXPECT_FALSE(body.at("error").at("message").as_string().empty());
  }
  EXPECT_EQ(list_body(), R"({"data":[],"next_cursor":null})");
}

TEST_F(WebhookApiTest, UnknownRoutesAndMethods) {
  EXPECT_EQ(server_->get("/api/v2/nope", owner_).status, 404);
  EXPECT_EQ(http_request(server_->port(), "PUT", "/api/v2/webhooks", owner_, "{}").status, 405);
  EXPECT_EQ(server_->get("/api/v2/webhooks/not-an-id", owner_).status, 404);
}

TEST_F(WebhookApiTest, EventTypesListsTheCatalogInTwoGroups) {
  auto r = server_->get("/api/v2/event-types", owner_);
  ASSERT_EQ(r.status, 200);
  auto groups = r.json().at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("name"), "call");
  EXPECT_EQ(groups[0].at("events").as_array().size(), 6u);
  EXPECT_EQ(groups[1].at("name"), "whatsapp");
  EXPECT_EQ(groups[1].at("events").as_array().size(), 8u);
  EXPECT_EQ(groups[0].at("events").at(5).at("type"), "call.disposition");
  EXPECT_EQ(groups[0].at("events").at(5).at("sequenced"), false);
}

TEST_F(WebhookApiTest, HealthMetricsAndOpenApiArePublic) {
  EXPECT_EQ(server_->get("/api/health", std::nullopt).status, 200);
  auto root = server_->get("/", std::nullopt);
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(root.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(root.body.find("/api/openapi.json"), std::string::npos);
  EXPECT_EQ(server_->get("/api/openapi.json", std::nullopt).status, 200);
  server_->get("/api/v2/me", owner_);
  auto metrics = server_->get("/metrics", std::nullopt);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("switchboard_http_requests_total"), std::string::npos);
  EXPECT_NE(metrics.body.find(R"(route="/api/v2/me")"), std::string::npos);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WebhookPersistenceTest, RestartKeepsEverythingAndSecretsAreNotStoredInClear) {
  TempDir dir;
  std::string owner, id, signing_secret;
  const std::string password = "Basic-Password-7f3a9c";
  const std::string api_value = "ApiKeyValue-51d2e8";
  {
    TestServer server(dir.path());
    owner = *server.owner_token();
    auto r = server.post(
        "/api/v2/webhooks", owner,
        webhook_body({{"auth", json::object{{"type", "basic"}, {"username", "u"}, {"password", password}}},
                      {"secret", "generate"}}));
    ASSERT_EQ(r.status, 201) << r.body;
    id = std::string(r.json().at("id").as_string());
    signing_secret = std::string(r.json().at("secret").as_string());
    r = server.post(
        "/api/v2/webhooks", owner,
        webhook_body({{"auth", json::object{{"type", "api_key"},
                                            {"location", "query"},
                                            {"keys", json::array{json::object{{"name", "key"},
                                                                              {"value", api_value}}}}}}}));
    ASSERT_EQ(r.status, 201) << r.body;
    // Check the raw files while the server still has them open (WAL not yet checkpointed).
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      const std::string bytes = read_file(entry.path());
      for (const auto& secret : {password, api_value, signing_secret, owner}) {
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in clear in " << entry.path();
      }
    }
  }
  TestServer restarted(dir.path());
  EXPECT_FALSE(restarted.owner_token().has_value()) << "a non-empty store must not be bootstrapped again";
  auto r = restarted.get("/api/v2/webhooks/" + id, owner);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("auth").at("username"), "u");
  EXPECT_EQ(restarted.get("/api/v2/webhooks", owner).json().at("data").as_array().size(), 2u);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string bytes = read_file(entry.path());
    for (const auto& secret : {password, api_value, signing_secret, owner}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in clear in " << entry.path();
    }
  }
}

}  // namespace
}  // namespace switchboard::testing
