#include "delivery/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "common/test_clock.h"
#include "delivery/request_builder.h"
#include "delivery/test_fake_http_client.h"
#include "delivery/test_fake_store.h"
#include "delivery/test_support.h"
#include "delivery/test_tls_server.h"
#include "model/limits.h"
#include "model/retry_policy.h"

// The engine against an in-memory store. Scheduling, chains, retries,
// recording and stopping run on manual time with a scripted HttpClient (no
// network, no real clock); EngineTlsTest runs it with the real libcurl client
// against HTTPS servers on 127.0.0.1.
namespace switchboard::delivery {
namespace {

using model::AttemptError;
using std::chrono::milliseconds;
using std::chrono::seconds;
using switchboard::testing::ManualTime;
using testing::FakeStore;
using testing::http_status;
using testing::RecordedRequest;
using testing::ScriptedHttpClient;
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

std::string seq_body(int seq) { return R"({"seq":)" + std::to_string(seq) + "}"; }

// --- on manual time, with a scripted client ----------------------------------

class EngineTest : public ::testing::Test {
 protected:
  // The real retry schedule (time_scale 1): tests move time instead of waiting.
  static EngineOptions options() {
    EngineOptions options;
    options.timeout = milliseconds(3000);
    options.lease = seconds(30);
    return options;
  }

  std::unique_ptr<DeliveryEngine> create(EngineOptions options, ScriptedHttpClient::Script script = {}) {
    auto client = std::make_unique<ScriptedHttpClient>(std::move(script));
    client_ = client.get();
    return DeliveryEngine::create(
        EngineDeps{store_, store_, time_.wall(), time_.monotonic(), std::move(client)}, std::move(options));
  }
  std::unique_ptr<DeliveryEngine> start(EngineOptions options, ScriptedHttpClient::Script script = {}) {
    auto engine = create(std::move(options), std::move(script));
    engine->start();
    return engine;
  }

  bool wait_for_attempts(std::size_t count) {
    return wait_until([&] { return store_.attempts().size() >= count; });
  }

  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    for (const auto& request : client_->requests()) out.push_back(request.body);
    return out;
  }

  ManualTime time_;
  FakeStore store_;
  ScriptedHttpClient* client_ = nullptr;  // owned by the engine
};

// Issue 16 item 4: a webhook's timeout_ms is its requests' timeout, never above the engine's.
TEST_F(EngineTest, TheWebhooksTimeoutIsTheRequestTimeout) {
  struct Case {
    int timeout_ms;
    milliseconds sent;
  };
  for (const Case& c : std::vector<Case>{
           {1000, milliseconds(1000)}, {2500, milliseconds(2500)}, {30000, milliseconds(3000)}}) {
    SCOPED_TRACE(c.timeout_ms);
    FakeStore store;
    auto webhook = make_webhook("wh_a", "https://hooks.example/in");
    webhook.spec.delivery.timeout_ms = c.timeout_ms;
    store.put_webhook(webhook);
    store.add_delivery(webhook, "dlv_1", time_.wall().now(), kPayload);
    auto client = std::make_unique<ScriptedHttpClient>(ScriptedHttpClient::Script{});
    ScriptedHttpClient* sent = client.get();
    auto engine = DeliveryEngine::create(
        EngineDeps{store, store, time_.wall(), time_.monotonic(), std::move(client)}, options());
    engine->start();
    ASSERT_TRUE(wait_until([&] { return store.attempts().size() >= 1; }));
    engine->stop();
    ASSERT_EQ(sent->requests().size(), 1u);
    EXPECT_EQ(sent->requests()[0].timeout, c.sent);
  }
}

TEST_F(EngineTest, DeliversAndRecordsTheAttempt) {
  auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  webhook.secret = "mysecret";
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", time_.wall().now(), kPayload);
  auto engine = start(options());
  ASSERT_TRUE(wait_for_attempts(1));
  engine->stop();

  EXPECT_EQ(store_.release_calls(), 1);
  const auto requests = client_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, "https://hooks.example/in");
  EXPECT_EQ(requests[0].body, kPayload);
  EXPECT_EQ(requests[0].timeout, milliseconds(3000));
  const auto attempts = store_.attempts();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_TRUE(attempts[0].success);
  EXPECT_EQ(attempts[0].attempt, 1);
  EXPECT_EQ(attempts[0].at, time_.wall().now());
  EXPECT_EQ(store_.delivery("dlv_1").state, model::DeliveryState::kDelivered);
  EXPECT_EQ(engine->stats().delivered, 1u);
  EXPECT_EQ(engine->stats().claimed, 1u);
}

TEST_F(EngineTest, FailureIsRetriedOnTheSchedule) {
  std::atomic<int> calls{0};
  const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", time_.wall().now(), kPayload);
  auto engine = start(options(), [&](const HttpRequest&) {
    return ++calls == 1 ? http_status(500, "boom") : http_status(200);
  });
  ASSERT_TRUE(wait_for_attempts(1));
  const auto first = store_.outcomes().at(0);
  EXPECT_FALSE(first.attempt.success);
  EXPECT_EQ(first.attempt.error, AttemptError::kHttpStatus);
  EXPECT_EQ(first.attempt.status_code, 500);
  EXPECT_EQ(first.attempt.response_body, "boom");
  ASSERT_TRUE(first.next_attempt_at.has_value());
  EXPECT_EQ(*first.next_attempt_at - first.attempt.at, seconds(30));  // exactly: time stood still
  EXPECT_EQ(client_->request_count(), 1u);  // time stands still: nothing more is due

  time_.advance(seconds(30));
  ASSERT_TRUE(wait_for_attempts(2));
  engine->stop();
  const auto outcomes = store_.outcomes();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[1].attempt.success);
  EXPECT_EQ(outcomes[1].attempt.attempt, 2);
  EXPECT_EQ(outcomes[1].attempt.at, first.attempt.at + seconds(30));
  const auto requests = client_->requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto header = [](const HttpRequest& r, const std::string& name) {
    for (const auto& h : r.headers)
      if (h.name == name) return h.value;
    return std::string();
  };
  EXPECT_EQ(header(requests[1], "X-MO-Delivery-Attempt"), "2");
  EXPECT_EQ(store_.delivery("dlv_1").state, model::DeliveryState::kDelivered);
  EXPECT_EQ(engine->stats().failed, 1u);
  EXPECT_EQ(engine->stats().delivered, 1u);
}

TEST_F(EngineTest, ExhaustsWhenTheWindowEnds) {
  const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  store_.put_webhook(webhook);
  const TimePoint event_time = time_.wall().now();
  store_.add_delivery(webhook, "dlv_1", event_time, kPayload);
  // The schedule the policy allows when failures take no time.
  const auto policy = model::RetryPolicy::v2();
  std::size_t want = 1;
  for (TimePoint at = event_time; auto next = policy.next_attempt_at(static_cast<int>(want), event_time, at);
       ++want) {
    at = *next;
  }
  auto engine = start(options(), [](const HttpRequest&) { return http_status(500, "no"); });
  for (std::size_t n = 1;; ++n) {
    ASSERT_TRUE(wait_for_attempts(n)) << n;
    const auto last = store_.outcomes().back();
    if (!last.next_attempt_at) break;
    time_.advance(std::chrono::duration_cast<milliseconds>(*last.next_attempt_at - time_.wall().now()));
  }
  engine->stop();
  EXPECT_EQ(store_.delivery("dlv_1").state, model::DeliveryState::kExhausted);
  const auto outcomes = store_.outcomes();
  EXPECT_EQ(outcomes.size(), want);
  EXPECT_LE(outcomes.size(), 26u);
  EXPECT_LE(outcomes.back().attempt.at, event_time + std::chrono::hours(24));
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    EXPECT_EQ(outcomes[i].attempt.attempt, static_cast<int>(i + 1));
}

TEST_F(EngineTest, HangingEndpointDoesNotDelayOthers) {
  const auto slow = make_webhook("wh_slow", "https://slow.example/");
  const auto fast = make_webhook("wh_fast", "https://fast.example/");
  store_.put_webhook(slow);
  store_.put_webhook(fast);
  const TimePoint now = time_.wall().now();
  // The hanging endpoint's work is due first, so it is claimed and queued first.
  for (int i = 0; i < 6; ++i)
    store_.add_delivery(slow, "dlv_s" + std::to_string(i), now - seconds(1), kPayload);
  for (int i = 0; i < 10; ++i) store_.add_delivery(fast, "dlv_f" + std::to_string(i), now, kPayload);
  auto options = EngineTest::options();
  options.per_webhook_in_flight = 2;
  auto engine = start(options, [](const HttpRequest& request) -> std::optional<HttpResponse> {
    if (request.url.find("slow") != std::string::npos) return std::nullopt;  // hangs
    return http_status(200);
  });
  ASSERT_TRUE(wait_for_attempts(10));
  for (const auto& a : store_.attempts()) {
    EXPECT_EQ(a.webhook_id, "wh_fast");
    EXPECT_TRUE(a.success);
  }
  EXPECT_EQ(client_->held(), 2u);  // its lane holds only its own slots
  engine->stop(milliseconds(0));
}

TEST_F(EngineTest, ChainIsDeliveredInOrder) {
  const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  store_.put_webhook(webhook);
  for (int seq = 1; seq <= 4; ++seq) {
    store_.add_delivery(webhook, "dlv_" + std::to_string(seq), time_.wall().now(), seq_body(seq), "call_1",
                        seq);
  }
  auto engine = start(options());
  ASSERT_TRUE(wait_for_attempts(4));
  engine->stop();
  EXPECT_EQ(bodies(), (std::vector<std::string>{seq_body(1), seq_body(2), seq_body(3), seq_body(4)}));
  EXPECT_EQ(engine->stats().claimed, 4u);  // one claim brought the whole chain
}

TEST_F(EngineTest, ChainFollowersStartOnlyAfterTheOneBeforeSucceeds) {
  // seq 2 fails once: the followers claimed with it wait, go back to the store
  // untried, and come out in order after seq 2's retry succeeds.
  std::atomic<int> seq2_calls{0};
  const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  store_.put_webhook(webhook);
  for (int seq = 1; seq <= 6; ++seq) {
    store_.add_delivery(webhook, "dlv_" + std::to_string(seq), time_.wall().now(), seq_body(seq), "call_1",
                        seq);
  }
  auto options = EngineTest::options();
  options.chain_depth = 6;
  auto engine = start(options, [&](const HttpRequest& request) {
    if (request.body == seq_body(2) && ++seq2_calls == 1) return http_status(500, "later");
    return http_status(200);
  });
  ASSERT_TRUE(wait_for_attempts(2));
  // The failure gave back the four behind seq 2 (before its retry is due).
  ASSERT_TRUE(wait_until([&] { return store_.released().size() >= 4; }));
  const auto released = store_.released();
  for (const char* id : {"dlv_3", "dlv_4", "dlv_5", "dlv_6"}) {
    EXPECT_NE(std::find(released.begin(), released.end(), id), released.end()) << id;
    EXPECT_EQ(store_.lease_of(id), TimePoint{}) << id;
  }
  EXPECT_EQ(bodies(), (std::vector<std::string>{seq_body(1), seq_body(2)}));
  time_.advance(seconds(30));
  ASSERT_TRUE(wait_until([&] { return store_.delivery("dlv_6").state == model::DeliveryState::kDelivered; }));
  engine->stop();
  EXPECT_EQ(bodies(), (std::vector<std::string>{seq_body(1), seq_body(2), seq_body(2), seq_body(3),
                                                seq_body(4), seq_body(5), seq_body(6)}));
}

TEST_F(EngineTest, DisabledOrDeletedWebhookStopsItsQueuedWork) {
  for (const bool remove : {false, true}) {
    SCOPED_TRACE(remove ? "deleted" : "disabled");
    FakeStore store;
    ManualTime time;
    const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
    store.put_webhook(webhook);
    for (int i = 0; i < 3; ++i)
      store.add_delivery(webhook, "dlv_" + std::to_string(i), time.wall().now(), kPayload);
    auto options = EngineTest::options();
    options.per_webhook_in_flight = 1;
    auto client = std::make_unique<ScriptedHttpClient>([](const HttpRequest&) { return std::nullopt; });
    ScriptedHttpClient& held = *client;
    auto engine = DeliveryEngine::create(
        EngineDeps{store, store, time.wall(), time.monotonic(), std::move(client)}, options);
    engine->start();
    ASSERT_TRUE(wait_until([&] { return held.held() == 1; }));
    if (remove) {
      store.remove_webhook("wh_a");
    } else {
      store.set_status("wh_a", model::WebhookStatus::kInactive);
    }
    // The engine trusts what it knows of a webhook for a second: the first
    // attempt ends after that, so the change is seen before the next would start.
    time.advance(milliseconds(1000));
    ASSERT_EQ(held.answer_held(http_status(200)), 1u);
    // Still owed: the store keeps them, and nothing stays leased (they can be claimed as soon as they are
    // due).
    ASSERT_TRUE(wait_until([&] {
      return store.attempts().size() == 1 && store.lease_of("dlv_1") == TimePoint{} &&
             store.lease_of("dlv_2") == TimePoint{};
    }));
    engine->stop();
    EXPECT_EQ(held.request_count(), 1u);  // the queued two were not sent
    EXPECT_EQ(store.attempts().size(), 1u);
    int pending = 0;
    for (int i = 0; i < 3; ++i) {
      pending += store.delivery("dlv_" + std::to_string(i)).state == model::DeliveryState::kPending;
      EXPECT_EQ(store.lease_of("dlv_" + std::to_string(i)), TimePoint{}) << i;
    }
    EXPECT_EQ(pending, 2);
  }
}

TEST_F(EngineTest, StopDrainsAttemptsInFlight) {
  const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", time_.wall().now(), kPayload);
  auto engine = start(options(), [](const HttpRequest&) { return std::nullopt; });
  ASSERT_TRUE(wait_until([&] { return client_->held() == 1; }));
  // Time stands still, so stop() can only return once the attempt has ended.
  auto stopped = std::async(std::launch::async, [&] { engine->stop(seconds(5)); });
  ASSERT_EQ(client_->answer_held(http_status(200)), 1u);
  stopped.get();
  ASSERT_EQ(store_.attempts().size(), 1u);
  EXPECT_TRUE(store_.attempts()[0].success);
}

TEST_F(EngineTest, StopGivesUpOnAttemptsInFlightAtTheDrainDeadline) {
  const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", time_.wall().now(), kPayload);
  auto engine = start(options(), [](const HttpRequest&) { return std::nullopt; });
  ASSERT_TRUE(wait_until([&] { return client_->held() == 1; }));
  const TimePoint lease = store_.lease_of("dlv_1");
  const auto before = time_.monotonic().now();
  auto stopped = std::async(std::launch::async, [&] { engine->stop(seconds(5)); });
  // Move time until stop() gives up; it cannot before its 5 s have passed.
  while (stopped.wait_for(milliseconds(1)) != std::future_status::ready) time_.advance(milliseconds(500));
  EXPECT_GE(time_.monotonic().now() - before, seconds(5));
  EXPECT_TRUE(store_.attempts().empty());
  EXPECT_EQ(store_.lease_of("dlv_1"), lease);  // still in flight: it keeps its lease (a restart releases it)
}

// drain(): stop() with an absolute deadline that says what it left undone.
TEST_F(EngineTest, DrainRecordsWhatFinishesAndReportsWhatIsAbandonedAtTheDeadline) {
  struct Case {
    const char* name;
    bool answer_before_deadline;
    int abandoned;
    std::size_t recorded;
  };
  const Case cases[] = {{"answered in time", true, 0, 1}, {"still in flight", false, 1, 0}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeStore store;
    ManualTime time;
    const auto webhook = make_webhook("wh_a", "https://hooks.example/in");
    store.put_webhook(webhook);
    store.add_delivery(webhook, "dlv_1", time.wall().now(), kPayload);
    auto client = std::make_unique<ScriptedHttpClient>([](const HttpRequest&) { return std::nullopt; });
    ScriptedHttpClient* scripted = client.get();
    auto engine = DeliveryEngine::create(
        EngineDeps{store, store, time.wall(), time.monotonic(), std::move(client)}, options());
    engine->start();
    ASSERT_TRUE(wait_until([&] { return scripted->held() == 1; }));
    const auto deadline = time.monotonic().now() + seconds(5);
    auto drained = std::async(std::launch::async, [&] { return engine->drain(deadline); });
    if (c.answer_before_deadline) {
      ASSERT_EQ(scripted->answer_held(http_status(200)), 1u);
    } else {
      while (drained.wait_for(milliseconds(1)) != std::future_status::ready) time.advance(milliseconds(500));
    }
    EXPECT_EQ(drained.get().abandoned, c.abandoned);
    EXPECT_EQ(store.attempts().size(), c.recorded);
    engine->stop(seconds(1));  // already stopped: returns at once
  }
}

TEST_F(EngineTest, TestsInFlightAreBoundedPerWebhookAndPerCompanyWithoutWaiting) {
  std::atomic<int> done{0};
  auto engine = create(options(), [](const HttpRequest&) { return std::nullopt; });  // not started; all hang
  auto start = [&](const model::Webhook& webhook) {
    return engine->send_test(webhook, "evt_test", kPayload, [&](const TestDeliveryResult&) { ++done; });
  };
  namespace limits = model::limits;
  const auto first = make_webhook("wh_0", "https://hooks.example/0");
  for (int i = 0; i < limits::kMaxTestsInFlightPerWebhook; ++i) ASSERT_TRUE(start(first).has_value());
  auto refused = start(first);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "webhook");
  EXPECT_EQ(refused.error().limit, limits::kMaxTestsInFlightPerWebhook);
  EXPECT_EQ(refused.error().retry_after, seconds(4));  // the timeout (3 s) and a second for the callback
  time_.advance(milliseconds(2500));
  EXPECT_EQ(start(first).error().retry_after, seconds(2));  // 1.5 s, rounded up
  time_.advance(milliseconds(1400));
  EXPECT_EQ(start(first).error().retry_after, seconds(1));  // never less than a second

  int started = limits::kMaxTestsInFlightPerWebhook;
  for (int w = 1; started < limits::kMaxTestsInFlightPerCompany; ++w) {
    const auto webhook =
        make_webhook("wh_" + std::to_string(w), "https://hooks.example/" + std::to_string(w));
    for (int i = 0; i < limits::kMaxTestsInFlightPerWebhook && started < limits::kMaxTestsInFlightPerCompany;
         ++i, ++started) {
      ASSERT_TRUE(start(webhook).has_value());
    }
  }
  refused = start(make_webhook("wh_fresh", "https://hooks.example/fresh"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "company");
  auto elsewhere = make_webhook("wh_other_company", "https://hooks.example/other");
  elsewhere.company_id = "co_2";
  EXPECT_TRUE(start(elsewhere).has_value());
  EXPECT_EQ(done, 0);  // every test is still in flight: send_test never waited for one

  // Each ends and gives its slot back.
  EXPECT_EQ(client_->answer_held(http_status(200)),
            static_cast<std::size_t>(limits::kMaxTestsInFlightPerCompany + 1));
  ASSERT_TRUE(wait_until([&] { return done == limits::kMaxTestsInFlightPerCompany + 1; }));
  EXPECT_TRUE(start(first).has_value());
  EXPECT_EQ(store_.claim_calls(), 0);
}

TEST_F(EngineTest, SendTestThatCannotBeBuiltAnswersAtOnce) {
  auto engine = create(options());
  auto webhook = make_webhook("wh_a", "not a url");
  std::optional<TestDeliveryResult> result;
  ASSERT_TRUE(
      engine->send_test(webhook, "evt_test", kPayload, [&](const TestDeliveryResult& r) { result = r; })
          .has_value());
  ASSERT_TRUE(result.has_value());  // on this thread, before send_test returned
  EXPECT_FALSE(result->delivered);
  ASSERT_TRUE(result->error.has_value());
  EXPECT_EQ(result->error->rfind("other: ", 0), 0u) << *result->error;
  EXPECT_EQ(client_->request_count(), 0u);
  EXPECT_TRUE(engine->send_test(webhook, "evt_test", kPayload, [](const TestDeliveryResult&) {}).has_value());
}

// A test is not recorded, so its answer carries what the receiver said
// (issue 17: the dashboard shows it and keeps it in its log).
TEST_F(EngineTest, SendTestAnswersWithTheResponseBody) {
  struct Row {
    const char* name;
    int status;
    std::string body;
    bool truncated;
    std::string want_body;
  };
  const std::vector<Row> rows = {
      {"success", 200, "ok", false, "ok"},
      {"failure", 500, R"({"error":"database down"})", false, R"({"error":"database down"})"},
      {"invalid UTF-8 replaced", 502, "bad \xFF byte", false, "bad \xEF\xBF\xBD byte"},
      {"truncated at the cap", 200, std::string(64, 'x'), true, std::string(64, 'x')},
      {"empty", 204, "", false, ""},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    auto engine = create(options(), [&row](const HttpRequest&) {
      auto response = http_status(row.status, row.body);
      response.body_truncated = row.truncated;
      return std::optional(response);
    });
    std::optional<TestDeliveryResult> result;
    std::atomic<bool> done{false};
    ASSERT_TRUE(engine
                    ->send_test(make_webhook("wh_a", "https://hooks.example/a"), "evt_test", kPayload,
                                [&](TestDeliveryResult r) {
                                  result = std::move(r);
                                  done = true;
                                })
                    .has_value());
    ASSERT_TRUE(wait_until([&] { return done.load(); }));
    EXPECT_EQ(result->status_code, row.status);
    EXPECT_EQ(result->response_body, row.want_body);
    EXPECT_EQ(result->response_body_truncated, row.truncated);
  }
}

// --- with the real HTTP client -------------------------------------------------

class EngineTlsTest : public ::testing::Test {
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

  // The engine with the libcurl client create() would build, on the real clocks.
  static std::unique_ptr<DeliveryEngine> create(FakeStore& store, const Clock& clock,
                                                const EngineOptions& options) {
    HttpClientOptions client_options;
    client_options.allow_private_networks = options.allow_private_networks;
    client_options.ca_file = options.ca_file;
    client_options.max_response_bytes = options.max_response_bytes;
    auto client = HttpClient::create(client_options);
    EXPECT_TRUE(client.has_value());
    return DeliveryEngine::create(
        EngineDeps{store, store, clock, SteadyMonotonicClock::instance(), std::move(*client)}, options);
  }

  TempDir dir_;
  FakeStore store_;
  SystemClock clock_;
};

// The attempt log keeps failures (a success's row carries nothing to log), so
// the receiver here refuses the first attempt to have one logged.
TEST_F(EngineTlsTest, DeliversSignedRequestAndRecordsTheAttempt) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{503, {}, "busy"}; });
  auto webhook = make_webhook("wh_a", server.url("/in"));
  webhook.secret = "mysecret";
  webhook.spec.auth.type = model::AuthType::kBasic;
  webhook.spec.auth.username = "u";
  webhook.spec.auth.password = "pw";
  store_.put_webhook(webhook);
  store_.add_delivery(webhook, "dlv_1", clock_.now(), kPayload);
  auto engine = create(store_, clock_, options_for(server));
  engine->start();
  ASSERT_TRUE(wait_until([&] { return !store_.attempts().empty(); }));
  engine->stop();

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
  EXPECT_FALSE(a.success);
  EXPECT_EQ(a.status_code, 503);
  EXPECT_EQ(a.attempt, 1);
  EXPECT_EQ(a.delivery_id, "dlv_1");
  EXPECT_EQ(a.request_body, kPayload);
  EXPECT_EQ(a.request_url, webhook.spec.url);
  EXPECT_EQ(a.response_body, "busy");
  EXPECT_EQ(a.request_headers.find("mysecret"), std::string::npos);
  // The signature is kept as sent (it does not reveal the secret); credentials are masked.
  EXPECT_NE(a.request_headers.find(request.header("X-MyOperator-Signature")), std::string::npos);
  EXPECT_EQ(a.request_headers.find(request.header("Authorization")), std::string::npos);
  EXPECT_NE(a.request_headers.find("********"), std::string::npos);
  EXPECT_EQ(store_.delivery("dlv_1").state, model::DeliveryState::kPending);
}

TEST_F(EngineTlsTest, FailuresAreClassified) {
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
    auto engine = create(store, clock_, options);
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

TEST_F(EngineTlsTest, SendTestDeliversOnceAndRecordsNothing) {
  std::atomic<int> status{200};
  TestTlsServer server([&](const RecordedRequest&) { return TestReply{status.load(), {}, "r"}; });
  auto webhook = make_webhook("wh_a", server.url());
  webhook.secret = "whsec_dGVzdGtleQ";
  auto engine = create(store_, clock_, options_for(server));  // not started

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

}  // namespace
}  // namespace switchboard::delivery
