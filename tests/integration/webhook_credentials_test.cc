// Webhook credentials over real HTTP (issue 12 items 4 and 5): custom header
// values are sealed at rest and masked in every answer and in the failure
// inspect; a PATCH keeps or replaces them; and a URL moved to another origin
// never takes the stored credentials along unasked (the attack of a manager
// who points the webhook at a host of theirs and sends a test event).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "model/sample_events.h"
#include "receiver/receiver.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kBearer = "Bearer header-secret-Tk93bq";
constexpr const char* kSourceValue = "source-secret-Qm27x";
constexpr const char* kPassword = "basic-password-Zr81v";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `first_key`: not Authorization beside Basic auth, which sets it.
json::array secret_headers(const char* first_key = "Authorization") {
  return json::array{json::object{{"key", first_key}, {"value", kBearer}},
                     json::object{{"key", "X-Source"}, {"value", kSourceValue}}};
}

// Lower-case name -> value of what a receiver got.
std::map<std::string, std::string> headers_of(const receiver::ReceivedEvent& event) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : event.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[lower] = value;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> fields_and_codes(const HttpResult& r) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::value body = r.json();
  for (const auto& e : body.at("errors").as_array()) {
    out.emplace_back(std::string(e.at("field").as_string()), std::string(e.at("code").as_string()));
  }
  return out;
}

// --- item 4 over the API only -------------------------------------------------

class HeaderSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
  }

  static void expect_no_header_secret(const std::string& text, const std::string& what) {
    EXPECT_EQ(text.find("header-secret-Tk93bq"), std::string::npos) << what << ": " << text;
    EXPECT_EQ(text.find(kSourceValue), std::string::npos) << what << ": " << text;
  }

  model::Webhook stored(const std::string& id) {
    auto webhook =
        server_->service().store().get_webhook(server_->service().store().list_companies()->front().id, id);
    EXPECT_TRUE(webhook.has_value());
    return webhook ? *webhook : model::Webhook{};
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(HeaderSecretsTest, ValuesAreMaskedInEveryAnswerAndNamesStayVisible) {
  auto created = server_->post("/api/v2/webhooks", owner_, webhook_body({{"headers", secret_headers()}}));
  ASSERT_EQ(created.status, 201) << created.body;
  expect_no_header_secret(created.body, "create");
  const std::string id(created.json().at("id").as_string());
  const std::string path = "/api/v2/webhooks/" + id;
  const json::value created_json = created.json();
  const json::array& shown = created_json.at("headers").as_array();
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0], (json::object{{"key", "Authorization"}, {"value", "********"}}));
  EXPECT_EQ(shown[1], (json::object{{"key", "X-Source"}, {"value", "********"}}));

  expect_no_header_secret(server_->get(path, owner_).body, "get");
  expect_no_header_secret(server_->get("/api/v2/webhooks", owner_).body, "list");
  auto patched = server_->patch(path, owner_, R"({"name":"Renamed"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  expect_no_header_secret(patched.body, "patch");
  for (const char* action : {"/disable", "/enable", "/secret/rotate"}) {
    auto r = server_->post(path + action, owner_);
    ASSERT_EQ(r.status, 200) << action << ": " << r.body;
    expect_no_header_secret(r.body, action);
  }
  // The values are still the ones entered.
  EXPECT_EQ(stored(id).spec.headers,
            (std::vector<model::KeyValue>{{"Authorization", kBearer}, {"X-Source", kSourceValue}}));
}

TEST_F(HeaderSecretsTest, PatchKeepsMaskedValuesByKeyAndReplacesTheOthers) {
  auto created = server_->post("/api/v2/webhooks", owner_, webhook_body({{"headers", secret_headers()}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());
  const std::string path = "/api/v2/webhooks/" + id;

  // Sending back what was read changes nothing.
  auto r =
      server_->patch(path, owner_, json::serialize(json::object{{"headers", created.json().at("headers")}}));
  EXPECT_EQ(r.status, 409) << r.body;

  // One header edited, the other kept by sending its masked value back.
  r = server_->patch(path, owner_, R"({"headers":[{"key":"authorization","value":"********"},
                                                  {"key":"X-Source","value":"edited"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(stored(id).spec.headers,
            (std::vector<model::KeyValue>{{"authorization", kBearer}, {"X-Source", "edited"}}));

  // A masked value for a header that has none stored is refused, nothing changes.
  r = server_->patch(path, owner_, R"({"headers":[{"key":"X-New","value":"********"}]})");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json().at("error").at("field"), "headers[0].value");
  EXPECT_EQ(r.json().at("error").at("code"), "invalid_value");
  EXPECT_EQ(stored(id).spec.headers.size(), 2u);
  // On create there is nothing to keep.
  r = server_->post(
      "/api/v2/webhooks", owner_,
      webhook_body({{"headers", json::array{json::object{{"key", "X-A"}, {"value", "********"}}}}}));
  EXPECT_EQ(r.status, 422) << r.body;

  // Left out, the headers stay; null removes them.
  ASSERT_EQ(server_->patch(path, owner_, R"({"description":"d"})").status, 200);
  EXPECT_EQ(stored(id).spec.headers.size(), 2u);
  ASSERT_EQ(server_->patch(path, owner_, R"({"headers":null})").status, 200);
  EXPECT_TRUE(stored(id).spec.headers.empty());
}

TEST_F(HeaderSecretsTest, ValuesAreNotStoredInClear) {
  auto created = server_->post("/api/v2/webhooks", owner_, webhook_body({{"headers", secret_headers()}}));
  ASSERT_EQ(created.status, 201) << created.body;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    expect_no_header_secret(read_file(entry.path()), entry.path().string());
  }
}

// --- items 4 and 5 with deliveries to real receivers ----------------------------

class CredentialDeliveryTest : public ReceiverFixture {
 protected:
  // A receiver that accepts any timestamp.
  receiver::Receiver& add_receiver(receiver::ReceiverOptions options = {}) {
    options.timestamp_tolerance = std::nullopt;
    return ReceiverFixture::add_receiver(std::move(options));
  }

  std::string create_webhook(const receiver::Receiver& r, json::object overrides) {
    json::object body{{"url", url_of(r)}, {"events", json::array{"call"}}};
    for (const auto& f : overrides) body[f.key()] = f.value();
    auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.json().at("id").as_string());
  }

  // A manager of the company, with the webhooks grant.
  std::string manager_with_grant() {
    auto r = server_->post("/api/v2/users", owner_,
                           R"({"name":"Mallory","email":"mallory@example.test","role":"manager"})");
    EXPECT_EQ(r.status, 201) << r.body;
    auto grant = server_->put("/api/v2/permissions", owner_, R"({"managers_can_manage_webhooks":true})");
    EXPECT_EQ(grant.status, 200) << grant.body;
    return std::string(r.json().at("token").as_string());
  }

  // Sends a test event and waits until `sink` has `count` requests.
  void send_test(const std::string& token, const std::string& id) {
    auto r = server_->post("/api/v2/webhooks/" + id + "/test", token, R"({"event_type":"call.answered"})");
    EXPECT_LT(r.status, 300) << r.body;
  }
};

TEST_F(CredentialDeliveryTest, FailureInspectMasksCustomHeaderValues) {
  receiver::ReceiverOptions failing;
  failing.status = 500;
  auto& sink = add_receiver(failing);
  start_server(3600.0);
  const std::string id = create_webhook(sink, {{"headers", secret_headers()}});
  json::object data = model::sample_event_data("call.end");
  data.erase("test");
  auto published = server_->post("/api/v2/events", owner_,
                                 json::serialize(json::object{{"type", "call.end"}, {"data", data}}));
  ASSERT_EQ(published.status, 202) << published.body;
  // The receiver did get the real values.
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 1; }));
  EXPECT_EQ(headers_of(sink.events().front())["authorization"], kBearer);

  HttpResult failures;
  ASSERT_TRUE(wait_until([&] {
    failures = server_->get("/api/v2/webhooks/" + id + "/failures", owner_);
    return failures.status == 200 && !failures.json().at("data").as_array().empty();
  }));
  const std::string attempt_id(failures.json().at("data").at(0).at("id").as_string());
  auto detail = server_->get("/api/v2/webhooks/" + id + "/failures/" + attempt_id, owner_);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.body.find("header-secret-Tk93bq"), std::string::npos) << detail.body;
  EXPECT_EQ(detail.body.find(kSourceValue), std::string::npos) << detail.body;
  std::map<std::string, std::string> shown;
  const json::value detail_json = detail.json();
  for (const auto& h : detail_json.at("request").at("headers").as_array()) {
    shown[std::string(h.at("name").as_string())] = std::string(h.at("value").as_string());
  }
  EXPECT_EQ(shown["Authorization"], "********");
  EXPECT_EQ(shown["X-Source"], "********");
  EXPECT_EQ(shown["Content-Type"], "application/json");
  // Not stored in clear either: the attempt log has only the masked copy.
  auto attempt = server_->service().store().get_attempt(
      server_->service().store().list_companies()->front().id, id, attempt_id);
  ASSERT_TRUE(attempt.has_value());
  EXPECT_EQ(attempt->request_headers.find(kSourceValue), std::string::npos) << attempt->request_headers;
}

TEST_F(CredentialDeliveryTest, AManagerCannotSendTheStoredPasswordToAnotherOrigin) {
  auto& crm = add_receiver();
  auto& attacker = add_receiver();  // another port on loopback: another origin
  start_server();
  const std::string id = create_webhook(
      crm, {{"auth", json::object{{"type", "basic"}, {"username", "owner"}, {"password", kPassword}}},
            {"headers", secret_headers("X-Api-Token")},
            {"secret", "generate"}});
  const std::string path = "/api/v2/webhooks/" + id;
  const std::string manager = manager_with_grant();
  const json::value before = server_->get(path, owner_).json();

  // The attack: only the URL changes.
  auto r = server_->patch(path, manager, json::serialize(json::object{{"url", url_of(attacker)}}));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(fields_and_codes(r),
            (std::vector<std::pair<std::string, std::string>>{{"auth.password", "credentials_required"},
                                                              {"headers[0].value", "credentials_required"},
                                                              {"headers[1].value", "credentials_required"},
                                                              {"secret", "secret_decision_required"}}));
  // Nor with the masked values sent back and the secret kept.
  r = server_->patch(
      path, manager,
      json::serialize(json::object{
          {"url", url_of(attacker)},
          {"auth", json::object{{"type", "basic"}, {"username", "owner"}, {"password", "********"}}},
          {"headers", before.at("headers")},
          {"secret", "keep"}}));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(fields_and_codes(r),
            (std::vector<std::pair<std::string, std::string>>{{"auth.password", "credentials_required"},
                                                              {"headers[0].value", "credentials_required"},
                                                              {"headers[1].value", "credentials_required"}}));
  // Nothing changed, and a test event still goes to the CRM only.
  EXPECT_EQ(server_->get(path, owner_).json(), before);
  send_test(manager, id);
  ASSERT_TRUE(wait_until([&] { return crm.count() >= 1; }));
  EXPECT_EQ(attacker.count(), 0u);

  // Moving with the credentials dropped and the secret rotated is allowed...
  r = server_->patch(path, manager,
                     json::serialize(json::object{
                         {"url", url_of(attacker)},
                         {"auth", json::object{{"type", "none"}}},
                         {"headers", json::array{json::object{{"key", "X-Source"}, {"value", "typed"}}}},
                         {"secret", "generate"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().as_object().contains("previous_secret_expires_at"))
      << "the old secret must not sign for the new receiver";
  // ...and the new host never sees the owner's password or header values.
  send_test(manager, id);
  ASSERT_TRUE(wait_until([&] { return attacker.count() >= 1; }));
  for (const auto& event : attacker.events()) {
    auto headers = headers_of(event);
    EXPECT_EQ(headers.count("authorization"), 0u);
    EXPECT_EQ(headers["x-source"], "typed");
    for (const auto& [name, value] : headers) {
      EXPECT_EQ(value.find(kSourceValue), std::string::npos) << name;
      EXPECT_EQ(value.find("header-secret-Tk93bq"), std::string::npos) << name;
    }
  }
}

TEST_F(CredentialDeliveryTest, SameOriginUrlChangesKeepEverything) {
  auto& crm = add_receiver();
  start_server();
  const std::string id = create_webhook(
      crm, {{"auth", json::object{{"type", "basic"}, {"username", "owner"}, {"password", kPassword}}},
            {"headers", secret_headers("X-Api-Token")},
            {"secret", "generate"}});
  auto r = server_->patch("/api/v2/webhooks/" + id, owner_,
                          json::serialize(json::object{{"url", url_of(crm, "/other/path?tenant=1")}}));
  ASSERT_EQ(r.status, 200) << r.body;
  send_test(owner_, id);
  ASSERT_TRUE(wait_until([&] { return crm.count() >= 1; }));
  const auto event = crm.events().front();
  EXPECT_EQ(event.target, "/other/path?tenant=1");
  auto headers = headers_of(event);
  EXPECT_TRUE(headers["authorization"].starts_with("Basic ")) << headers["authorization"];
  EXPECT_EQ(headers["x-api-token"], kBearer);
  EXPECT_EQ(headers["x-source"], kSourceValue);
}

TEST_F(CredentialDeliveryTest, AnotherOriginWithCredentialsEnteredAgainAndTheSecretKept) {
  auto& crm = add_receiver();
  auto& moved = add_receiver();
  start_server();
  const std::string id = create_webhook(
      crm, {{"auth", json::object{{"type", "basic"}, {"username", "owner"}, {"password", kPassword}}},
            {"secret", "generate"}});
  auto r = server_->patch(
      "/api/v2/webhooks/" + id, owner_,
      json::serialize(json::object{
          {"url", url_of(moved)},
          {"auth", json::object{{"type", "basic"}, {"username", "owner"}, {"password", "entered-again"}}},
          {"secret", "keep"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("has_secret"), true);
  EXPECT_FALSE(r.json().as_object().contains("secret")) << "a kept secret is not shown";
  send_test(owner_, id);
  ASSERT_TRUE(wait_until([&] { return moved.count() >= 1; }));
  auto headers = headers_of(moved.events().front());
  EXPECT_EQ(headers["authorization"], "Basic b3duZXI6ZW50ZXJlZC1hZ2Fpbg==");  // owner:entered-again
  EXPECT_FALSE(headers["webhook-signature"].empty());
}

}  // namespace
}  // namespace switchboard::testing
