// Calling webhooks v1 end to end, in-process: the real Service (SQLite, HTTP
// API, the v2 engine and the v1 dispatcher) delivering over TLS to real
// `switchboard receive` receivers on loopback. Retries run faster
// (--time-scale); tests wait for conditions with generous deadlines.
#include <gtest/gtest.h>

#include <boost/url.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "model/sample_events.h"
#include "model/v1_webhook.h"
#include "receiver/receiver.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object call_data(std::string_view type, const std::string& call_id) {
  json::object data = model::sample_event_data(type);
  data.erase("test");
  data["call_id"] = call_id;
  return data;
}

std::map<std::string, std::string> lower_headers(const receiver::ReceivedEvent& event) {
  std::map<std::string, std::string> out;
  for (auto [k, v] : event.headers) {
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[k] = v;
  }
  return out;
}

class V1WebhooksTest : public ReceiverFixture {
 protected:
  void start_server(double time_scale = 1.0, bool v1_stop_after_sunset = false) {
    auto config = delivery_config(time_scale);
    config.v1_stop_after_sunset = v1_stop_after_sunset;
    ReceiverFixture::start_server(std::move(config));
  }

  static std::string url_of(const receiver::Receiver& r, const std::string& path = "/legacy") {
    return ReceiverFixture::url_of(r, path);
  }

  json::object create_v1(json::object body) {
    auto created = server_->post("/api/v1/webhooks", owner_, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.json().as_object();
  }

  json::value publish(const std::string& type, json::object data) {
    json::object event{{"type", type}, {"data", std::move(data)}};
    auto r = server_->post("/api/v2/events", owner_, json::serialize(event));
    EXPECT_EQ(r.status, 202) << r.body;
    return r.json();
  }
};

TEST_F(V1WebhooksTest, PostsTheLegacyPayloadWithSelectedFieldsHeadersAndQuery) {
  auto& sink = add_receiver();
  start_server();
  auto hook =
      create_v1({{"type", "incall"},
                 {"url", url_of(sink)},
                 {"headers", json::array{json::object{{"key", "X-Token"}, {"value", "tok-123"}}}},
                 {"query", json::array{json::object{{"key", "api_key"}, {"value", "k&1"}}}},
                 {"fields", json::array{"uid", "company_id", "clid", "call_state", "event", "users"}}});
  // Secrets are masked in answers.
  EXPECT_EQ(hook.at("headers").at(0).at("value"), "********");
  EXPECT_EQ(hook.at("query").at(0).at("value"), "********");
  EXPECT_EQ(hook.at("method"), "POST");

  auto data = call_data("call.answered", "call_v1_post");
  publish("call.answered", data);
  ASSERT_TRUE(sink.wait_for(1, 30s));
  auto got = sink.events().at(0);
  auto headers = lower_headers(got);
  EXPECT_EQ(headers["x-token"], "tok-123");
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(got.target, "/legacy?api_key=k%261");
  auto body = json::parse(got.body).as_object();
  ASSERT_EQ(body.size(), 1u);
  const auto& m = body.at("myoperator").as_object();
  EXPECT_EQ(m.size(), 6u);
  EXPECT_EQ(m.at("uid"), "call_v1_post");
  EXPECT_EQ(m.at("event"), "1");
  EXPECT_EQ(m.at("call_state"), "3");
  EXPECT_TRUE(m.at("company_id").is_string());
  EXPECT_TRUE(m.at("users").is_array());
  EXPECT_FALSE(m.contains("public_ivr_id"));

  // The delivery is listed as delivered.
  const std::string id(hook.at("id").as_string());
  ASSERT_TRUE(wait_until([&] {
    auto list = server_->get("/api/v1/webhooks/" + id + "/deliveries?state=delivered", owner_).json();
    return list.at("data").as_array().size() == 1;
  }));
}

TEST_F(V1WebhooksTest, GetSendsTheSelectedFieldsAsQueryParameters) {
  auto& sink = add_receiver();
  start_server();
  create_v1({{"type", "after_call"},
             {"url", url_of(sink, "/get")},
             {"method", "GET"},
             {"fields", json::array{"uid", "event", "call_state"}}});
  publish("call.initiated", call_data("call.initiated", "call_v1_get"));  // incall: not this webhook
  publish("call.end", call_data("call.end", "call_v1_get"));
  ASSERT_TRUE(sink.wait_for(1, 30s));
  auto got = sink.events().at(0);
  EXPECT_TRUE(got.body.empty());
  auto target = boost::urls::parse_origin_form(got.target);
  ASSERT_TRUE(target.has_value()) << got.target;
  EXPECT_EQ(target->path(), "/get");
  std::vector<std::pair<std::string, std::string>> params;
  for (auto p : target->params()) params.emplace_back(p.key, p.value);
  EXPECT_EQ(params, (std::vector<std::pair<std::string, std::string>>{
                        {"uid", "call_v1_get"}, {"event", "2"}, {"call_state", "4"}}));
  EXPECT_EQ(sink.count(), 1u);
}

TEST_F(V1WebhooksTest, AnswersCarryDeprecationSunsetAndThePastSunsetWarning) {
  start_server();
  auto r = server_->get("/api/v1/webhooks", owner_);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["deprecation"], model::v1_deprecation_header());
  EXPECT_EQ(r.headers["sunset"], "Fri, 31 Jul 2026 00:00:00 GMT");
  // Today is past the sunset (2026-07-31) and the default is to continue.
  const bool past = std::chrono::system_clock::now() >= model::v1_sunset_time();
  if (past) {
    EXPECT_TRUE(r.headers["warning"].starts_with("299 - \"")) << r.headers["warning"];
    EXPECT_TRUE(r.json().at("warning").as_string().find("continue") != json::string::npos);
  }
  auto invalid =
      server_->post("/api/v1/webhooks", owner_, R"({"type":"incall","url":"http://example.com/x"})");
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_NE(invalid.body.find("Valid HTTPS URL required."), std::string::npos);
  EXPECT_EQ(invalid.headers["sunset"], "Fri, 31 Jul 2026 00:00:00 GMT");
  auto unknown_field = server_->post("/api/v1/webhooks", owner_,
                                     R"({"type":"incall","url":"https://example.com/x","fields":["nope"]})");
  EXPECT_EQ(unknown_field.status, 422) << unknown_field.body;  // a legacy field name it does not know
  auto unknown_member = server_->post("/api/v1/webhooks", owner_,
                                      R"({"type":"incall","url":"https://example.com/x","colour":"red"})");
  EXPECT_EQ(unknown_member.status, 400) << unknown_member.body;  // api.md: unknown field -> 400, as in v2
  EXPECT_EQ(unknown_member.json().at("error").at("code"), "unknown_field");
  EXPECT_EQ(unknown_member.json().at("error").at("field"), "colour");
  EXPECT_EQ(server_->get("/api/v1/webhooks/v1wh_missing", owner_).status, 404);
}

TEST_F(V1WebhooksTest, RetriesThreeTimesThenDropsVisibleInTheApi) {
  receiver::ReceiverOptions failing;
  failing.status = 503;
  auto& sink = add_receiver(failing);
  start_server(/*time_scale=*/1000.0);  // 30 s between attempts -> 30 ms
  auto hook = create_v1({{"type", "disposition"}, {"url", url_of(sink)}});
  const std::string id(hook.at("id").as_string());
  publish("call.disposition", call_data("call.disposition", "call_v1_drop"));
  ASSERT_TRUE(wait_until([&] {
    auto list = server_->get("/api/v1/webhooks/" + id + "/deliveries?state=dropped", owner_).json();
    return list.at("data").as_array().size() == 1;
  }));
  auto dropped =
      server_->get("/api/v1/webhooks/" + id + "/deliveries?state=dropped", owner_).json().at("data").at(0);
  EXPECT_EQ(dropped.at("attempts"), 4);  // 1 + 3 retries
  EXPECT_EQ(dropped.at("last_status_code"), 503);
  EXPECT_EQ(dropped.at("event_type"), "call.disposition");
  EXPECT_EQ(sink.count(), 4u);
  // Nothing more is sent after the drop.
  auto pending = server_->get("/api/v1/webhooks/" + id + "/deliveries?state=pending", owner_).json();
  EXPECT_TRUE(pending.at("data").as_array().empty());
}

TEST_F(V1WebhooksTest, V1AndV2BothReceiveTheSameEvent) {
  auto& v1_sink = add_receiver();
  auto& v2_sink = add_receiver();
  start_server();
  create_v1({{"type", "after_call"}, {"url", url_of(v1_sink)}});
  auto v2 = server_->post(
      "/api/v2/webhooks", owner_,
      json::serialize(json::object{{"url", url_of(v2_sink, "/v2")}, {"events", json::array{"call.end"}}}));
  ASSERT_EQ(v2.status, 201) << v2.body;
  auto accepted = publish("call.end", call_data("call.end", "call_both"));
  ASSERT_TRUE(v1_sink.wait_for(1, 30s));
  ASSERT_TRUE(v2_sink.wait_for(1, 30s));
  EXPECT_EQ(v2_sink.events().at(0).event_id, std::string(accepted.at("event_id").as_string()));
  auto legacy = json::parse(v1_sink.events().at(0).body);
  EXPECT_EQ(legacy.at("myoperator").at("uid"), "call_both");
  EXPECT_EQ(legacy.at("myoperator").at("event"), "2");
}

TEST_F(V1WebhooksTest, DisabledWebhooksGetNothingAndPatchKeepsMaskedSecrets) {
  auto& sink = add_receiver();
  start_server();
  auto hook = create_v1({{"type", "incall"},
                         {"url", url_of(sink)},
                         {"enabled", false},
                         {"headers", json::array{json::object{{"key", "X-Token"}, {"value", "keep-me"}}}}});
  const std::string id(hook.at("id").as_string());
  publish("call.initiated", call_data("call.initiated", "call_off"));
  auto patched = server_->patch("/api/v1/webhooks/" + id, owner_,
                                R"({"headers":[{"key":"X-Token","value":"********"}],"fields":["uid"]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  ASSERT_EQ(server_->post("/api/v1/webhooks/" + id + "/enable", owner_).status, 200);
  publish("call.initiated", call_data("call.initiated", "call_on"));
  ASSERT_TRUE(sink.wait_for(1, 30s));
  auto got = sink.events().at(0);
  EXPECT_EQ(lower_headers(got)["x-token"], "keep-me");
  EXPECT_EQ(json::parse(got.body), json::parse(R"({"myoperator":{"uid":"call_on"}})"));
  EXPECT_EQ(sink.count(), 1u);
  EXPECT_EQ(server_->del("/api/v1/webhooks/" + id, owner_).status, 204);
  EXPECT_EQ(server_->get("/api/v1/webhooks/" + id, owner_).status, 404);
}

TEST_F(V1WebhooksTest, StopAfterSunsetKeepsV1DeliveriesPendingWhileV2Delivers) {
  if (std::chrono::system_clock::now() < model::v1_sunset_time()) GTEST_SKIP() << "before the v1 sunset";
  auto& v1_sink = add_receiver();
  auto& v2_sink = add_receiver();
  start_server(1.0, /*v1_stop_after_sunset=*/true);
  auto hook = create_v1({{"type", "after_call"}, {"url", url_of(v1_sink)}});
  EXPECT_NE(hook.at("warning").as_string().find("no longer sends"), json::string::npos);
  auto v2 = server_->post(
      "/api/v2/webhooks", owner_,
      json::serialize(json::object{{"url", url_of(v2_sink, "/v2")}, {"events", json::array{"call.end"}}}));
  ASSERT_EQ(v2.status, 201) << v2.body;
  publish("call.end", call_data("call.end", "call_stopped"));
  ASSERT_TRUE(v2_sink.wait_for(1, 30s));
  const std::string id(hook.at("id").as_string());
  auto pending = server_->get("/api/v1/webhooks/" + id + "/deliveries?state=pending", owner_).json();
  EXPECT_EQ(pending.at("data").as_array().size(), 1u);
  EXPECT_EQ(v1_sink.count(), 0u);
}

// Issue 12 item 5 for v1: a manager with the webhooks grant PATCHes only the URL
// to a host they control; the owner's header and query values must not follow.
TEST_F(V1WebhooksTest, AManagerCannotSendTheStoredValuesToAnotherOrigin) {
  auto& crm = add_receiver();
  auto& attacker = add_receiver();  // another port on loopback: another origin
  start_server();
  auto hook = create_v1(
      {{"type", "after_call"},
       {"url", url_of(crm)},
       {"headers", json::array{json::object{{"key", "Authorization"}, {"value", "Bearer owner-Zq81"}},
                               json::object{{"key", "X-Tenant"}, {"value", "acme-Zq81"}}}},
       {"query", json::array{json::object{{"key", "api_key"}, {"value", "owner-key-Zq81"}}}}});
  const std::string path = "/api/v1/webhooks/" + std::string(hook.at("id").as_string());
  auto user = server_->post("/api/v2/users", owner_,
                            R"({"name":"Mallory","email":"mallory@example.test","role":"manager"})");
  ASSERT_EQ(user.status, 201) << user.body;
  ASSERT_EQ(server_->put("/api/v2/permissions", owner_, R"({"managers_can_manage_webhooks":true})").status,
            200);
  const std::string manager(user.json().at("token").as_string());
  const json::value before = server_->get(path, owner_).json();
  const auto fields_and_codes = [](const HttpResult& r) {
    std::vector<std::pair<std::string, std::string>> out;
    const json::value body = r.json();
    for (const auto& e : body.at("errors").as_array()) {
      out.emplace_back(std::string(e.at("field").as_string()), std::string(e.at("code").as_string()));
    }
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> all_kept{
      {"headers[0].value", "credentials_required"},
      {"headers[1].value", "credentials_required"},
      {"query[0].value", "credentials_required"}};

  // The attack: only the URL changes.
  auto r = server_->patch(path, manager, json::serialize(json::object{{"url", url_of(attacker)}}));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(fields_and_codes(r), all_kept);
  // Nor with the masked values sent back.
  r = server_->patch(
      path, manager,
      json::serialize(json::object{
          {"url", url_of(attacker)}, {"headers", before.at("headers")}, {"query", before.at("query")}}));
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(fields_and_codes(r), all_kept);
  // Nothing changed.
  EXPECT_EQ(server_->get(path, owner_).json(), before);

  // A same-origin move keeps everything.
  r = server_->patch(path, manager, json::serialize(json::object{{"url", url_of(crm, "/moved")}}));
  ASSERT_EQ(r.status, 200) << r.body;
  publish("call.end", call_data("call.end", "call_same_origin"));
  ASSERT_TRUE(crm.wait_for(1, 30s));
  auto got = crm.events().at(0);
  EXPECT_EQ(lower_headers(got)["authorization"], "Bearer owner-Zq81");
  EXPECT_EQ(got.target, "/moved?api_key=owner-key-Zq81");

  // Moving with the values entered again (or removed) is allowed, and the new
  // host never sees the owner's.
  r = server_->patch(
      path, manager,
      json::serialize(json::object{
          {"url", url_of(attacker)},
          {"headers", json::array{json::object{{"key", "Authorization"}, {"value", "Bearer typed"}},
                                  json::object{{"key", "X-Tenant"}, {"value", "typed"}}}},
          {"query", json::array{}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  publish("call.end", call_data("call.end", "call_moved"));
  ASSERT_TRUE(attacker.wait_for(1, 30s));
  got = attacker.events().at(0);
  EXPECT_EQ(lower_headers(got)["authorization"], "Bearer typed");
  EXPECT_EQ(got.target, "/legacy");
  for (const auto& [name, value] : lower_headers(got))
    EXPECT_EQ(value.find("Zq81"), std::string::npos) << name;
  EXPECT_EQ(got.body.find("Zq81"), std::string::npos);
  EXPECT_EQ(crm.count(), 1u);
}

}  // namespace
}  // namespace switchboard::testing
