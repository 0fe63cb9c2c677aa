// Token lifecycle over real HTTP (issue 12 item 9): list (never the secret),
// create with a bounded expiry, revoke, expired and revoked tokens refused
// with 401, last use recorded, users deactivated with their tokens; every
// rule of who may act on whom, and another company's objects are 404.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "api/identity_service.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

struct Member {
  std::string id;
  std::string token;
};

class TokenLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
    auto me = server_->get("/api/v2/me", owner_);
    ASSERT_EQ(me.status, 200) << me.body;
    owner_id_ = std::string(me.json().at("user").at("id").as_string());
  }

  Member add_user(const std::string& role, const std::optional<std::string>& token = std::nullopt) {
    static int n = 0;
    auto r = server_->post(
        "/api/v2/users", token ? token : owner_,
        json::serialize(json::object{
            {"name", role}, {"email", role + std::to_string(++n) + "@tokens.test"}, {"role", role}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return {std::string(r.json().at("id").as_string()), std::string(r.json().at("token").as_string())};
  }

  // POST /tokens; returns the answer.
  HttpResult create_token(const std::string& as, const json::object& body = {}) {
    return server_->post("/api/v2/tokens", as, json::serialize(body));
  }

  // The "data" array of a list answer, by value (a range-for over a part of
  // the temporary r.json() would outlive it).
  static json::array data_of(const HttpResult& r) {
    json::value body = r.json();
    return body.at("data").as_array();
  }
  static std::string id_of(const HttpResult& r) { return std::string(r.json().at("id").as_string()); }
  static std::string token_of(const HttpResult& r) { return std::string(r.json().at("token").as_string()); }

  std::vector<std::string> listed_ids(const std::string& as, const std::string& query = "") {
    std::vector<std::string> ids;
    auto r = server_->get("/api/v2/tokens" + query, as);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return ids;
    for (const auto& t : data_of(r)) ids.emplace_back(t.at("id").as_string());
    return ids;
  }

  static void expect_unauthorized(const HttpResult& r, const std::string& message) {
    EXPECT_EQ(r.status, 401) << r.body;
    if (r.status != 401) return;
    EXPECT_EQ(r.json().at("error").at("code").as_string(), "unauthorized");
    EXPECT_EQ(r.json().at("error").at("message").as_string(), message);
    EXPECT_EQ(r.headers.at("www-authenticate"), "Bearer");
  }

  static void expect_error(const HttpResult& r, int status, const std::string& code,
                           const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.body;
    if (r.status != status) return;
    EXPECT_EQ(r.json().at("error").at("code").as_string(), code) << r.body;
    if (!field.empty()) {
      EXPECT_EQ(r.json().at("error").at("field").as_string(), field) << r.body;
    }
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
  std::string owner_id_;
};

TEST_F(TokenLifecycleTest, CreateListNeverShowsTheSecretThenRevoke) {
  auto created = create_token(owner_, {{"expires_in", 3600}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = id_of(created), text = token_of(created);
  auto body = created.json().as_object();
  EXPECT_EQ(id.rfind("tok_", 0), 0u);
  EXPECT_EQ(body.at("kind").as_string(), "user");
  EXPECT_EQ(body.at("user_id").as_string(), owner_id_);
  EXPECT_EQ(body.at("status").as_string(), "active");
  EXPECT_EQ(body.at("hint").as_string(), text.substr(0, 8));
  EXPECT_TRUE(body.at("expires_at").is_string());
  EXPECT_TRUE(body.at("revoked_at").is_null());
  EXPECT_EQ(server_->get("/api/v2/me", text).status, 200);

  auto list = server_->get("/api/v2/tokens", owner_);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(text), std::string::npos) << "a listed token shows its secret";
  EXPECT_EQ(list.body.find(owner_), std::string::npos);
  EXPECT_EQ(list.body.find("\"token\""), std::string::npos);
  EXPECT_EQ(list.body.find("hash"), std::string::npos);
  bool found = false;
  for (const auto& t : data_of(list)) {
    found = found || t.at("id").as_string() == id;
  }
  EXPECT_TRUE(found);

  auto revoked = server_->del("/api/v2/tokens/" + id, owner_);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json().at("status").as_string(), "revoked");
  EXPECT_TRUE(revoked.json().at("revoked_at").is_string());
  expect_unauthorized(server_->get("/api/v2/me", text), "Token revoked.");
  expect_unauthorized(server_->post("/api/v2/tokens", text, "{}"), "Token revoked.");
  // Idempotent; the owner's own token still works.
  EXPECT_EQ(server_->del("/api/v2/tokens/" + id, owner_).status, 200);
  EXPECT_EQ(server_->get("/api/v2/me", owner_).status, 200);
}

TEST_F(TokenLifecycleTest, RevokedIngestTokenCannotPublish) {
  auto ingest = server_->post("/api/v2/ingest-tokens", owner_, R"({"expires_in":86400})");
  ASSERT_EQ(ingest.status, 201) << ingest.body;
  EXPECT_TRUE(ingest.json().at("expires_at").is_string());
  EXPECT_EQ(ingest.json().at("kind").as_string(), "ingest");
  const std::string text = token_of(ingest);
  EXPECT_EQ(server_->get("/api/v2/me", text).status, 200);
  ASSERT_EQ(server_->del("/api/v2/tokens/" + id_of(ingest), owner_).status, 200);
  expect_unauthorized(server_->post("/api/v2/events", text, R"({"type":"call.answered","data":{}})"),
                      "Token revoked.");
}

TEST_F(TokenLifecycleTest, AnExpiredTokenIsRefused) {
  // Made through the store with an expiry already past (the API refuses to make one).
  SystemClock clock;
  auto me = server_->get("/api/v2/me", owner_);
  auto issued =
      api::make_token(model::TokenKind::kUser, std::string(me.json().at("company").at("id").as_string()),
                      owner_id_, clock.now() - std::chrono::hours(2), clock.now() - std::chrono::seconds(1));
  ASSERT_TRUE(server_->service().store().create_token(issued.record).has_value());
  expect_unauthorized(server_->get("/api/v2/me", issued.text), "Token expired.");
  auto listed = server_->get("/api/v2/tokens", owner_);
  ASSERT_EQ(listed.status, 200);
  for (const auto& t : data_of(listed)) {
    if (t.at("id").as_string() == issued.record.id) {
      EXPECT_EQ(t.at("status").as_string(), "expired");
    }
  }
  // One that expires later works.
  auto later = api::make_token(model::TokenKind::kUser, issued.record.company_id, owner_id_, clock.now(),
                               clock.now() + std::chrono::hours(1));
  ASSERT_TRUE(server_->service().store().create_token(later.record).has_value());
  EXPECT_EQ(server_->get("/api/v2/me", later.text).status, 200);
}

TEST_F(TokenLifecycleTest, ExpiryBounds) {
  struct Case {
    json::object body;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"expires_in", 60}}, 201, ""},
      {{{"expires_in", 365 * 86400}}, 201, ""},
      {{{"expires_at", "2999-01-01T00:00:00Z"}}, 422, "expires_at"},
      {{{"expires_at", "2020-01-01T00:00:00Z"}}, 422, "expires_at"},
      {{{"expires_at", "tomorrow"}}, 422, "expires_at"},
      {{{"expires_at", 5}}, 422, "expires_at"},
      {{{"expires_in", 0}}, 422, "expires_in"},
      {{{"expires_in", -60}}, 422, "expires_in"},
      {{{"expires_in", 365 * 86400 + 1}}, 422, "expires_in"},
      {{{"expires_in", 18446744073709551615ULL}}, 422, "expires_in"},
      {{{"expires_in", 1.5}}, 422, "expires_in"},
      {{{"expires_in", "30d"}}, 422, "expires_in"},
      {{{"expires_in", 60}, {"expires_at", "2999-01-01T00:00:00Z"}}, 422, "expires_in"},
      {{{"expires_in", nullptr}}, 201, ""},
      {{{"secret", "x"}}, 400, "secret"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(json::serialize(c.body));
    auto r = create_token(owner_, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (c.status >= 400 && r.status == c.status) {
      EXPECT_EQ(r.json().at("error").at("field").as_string(), c.field);
    }
  }
  // The same bounds on ingest tokens and on a new user's token.
  expect_error(server_->post("/api/v2/ingest-tokens", owner_, R"({"expires_in":0})"), 422, "invalid_value",
               "expires_in");
  expect_error(server_->post("/api/v2/users", owner_,
                             R"({"name":"x","email":"x@t.test","role":"agent","token_expires_in":99999999})"),
               422, "invalid_value", "token_expires_in");
  auto user = server_->post("/api/v2/users", owner_,
                            R"({"name":"y","email":"y@t.test","role":"agent","token_expires_in":3600})");
  ASSERT_EQ(user.status, 201) << user.body;
  EXPECT_TRUE(user.json().at("token_expires_at").is_string());
  EXPECT_EQ(server_->get("/api/v2/me", token_of(user)).status, 200);
}

TEST_F(TokenLifecycleTest, WhoSeesAndRevokesWhichTokens) {
  Member admin = add_user("admin");
  Member manager = add_user("manager");
  Member agent = add_user("agent");
  Member agent2 = add_user("agent");
  auto ingest = server_->post("/api/v2/ingest-tokens", owner_);
  ASSERT_EQ(ingest.status, 201);
  auto owner_tokens = listed_ids(owner_, "?user_id=" + owner_id_);
  ASSERT_EQ(owner_tokens.size(), 1u);
  const std::string owner_token_id = owner_tokens[0];

  // Everyone lists; only owners and admins see the others'.
  EXPECT_EQ(listed_ids(owner_).size(), 6u);
  EXPECT_EQ(listed_ids(admin.token).size(), 6u);
  auto agent_tokens = listed_ids(agent.token);
  ASSERT_EQ(agent_tokens.size(), 1u);
  EXPECT_EQ(listed_ids(manager.token).size(), 1u);
  expect_error(server_->get("/api/v2/tokens?user_id=" + agent2.id, agent.token), 403, "forbidden", "user_id");
  EXPECT_EQ(listed_ids(owner_, "?user_id=" + agent.id), agent_tokens);

  const auto agent2_tokens = listed_ids(agent2.token);
  // An agent cannot touch another agent's token, nor an ingest token: 404, as if missing.
  expect_error(server_->del("/api/v2/tokens/" + agent2_tokens[0], agent.token), 404, "not_found");
  expect_error(server_->del("/api/v2/tokens/" + id_of(ingest), manager.token), 404, "not_found");
  // An admin sees the owner's token but may not revoke it.
  expect_error(server_->del("/api/v2/tokens/" + owner_token_id, admin.token), 403, "forbidden");
  EXPECT_EQ(server_->get("/api/v2/me", owner_).status, 200);
  // An admin revokes an agent's and an ingest token; an agent their own.
  EXPECT_EQ(server_->del("/api/v2/tokens/" + agent2_tokens[0], admin.token).status, 200);
  expect_unauthorized(server_->get("/api/v2/me", agent2.token), "Token revoked.");
  EXPECT_EQ(server_->del("/api/v2/tokens/" + id_of(ingest), admin.token).status, 200);
  EXPECT_EQ(server_->del("/api/v2/tokens/" + agent_tokens[0], agent.token).status, 200);
  expect_unauthorized(server_->get("/api/v2/me", agent.token), "Token revoked.");
  // An owner revokes an admin's.
  const auto admin_tokens = listed_ids(admin.token, "?user_id=" + admin.id);
  EXPECT_EQ(server_->del("/api/v2/tokens/" + admin_tokens[0], owner_).status, 200);
  expect_unauthorized(server_->get("/api/v2/me", admin.token), "Token revoked.");
  expect_error(server_->del("/api/v2/tokens/tok_01JAAAAAAAAAAAAAAAAAAAAAAA", owner_), 404, "not_found");
}

TEST_F(TokenLifecycleTest, WhoMakesTokensForWhom) {
  Member admin = add_user("admin");
  Member manager = add_user("manager");
  Member agent = add_user("agent");
  Member other_admin = add_user("admin");
  // For yourself: anyone.
  for (const Member* m : {&admin, &manager, &agent}) {
    auto r = create_token(m->token);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("user_id").as_string(), m->id);
    EXPECT_EQ(server_->get("/api/v2/me", token_of(r)).status, 200);
  }
  // For another: owners anyone, admins managers and agents.
  EXPECT_EQ(create_token(owner_, {{"user_id", other_admin.id}}).status, 201);
  EXPECT_EQ(create_token(admin.token, {{"user_id", agent.id}}).status, 201);
  auto made = create_token(admin.token, {{"user_id", manager.id}});
  ASSERT_EQ(made.status, 201);
  auto as_manager = server_->get("/api/v2/me", token_of(made));
  EXPECT_EQ(as_manager.json().at("user").at("id").as_string(), manager.id);
  expect_error(create_token(admin.token, {{"user_id", owner_id_}}), 403, "forbidden", "user_id");
  expect_error(create_token(admin.token, {{"user_id", other_admin.id}}), 403, "forbidden", "user_id");
  expect_error(create_token(manager.token, {{"user_id", agent.id}}), 403, "forbidden", "user_id");
  expect_error(create_token(agent.token, {{"user_id", manager.id}}), 403, "forbidden", "user_id");
  expect_error(create_token(owner_, {{"user_id", "usr_01JAAAAAAAAAAAAAAAAAAAAAAA"}}), 404, "not_found",
               "user_id");
  expect_error(create_token(owner_, {{"user_id", 5}}), 422, "invalid_type", "user_id");
}

TEST_F(TokenLifecycleTest, AnotherCompanysTokensAndUsersAre404) {
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  Member agent = add_user("agent");
  const auto agent_tokens = listed_ids(agent.token);
  // Not listed, not revocable, not deactivatable, no token for them.
  for (const auto& id : listed_ids(other->owner_token)) EXPECT_NE(id, agent_tokens[0]);
  EXPECT_TRUE(server_->get("/api/v2/tokens?user_id=" + agent.id, other->owner_token)
                  .json()
                  .at("data")
                  .as_array()
                  .empty());
  auto theirs = server_->del("/api/v2/tokens/" + agent_tokens[0], other->owner_token);
  auto missing = server_->del("/api/v2/tokens/tok_01JAAAAAAAAAAAAAAAAAAAAAAA", other->owner_token);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(theirs.body, missing.body);
  expect_error(server_->post("/api/v2/users/" + agent.id + "/deactivate", other->owner_token), 404,
               "not_found");
  expect_error(create_token(other->owner_token, {{"user_id", agent.id}}), 404, "not_found", "user_id");
  // Nothing changed.
  EXPECT_EQ(server_->get("/api/v2/me", agent.token).status, 200);
}

TEST_F(TokenLifecycleTest, DeactivatingAUserRevokesEveryTokenOfTheirs) {
  Member admin = add_user("admin");
  Member agent = add_user("agent");
  auto second = create_token(agent.token);
  ASSERT_EQ(second.status, 201);

  auto users = server_->get("/api/v2/users", admin.token);
  ASSERT_EQ(users.status, 200);
  bool listed = false;
  for (const auto& u : data_of(users)) {
    if (u.at("id").as_string() == agent.id) {
      listed = true;
      EXPECT_EQ(u.at("active"), true);
    }
  }
  EXPECT_TRUE(listed);

  auto done = server_->post("/api/v2/users/" + agent.id + "/deactivate", admin.token);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("active"), false);
  EXPECT_TRUE(done.json().at("deactivated_at").is_string());
  expect_unauthorized(server_->get("/api/v2/me", agent.token), "Token revoked.");
  expect_unauthorized(server_->get("/api/v2/me", token_of(second)), "Token revoked.");
  for (const auto& t : data_of(server_->get("/api/v2/tokens?user_id=" + agent.id, owner_))) {
    EXPECT_EQ(t.at("status").as_string(), "revoked");
  }
  // No new token for them; deactivating again is harmless.
  expect_error(create_token(owner_, {{"user_id", agent.id}}), 409, "user_deactivated", "user_id");
  EXPECT_EQ(server_->post("/api/v2/users/" + agent.id + "/deactivate", admin.token).status, 200);
  EXPECT_EQ(server_->get("/api/v2/me", admin.token).status, 200);
}

TEST_F(TokenLifecycleTest, WhoMayDeactivateWhom) {
  Member admin = add_user("admin");
  Member admin2 = add_user("admin");
  Member manager = add_user("manager");
  Member agent = add_user("agent");
  Member owner2 = add_user("owner");
  expect_error(server_->post("/api/v2/users/" + owner_id_ + "/deactivate", admin.token), 403, "forbidden");
  expect_error(server_->post("/api/v2/users/" + admin2.id + "/deactivate", admin.token), 403, "forbidden");
  expect_error(server_->post("/api/v2/users/" + agent.id + "/deactivate", manager.token), 403, "forbidden");
  expect_error(server_->post("/api/v2/users/" + manager.id + "/deactivate", agent.token), 403, "forbidden");
  expect_error(server_->post("/api/v2/users/" + admin.id + "/deactivate", admin.token), 409,
               "cannot_deactivate_self");
  expect_error(server_->post("/api/v2/users/" + owner_id_ + "/deactivate", owner_), 409,
               "cannot_deactivate_self");
  expect_error(server_->post("/api/v2/users/usr_01JAAAAAAAAAAAAAAAAAAAAAAA/deactivate", owner_), 404,
               "not_found");
  for (const Member* m : {&admin, &admin2, &manager, &agent})
    EXPECT_EQ(server_->get("/api/v2/me", m->token).status, 200);
  // An owner deactivates an admin and another owner.
  EXPECT_EQ(server_->post("/api/v2/users/" + admin2.id + "/deactivate", owner_).status, 200);
  EXPECT_EQ(server_->post("/api/v2/users/" + owner2.id + "/deactivate", owner_).status, 200);
  expect_unauthorized(server_->get("/api/v2/me", owner2.token), "Token revoked.");
  // An admin deactivates a manager.
  EXPECT_EQ(server_->post("/api/v2/users/" + manager.id + "/deactivate", admin.token).status, 200);
  expect_unauthorized(server_->get("/api/v2/me", manager.token), "Token revoked.");
}

TEST_F(TokenLifecycleTest, LastUsedAtIsRecorded) {
  auto created = create_token(owner_);
  ASSERT_EQ(created.status, 201);
  EXPECT_TRUE(created.json().at("last_used_at").is_null());
  const std::string id = id_of(created);
  EXPECT_EQ(server_->get("/api/v2/me", token_of(created)).status, 200);
  // Written off the request path, soon after: poll with a deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json::value last_used = nullptr;
  while (last_used.is_null() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& t : data_of(server_->get("/api/v2/tokens", owner_))) {
      if (t.at("id").as_string() == id) last_used = t.at("last_used_at");
    }
    if (last_used.is_null()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(last_used.is_string()) << "last_used_at never recorded";
}

}  // namespace
}  // namespace switchboard::testing
