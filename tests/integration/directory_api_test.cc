// The company directory through real HTTP: agents and departments (CRUD,
// validation, company scoping, the role × route matrix), call.summary
// enrichment at ingest, and department/agent webhook filters deciding which
// events get deliveries.
#include <gtest/gtest.h>

#include <set>

#include "api/identity_service.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

class DirectoryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
  }

  std::string token_for(const std::string& role) {
    static int n = 0;
    auto body = json::serialize(json::object{
        {"name", role}, {"email", role + std::to_string(++n) + "@directory.test"}, {"role", role}});
    auto r = server_->post("/api/v2/users", owner_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("token").as_string());
  }

  std::string other_company_owner() {
    SystemClock clock;
    auto other =
        api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
    EXPECT_TRUE(other.has_value());
    return other ? other->owner_token : "";
  }

  json::value created(const std::string& path, const std::string& body) {
    auto r = server_->post(path, owner_, body);
    EXPECT_EQ(r.status, 201) << path << " " << body << ": " << r.body;
    return r.json();
  }

  void seed_directory() {
    created("/api/v2/departments", R"({"id":"dep_support","name":"Support"})");
    created("/api/v2/departments", R"({"id":"dep_sales","name":"Sales"})");
    created("/api/v2/agents", R"({"id":"agt_support_1","name":"Rahul Nair","email":"rahul.nair@example.com",)"
                              R"("extension":"301","number":"+919876500021","department_id":"dep_support"})");
    created("/api/v2/agents", R"({"id":"agt_sales_1","name":"Asha Rao","department_id":"dep_sales"})");
  }

  // A valid call.summary (or call.end) naming the given agent and department.
  static std::string call_event(const std::string& type, const std::string& call_id,
                                const std::string& agent_id, const std::string& department_id,
                                const std::string& direction = "inbound") {
    json::object data{{"call_id", call_id},
                      {"direction", direction},
                      {"from", "+918588123517"},
                      {"to", "+918040000102"},
                      {"status", "completed"},
                      {"started_at", "2026-11-22T10:24:22.283Z"},
                      {"answered_at", "2026-11-22T10:24:54.073Z"},
                      {"ended_at", "2026-11-22T10:29:01.347Z"},
                      {"duration_sec", 279},
                      {"legs", json::array{json::object{{"number", "+918588123517"},
                                                        {"role", "customer"},
                                                        {"state", "completed"},
                                                        {"started_at", "2026-11-22T10:24:22.283Z"},
                                                        {"ended_at", "2026-11-22T10:29:01.347Z"}}}}};
    if (!agent_id.empty()) data["agent_id"] = agent_id;
    if (!department_id.empty()) data["department_id"] = department_id;
    return json::serialize(json::object{{"type", type}, {"data", std::move(data)}});
  }

  std::string publish(const std::string& body) {
    auto r = server_->post("/api/v2/events", owner_, body);
    EXPECT_EQ(r.status, 202) << r.body;
    return r.status == 202 ? std::string(r.json().at("event_id").as_string()) : "";
  }

  json::value read_event(const std::string& event_id) {
    auto r = server_->get("/api/v2/events/" + event_id, owner_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Webhook ids that got a delivery of the event.
  std::set<std::string> delivered_to(const std::string& event_id) {
    std::set<std::string> out;
    const auto event = read_event(event_id);
    for (const auto& d : event.at("deliveries").as_array()) {
      out.insert(std::string(d.at("webhook_id").as_string()));
    }
    return out;
  }

  std::string webhook_with_filters(const std::string& name, const json::object& filters) {
    auto r = server_->post(
        "/api/v2/webhooks", owner_,
        webhook_body(
            {{"name", name}, {"events", json::array{"call.end", "call.summary"}}, {"filters", filters}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(DirectoryApiTest, CreateReadListUpdateDelete) {
  auto dep = created("/api/v2/departments", R"({"id":"dep_support","name":"Support"})");
  EXPECT_EQ(dep.at("id"), "dep_support");
  EXPECT_EQ(dep.at("name"), "Support");
  auto generated = created("/api/v2/departments", R"({"name":"Sales"})");
  EXPECT_TRUE(generated.at("id").as_string().starts_with("dep_"));

  auto agent = created("/api/v2/agents",
                       R"({"id":"agt:301","name":"Rahul","email":"r@example.com",)"
                       R"("extension":"301","number":"+919876500021","department_id":"dep_support"})");
  EXPECT_EQ(agent.at("id"), "agt:301");
  EXPECT_EQ(agent.at("department_id"), "dep_support");
  auto bare = created("/api/v2/agents", R"({"name":"Asha"})");
  EXPECT_TRUE(bare.at("id").as_string().starts_with("agt_"));
  EXPECT_TRUE(bare.at("email").is_null());
  EXPECT_TRUE(bare.at("department_id").is_null());

  auto got = server_->get("/api/v2/agents/agt:301", owner_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("extension"), "301");

  // Pagination like every other list.
  auto first = server_->get("/api/v2/agents?limit=1", owner_);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.json().at("data").as_array().size(), 1u);
  const std::string cursor(first.json().at("next_cursor").as_string());
  auto second = server_->get("/api/v2/agents?limit=1&cursor=" + cursor, owner_);
  ASSERT_EQ(second.status, 200) << second.body;
  ASSERT_EQ(second.json().at("data").as_array().size(), 1u);
  EXPECT_TRUE(second.json().at("next_cursor").is_null());
  EXPECT_NE(first.json().at("data").at(0).at("id"), second.json().at("data").at(0).at("id"));

  auto patched =
      server_->patch("/api/v2/agents/agt:301", owner_, R"({"name":"Rahul Nair","extension":null})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("name"), "Rahul Nair");
  EXPECT_TRUE(patched.json().at("extension").is_null());
  EXPECT_EQ(patched.json().at("email"), "r@example.com");
  auto renamed = server_->patch("/api/v2/departments/dep_support", owner_, R"({"name":"Customer care"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json().at("name"), "Customer care");

  // Deleting a department takes it off its agents.
  EXPECT_EQ(server_->del("/api/v2/departments/dep_support", owner_).status, 204);
  EXPECT_TRUE(server_->get("/api/v2/agents/agt:301", owner_).json().at("department_id").is_null());
  EXPECT_EQ(server_->del("/api/v2/agents/agt:301", owner_).status, 204);
  EXPECT_EQ(server_->get("/api/v2/agents/agt:301", owner_).status, 404);
  EXPECT_EQ(server_->del("/api/v2/agents/agt:301", owner_).status, 404);
}

TEST_F(DirectoryApiTest, ValidationConflictsAndUnknownDepartment) {
  auto invalid = server_->post("/api/v2/agents", owner_, R"({"id":"bad id","email":"nope"})");
  ASSERT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_EQ(invalid.json().at("error").at("code"), "validation_failed");
  std::set<std::pair<std::string, std::string>> errors;
  const auto invalid_body = invalid.json();
  for (const auto& e : invalid_body.at("errors").as_array()) {
    errors.emplace(std::string(e.at("field").as_string()), std::string(e.at("code").as_string()));
  }
  EXPECT_EQ(errors, (std::set<std::pair<std::string, std::string>>{
                        {"id", "invalid_value"}, {"name", "required"}, {"email", "invalid_value"}}));

  auto unknown = server_->post("/api/v2/agents", owner_, R"({"name":"R","extension":"1","role":"x"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json().at("error").at("field"), "role");

  auto no_dep =
      server_->post("/api/v2/agents", owner_, R"({"id":"agt_1","name":"R","department_id":"dep_x"})");
  ASSERT_EQ(no_dep.status, 422) << no_dep.body;
  EXPECT_EQ(no_dep.json().at("error").at("code"), "unknown_department");
  EXPECT_EQ(no_dep.json().at("error").at("field"), "department_id");
  EXPECT_EQ(server_->get("/api/v2/agents/agt_1", owner_).status, 404);

  created("/api/v2/departments", R"({"id":"dep_1","name":"Support"})");
  auto dup = server_->post("/api/v2/departments", owner_, R"({"id":"dep_1","name":"Again"})");
  ASSERT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(dup.json().at("error").at("code"), "conflict");
  EXPECT_EQ(dup.json().at("error").at("field"), "id");
  created("/api/v2/agents", R"({"id":"agt_1","name":"R"})");
  EXPECT_EQ(server_->post("/api/v2/agents", owner_, R"({"id":"agt_1","name":"R2"})").status, 409);
  auto bad_patch = server_->patch("/api/v2/agents/agt_1", owner_, R"({"department_id":"dep_nope"})");
  EXPECT_EQ(bad_patch.status, 422) << bad_patch.body;
  auto id_patch = server_->patch("/api/v2/agents/agt_1", owner_, R"({"id":"agt_2"})");
  EXPECT_EQ(id_patch.status, 422) << id_patch.body;
  EXPECT_EQ(server_->get("/api/v2/departments/dep_1", owner_).json().at("name"), "Support");
}

TEST_F(DirectoryApiTest, RolesOnEveryDirectoryRoute) {
  enum Column { kOwner, kAdmin, kManager, kManagerGranted, kAgent, kIngest, kNoToken, kOther, kColumns };
  std::optional<std::string> tokens[kColumns];
  tokens[kOwner] = owner_;
  tokens[kAdmin] = token_for("admin");
  tokens[kManager] = tokens[kManagerGranted] = token_for("manager");
  tokens[kAgent] = token_for("agent");
  auto ingest = server_->post("/api/v2/ingest-tokens", owner_);
  ASSERT_EQ(ingest.status, 201);
  tokens[kIngest] = std::string(ingest.json().at("token").as_string());
  tokens[kOther] = other_company_owner();

  struct Row {
    std::string method, path, body;
    int expected[kColumns];
  };
  // clang-format off
  const std::vector<Row> rows = {
    //  method   path                          body                           owner admin mgr  mgr+ agent ingest none other
    {"GET",    "/api/v2/departments",          "",                            {200, 200, 200, 200, 200, 403, 401, 200}},
    {"POST",   "/api/v2/departments",          R"({"name":"N"})",             {201, 201, 403, 403, 403, 403, 401, 201}},
    {"GET",    "/api/v2/departments/dep_m",    "",                            {200, 200, 200, 200, 200, 403, 401, 404}},
    {"PATCH",  "/api/v2/departments/dep_m",    R"({"name":"M2"})",            {200, 200, 403, 403, 403, 403, 401, 404}},
    {"GET",    "/api/v2/agents",               "",                            {200, 200, 200, 200, 200, 403, 401, 200}},
    {"POST",   "/api/v2/agents",               R"({"name":"N"})",             {201, 201, 403, 403, 403, 403, 401, 201}},
    {"GET",    "/api/v2/agents/agt_m",         "",                            {200, 200, 200, 200, 200, 403, 401, 404}},
    {"PATCH",  "/api/v2/agents/agt_m",         R"({"name":"M2"})",            {200, 200, 403, 403, 403, 403, 401, 404}},
    {"DELETE", "/api/v2/agents/agt_m",         "",                            {204, 204, 403, 403, 403, 403, 401, 404}},
    {"DELETE", "/api/v2/departments/dep_m",    "",                            {204, 204, 403, 403, 403, 403, 401, 404}},
  };
  // clang-format on
  const char* names[] = {"owner", "admin",  "manager",  "manager+grant",
                         "agent", "ingest", "no token", "other"};
  for (int column = 0; column < kColumns; ++column) {
    auto grant = server_->put(
        "/api/v2/permissions", owner_,
        json::serialize(json::object{{"managers_can_manage_webhooks", column == kManagerGranted}}));
    ASSERT_EQ(grant.status, 200);
    // Fresh objects of the first company for every column (the DELETE rows remove them).
    server_->del("/api/v2/agents/agt_m", owner_);
    server_->del("/api/v2/departments/dep_m", owner_);
    created("/api/v2/departments", R"({"id":"dep_m","name":"M"})");
    created("/api/v2/agents", R"({"id":"agt_m","name":"M","department_id":"dep_m"})");
    for (const auto& row : rows) {
      auto r = http_request(server_->port(), row.method, row.path, tokens[column], row.body);
      EXPECT_EQ(r.status, row.expected[column])
          << row.method << " " << row.path << " as " << names[column] << ": " << r.body;
    }
  }
  // Nothing another company tried touched the objects; 404s look like missing ones.
  created("/api/v2/agents", R"({"id":"agt_mine","name":"Mine"})");
  auto theirs = server_->get("/api/v2/agents/agt_mine", tokens[kOther]);
  auto missing = server_->get("/api/v2/agents/agt_nobody", tokens[kOther]);
  EXPECT_EQ(theirs.status, 404);
  EXPECT_EQ(theirs.body, missing.body);
  EXPECT_EQ(server_->get("/api/v2/agents/agt_mine", owner_).json().at("name"), "Mine");
  EXPECT_EQ(server_->get("/api/v2/agents", tokens[kOther]).body.find("agt_mine"), std::string::npos);
}

TEST_F(DirectoryApiTest, CallSummaryIsEnrichedFromTheDirectory) {
  seed_directory();
  const std::string known = publish(call_event("call.summary", "call_1", "agt_support_1", "dep_support"));
  auto data = read_event(known).at("event").at("data");
  EXPECT_EQ(
      json::serialize(data.at("agent")),
      R"({"id":"agt_support_1","name":"Rahul Nair","email":"rahul.nair@example.com","extension":"301"})");
  EXPECT_EQ(json::serialize(data.at("department")), R"({"id":"dep_support","name":"Support"})");

  // Absent optional agent fields are left out, not null.
  auto sales =
      read_event(publish(call_event("call.summary", "call_2", "agt_sales_1", ""))).at("event").at("data");
  EXPECT_EQ(json::serialize(sales.at("agent")), R"({"id":"agt_sales_1","name":"Asha Rao"})");
  EXPECT_FALSE(sales.as_object().contains("department"));

  // Unknown ids: the data stays as published.
  auto unknown = read_event(publish(call_event("call.summary", "call_3", "agt_nobody", "dep_nowhere")))
                     .at("event")
                     .at("data");
  EXPECT_FALSE(unknown.as_object().contains("agent"));
  EXPECT_FALSE(unknown.as_object().contains("department"));
  EXPECT_EQ(unknown.at("agent_id"), "agt_nobody");

  // Only call.summary is enriched.
  auto end = read_event(publish(call_event("call.end", "call_4", "agt_support_1", "dep_support")))
                 .at("event")
                 .at("data");
  EXPECT_FALSE(end.as_object().contains("agent"));

  // A batch is enriched alike.
  json::array events;
  for (int i = 0; i < 20; ++i) {
    events.push_back(
        json::parse(call_event("call.summary", "call_b" + std::to_string(i), "agt_support_1", "")));
  }
  auto batch =
      server_->post("/api/v2/events/batch", owner_, json::serialize(json::object{{"events", events}}));
  ASSERT_EQ(batch.status, 202) << batch.body;
  const auto results = batch.json().at("results").as_array();
  ASSERT_EQ(results.size(), 20u);
  for (const auto& result : results) {
    auto d = read_event(std::string(result.at("event_id").as_string())).at("event").at("data");
    EXPECT_EQ(d.at("agent").at("name"), "Rahul Nair");
  }
}

TEST_F(DirectoryApiTest, DepartmentAndAgentFiltersDecideDeliveries) {
  seed_directory();
  const std::string support =
      webhook_with_filters("support", {{"department_ids", json::array{"dep_support"}}});
  const std::string rahul = webhook_with_filters("rahul", {{"agent_ids", json::array{"agt_support_1"}}});
  const std::string outbound_sales = webhook_with_filters(
      "outbound sales",
      {{"direction", json::array{"outbound"}}, {"department_ids", json::array{"dep_sales"}}});
  const std::string all = webhook_with_filters("all", json::object{});

  using Hooks = std::set<std::string>;
  EXPECT_EQ(delivered_to(publish(call_event("call.summary", "c1", "agt_support_1", "dep_support"))),
            (Hooks{support, rahul, all}));
  EXPECT_EQ(delivered_to(publish(call_event("call.end", "c2", "agt_sales_1", "dep_support"))),
            (Hooks{support, all}));
  EXPECT_EQ(delivered_to(publish(call_event("call.summary", "c3", "agt_sales_1", "dep_sales", "outbound"))),
            (Hooks{outbound_sales, all}));
  EXPECT_EQ(delivered_to(publish(call_event("call.summary", "c4", "agt_sales_1", "dep_sales", "inbound"))),
            (Hooks{all}));
  // An event that names no department or agent does not pass a non-empty filter.
  EXPECT_EQ(delivered_to(publish(call_event("call.summary", "c5", "", ""))), (Hooks{all}));
  // Ids unknown to the directory still match filters on those ids.
  const std::string ghost = webhook_with_filters("ghost", {{"agent_ids", json::array{"agt_ghost"}}});
  EXPECT_EQ(delivered_to(publish(call_event("call.end", "c6", "agt_ghost", ""))), (Hooks{ghost, all}));
}

}  // namespace
}  // namespace switchboard::testing
