// The single-node engine (issue 14): its queue in memory (LocalClaimer over
// ReadyQueue), fed from the store once at start and by wake-ups that carry
// the new deliveries; no lease is ever written. On manual time with a
// scripted client, against the in-memory FakeStore offering the pending reads.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/test_clock.h"
#include "delivery/engine.h"
#include "delivery/test_fake_http_client.h"
#include "delivery/test_fake_store.h"
#include "delivery/test_support.h"

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using switchboard::testing::ManualTime;
using testing::FakeStore;
using testing::http_status;
using testing::ScriptedHttpClient;
using testing::wait_until;

model::Webhook make_webhook(const std::string& id) {
  model::Webhook webhook;
  webhook.id = id;
  webhook.company_id = "co_1";
  webhook.spec.url = "https://hooks.example/" + id;
  webhook.status = model::WebhookStatus::kActive;
  return webhook;
}

// "<key>#<seq>": what a request carries, so order can be checked per chain.
std::string body(const std::string& key, int seq) { return key + "#" + std::to_string(seq); }

class LocalEngineTest : public ::testing::Test {
 protected:
  LocalEngineTest() { store_.offer_pending_reads(true); }

  static EngineOptions options() {
    EngineOptions options;
    options.timeout = milliseconds(3000);
    options.lease = seconds(30);
    options.memory_queue = true;
    return options;  // shared_store false: the single-node engine
  }

  std::unique_ptr<DeliveryEngine> start(ScriptedHttpClient::Script script = {},
                                        EngineOptions options = LocalEngineTest::options()) {
    auto client = std::make_unique<ScriptedHttpClient>(std::move(script));
    client_ = client.get();
    auto engine = DeliveryEngine::create(
        EngineDeps{store_, store_, time_.wall(), time_.monotonic(), std::move(client)}, std::move(options));
    engine->start();
    return engine;
  }

  model::Delivery add(const model::Webhook& webhook, const std::string& key, int seq, TimePoint due) {
    const std::string id = "dlv_" + webhook.id + "_" + (key.empty() ? "u" : key) + "_" + std::to_string(seq);
    return store_.add_delivery(webhook, id, due, body(key, seq), key,
                               key.empty() ? std::nullopt : std::optional<std::int64_t>(seq));
  }

  // Bodies sent, grouped by chain key (the part before '#').
  std::map<std::string, std::vector<std::string>> sent_by_chain() const {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& request : client_->requests()) {
      out[request.body.substr(0, request.body.find('#'))].push_back(request.body);
    }
    return out;
  }

  bool delivered(const std::string& id) const {
    return store_.delivery(id).state == model::DeliveryState::kDelivered;
  }

  ManualTime time_;
  FakeStore store_;
  ScriptedHttpClient* client_ = nullptr;  // owned by the engine
};

TEST_F(LocalEngineTest, RestartWithABacklogDeliversEveryChainInOrderWithoutLeasesOrClaims) {
  const auto webhook = make_webhook("wh_a");
  store_.put_webhook(webhook);
  const TimePoint now = time_.wall().now();
  std::vector<std::string> ids;
  for (const std::string key : {"c1", "c2", "c3"}) {
    for (int seq = 1; seq <= 5; ++seq) ids.push_back(add(webhook, key, seq, now - seconds(10 - seq)).id);
  }
  ids.push_back(add(webhook, "", 1, now).id);
  ids.push_back(add(webhook, "", 2, now + seconds(30)).id);  // a retry due later
  auto engine = start();
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == ids.size() - 1; }));
  EXPECT_FALSE(delivered(ids.back()));  // not due yet: nothing polls the store for it
  time_.advance(seconds(30));
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == ids.size(); }));
  engine->stop();

  for (const auto& id : ids) {
    EXPECT_TRUE(delivered(id)) << id;
    EXPECT_EQ(store_.lease_of(id), TimePoint{}) << id;  // never leased
  }
  const auto chains = sent_by_chain();
  for (const std::string key : {"c1", "c2", "c3"}) {
    EXPECT_EQ(chains.at(key), (std::vector<std::string>{body(key, 1), body(key, 2), body(key, 3),
                                                        body(key, 4), body(key, 5)}))
        << key;
  }
  EXPECT_EQ(store_.claim_calls(), 0);  // no claim (a lease write per row) at all
  EXPECT_EQ(store_.list_calls(), 1);   // one compact read at start
  EXPECT_EQ(engine->stats().claimed, ids.size());
  EXPECT_EQ(engine->stats().delivered, ids.size());
}

TEST_F(LocalEngineTest, ARestartAfterAnAbandonedAttemptDeliversItAgainAndTheRestOnce) {
  const auto webhook = make_webhook("wh_a");
  store_.put_webhook(webhook);
  for (int seq = 1; seq <= 3; ++seq) add(webhook, "c1", seq, time_.wall().now());
  {
    // The first run hangs on seq 1 and stops without waiting (like kill -9: nothing recorded).
    auto engine = start([](const HttpRequest&) { return std::nullopt; });
    ASSERT_TRUE(wait_until([&] { return client_->held() == 1; }));
    engine->stop(milliseconds(0));
  }
  auto engine = start();
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == 3; }));
  engine->stop();
  EXPECT_EQ(sent_by_chain().at("c1"),
            (std::vector<std::string>{body("c1", 1), body("c1", 2), body("c1", 3)}));
}

TEST_F(LocalEngineTest, WakeUpsCarryTheNewDeliveriesAndNotifyRescansTheStore) {
  const auto webhook = make_webhook("wh_a");
  store_.put_webhook(webhook);
  auto engine = start();
  ASSERT_TRUE(wait_until([&] { return store_.list_calls() == 1; }));
  // Ingest: the wake-up carries the deliveries; the store is not listed again.
  std::vector<store::PendingDelivery> queued;
  for (int seq = 1; seq <= 3; ++seq)
    queued.push_back(store::pending_of(add(webhook, "c1", seq, time_.wall().now())));
  engine->notify_queued(queued);
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == 3; }));
  EXPECT_EQ(store_.list_calls(), 1);
  // A delivery stored without a wake-up is not seen (nothing polls) until notify() rescans.
  const auto quiet = add(webhook, "", 9, time_.wall().now());
  time_.advance(seconds(2));
  EXPECT_FALSE(delivered(quiet.id));
  engine->notify();
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == 4; }));
  EXPECT_EQ(store_.list_calls(), 2);
  // A wake-up repeating known deliveries sends nothing twice.
  engine->notify_queued(queued);
  engine->notify();
  ASSERT_TRUE(wait_until([&] { return store_.list_calls() == 3; }));
  time_.advance(seconds(1));
  engine->stop();
  EXPECT_EQ(client_->request_count(), 4u);
  EXPECT_EQ(sent_by_chain().at("c1"),
            (std::vector<std::string>{body("c1", 1), body("c1", 2), body("c1", 3)}));
}

TEST_F(LocalEngineTest, ARedeliveryOfAnEarlierEventTakesTheChainHeadWhileTheHeadWaitsForItsRetry) {
  const auto webhook = make_webhook("wh_a");
  store_.put_webhook(webhook);
  for (int seq = 1; seq <= 3; ++seq) add(webhook, "c1", seq, time_.wall().now());
  std::atomic<int> seq1_calls{0};
  auto engine = start([&](const HttpRequest& request) {
    if (request.body == body("c1", 1) && ++seq1_calls == 1) return http_status(500, "later");
    return http_status(200);
  });
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == 1; }));
  // seq 1 waits 30 s for its retry; the redelivery of an earlier event (seq 0) goes first.
  engine->notify_queued({store::pending_of(add(webhook, "c1", 0, time_.wall().now()))});
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == 2; }));
  EXPECT_EQ(client_->request_count(), 2u);  // seq 2 and 3 still wait behind seq 1
  time_.advance(seconds(30));
  ASSERT_TRUE(wait_until([&] { return store_.attempts().size() == 5; }));
  engine->stop();
  EXPECT_EQ(sent_by_chain().at("c1"), (std::vector<std::string>{body("c1", 1), body("c1", 0), body("c1", 1),
                                                                body("c1", 2), body("c1", 3)}));
  // The retry kept its exact schedule.
  const auto outcomes = store_.outcomes();
  EXPECT_EQ(*outcomes.at(0).next_attempt_at - outcomes.at(0).attempt.at, seconds(30));
}

TEST_F(LocalEngineTest, APausedWebhookIsParkedAndResumedADeletedOneForgotten) {
  struct Case {
    const char* name;
    bool remove;
  };
  for (const Case& c : {Case{"paused, then active again", false}, Case{"deleted", true}}) {
    SCOPED_TRACE(c.name);
    FakeStore store;
    store.offer_pending_reads(true);
    ManualTime time;
    const auto webhook = make_webhook("wh_a");
    const auto other = make_webhook("wh_b");
    store.put_webhook(webhook);
    store.put_webhook(other);
    for (int i = 0; i < 4; ++i) {
      store.add_delivery(webhook, "dlv_a" + std::to_string(i), time.wall().now(), "a");
    }
    auto options = LocalEngineTest::options();
    options.per_webhook_in_flight = 1;
    auto client =
        std::make_unique<ScriptedHttpClient>([](const HttpRequest& request) -> std::optional<HttpResponse> {
          if (request.body == "a") return std::nullopt;  // held until answered
          return http_status(200);
        });
    ScriptedHttpClient& held = *client;
    auto engine = DeliveryEngine::create(
        EngineDeps{store, store, time.wall(), time.monotonic(), std::move(client)}, options);
    engine->start();
    ASSERT_TRUE(wait_until([&] { return held.held() == 1; }));
    if (c.remove) {
      store.delete_webhook("wh_a");
    } else {
      store.set_status("wh_a", model::WebhookStatus::kInactive);
    }
    time.advance(milliseconds(1000));  // the engine's view of the webhook expires
    ASSERT_EQ(held.answer_held(http_status(200)), 1u);
    // The others are not sent; another webhook's work still flows.
    engine->notify_queued({store::pending_of(store.add_delivery(other, "dlv_b0", time.wall().now(), "b"))});
    ASSERT_TRUE(wait_until([&] { return store.attempts_of("dlv_b0").size() == 1; }));
    time.advance(milliseconds(1000));  // a deleted webhook is polled, found gone, forgotten
    time.advance(milliseconds(1000));
    EXPECT_EQ(held.request_count(), 2u);  // dlv_a0 (answered after the change) and dlv_b0
    if (!c.remove) {
      store.set_status("wh_a", model::WebhookStatus::kActive);
      time.advance(milliseconds(1000));  // the parked webhook is polled, found active, resynced
      ASSERT_TRUE(wait_until([&] { return held.held() == 1; }));
      for (int answered = 0; answered < 3;) {
        time.advance(milliseconds(10));
        answered += static_cast<int>(held.answer_held(http_status(200)));
      }
      ASSERT_TRUE(wait_until([&] { return store.attempts().size() == 5; }));
      for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(store.delivery("dlv_a" + std::to_string(i)).state, model::DeliveryState::kDelivered) << i;
      }
    }
    engine->stop();
    EXPECT_EQ(store.claim_calls(), 0);
  }
}

}  // namespace
}  // namespace switchboard::delivery
