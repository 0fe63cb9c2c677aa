// The role × route matrix of spec §1, exercised through real HTTP against a
// server on a free port. Every cell is one request; rows are routes, columns
// are principals. "other" is the owner of another company: for routes on a
// specific object it must get 404 (never learn the object exists).
#include <gtest/gtest.h>

#include "api/identity_service.h"
#include "common/time_format.h"
#include "model/test_certificates.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

enum Column {
  kOwner,
  kAdmin,
  kManager,
  kManagerGranted,
  kAgent,
  kIngest,
  kNoToken,
  kBadToken,
  kOther,
  kColumns
};
const char* const kColumnNames[] = {"owner",  "admin",    "manager",   "manager+grant", "agent",
                                    "ingest", "no token", "bad token", "other company"};

constexpr const char* kV1WebhookBody = R"({"type":"after_call","url":"https://example.com/legacy"})";

struct RouteRow {
  std::string method;
  std::string path;  // "{id}" is replaced by a fresh webhook of the first company
  std::string body;
  int expected[kColumns];
};

// clang-format off
const std::vector<RouteRow> kMatrix = {
  //  method    path                                   body                         owner admin mgr  mgr+ agent ingest none bad other
  {"GET",    "/api/v2/me",                           "",                          {200, 200, 200, 200, 200, 200, 401, 401, 200}},
  {"GET",    "/api/v2/event-types",                  "",                          {200, 200, 200, 200, 200, 200, 401, 401, 200}},
  {"GET",    "/api/v2/permissions",                  "",                          {200, 200, 200, 200, 200, 200, 401, 401, 200}},
  {"GET",    "/api/v2/webhooks",                     "",                          {200, 200, 403, 200, 403, 403, 401, 401, 200}},
  {"POST",   "/api/v2/webhooks",                     "WEBHOOK",                   {201, 201, 403, 201, 403, 403, 401, 401, 201}},
  {"GET",    "/api/v2/webhooks/{id}",                "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"PATCH",  "/api/v2/webhooks/{id}",                R"({"name":"renamed"})",     {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"GET",    "/api/v2/webhooks/{id}/stats",          "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v2/webhooks/{id}/recover",        "RECOVER",                   {202, 202, 403, 202, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v2/webhooks/{id}/disable",        "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v2/webhooks/{id}/enable",         "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v2/webhooks/{id}/secret/rotate",  "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  // Issue 16 item 5: client certificate and Ed25519 key, the webhook routes' rule.
  {"PUT",    "/api/v2/webhooks/{id}/client-certificate", "CLIENT_CERT",           {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"DELETE", "/api/v2/webhooks/{id}/client-certificate", "",                      {204, 204, 403, 204, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v2/webhooks/{id}/signing-keys/ed25519", "",                    {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"DELETE", "/api/v2/webhooks/{id}/signing-keys/ed25519", "",                    {204, 204, 403, 204, 403, 403, 401, 401, 404}},
  {"DELETE", "/api/v2/webhooks/{id}?confirm=DELETE", "",                          {204, 204, 403, 204, 403, 403, 401, 401, 404}},
  // Calling webhooks v1: the same rule as v2 ({v1id}: a fresh v1 webhook of the first company).
  {"GET",    "/api/v1/webhooks",                     "",                          {200, 200, 403, 200, 403, 403, 401, 401, 200}},
  {"POST",   "/api/v1/webhooks",                     "V1WEBHOOK",                 {201, 201, 403, 201, 403, 403, 401, 401, 201}},
  {"GET",    "/api/v1/webhooks/{v1id}",              "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"PATCH",  "/api/v1/webhooks/{v1id}",              R"({"enabled":false})",      {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v1/webhooks/{v1id}/disable",      "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"POST",   "/api/v1/webhooks/{v1id}/enable",       "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"GET",    "/api/v1/webhooks/{v1id}/deliveries",   "",                          {200, 200, 403, 200, 403, 403, 401, 401, 404}},
  {"DELETE", "/api/v1/webhooks/{v1id}",              "",                          {204, 204, 403, 204, 403, 403, 401, 401, 404}},
  {"GET",    "/api/v2/users",                        "",                          {200, 200, 403, 403, 403, 403, 401, 401, 200}},
  {"POST",   "/api/v2/users",                        "AGENT_USER",                {201, 201, 403, 403, 403, 403, 401, 401, 201}},
  {"PUT",    "/api/v2/permissions",                  "SAME_GRANT",                {200, 403, 403, 403, 403, 403, 401, 401, 200}},
  {"POST",   "/api/v2/ingest-tokens",                "",                          {201, 201, 403, 403, 403, 403, 401, 401, 201}},
  // Data retention: owners and admins (the company's own setting; another company's owner sees theirs).
  {"GET",    "/api/v2/retention",                    "",                          {200, 200, 403, 403, 403, 403, 401, 401, 200}},
  {"PATCH",  "/api/v2/retention",                    R"({"retention_seconds":86400})", {200, 200, 403, 403, 403, 403, 401, 401, 200}},
  // Token lifecycle ({tok}: a fresh ingest token of the first company; {uid}: a fresh agent of it).
  // Managers and agents see only their own tokens: someone else's is 404, as another company's.
  {"GET",    "/api/v2/tokens",                       "",                          {200, 200, 200, 200, 200, 403, 401, 401, 200}},
  {"POST",   "/api/v2/tokens",                       "",                          {201, 201, 201, 201, 201, 403, 401, 401, 201}},
  {"DELETE", "/api/v2/tokens/{tok}",                 "",                          {200, 200, 404, 404, 404, 403, 401, 401, 404}},
  {"POST",   "/api/v2/users/{uid}/deactivate",       "",                          {200, 200, 403, 403, 403, 403, 401, 401, 404}},
};
// clang-format on

class RbacMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
    tokens_[kOwner] = owner_;
    tokens_[kAdmin] = create_user("admin");
    tokens_[kManager] = create_user("manager");
    tokens_[kManagerGranted] = tokens_[kManager];
    tokens_[kAgent] = create_user("agent");
    auto ingest = server_->post("/api/v2/ingest-tokens", owner_);
    ASSERT_EQ(ingest.status, 201) << ingest.body;
    tokens_[kIngest] = std::string(ingest.json().at("token").as_string());
    tokens_[kBadToken] = "sbt_not-a-real-token";
    SystemClock clock;
    auto other =
        api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
    ASSERT_TRUE(other.has_value());
    tokens_[kOther] = other->owner_token;
  }

  std::string create_user(const std::string& role) {
    static int n = 0;
    auto body = json::serialize(json::object{
        {"name", role}, {"email", role + std::to_string(++n) + "@example.test"}, {"role", role}});
    auto r = server_->post("/api/v2/users", owner_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("token").as_string());
  }

  void set_grant(bool on) {
    auto r = server_->put("/api/v2/permissions", owner_,
                          json::serialize(json::object{{"managers_can_manage_webhooks", on}}));
    ASSERT_EQ(r.status, 200) << r.body;
    grant_ = on;
  }

  std::string fresh_webhook() {
    auto r = server_->post("/api/v2/webhooks", owner_, webhook_body({{"secret", "generate"}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  }

  void delete_all_webhooks(const std::string& token) {
    auto list = server_->get("/api/v2/webhooks", token);
    if (list.status != 200) return;
    const auto body = list.json();
    for (const auto& w : body.at("data").as_array()) {
      server_->del("/api/v2/webhooks/" + std::string(w.at("id").as_string()) + "?confirm=DELETE", token);
    }
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
  std::optional<std::string> tokens_[kColumns];
  bool grant_ = false;
};

TEST_F(RbacMatrixTest, EveryRoleOnEveryRoute) {
  for (int column = 0; column < kColumns; ++column) {
    set_grant(column == kManagerGranted);
    for (const auto& row : kMatrix) {
      std::string path = row.path;
      std::string webhook_id;
      if (auto at = path.find("{id}"); at != std::string::npos) {
        webhook_id = fresh_webhook();
        path.replace(at, 4, webhook_id);
      }
      if (auto at = path.find("{v1id}"); at != std::string::npos) {
        auto created = server_->post("/api/v1/webhooks", owner_, kV1WebhookBody);
        EXPECT_EQ(created.status, 201) << created.body;
        path.replace(at, 6, std::string(created.json().at("id").as_string()));
      }
      if (auto at = path.find("{tok}"); at != std::string::npos) {
        auto created = server_->post("/api/v2/ingest-tokens", owner_);
        EXPECT_EQ(created.status, 201) << created.body;
        path.replace(at, 5, std::string(created.json().at("id").as_string()));
      }
      if (auto at = path.find("{uid}"); at != std::string::npos) {
        static int n = 0;
        auto created = server_->post(
            "/api/v2/users", owner_,
            json::serialize(json::object{
                {"name", "U"}, {"email", "uid" + std::to_string(++n) + "@x.test"}, {"role", "agent"}}));
        EXPECT_EQ(created.status, 201) << created.body;
        path.replace(at, 5, std::string(created.json().at("id").as_string()));
      }
      std::string body = row.body;
      if (body == "WEBHOOK") body = webhook_body();
      if (body == "V1WEBHOOK") body = kV1WebhookBody;
      if (body == "RECOVER") {
        body = R"({"since":")" + format_rfc3339(SystemClock().now() - std::chrono::hours(1)) + R"("})";
      }
      if (body == "AGENT_USER") {
        static int n = 0;
        body = json::serialize(json::object{
            {"name", "A"}, {"email", "matrix" + std::to_string(++n) + "@example.test"}, {"role", "agent"}});
      }
      if (body == "CLIENT_CERT") {
        static const model::testing::TestPem pem = model::testing::make_certificate();
        body = json::serialize(json::object{{"certificate", pem.cert_pem}, {"private_key", pem.key_pem}});
      }
      if (body == "SAME_GRANT")
        body = json::serialize(json::object{{"managers_can_manage_webhooks", grant_}});

      auto r = http_request(server_->port(), row.method, path, tokens_[column], body);
      EXPECT_EQ(r.status, row.expected[column])
          << row.method << " " << row.path << " as " << kColumnNames[column] << ": " << r.body;
      if (r.status == 401) {
        EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
      }
      if (r.status >= 400) {
        auto error = r.json().at("error");
        EXPECT_FALSE(error.at("code").as_string().empty());
        EXPECT_FALSE(error.at("message").as_string().empty());
      }
      delete_all_webhooks(owner_);
      delete_all_webhooks(*tokens_[kOther]);
    }
  }
}

TEST_F(RbacMatrixTest, AnotherCompanysWebhookIsInvisible) {
  const std::string id = fresh_webhook();
  auto list = server_->get("/api/v2/webhooks", tokens_[kOther]);
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json().at("data").as_array().empty());
  // A 404 for another company's object is indistinguishable from a missing one.
  auto theirs = server_->get("/api/v2/webhooks/" + id, tokens_[kOther]);
  auto missing = server_->get("/api/v2/webhooks/wh_01JAAAAAAAAAAAAAAAAAAAAAAA", tokens_[kOther]);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(theirs.body, missing.body);
  // And nothing they tried changed it.
  server_->del("/api/v2/webhooks/" + id + "?confirm=DELETE", tokens_[kOther]);
  server_->patch("/api/v2/webhooks/" + id, tokens_[kOther], R"({"name":"hijacked"})");
  auto mine = server_->get("/api/v2/webhooks/" + id, owner_);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json().at("name"), "CRM sync");
}

TEST_F(RbacMatrixTest, OnlyOwnersCreateOwnersAndAdmins) {
  struct Case {
    Column creator;
    std::string role;
    int expected;
  };
  const std::vector<Case> cases = {
      {kOwner, "owner", 201},   {kOwner, "admin", 201}, {kOwner, "manager", 201}, {kOwner, "agent", 201},
      {kAdmin, "owner", 403},   {kAdmin, "admin", 403}, {kAdmin, "manager", 201}, {kAdmin, "agent", 201},
      {kManager, "agent", 403}, {kAgent, "agent", 403}, {kIngest, "agent", 403},
  };
  int n = 0;
  for (const auto& c : cases) {
    auto body = json::serialize(json::object{
        {"name", "N"}, {"email", "c" + std::to_string(++n) + "@example.test"}, {"role", c.role}});
    auto r = server_->post("/api/v2/users", tokens_[c.creator], body);
    EXPECT_EQ(r.status, c.expected) << kColumnNames[c.creator] << " creating " << c.role << ": " << r.body;
  }
}

TEST_F(RbacMatrixTest, MalformedAuthorizationHeadersAre401) {
  const std::vector<std::string> values = {
      "",           "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer " + std::string(300, 'a'),
      "bearer nope"};
  for (const auto& value : values) {
    auto r = http_request(server_->port(), "GET", "/api/v2/me", std::nullopt, "", {{"Authorization", value}});
    EXPECT_EQ(r.status, 401) << "Authorization: " << value;
  }
  // The scheme is case-insensitive.
  auto r = http_request(server_->port(), "GET", "/api/v2/me", std::nullopt, "",
                        {{"Authorization", "bearer " + owner_}});
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace switchboard::testing
