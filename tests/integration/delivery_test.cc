// Delivery end to end, in-process: the real Service (SQLite, HTTP API, delivery
// engine with libcurl) delivering over TLS to a real `switchboard receive`
// receiver on loopback. Policy time runs faster (--time-scale) so the 24-hour
// retry schedule is observed in seconds; nothing depends on tight sleeps:
// tests wait for conditions with generous deadlines.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "model/event_catalog.h"
#include "model/event_schema.h"
#include "model/sample_events.h"
#include "receiver/receiver.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A complete, schema-valid `data` for `type` (model/sample_events.h) for the
// call or conversation `id`, with `extra` fields added.
json::object event_data(std::string_view type, const std::string& id, const json::object& extra = {}) {
  json::object data = model::sample_event_data(type);
  data.erase("test");
  data[type.starts_with("call.") ? "call_id" : "conversation_id"] = id;
  for (const auto& f : extra) data[f.key()] = f.value();
  return data;
}

class DeliveryTest : public ReceiverFixture {
 protected:
  // A receiver that checks signatures with kSecret unless told other secrets.
  receiver::Receiver& add_receiver(receiver::ReceiverOptions options = {}) {
    if (options.secrets.empty()) options.secrets = {kSecret};
    return ReceiverFixture::add_receiver(std::move(options));
  }

  void start_server(double time_scale = 1.0, bool allow_private = true,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) {
    auto config = delivery_config(time_scale);
    config.allow_private_networks = allow_private;
    config.delivery_timeout = timeout;
    ReceiverFixture::start_server(std::move(config));
  }

  std::string create_webhook(const receiver::Receiver& r, json::object overrides = {},
                             std::string path = "/hooks") {
    json::object body{{"url", "https://127.0.0.1:" + std::to_string(r.port()) + path},
                      {"events", json::array{"call", "whatsapp"}},
                      {"secret", kSecret}};
    for (const auto& f : overrides) body[f.key()] = f.value();
    auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.json().at("id").as_string());
  }

  json::value publish(const std::string& type, json::object data,
                      std::optional<std::string> occurred_at = {}) {
    json::object event{{"type", type}, {"data", std::move(data)}};
    if (occurred_at) event["occurred_at"] = *occurred_at;
    auto r = server_->post("/api/v2/events", owner_, json::serialize(event));
    EXPECT_EQ(r.status, 202) << r.body;
    return r.json();
  }

  json::value get_json(const std::string& path) {
    auto r = server_->get(path, owner_);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }

  static constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
};

TEST_F(DeliveryTest, DeliversSignedEnvelopeWithEveryHeader) {
  auto& sink = add_receiver();
  start_server();
  create_webhook(sink,
                 {{"auth", json::object{{"type", "basic"}, {"username", "u"}, {"password", "p@ss"}}},
                  {"headers", json::array{json::object{{"key", "X-Source"}, {"value", "switchboard"}}}}});
  auto accepted = publish("call.answered", event_data("call.answered", "c1", {{"note", "h\u00e9llo \"q\""}}));
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 1; }));
  auto events = sink.events();
  ASSERT_EQ(events.size(), 1u);
  const auto& got = events[0];
  EXPECT_TRUE(got.signatures_ok) << (got.signature_errors.empty() ? "" : got.signature_errors[0]);
  EXPECT_EQ(got.event_id, std::string(accepted.at("event_id").as_string()));
  EXPECT_EQ(got.attempt, 1);
  EXPECT_EQ(got.sequence, 1);
  std::map<std::string, std::string> headers;
  for (auto& [k, v] : got.headers) {
    std::string lower = k;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[lower] = v;
  }
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(headers["authorization"], "Basic dTpwQHNz");
  EXPECT_EQ(headers["x-source"], "switchboard");
  EXPECT_EQ(headers["x-mo-event-id"], got.event_id);
  EXPECT_EQ(headers["x-mo-delivery-attempt"], "1");
  EXPECT_FALSE(headers["x-mo-timestamp"].empty());
  EXPECT_TRUE(headers["x-mo-signature"].starts_with("sha256="));
  EXPECT_EQ(headers["x-mo-signature"].substr(7), headers["x-myoperator-signature"]);
  EXPECT_TRUE(headers["webhook-signature"].starts_with("v1,"));
  EXPECT_TRUE(headers["user-agent"].starts_with("Switchboard"));
  // The body is compact and stable under re-serialization.
  auto body = json::parse(got.body);
  EXPECT_EQ(body.at("event_type"), "call.answered");
  EXPECT_EQ(body.at("data").at("note"), "h\u00e9llo \"q\"");
  EXPECT_EQ(got.body.find(' ', got.body.find("\"note\"") + 8), got.body.find("llo") + 3);

  // The delivery log shows it delivered.
  auto event = get_json("/api/v2/events/" + got.event_id);
  ASSERT_EQ(event.at("deliveries").as_array().size(), 1u);
  ASSERT_TRUE(wait_until([&] {
    return get_json("/api/v2/events/" + got.event_id).at("deliveries").at(0).at("state") == "delivered";
  }));
}

TEST_F(DeliveryTest, EveryEventTypeIsDeliveredSignedAndValidAgainstItsSchema) {
  auto& sink = add_receiver();
  start_server();
  create_webhook(sink);
  std::map<std::string, std::string> type_of_event;  // event_id -> type published
  int n = 0;
  for (const auto& info : model::event_catalog()) {
    const std::string type(info.type);
    auto accepted = publish(type, event_data(type, "every-" + std::to_string(n++)));
    type_of_event[std::string(accepted.at("event_id").as_string())] = type;
  }
  ASSERT_EQ(type_of_event.size(), 14u);
  ASSERT_TRUE(sink.wait_for(type_of_event.size(), std::chrono::milliseconds(30000)));
  std::set<std::string> seen;
  for (const auto& got : sink.events()) {
    SCOPED_TRACE(got.event_type);
    ASSERT_TRUE(type_of_event.contains(got.event_id));
    EXPECT_EQ(got.event_type, type_of_event[got.event_id]);
    EXPECT_TRUE(got.signatures_checked && got.signatures_ok);
    auto body = json::parse(got.body).as_object();
    const model::EventSchema* schema = model::find_event_schema(got.event_type);
    ASSERT_NE(schema, nullptr);
    EXPECT_TRUE(model::validate_event_data(*schema, body.at("data").as_object()).empty()) << got.body;
    // Sequenced types carry event_sequence; call.disposition does not.
    EXPECT_EQ(body.contains("event_sequence"), got.event_type != "call.disposition") << got.body;
    seen.insert(got.event_type);
  }
  EXPECT_EQ(seen.size(), 14u);
}

TEST_F(DeliveryTest, ApiKeyInQueryAndHeader) {
  auto& sink = add_receiver();
  start_server();
  create_webhook(
      sink,
      {{"auth", json::object{{"type", "api_key"},
                             {"location", "query"},
                             {"keys", json::array{json::object{{"name", "token"}, {"value", "a b&c"}}}}}}},
      "/q?x=1");
  auto& sink2 = add_receiver();
  (void)sink2;
  publish("message.sent", event_data("message.sent", "w1"));
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 1; }));
  EXPECT_EQ(sink.events()[0].target, "/q?x=1&token=a%20b%26c");
}

TEST_F(DeliveryTest, OneCallsEventsArriveInSequenceOrder) {
  auto& sink = add_receiver();
  start_server();
  create_webhook(sink);
  const int calls = 5, per_call = 20;
  for (int i = 0; i < per_call; ++i) {
    for (int c = 0; c < calls; ++c)
      publish("call.dial_begin", event_data("call.dial_begin", "call-" + std::to_string(c), {{"i", i}}));
  }
  ASSERT_TRUE(wait_until([&] { return sink.count() >= calls * per_call; }));
  std::map<std::string, long long> last;
  for (const auto& e : sink.events()) {
    ASSERT_TRUE(e.sequence.has_value());
    EXPECT_EQ(*e.sequence, last[e.call_id] + 1) << e.call_id;
    last[e.call_id] = *e.sequence;
  }
  EXPECT_EQ(last.size(), static_cast<std::size_t>(calls));
}

TEST_F(DeliveryTest, RetriesOnTheScheduleThenExhaustAndThreeExhaustedMarkFailed) {
  receiver::ReceiverOptions failing;
  failing.status = 500;
  auto& sink = add_receiver(failing);
  // 3600x: the 24 h window is 24 s, the first retry 8 ms later, 2 h steps are 2 s.
  start_server(3600.0);
  // A custom header: its value is a credential, masked in the failure log.
  const std::string id =
      create_webhook(sink, {{"headers", json::array{json::object{{"key", "X-Token"}, {"value", "t0ken"}}}}});
  for (int i = 0; i < 3; ++i) publish("call.end", event_data("call.end", "x" + std::to_string(i)));
  ASSERT_TRUE(wait_until([&] { return get_json("/api/v2/webhooks/" + id).at("status") == "failed"; }, 90s));
  // Every delivery made the full schedule (19 attempts within the 24 h window) and is exhausted.
  auto deliveries = get_json("/api/v2/webhooks/" + id + "/deliveries?state=exhausted");
  ASSERT_EQ(deliveries.at("data").as_array().size(), 3u);
  for (const auto& d : deliveries.at("data").as_array()) EXPECT_EQ(d.at("attempts"), 19);
  auto failures = get_json("/api/v2/webhooks/" + id + "/failures?limit=500");
  EXPECT_EQ(failures.at("data").as_array().size(), 57u);
  const auto& one = failures.at("data").at(0);
  EXPECT_EQ(one.at("status_code"), 500);
  auto detail = get_json("/api/v2/webhooks/" + id + "/failures/" + std::string(one.at("id").as_string()));
  EXPECT_FALSE(detail.at("request").at("body").as_string().empty());
  EXPECT_NE(json::serialize(detail.at("request").at("headers")).find("********"), std::string::npos);
  // Spacing of one delivery's attempts at the receiver follows the doubling schedule (scaled).
  std::vector<std::chrono::steady_clock::time_point> times;
  std::string first_id = sink.events().front().event_id;
  for (const auto& e : sink.events()) {
    if (e.event_id == first_id) times.push_back(e.received_at);
  }
  ASSERT_EQ(times.size(), 19u);
  // Attempts 9→10 wait 2 h (2 s scaled); 1→2 waits 30 s (8 ms scaled): never earlier than scheduled.
  EXPECT_GE(times[9] - times[8], 1900ms);
  EXPECT_GE(times[1] - times[0], 8ms);
  // A failed webhook receives nothing until enabled again.
  const auto before = sink.count();
  publish("call.end", event_data("call.end", "after-failed"));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink.count(), before);
}

TEST_F(DeliveryTest, SuccessResetsTheConsecutiveCounter) {
  receiver::ReceiverOptions flaky;
  flaky.fail_first = 2;
  auto& sink = add_receiver(flaky);
  start_server(3600.0);
  const std::string id = create_webhook(sink);
  auto accepted = publish("call.end", event_data("call.end", "r1"));
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 3; }));
  auto deliveries = get_json("/api/v2/webhooks/" + id + "/deliveries");
  ASSERT_TRUE(wait_until([&] {
    return get_json("/api/v2/webhooks/" + id + "/deliveries").at("data").at(0).at("state") == "delivered";
  }));
  EXPECT_EQ(get_json("/api/v2/webhooks/" + id + "/deliveries").at("data").at(0).at("attempts"), 3);
  EXPECT_EQ(get_json("/api/v2/webhooks/" + id).at("consecutive_failures"), 0);
  auto events = sink.events();
  EXPECT_EQ(events[2].attempt, 3);
  EXPECT_EQ(events[2].event_id, events[0].event_id);  // same event id on every retry
}

TEST_F(DeliveryTest, AHangingEndpointDoesNotDelayOthers) {
  receiver::ReceiverOptions hanging;
  hanging.hang = true;
  auto& stuck = add_receiver(hanging);
  auto& healthy = add_receiver();
  start_server(1.0, true, std::chrono::milliseconds(5000));
  create_webhook(stuck);
  create_webhook(healthy);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i)
    publish("call.initiated", event_data("call.initiated", "h" + std::to_string(i)));
  ASSERT_TRUE(wait_until([&] { return healthy.count() >= 50; }, 20s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s)
      << "healthy deliveries waited for the hanging endpoint";
}

TEST_F(DeliveryTest, RedirectsAreNotFollowed) {
  receiver::ReceiverOptions redirect;
  redirect.status = 302;
  auto& sink = add_receiver(redirect);
  start_server(3600.0);
  const std::string id = create_webhook(sink);
  publish("call.end", event_data("call.end", "r"));
  ASSERT_TRUE(wait_until(
      [&] { return !get_json("/api/v2/webhooks/" + id + "/failures").at("data").as_array().empty(); }));
  auto f = get_json("/api/v2/webhooks/" + id + "/failures").at("data").at(0);
  EXPECT_EQ(f.at("error"), "redirect");
  EXPECT_EQ(f.at("status_code"), 302);
}

TEST_F(DeliveryTest, PrivateAddressesAreRefusedUnlessAllowed) {
  auto& sink = add_receiver();
  start_server(3600.0, /*allow_private=*/false);
  for (std::string host :
       {"127.0.0.1", "localhost", "127.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]"}) {
    SCOPED_TRACE(host);
    const std::string id = [&] {
      json::object body{{"url", "https://" + host + ":" + std::to_string(sink.port()) + "/"},
                        {"events", json::array{"call"}}};
      auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
      EXPECT_EQ(created.status, 201) << created.body;
      return std::string(created.json().at("id").as_string());
    }();
    publish("call.end", event_data("call.end", "s-" + host));
    ASSERT_TRUE(wait_until(
        [&] { return !get_json("/api/v2/webhooks/" + id + "/failures").at("data").as_array().empty(); }));
    auto f = get_json("/api/v2/webhooks/" + id + "/failures").at("data").at(0);
    EXPECT_EQ(f.at("error"), "refused") << json::serialize(f);
    server_->del("/api/v2/webhooks/" + id + "?confirm=DELETE", owner_);
  }
  EXPECT_EQ(sink.count(), 0u);
}

TEST_F(DeliveryTest, TestEventRedeliverAndReplay) {
  auto& sink = add_receiver();
  start_server();
  const std::string id = create_webhook(sink);
  auto test = server_->post("/api/v2/webhooks/" + id + "/test", owner_, R"({"event_type":"call.summary"})");
  ASSERT_EQ(test.status, 200) << test.body;
  EXPECT_EQ(test.json().at("delivered"), true);
  EXPECT_EQ(test.json().at("status_code"), 200);
  EXPECT_EQ(sink.count(), 1u);
  EXPECT_EQ(server_->post("/api/v2/webhooks/" + id + "/test", owner_, R"({"event_type":"nope"})").status,
            422);

  auto accepted = publish("call.end", event_data("call.end", "rd"));
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 2; }));
  auto deliveries = get_json("/api/v2/webhooks/" + id + "/deliveries");
  const std::string delivery_id(deliveries.at("data").at(0).at("id").as_string());
  auto again = server_->post("/api/v2/deliveries/" + delivery_id + "/redeliver", owner_);
  ASSERT_EQ(again.status, 202) << again.body;
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 3; }));
  EXPECT_EQ(sink.events()[2].event_id, std::string(accepted.at("event_id").as_string()));

  auto replay = server_->post("/api/v2/webhooks/" + id + "/replay", owner_,
                              R"({"since":"2000-01-01T00:00:00Z","until":"2100-01-01T00:00:00Z"})");
  ASSERT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(replay.json().at("replayed"), 1);
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 4; }));
  EXPECT_EQ(server_->post("/api/v2/webhooks/" + id + "/replay", owner_, R"({"since":"x"})").status, 422);
}

TEST_F(DeliveryTest, DisabledWebhookGetsNothingUntilEnabled) {
  auto& sink = add_receiver();
  start_server();
  const std::string id = create_webhook(sink);
  ASSERT_EQ(server_->post("/api/v2/webhooks/" + id + "/disable", owner_).status, 200);
  publish("call.end", event_data("call.end", "d1"));  // an inactive webhook gets no delivery at all
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink.count(), 0u);
  ASSERT_EQ(server_->post("/api/v2/webhooks/" + id + "/enable", owner_).status, 200);
  publish("call.end", event_data("call.end", "d2"));
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 1; }));
}

TEST_F(DeliveryTest, IdempotencyKeyAndBatch) {
  auto& sink = add_receiver();
  start_server();
  create_webhook(sink);
  const std::string event = json::serialize(
      json::object{{"type", "call.end"}, {"idempotency_key", "k-1"}, {"data", event_data("call.end", "i1")}});
  auto a = server_->post("/api/v2/events", owner_, event);
  auto b = server_->post("/api/v2/events", owner_, event);
  ASSERT_EQ(a.status, 202);
  EXPECT_EQ(a.body, b.body);
  json::array batch;
  for (int i = 0; i < 1000; ++i) {
    batch.push_back(json::object{{"type", "call.answered"},
                                 {"data", event_data("call.answered", "b" + std::to_string(i % 10))}});
  }
  batch[5] = json::object{{"type", "nope"}, {"data", json::object{}}};
  batch[7] = json::object{{"type", "call.end"},
                          {"data", event_data("call.end", "big", {{"pad", std::string(300 * 1024, 'x')}})}};
  auto r = server_->post("/api/v2/events/batch", owner_, json::serialize(json::object{{"events", batch}}));
  ASSERT_EQ(r.status, 202) << r.body.substr(0, 300);
  auto results = r.json().at("results").as_array();
  ASSERT_EQ(results.size(), 1000u);
  EXPECT_EQ(results[5].at("error").at("code"), "unknown_event");
  EXPECT_EQ(results[5].at("error").at("field"), "events[5].type");
  EXPECT_TRUE(results[6].as_object().contains("event_id"));
  EXPECT_EQ(results[7].at("error").at("code"), "payload_too_large");
  ASSERT_TRUE(wait_until([&] { return sink.count() >= 999; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sink.count(), 999u);  // 998 from the batch + 1 from the idempotent pair
}

}  // namespace
}  // namespace switchboard::testing
