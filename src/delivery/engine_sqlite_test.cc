#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/crypto.h"
#include "delivery/engine.h"
#include "delivery/test_support.h"
#include "delivery/test_tls_server.h"
#include "store/sqlite/sqlite_store.h"

// The engine end to end on the real SQLite store: ingest -> claim -> HTTPS
// (a server on 127.0.0.1) -> record.
namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using testing::RecordedRequest;
using testing::TempDir;
using testing::TestReply;
using testing::TestTlsServer;
using testing::wait_until;

class EngineSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto box = crypto::SecretBox::from_key(std::string(crypto::SecretBox::kKeyBytes, '\x42'));
    ASSERT_TRUE(box.has_value());
    store::SqliteOptions options;
    options.path = dir_.path() / "switchboard.db";
    options.read_connections = 2;
    auto opened = store::open_sqlite_store(options, std::move(*box));
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
    const TimePoint now = clock_.now();
    model::User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, now};
    ASSERT_TRUE(store_->create_company(
        model::Company{"cmp_a", "Acme", false, now}, owner,
        model::ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", now}));
  }

  model::Webhook add_webhook(const std::string& id, const std::string& url) {
    model::Webhook webhook;
    webhook.id = id;
    webhook.company_id = "cmp_a";
    webhook.spec.name = id;
    webhook.spec.url = url;
    webhook.spec.events = {"call.answered", "call.end"};
    webhook.secret = "whsec_dGVzdGtleQ";
    webhook.created_at = webhook.updated_at = clock_.now();
    EXPECT_TRUE(store_->create_webhook(webhook, 10).has_value());
    return webhook;
  }

  void ingest(const std::string& id, const std::string& type, const std::string& call_id) {
    store::NewEvent in;
    in.event.id = id;
    in.event.company_id = "cmp_a";
    in.event.type = type;
    in.event.sequence_key = call_id;
    in.event.created_at = clock_.now();
    in.event.occurred_at = in.event.created_at - milliseconds(100);
    in.data_json = R"({"call_id":")" + call_id + R"("})";
    in.sequenced = true;
    in.attributes = {"inbound", "", ""};
    for (int k = 0; k < 10; ++k) in.delivery_ids.push_back("dlv_" + id + "_" + std::to_string(k));
    auto outcome = store_->ingest_events({in});
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    ASSERT_TRUE(outcome->at(0).has_value()) << outcome->at(0).error().message;
  }

  EngineOptions options_for(const TestTlsServer& server) {
    EngineOptions options;
    options.time_scale = 1000;
    options.allow_private_networks = true;
    options.ca_file = dir_.write("ca.pem", server.cert_pem());
    options.timeout = milliseconds(3000);
    return options;
  }

  std::size_t count(const std::string& webhook_id, model::DeliveryState state) {
    auto page = store_->list_deliveries("cmp_a", webhook_id, state, store::PageRequest{100, ""});
    return page ? page->items.size() : 0;
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(EngineSqliteTest, IngestedEventsAreDeliveredInCallOrder) {
  TestTlsServer server;
  const auto webhook = add_webhook("wh_1", server.url("/in"));
  ingest("evt_1", "call.answered", "call_1");
  ingest("evt_2", "call.end", "call_1");
  ingest("evt_3", "call.answered", "call_2");
  auto engine = DeliveryEngine::create(*store_, *store_, clock_, options_for(server));
  engine->start();
  engine->notify();
  ASSERT_TRUE(wait_until([&] { return count("wh_1", model::DeliveryState::kDelivered) == 3; }));
  engine->stop();

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  std::vector<std::string> call_1;
  for (const auto& r : requests) {
    const std::string id = r.header("X-MO-Event-Id");
    auto event = store_->get_event("cmp_a", id);
    ASSERT_TRUE(event.has_value()) << id;
    EXPECT_EQ(r.body, event->payload);  // the exact envelope bytes
    EXPECT_EQ(r.header("X-MyOperator-Signature"),
              crypto::hex_encode(crypto::hmac_sha256(*webhook.secret, r.body)));
    if (r.body.find("call_1") != std::string::npos) call_1.push_back(id);
  }
  EXPECT_EQ(call_1, (std::vector<std::string>{"evt_1", "evt_2"}));
}

TEST_F(EngineSqliteTest, FailedAttemptIsLoggedAndRetried) {
  std::atomic<int> calls{0};
  TestTlsServer server([&](const RecordedRequest&) {
    return ++calls == 1 ? TestReply{500, {{"X-Why", "test"}}, "try later"} : TestReply{};
  });
  add_webhook("wh_1", server.url("/in"));
  ingest("evt_1", "call.answered", "call_1");
  auto engine = DeliveryEngine::create(*store_, *store_, clock_, options_for(server));
  engine->start();
  ASSERT_TRUE(wait_until([&] { return count("wh_1", model::DeliveryState::kDelivered) == 1; }));
  engine->stop();

  store::AttemptQuery query;
  query.company_id = "cmp_a";
  query.webhook_id = "wh_1";
  auto failed = store_->list_failed_attempts(query);
  ASSERT_TRUE(failed.has_value()) << failed.error().message;
  ASSERT_EQ(failed->items.size(), 1u);
  const auto& a = failed->items[0];
  EXPECT_EQ(a.attempt, 1);
  EXPECT_EQ(a.status_code, 500);
  EXPECT_EQ(a.error, model::AttemptError::kHttpStatus);
  EXPECT_EQ(a.response_body, "try later");
  EXPECT_NE(a.response_headers.find("X-Why"), std::string::npos);
  // Signatures are kept as sent (an HMAC, not the secret); the secret never is.
  EXPECT_NE(a.request_headers.find(server.requests()[0].header("X-MyOperator-Signature")), std::string::npos);
  EXPECT_EQ(a.request_headers.find("whsec_"), std::string::npos);
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(server.requests()[1].header("X-MO-Delivery-Attempt"), "2");
}

TEST_F(EngineSqliteTest, CreateRejectsAnUnreadableCaFile) {
  EngineOptions options;
  options.ca_file = dir_.path() / "missing.pem";
  EXPECT_THROW(DeliveryEngine::create(*store_, *store_, clock_, options), std::invalid_argument);
}

}  // namespace
}  // namespace switchboard::delivery
