#include "delivery/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "delivery/request_builder.h"
#include "delivery/test_fake_store.h"
#include "delivery/test_support.h"
#include "delivery/test_tls_server.h"
#include "model/limits.h"

// The engine against an in-memory store and real HTTPS servers on 127.0.0.1.
namespace switchboard::delivery {
namespace {

using model::AttemptError;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeStore;
using testing::RecordedRequest;
using testing::TempDir;
using testing::TestReply;
using testing::TestTlsServer;
using testing::wait_until;

const std::string kPayload = R"({"event_id":"evt_x","event_type":"call.answered","data":{}})";

// Starts a test delivery and waits for its result (the test's thread, not the engine's, waits).
TestDeliveryResult send_test_and_wait(DeliveryEngine& engine, const model::Webhook& webhook) {
  auto promise = std::make_shared<std::promise<TestDeliveryResult>>();
  auto result = promise->get_future();
  auto started = engine.send_test(webhook, "evt_test", kPayload,
                                  [promise](TestDeliveryResult r) { promise->set_value(std::move(r)); });
  EXPECT_TRUE(started.has_value());
  if (!started) return {};
  return result.get();
}

model::Webhook make_webhook(const std::string& id, const std::string& url) {
  model::Webhook webhook;
  webhook.id = id;
  webhook.company_id = "co_1";
  webhook.spec.url = url;
  webhook.status = model::WebhookStatus::kActive;
  return webhook;
}

class EngineTest : public ::testing::Test {
 protected:
  // Options that trust `server` and allow loopback; retries 1000x faster.
  EngineOptions options_for(const TestTlsServer& server) {
    EngineOptions options;
    options.time_scale = 1000;
    options.allow_private_networks = true;
    options.ca_file = dir_.write("ca-" + std::to_string(server.port()) + ".pem", server.cert_pem());
    options.timeout = milliseconds(3000);
    options.lease = seconds(30);
    return options;
  }

  std::unique_ptr<DeliveryEngine> start(EngineOptions options) {
    auto engine = DeliveryEngine::create(store_, clock_, std::move(options));
    engine->start();
    return engine;
  }

  bool wait_for_attempts(std::size_t count, milliseconds timeout = milliseconds(10000)) {
    return wait_until([&] { return store_.attempts().size() >= count; }, timeout);
  }

  TempDir dir_;
  FakeStore store_;
  SystemClock clock_;
};

TEST_F(EngineTest, DeliversSignedRequestAndRecordsTheAttempt) {
  TestTlsServer server;
  auto webhook = make_webhook("wh_a", server.url("/in"));
  webhook.secret = "mysecret";
  webhook.spec.auth.type = model::AuthType::kBasic;
  webhook.spec.auth.username = "u";
  webhook.spec.auth.password = "pw";
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", clock_.now(), kPayload);
  auto engine = start(options_for(server));
  ASSERT_TRUE(wait_for_attempts(1));
  engine->stop();

  EXPECT_EQ(store_.release_calls(), 1);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.body, kPayload);
  EXPECT_EQ(request.header("X-MO-Event-Id"), "evt_dlv_1");
  EXPECT_EQ(request.header("X-MO-Delivery-Attempt"), "1");
  EXPECT_EQ(request.header("X-MyOperator-Signature"),
            crypto::hex_encode(crypto::hmac_sha256("mysecret", kPayload)));
  EXPECT_EQ(request.header("webhook-id"), "evt_dlv_1");
  EXPECT_EQ(request.header("Authorization"), "Basic " + crypto::base64_encode("u:pw"));
  EXPECT_NE(request.header("User-Agent").find("Switchboard"), std::string::npos);

  const auto attempts = store_.attempts();
  ASSERT_EQ(attempts.size(), 1u);
  const auto& a = attempts[0];
  EXPECT_TRUE(a.success);
  EXPECT_EQ(a.status_code, 200);
  EXPECT_EQ(a.attempt, 1);
  EXPECT_EQ(a.delivery_id, "dlv_1");
  EXPECT_EQ(a.request_body, kPayload);
  EXPECT_EQ(a.request_url, webhook.spec.url);
  EXPECT_EQ(a.response_body, "ok");
  EXPECT_EQ(a.request_headers.find("mysecret"), std::string::npos);
  EXPECT_EQ(a.request_headers.find(request.header("X-MyOperator-Signature")), std::string::npos);
  EXPECT_EQ(a.request_headers.find(request.header("Authorization")), std::string::npos);
  EXPECT_NE(a.request_headers.find("********"), std::string::npos);
  EXPECT_EQ(store_.delivery("dlv_1").state, model::DeliveryState::kDelivered);
}

TEST_F(EngineTest, FailureIsRetriedOnTheScaledSchedule) {
  std::atomic<int> calls{0};
  TestTlsServer server([&](const RecordedRequest&) {
    return ++calls == 1 ? TestReply{500, {}, "boom"} : TestReply{};
  });
  const auto webhook = make_webhook("wh_a", server.url());
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", clock_.now(), kPayload);
  auto engine = start(options_for(server));
  ASSERT_TRUE(wait_for_attempts(2));
  engine->stop();

  const auto outcomes = store_.outcomes();
  ASSERT_EQ(outcomes.size(), 2u);
  const auto& first = outcomes[0];
  EXPECT_FALSE(first.attempt.success);
  EXPECT_EQ(first.attempt.error, AttemptError::kHttpStatus);
  EXPECT_EQ(first.attempt.status_code, 500);
  EXPECT_EQ(first.attempt.response_body, "boom");
  ASSERT_TRUE(first.next_attempt_at.has_value());
  // 30 s / 1000 after the failure.
  const auto delay = *first.next_attempt_at - first.attempt.at;
  EXPECT_GE(delay, milliseconds(30));
  EXPECT_LE(delay, milliseconds(30) + milliseconds(static_cast<long>(first.attempt.latency_ms) + 500));
  EXPECT_TRUE(outcomes[1].attempt.success);
  EXPECT_EQ(outcomes[1].attempt.attempt, 2);
  EXPECT_EQ(server.requests().at(1).header("X-MO-Delivery-Attempt"), "2");
  EXPECT_EQ(store_.delivery("dlv_1").state, model::DeliveryState::kDelivered);
}

TEST_F(EngineTest, FailuresAreClassified) {
  struct Case {
    std::string name;
    TestReply reply;
    bool trust_server = true;
    bool allow_private = true;
    std::string host = "127.0.0.1";
    AttemptError want;
  };
  const std::vector<Case> cases = {
      {"timeout", TestReply{.hang = true}, true, true, "127.0.0.1", AttemptError::kTimeout},
      {"redirect", TestReply{302, {{"Location", "https://127.0.0.1:1/x"}}, ""}, true, true, "127.0.0.1",
       AttemptError::kRedirect},
      {"status", TestReply{503, {}, "down"}, true, true, "127.0.0.1", AttemptError::kHttpStatus},
      {"tls", TestReply{}, false, true, "127.0.0.1", AttemptError::kTls},
      {"ssrf 127.0.0.1", TestReply{}, true, false, "127.0.0.1", AttemptError::kRefused},
      {"ssrf localhost", TestReply{}, true, false, "localhost", AttemptError::kRefused},
      {"ssrf [::1]", TestReply{}, true, false, "[::1]", AttemptError::kRefused},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    FakeStore store;
    TestTlsServer server([&](const RecordedRequest&) { return c.reply; });
    const auto webhook = make_webhook("wh_" + std::to_string(server.port()), server.url("/hook", c.host));
    store.put_webhook(webhook);
    store.add_delivery(webhook, "dlv_1", clock_.now(), kPayload);
    auto options = options_for(server);
    options.timeout = milliseconds(400);
    options.allow_private_networks = c.allow_private;
    if (!c.trust_server) options.ca_file.clear();
    auto engine = DeliveryEngine::create(store, clock_, options);
    engine->start();
    ASSERT_TRUE(wait_until([&] { return !store.attempts().empty(); }));
    engine->stop();
    const auto outcome = store.outcomes().at(0);
    EXPECT_EQ(outcome.attempt.error, c.want) << outcome.attempt.error_message;
    EXPECT_FALSE(outcome.attempt.success);
    EXPECT_TRUE(outcome.next_attempt_at.has_value());  // a retry is scheduled
    EXPECT_EQ(outcome.attempt.request_body, kPayload);
    if (c.want == AttemptError::kRefused) {
      EXPECT_EQ(server.connections(), 0);
    }
    if (c.want == AttemptError::kRedirect) {
      EXPECT_EQ(outcome.attempt.status_code, 302);
    }
  }
}

TEST_F(EngineTest, HangingEndpointDoesNotDelayOthers) {
  TestTlsServer hanging([](const RecordedRequest&) { return TestReply{.hang = true}; });
  TestTlsServer healthy;
  const auto slow = make_webhook("wh_slow", hanging.url());
  const auto fast = make_webhook("wh_fast", healthy.url());
  store_.put_webhook(slow);
  store_.put_webhook(fast);
  const TimePoint now = clock_.now();
  // The hanging endpoint's work is due first, so it is claimed and queued first.
  for (int i = 0; i < 6; ++i)
    store_.add_delivery(slow, "dlv_s" + std::to_string(i), now - seconds(1), kPayload);
  for (int i = 0; i < 10; ++i) store_.add_delivery(fast, "dlv_f" + std::to_string(i), now, kPayload);

  auto options = options_for(hanging);
  options.ca_file = dir_.write("both.pem", hanging.cert_pem() + healthy.cert_pem());
  options.timeout = milliseconds(20000);
  options.per_webhook_in_flight = 2;
  auto engine = start(options);
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() >= 10; }, seconds(5)));
  for (const auto& a : store_.attempts()) {
    EXPECT_EQ(a.webhook_id, "wh_fast");
    EXPECT_TRUE(a.success);
  }
  EXPECT_EQ(hanging.request_count(), 2u);  // its lane holds only its own slots
  engine->stop(milliseconds(0));
}

TEST_F(EngineTest, ChainIsDeliveredInOrder) {
  TestTlsServer server;
  const auto webhook = make_webhook("wh_a", server.url());
  store_.put_webhook(webhook);
  const TimePoint now = clock_.now();
  for (int seq = 1; seq <= 4; ++seq) {
    store_.add_delivery(webhook, "dlv_" + std::to_string(seq), now, R"({"seq":)" + std::to_string(seq) + "}",
                        "call_1", seq);
  }
  auto engine = start(options_for(server));
  ASSERT_TRUE(wait_for_attempts(4));
  engine->stop();
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (int seq = 1; seq <= 4; ++seq)
    EXPECT_EQ(requests[seq - 1].body, R"({"seq":)" + std::to_string(seq) + "}");
}

TEST_F(EngineTest, ChainFollowersStartOnlyAfterTheOneBeforeSucceeds) {
  // seq 2 fails once: the followers claimed with it wait, go back to the store
  // untried, and come out in order after seq 2's retry succeeds.
  std::atomic<int> seq2_calls{0};
  TestTlsServer server([&](const RecordedRequest& request) {
    if (request.body == R"({"seq":2})" && ++seq2_calls == 1) return TestReply{500, {}, "later"};
    return TestReply{};
  });
  const auto webhook = make_webhook("wh_a", server.url());
  store_.put_webhook(webhook);
  const TimePoint now = clock_.now();
  for (int seq = 1; seq <= 6; ++seq) {
    store_.add_delivery(webhook, "dlv_" + std::to_string(seq), now, R"({"seq":)" + std::to_string(seq) + "}",
                        "call_1", seq);
  }
  auto options = options_for(server);
  options.chain_depth = 6;
  auto engine = start(options);
  ASSERT_TRUE(wait_until([&] { return store_.delivery("dlv_6").state == model::DeliveryState::kDelivered; }));
  engine->stop();
  std::vector<std::string> bodies;
  for (const auto& request : server.requests()) bodies.push_back(request.body);
  EXPECT_EQ(bodies, (std::vector<std::string>{R"({"seq":1})", R"({"seq":2})", R"({"seq":2})", R"({"seq":3})",
                                              R"({"seq":4})", R"({"seq":5})", R"({"seq":6})"}));
  // The first claim brought the whole chain (one head + five followers);
  // the failure gave back the four behind seq 2.
  const auto released = store_.released();
  for (const char* id : {"dlv_3", "dlv_4", "dlv_5", "dlv_6"}) {
    EXPECT_NE(std::find(released.begin(), released.end(), id), released.end()) << id;
  }
}

TEST_F(EngineTest, DisabledOrDeletedWebhookStopsItsQueuedWork) {
  for (const bool remove : {false, true}) {
    SCOPED_TRACE(remove ? "deleted" : "disabled");
    FakeStore store;
    // The first attempt outlasts the engine's webhook cache (1 s), so the
    // change is seen before the queued deliveries would start.
    TestTlsServer server([](const RecordedRequest&) { return TestReply{.delay = milliseconds(1100)}; });
    const auto webhook = make_webhook("wh_a", server.url());
    store.put_webhook(webhook);
    const TimePoint now = clock_.now();
    for (int i = 0; i < 3; ++i) store.add_delivery(webhook, "dlv_" + std::to_string(i), now, kPayload);
    auto options = options_for(server);
    options.per_webhook_in_flight = 1;
    auto engine = DeliveryEngine::create(store, clock_, options);
    engine->start();
    ASSERT_TRUE(wait_until([&] { return server.request_count() == 1; }));
    if (remove) {
      store.remove_webhook("wh_a");
    } else {
      store.set_status("wh_a", model::WebhookStatus::kInactive);
    }
    ASSERT_TRUE(wait_until([&] { return store.attempts().size() == 1; }));
    std::this_thread::sleep_for(milliseconds(300));
    engine->stop();
    EXPECT_EQ(server.request_count(), 1u);  // the queued two were not sent
    EXPECT_EQ(store.attempts().size(), 1u);
    int pending = 0;
    for (int i = 0; i < 3; ++i)
      pending += store.delivery("dlv_" + std::to_string(i)).state == model::DeliveryState::kPending;
    EXPECT_EQ(pending, 2);         // still owed: the store keeps them
    for (int i = 0; i < 3; ++i) {  // and nothing stays leased: they can be claimed as soon as they are due
      EXPECT_EQ(store.lease_of("dlv_" + std::to_string(i)), TimePoint{}) << i;
    }
  }
}

TEST_F(EngineTest, ExhaustsWhenTheWindowEnds) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{500, {}, "no"}; });
  const auto webhook = make_webhook("wh_a", server.url());
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", clock_.now(), kPayload);
  auto options = options_for(server);
  options.time_scale = 50000;  // the 24 h window lasts 1.7 s
  auto engine = start(options);
  ASSERT_TRUE(wait_until([&] { return store_.delivery("dlv_1").state == model::DeliveryState::kExhausted; }));
  engine->stop();
  const auto outcomes = store_.outcomes();
  ASSERT_GE(outcomes.size(), 2u);
  EXPECT_LE(outcomes.size(), 26u);
  EXPECT_FALSE(outcomes.back().next_attempt_at.has_value());
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    EXPECT_EQ(outcomes[i].attempt.attempt, static_cast<int>(i + 1));
}

TEST_F(EngineTest, StopDrainsAttemptsInFlight) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{.delay = milliseconds(500)}; });
  const auto webhook = make_webhook("wh_a", server.url());
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", clock_.now(), kPayload);
  auto engine = start(options_for(server));
  ASSERT_TRUE(wait_until([&] { return server.request_count() == 1; }));
  engine->stop(seconds(5));
  ASSERT_EQ(store_.attempts().size(), 1u);
  EXPECT_TRUE(store_.attempts()[0].success);
}

TEST_F(EngineTest, SendTestDeliversOnceAndRecordsNothing) {
  std::atomic<int> status{200};
  TestTlsServer server([&](const RecordedRequest&) { return TestReply{status.load(), {}, "r"}; });
  auto webhook = make_webhook("wh_a", server.url());
  webhook.secret = "whsec_dGVzdGtleQ";
  auto engine = DeliveryEngine::create(store_, clock_, options_for(server));  // not started

  auto result = send_test_and_wait(*engine, webhook);
  EXPECT_TRUE(result.delivered);
  EXPECT_EQ(result.status_code, 200);
  EXPECT_FALSE(result.error.has_value());
  EXPECT_GT(result.latency_ms, 0);
  ASSERT_EQ(server.request_count(), 1u);
  const auto request = server.requests()[0];
  EXPECT_EQ(request.header("X-MO-Event-Id"), "evt_test");
  EXPECT_EQ(request.header("X-MO-Delivery-Attempt"), "1");
  EXPECT_EQ(request.header("webhook-signature"),
            standard_webhooks_signature("whsec_dGVzdGtleQ", "evt_test",
                                        std::stoll(request.header("webhook-timestamp")), kPayload));

  status = 500;
  result = send_test_and_wait(*engine, webhook);
  EXPECT_FALSE(result.delivered);
  EXPECT_EQ(result.status_code, 500);
  ASSERT_TRUE(result.error.has_value());
  EXPECT_EQ(result.error->rfind("http_status", 0), 0u) << *result.error;
  EXPECT_TRUE(store_.attempts().empty());
  EXPECT_EQ(store_.claim_calls(), 0);
}

TEST_F(EngineTest, TestsInFlightAreBoundedPerWebhookAndPerCompanyWithoutWaiting) {
  std::atomic<bool> release{false};
  TestTlsServer server(
      [&](const RecordedRequest&) { return TestReply{.delay = milliseconds(release ? 0 : 3000)}; });
  std::atomic<int> done{0};
  auto engine = DeliveryEngine::create(store_, clock_, options_for(server));  // not started
  auto start = [&](const model::Webhook& webhook) {
    return engine->send_test(webhook, "evt_test", kPayload, [&](TestDeliveryResult) { ++done; });
  };
  namespace limits = model::limits;
  const auto before = std::chrono::steady_clock::now();
  const auto first = make_webhook("wh_0", server.url());
  for (int i = 0; i < limits::kMaxTestsInFlightPerWebhook; ++i) ASSERT_TRUE(start(first).has_value());
  auto refused = start(first);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "webhook");
  EXPECT_EQ(refused.error().limit, limits::kMaxTestsInFlightPerWebhook);
  EXPECT_GE(refused.error().retry_after, seconds(1));
  EXPECT_LE(refused.error().retry_after, seconds(5));  // the timeout (3 s) and a little

  int started = limits::kMaxTestsInFlightPerWebhook;
  for (int w = 1; started < limits::kMaxTestsInFlightPerCompany; ++w) {
    const auto webhook = make_webhook("wh_" + std::to_string(w), server.url());
    for (int i = 0; i < limits::kMaxTestsInFlightPerWebhook && started < limits::kMaxTestsInFlightPerCompany;
         ++i, ++started) {
      ASSERT_TRUE(start(webhook).has_value());
    }
  }
  refused = start(make_webhook("wh_fresh", server.url()));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "company");
  auto elsewhere = make_webhook("wh_other_company", server.url());
  elsewhere.company_id = "co_2";
  EXPECT_TRUE(start(elsewhere).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - before, milliseconds(1000)) << "send_test never waits";

  release = true;  // each ends (by the server's answer or the timeout) and gives its slot back
  ASSERT_TRUE(
      wait_until([&] { return done == limits::kMaxTestsInFlightPerCompany + 1; }, milliseconds(10000)));
  EXPECT_TRUE(start(first).has_value());
  ASSERT_TRUE(
      wait_until([&] { return done == limits::kMaxTestsInFlightPerCompany + 2; }, milliseconds(10000)));
}

TEST_F(EngineTest, CreateRejectsAnUnreadableCaFile) {
  EngineOptions options;
  options.ca_file = dir_.path() / "missing.pem";
  EXPECT_THROW(DeliveryEngine::create(store_, clock_, options), std::invalid_argument);
}

}  // namespace
}  // namespace switchboard::delivery
