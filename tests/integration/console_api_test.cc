// What the dashboard console reads to say what is true (issue 17 items 5 and
// 8), end to end over a real Service delivering to real receivers: a delivery
// held behind an earlier failing event of its call says so and names it
// (`waiting_for_earlier`, `blocked_by`), `max_attempts` gives "retry 5 of 26",
// a webhook answering 500 says since when (`failing_since`), and a delivery's
// attempt timeline (GET /api/v2/deliveries/{id}/attempts) is company-scoped.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "api/identity_service.h"
#include "model/sample_events.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ConsoleApiTest : public ReceiverFixture {
 protected:
  static constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  receiver::Receiver& add_receiver(receiver::ReceiverOptions options = {}) {
    options.secrets = {kSecret};
    return ReceiverFixture::add_receiver(std::move(options));
  }

  std::string create_webhook(const receiver::Receiver& r) {
    json::object body{{"url", url_of(r)}, {"events", json::array{"call"}}, {"secret", kSecret}};
    auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.json().at("id").as_string());
  }

  void publish(const std::string& type, const std::string& call_id, const std::string& from = "",
               const std::string& status = "") {
    json::object data = model::sample_event_data(type);
    data.erase("test");
    data["call_id"] = call_id;
    if (!from.empty()) data["from"] = from;
    if (!status.empty()) data["status"] = status;
    auto r = server_->post("/api/v2/events", owner_,
                           json::serialize(json::object{{"type", type}, {"data", std::move(data)}}));
    EXPECT_EQ(r.status, 202) << r.body;
  }

  json::value get_json(const std::string& path, const std::string& token = "") {
    auto r = server_->get(path, token.empty() ? owner_ : token);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }

  // The webhook's deliveries, oldest first.
  json::array deliveries(const std::string& webhook_id) {
    auto list = get_json("/api/v2/webhooks/" + webhook_id + "/deliveries").at("data").as_array();
    return json::array(list.rbegin(), list.rend());
  }
};

TEST_F(ConsoleApiTest, HeldDeliveryNamesTheOneItWaitsForAndTheWebhookSaysSinceWhenItFails) {
  receiver::ReceiverOptions failing;
  failing.status = 500;
  auto& sink = add_receiver(failing);
  start_server();  // real time: the second attempt is 30 s away, past this test
  const std::string id = create_webhook(sink);
  EXPECT_TRUE(get_json("/api/v2/webhooks/" + id).at("failing_since").is_null());
  publish("call.initiated", "held-1");
  publish("call.answered", "held-1");
  publish("call.initiated", "other-call");
  ASSERT_TRUE(wait_until([&] {
    auto list = deliveries(id);
    return list.size() == 3 && list[0].at("attempts") == 1 && list[2].at("attempts") == 1;
  }));
  auto list = deliveries(id);
  const auto& head = list[0];
  const auto& held = list[1];
  const auto& other = list[2];
  EXPECT_EQ(head.at("state"), "pending");
  EXPECT_EQ(head.at("waiting_for_earlier"), false);
  EXPECT_TRUE(head.at("blocked_by").is_null());
  EXPECT_EQ(head.at("max_attempts"), 26);
  EXPECT_FALSE(head.at("next_attempt_at").is_null());
  EXPECT_EQ(held.at("state"), "pending");
  EXPECT_EQ(held.at("attempts"), 0);
  EXPECT_EQ(held.at("waiting_for_earlier"), true);
  EXPECT_EQ(held.at("blocked_by"), head.at("id"));
  EXPECT_EQ(other.at("waiting_for_earlier"), false);  // another call is not held

  // Failing since the first failed attempt (no success before it).
  auto timeline = get_json("/api/v2/deliveries/" + std::string(head.at("id").as_string()) + "/attempts");
  ASSERT_EQ(timeline.at("data").as_array().size(), 1u);
  const auto& attempt = timeline.at("data").at(0);
  EXPECT_EQ(attempt.at("status_code"), 500);
  EXPECT_EQ(timeline.at("delivery").at("id"), head.at("id"));
  // The request as sent, with its signature headers (not secrets) for a cURL command.
  bool signed_header = false;
  for (const auto& h : attempt.at("request").at("headers").as_array()) {
    if (h.at("name") == "X-MO-Signature") signed_header = h.at("value").as_string().starts_with("sha256=");
  }
  EXPECT_TRUE(signed_header) << json::serialize(attempt.at("request").at("headers"));
  auto webhook = get_json("/api/v2/webhooks/" + id);
  ASSERT_TRUE(webhook.at("failing_since").is_string()) << json::serialize(webhook);
  std::string earliest;
  for (const auto& d : {head, other}) {
    auto at = get_json("/api/v2/deliveries/" + std::string(d.at("id").as_string()) + "/attempts")
                  .at("data")
                  .at(0)
                  .at("at");
    if (earliest.empty() || std::string(at.as_string()) < earliest) earliest = std::string(at.as_string());
  }
  EXPECT_EQ(webhook.at("failing_since"), json::value(earliest));
  // The list says the same.
  EXPECT_EQ(get_json("/api/v2/webhooks").at("data").at(0).at("failing_since"), json::value(earliest));
  // The held one has no attempts yet, and its timeline says what it waits for.
  auto held_timeline = get_json("/api/v2/deliveries/" + std::string(held.at("id").as_string()) + "/attempts");
  EXPECT_TRUE(held_timeline.at("data").as_array().empty());
  EXPECT_EQ(held_timeline.at("delivery").at("blocked_by"), head.at("id"));
}

TEST_F(ConsoleApiTest, AWebhookWhoseLastOutcomeIsASuccessIsNotFailing) {
  receiver::ReceiverOptions flaky;
  flaky.fail_first = 2;
  auto& sink = add_receiver(flaky);
  start_server(3600.0);  // retries 8 ms, 17 ms apart
  const std::string id = create_webhook(sink);
  publish("call.end", "recovers");
  ASSERT_TRUE(wait_until([&] {
    auto list = deliveries(id);
    return list.size() == 1 && list[0].at("state") == "delivered";
  }));
  EXPECT_TRUE(get_json("/api/v2/webhooks/" + id).at("failing_since").is_null());
  const std::string delivery_id(deliveries(id)[0].at("id").as_string());
  auto timeline = get_json("/api/v2/deliveries/" + delivery_id + "/attempts");
  ASSERT_EQ(timeline.at("data").as_array().size(), 2u);  // the two failures; the success is the state
  EXPECT_EQ(timeline.at("data").at(0).at("attempt"), 1);
  EXPECT_EQ(timeline.at("data").at(1).at("attempt"), 2);
  EXPECT_EQ(timeline.at("delivery").at("state"), "delivered");
}

TEST_F(ConsoleApiTest, AttemptTimelineIsCompanyScoped) {
  auto& sink = add_receiver();
  start_server();
  const std::string id = create_webhook(sink);
  publish("call.end", "scoped");
  ASSERT_TRUE(wait_until([&] { return deliveries(id).size() == 1; }));
  const std::string delivery_id(deliveries(id)[0].at("id").as_string());
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  struct Case {
    std::string path;
    std::string token;
    int status;
  };
  const Case cases[] = {
      {"/api/v2/deliveries/" + delivery_id + "/attempts", owner_, 200},
      {"/api/v2/deliveries/" + delivery_id + "/attempts", other->owner_token, 404},
      {"/api/v2/deliveries/dlv_nope/attempts", owner_, 404},
      {"/api/v2/deliveries/" + delivery_id + "/attempts", "", 401},
  };
  for (const auto& c : cases) {
    auto r = c.token.empty() ? server_->get(c.path, std::nullopt) : server_->get(c.path, c.token);
    EXPECT_EQ(r.status, c.status) << c.path << ": " << r.body;
    if (c.status == 404) EXPECT_EQ(r.json().at("error").at("code"), "not_found");
  }
}

// GET /api/v2/search: by event id, delivery id, call id and phone number,
// each hit with its deliveries; company-scoped; bad input is a 422 naming q.
TEST_F(ConsoleApiTest, SearchFindsEventsByIdCallAndNumberInTheCompanyOnly) {
  auto& sink = add_receiver();
  start_server();
  const std::string id = create_webhook(sink);
  publish("call.initiated", "call-search-1", "+919811122233");
  publish("call.answered", "call-search-1", "+919811122233");
  publish("call.initiated", "call-other", "+14155550100");
  ASSERT_TRUE(wait_until([&] { return deliveries(id).size() == 3; }));
  auto list = deliveries(id);
  const std::string first_event(list[0].at("event_id").as_string());
  const std::string first_delivery(list[0].at("id").as_string());
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  struct Case {
    std::string q;
    std::size_t hits;
    std::string matched_by;
  };
  const Case cases[] = {
      {first_event, 1, "event_id"},
      {first_delivery, 1, "delivery_id"},
      {"call-search-1", 2, "call_id"},
      {"%2B91%2098111-22233", 2, "phone_number"},
      {"14155550100", 1, "phone_number"},
      {"no-such-call", 0, ""},
      {"evt_01JABCDEFGHJKMNPQRSTVWXYZ0", 0, ""},
  };
  for (const auto& c : cases) {
    auto found = get_json("/api/v2/search?q=" + c.q);
    const auto& data = found.at("data").as_array();
    ASSERT_EQ(data.size(), c.hits) << c.q << ": " << json::serialize(found);
    for (const auto& hit : data) {
      EXPECT_EQ(hit.at("matched_by"), json::value(c.matched_by)) << c.q;
      ASSERT_EQ(hit.at("deliveries").as_array().size(), 1u) << c.q;
      EXPECT_EQ(hit.at("deliveries").at(0).at("webhook_id"), json::value(id));
    }
    // Another company finds none of it.
    auto theirs = server_->get("/api/v2/search?q=" + c.q, other->owner_token);
    EXPECT_EQ(theirs.status, 200) << theirs.body;
    EXPECT_TRUE(theirs.json().at("data").as_array().empty()) << c.q;
  }
  EXPECT_EQ(get_json("/api/v2/search?q=call-search-1").at("data").at(0).at("call_id"), "call-search-1");
  for (const auto& [target, code] :
       {std::pair{std::string("/api/v2/search"), "required"},
        std::pair{std::string("/api/v2/search?q=%20"), "required"},
        std::pair{"/api/v2/search?q=" + std::string(129, 'x'), "too_long"},
        std::pair{std::string("/api/v2/search?q=a&limit=0"), "invalid_value"},
        std::pair{std::string("/api/v2/search?q=a&limit=51"), "invalid_value"}}) {
    auto r = server_->get(target, owner_);
    EXPECT_EQ(r.status, 422) << target;
    EXPECT_EQ(r.json().at("error").at("code"), code) << target;
  }
}

// GET /api/v2/calls: one row per recent call, its true state (answered, then
// an end that is not `completed`, reads disconnected, never missed), paged;
// company-scoped; bad input is a 422 naming the field.
TEST_F(ConsoleApiTest, CallHistoryFoldsEachCallAndNeverSaysMissedAfterAnAnswer) {
  start_server();
  publish("call.initiated", "answered-then-dropped");
  publish("call.answered", "answered-then-dropped");
  publish("call.end", "answered-then-dropped", "", "no_answer");
  publish("call.initiated", "never-answered");
  publish("call.end", "never-answered", "", "no_answer");
  publish("call.initiated", "still-ringing");
  auto calls = get_json("/api/v2/calls");
  std::map<std::string, json::object> by_id;
  for (const auto& c : calls.at("data").as_array())
    by_id[std::string(c.at("call_id").as_string())] = c.as_object();
  ASSERT_EQ(by_id.size(), 3u) << json::serialize(calls);
  EXPECT_EQ(by_id["answered-then-dropped"].at("state"), "disconnected");
  EXPECT_FALSE(by_id["answered-then-dropped"].at("answered_at").is_null());
  EXPECT_EQ(by_id["answered-then-dropped"].at("agent_id"), "agt_test");
  EXPECT_EQ(by_id["answered-then-dropped"].at("events"), 3);
  EXPECT_EQ(by_id["never-answered"].at("state"), "missed");
  EXPECT_FALSE(by_id["never-answered"].at("ended_at").is_null());
  EXPECT_EQ(by_id["still-ringing"].at("state"), "ringing");
  EXPECT_TRUE(by_id["still-ringing"].at("ended_at").is_null());
  EXPECT_EQ(calls.at("truncated"), false);
  // Paged.
  auto first = get_json("/api/v2/calls?limit=2");
  ASSERT_EQ(first.at("data").as_array().size(), 2u);
  ASSERT_TRUE(first.at("next_cursor").is_string());
  auto second = get_json("/api/v2/calls?limit=2&cursor=" + std::string(first.at("next_cursor").as_string()));
  ASSERT_EQ(second.at("data").as_array().size(), 1u);
  EXPECT_TRUE(second.at("next_cursor").is_null());
  // Another company sees none of it.
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(server_->get("/api/v2/calls", other->owner_token).json().at("data").as_array().empty());
  for (const auto& [target, field] :
       {std::pair{"/api/v2/calls?since=yesterday", "since"},
        std::pair{"/api/v2/calls?since=2000-01-01T00:00:00Z", "since"},
        std::pair{"/api/v2/calls?limit=0", "limit"}, std::pair{"/api/v2/calls?limit=201", "limit"}}) {
    auto r = server_->get(target, owner_);
    EXPECT_EQ(r.status, 422) << target;
    EXPECT_EQ(r.json().at("error").at("field"), field) << target;
  }
}

}  // namespace
}  // namespace switchboard::testing
