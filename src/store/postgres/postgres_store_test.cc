// PostgresStore rules the contract suite cannot see from one Store object:
// several nodes (stores) on one database racing each other (migrations,
// per-company limits, unique emails, v1 claims), secrets at rest, a
// connection lost under the pool, and what open_postgres_store() refuses.
// Needs the PostgreSQL test server (CTest fixture `pg`, see
// postgres_test_support.h).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_migrator.h"
#include "store/postgres/postgres_test_support.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;

constexpr const char* kSigningSecret = "whsec_PG_SIGNING_SECRET_81b2";
constexpr const char* kPreviousSecret = "whsec_PG_PREVIOUS_SECRET_9c3d";
constexpr const char* kBasicPassword = "PG_BASIC_PASSWORD_5e6f";
constexpr const char* kApiKeyValue = "PG_API_KEY_VALUE_7a8b";
constexpr const char* kV1HeaderValue = "PG_V1_HEADER_VALUE_1d2e";
constexpr const char* kV1QueryValue = "PG_V1_QUERY_VALUE_3f4a";
constexpr const char* kHeaderValue = "PG_CUSTOM_HEADER_VALUE_5b6c";

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::postgres_tests_disabled()) GTEST_SKIP() << "SWITCHBOARD_TEST_PG=off";
    schema_ = testing::TestPostgresSchema::create();
    ASSERT_NE(schema_, nullptr);
  }

  // One "node": its own store and connection pool on the shared schema.
  std::unique_ptr<Store> node(int connections = 4) {
    auto store = testing::open_test_postgres_store(*schema_, connections);
    EXPECT_NE(store, nullptr);
    return store;
  }

  // A session of our own in the schema, to look under the store.
  pqxx::connection admin() { return pqxx::connection(schema_->url()); }

  static void seed_company(Store& store, const std::string& id) {
    model::User owner = contract::user(id, id + "_owner", "owner@" + id + ".example", model::Role::kOwner);
    auto created =
        store.create_company(contract::company(id), owner, contract::user_token(owner, id + "_tok"));
    ASSERT_TRUE(created.has_value()) << error_text(created);
  }

  // Runs body(i) on `count` threads at once and waits for them.
  static void race(int count, const std::function<void(int)>& body) {
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready.load() < count) std::this_thread::yield();
        body(i);
      });
    }
    for (std::thread& t : threads) t.join();
  }

  std::unique_ptr<testing::TestPostgresSchema> schema_;
};

TEST_F(PostgresStoreTest, NodesOpeningTogetherMigrateOnce) {
  std::vector<std::unique_ptr<Store>> nodes(4);
  race(4, [&](int i) { nodes[i] = testing::open_test_postgres_store(*schema_, 1); });
  for (const auto& store : nodes) ASSERT_NE(store, nullptr);
  const std::size_t expected = postgres::embedded_migrations().size();
  ASSERT_GE(expected, 4u);
  {
    pqxx::connection connection = admin();
    pqxx::nontransaction tx(connection);
    auto rows = tx.exec("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
    EXPECT_EQ(rows[0][0].as<std::size_t>(), expected);
    EXPECT_EQ(rows[0][1].as<std::size_t>(), expected);
  }
  // Reopening applies nothing again, and the store works.
  auto again = node();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->ping().has_value());
  pqxx::connection connection = admin();
  pqxx::nontransaction tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM schema_migrations")[0][0].as<std::size_t>(), expected);
}

TEST_F(PostgresStoreTest, WebhookLimitHoldsWhenNodesRace) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(a && b);
  seed_company(*a, "cmp_a");
  std::atomic<int> created{0}, limited{0}, other{0};
  race(16, [&](int i) {
    Store& store = i % 2 == 0 ? *a : *b;
    auto done = store.create_webhook(contract::subscriber("cmp_a", "wh_" + std::to_string(100 + i)), 10);
    if (done) {
      ++created;
    } else if (done.error().code == ErrorCode::kLimitReached) {
      ++limited;
    } else {
      ADD_FAILURE() << done.error().message;
      ++other;
    }
  });
  EXPECT_EQ(created.load(), 10);
  EXPECT_EQ(limited.load(), 6);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(a->list_webhooks("cmp_a", PageRequest{100, ""})->items.size(), 10u);
}

TEST_F(PostgresStoreTest, DirectoryLimitsHoldWhenNodesRace) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(a && b);
  seed_company(*a, "cmp_a");
  std::atomic<int> departments{0}, agents{0};
  race(12, [&](int i) {
    Store& store = i % 2 == 0 ? *a : *b;
    const std::string id = std::to_string(i);
    if (store.create_department(model::Department{"dep_" + id, "cmp_a", "Dep " + id, at(1), at(1)}, 5))
      ++departments;
    model::Agent agent;
    agent.id = "agt_" + id;
    agent.company_id = "cmp_a";
    agent.name = "Agent " + id;
    agent.created_at = agent.updated_at = at(1);
    if (store.create_agent(agent, 7)) ++agents;
  });
  EXPECT_EQ(departments.load(), 5);
  EXPECT_EQ(agents.load(), 7);
  EXPECT_EQ(b->list_departments("cmp_a", PageRequest{100, ""})->items.size(), 5u);
  EXPECT_EQ(b->list_agents("cmp_a", PageRequest{100, ""})->items.size(), 7u);
}

TEST_F(PostgresStoreTest, SameEmailOnTwoNodesIsOneUserAndConflicts) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(a && b);
  seed_company(*a, "cmp_a");
  std::atomic<int> created{0}, conflicts{0};
  race(8, [&](int i) {
    Store& store = i % 2 == 0 ? *a : *b;
    // Same address, different case: one user per company, case-insensitively.
    const std::string email = i % 3 == 0 ? "Dup@Example.com" : "dup@example.COM";
    auto done = store.create_user(contract::user("cmp_a", "usr_" + std::to_string(i), email), std::nullopt);
    if (done) {
      ++created;
    } else {
      EXPECT_EQ(done.error().code, ErrorCode::kConflict) << done.error().message;
      ++conflicts;
    }
  });
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
}

model::Webhook secretive_webhook() {
  model::Webhook webhook = contract::subscriber("cmp_a", "wh_secret");
  webhook.spec.auth.type = model::AuthType::kApiKey;
  webhook.spec.auth.location = model::ApiKeyLocation::kHeader;
  webhook.spec.auth.keys = {{"X-Api-Key", kApiKeyValue}};
  webhook.spec.headers = {{"Authorization", std::string("Bearer ") + kHeaderValue}, {"X-Empty", ""}};
  webhook.secret = kSigningSecret;
  webhook.previous_secret = kPreviousSecret;
  webhook.previous_secret_expires_at = at(1'700'000'086'400);
  return webhook;
}

model::V1Webhook secretive_v1_webhook() {
  model::V1Webhook w;
  w.id = "v1wh_secret";
  w.company_id = "cmp_a";
  w.spec.type = model::V1Type::kAfterCall;
  w.spec.url = "https://receiver.example.com/v1";
  w.spec.headers = {{"X-Token", kV1HeaderValue}};
  w.spec.query = {{"api_key", kV1QueryValue}};
  w.created_at = w.updated_at = at(1);
  return w;
}

TEST_F(PostgresStoreTest, SecretsAreNeverStoredInClear) {
  auto store = node();
  ASSERT_NE(store, nullptr);
  seed_company(*store, "cmp_a");
  ASSERT_TRUE(store->create_webhook(secretive_webhook(), 10).has_value());
  model::Webhook basic = contract::subscriber("cmp_a", "wh_basic");
  basic.spec.auth.type = model::AuthType::kBasic;
  basic.spec.auth.username = "user";
  basic.spec.auth.password = kBasicPassword;
  ASSERT_TRUE(store->create_webhook(basic, 10).has_value());
  ASSERT_TRUE(store->create_v1_webhook(secretive_v1_webhook()).has_value());

  std::string everything;
  {
    pqxx::connection connection = admin();
    pqxx::nontransaction tx(connection);
    for (const char* table : {"webhooks", "v1_webhooks"}) {
      for (const pqxx::row& row : tx.exec(std::string("SELECT row_to_json(t)::text FROM ") + table + " t")) {
        everything += row[0].c_str();
      }
    }
  }
  ASSERT_NE(everything.find("receiver.example.com"), std::string::npos) << "the scan should see the rows";
  for (const char* secret : {kSigningSecret, kPreviousSecret, kBasicPassword, kApiKeyValue, kV1HeaderValue,
                             kV1QueryValue, kHeaderValue}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret << " is stored in clear";
  }

  auto webhook = store->get_webhook("cmp_a", "wh_secret");
  ASSERT_TRUE(webhook.has_value()) << error_text(webhook);
  EXPECT_EQ(webhook->secret, kSigningSecret);
  EXPECT_EQ(webhook->previous_secret, kPreviousSecret);
  EXPECT_EQ(webhook->spec.auth, secretive_webhook().spec.auth);
  EXPECT_EQ(webhook->spec.headers, secretive_webhook().spec.headers);
  EXPECT_EQ(store->get_webhook("cmp_a", "wh_basic")->spec.auth.password, kBasicPassword);
  EXPECT_EQ(store->get_v1_webhook("cmp_a", "v1wh_secret")->spec, secretive_v1_webhook().spec);
}

TEST_F(PostgresStoreTest, ClearHeaderValuesOfOlderRowsAreResealedAtOpen) {
  {
    auto store = node();
    ASSERT_NE(store, nullptr);
    seed_company(*store, "cmp_a");
    ASSERT_TRUE(store->create_webhook(secretive_webhook(), 10).has_value());
  }
  // A row as a binary from before header values were sealed wrote it.
  const std::string legacy = std::string(R"([{"key":"Authorization","value":"Bearer )") + kHeaderValue +
                             R"("},{"key":"X-Empty","value":""}])";
  const auto stored_headers = [&] {
    pqxx::connection connection = admin();
    pqxx::nontransaction tx(connection);
    return tx.exec1("SELECT headers FROM webhooks WHERE id = 'wh_secret'")[0].as<std::string>();
  };
  {
    pqxx::connection connection = admin();
    pqxx::nontransaction tx(connection);
    tx.exec_params("UPDATE webhooks SET headers = $1 WHERE id = 'wh_secret'", legacy);
  }
  ASSERT_NE(stored_headers().find(kHeaderValue), std::string::npos);
  auto store = node();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(stored_headers().find(kHeaderValue), std::string::npos) << stored_headers();
  EXPECT_NE(stored_headers().find("Authorization"), std::string::npos) << stored_headers();
  auto webhook = store->get_webhook("cmp_a", "wh_secret");
  ASSERT_TRUE(webhook.has_value()) << error_text(webhook);
  EXPECT_EQ(webhook->spec.headers, secretive_webhook().spec.headers);
}

TEST_F(PostgresStoreTest, ANodeWithAnotherSecretKeyIsRefusedAtOpen) {
  {
    auto store = node();
    ASSERT_NE(store, nullptr);
    seed_company(*store, "cmp_a");
    ASSERT_TRUE(store->create_webhook(secretive_webhook(), 10).has_value());
  }
  auto other =
      open_postgres_store(testing::test_postgres_options(*schema_), testing::secret_box_with_key('\x01'));
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(other.error().message.find("--secret-key-file"), std::string::npos) << other.error().message;
  // The right key still opens it, and reads the secrets.
  auto again = node();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->get_webhook("cmp_a", "wh_secret")->secret, kSigningSecret);
}

TEST_F(PostgresStoreTest, LostConnectionsAreReplacedAndTheCallRetried) {
  // Tagged with an application_name so that only this store's sessions are killed.
  PostgresOptions options = testing::test_postgres_options(*schema_, 2);
  options.url += "&application_name=" + schema_->name();
  auto store = open_postgres_store(options, testing::test_secret_box());
  ASSERT_TRUE(store.has_value()) << error_text(store);
  seed_company(**store, "cmp_a");
  {
    pqxx::connection connection = admin();
    pqxx::nontransaction tx(connection);
    auto killed = tx.exec_params(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = $1 AND pid <> pg_backend_pid()) k",
        schema_->name());
    EXPECT_EQ(killed[0][0].as<int>(), 2);
  }
  // Each call meets a dead connection first; the pool reconnects and the call is retried.
  for (int i = 0; i < 3; ++i) {
    auto company = (*store)->get_company("cmp_a");
    EXPECT_TRUE(company.has_value()) << error_text(company);
  }
  EXPECT_TRUE((*store)->ping().has_value());
}

TEST_F(PostgresStoreTest, ABatchLeavesOnlyEachChainsLowestPendingDeliveryUnblocked) {
  auto store = node();
  ASSERT_TRUE(store);
  seed_company(*store, "cmp_a");
  for (const char* id : {"wh_1", "wh_2"}) {
    ASSERT_TRUE(store->create_webhook(contract::subscriber("cmp_a", id), 10).has_value());
  }
  // One call already has a pending delivery per webhook; a batch adds to it
  // and starts two more calls, their events interleaved.
  ASSERT_TRUE(store->ingest_events({contract::new_event("cmp_a", "evt_0", "call.answered", "call:1")}));
  std::vector<NewEvent> batch;
  const std::vector<std::string> calls = {"call:1", "call:2", "call:3", "call:2",
                                          "call:1", "call:3", "call:2"};
  for (std::size_t i = 0; i < calls.size(); ++i) {
    batch.push_back(contract::new_event("cmp_a", "evt_" + std::to_string(i + 1), "call.answered", calls[i]));
  }
  auto ingested = store->ingest_events(batch);
  ASSERT_TRUE(ingested.has_value()) << error_text(ingested);
  for (const auto& outcome : *ingested) ASSERT_TRUE(outcome.has_value()) << error_text(outcome);

  auto connection = admin();
  pqxx::nontransaction tx(connection);
  pqxx::result rows = tx.exec(
      "SELECT webhook_id, ordering_key, event_id FROM deliveries WHERE state = 'pending' AND NOT blocked "
      "ORDER BY webhook_id, ordering_key");
  std::vector<std::string> unblocked;
  for (const auto& row : rows) {
    unblocked.push_back(row[0].as<std::string>() + " " + row[1].as<std::string>() + " " +
                        row[2].as<std::string>());
  }
  EXPECT_EQ(unblocked,
            (std::vector<std::string>{"wh_1 call:1 evt_0", "wh_1 call:2 evt_2", "wh_1 call:3 evt_3",
                                      "wh_2 call:1 evt_0", "wh_2 call:2 evt_2", "wh_2 call:3 evt_3"}));
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM deliveries WHERE blocked")[0].as<int>(), 10);
}

TEST_F(PostgresStoreTest, V1ClaimsOfRacingNodesAreDisjoint) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(a && b);
  seed_company(*a, "cmp_a");
  model::V1Webhook hook = secretive_v1_webhook();
  ASSERT_TRUE(a->create_v1_webhook(hook).has_value());
  std::vector<NewEvent> events;
  for (int i = 0; i < 40; ++i) {
    events.push_back(contract::new_event("cmp_a", "evt_" + std::to_string(100 + i), "call.end",
                                         "call:" + std::to_string(i)));
  }
  auto ingested = a->ingest_events(events);
  ASSERT_TRUE(ingested.has_value()) << error_text(ingested);

  const TimePoint now = at(contract::kT0 + 1000);
  std::mutex mutex;
  std::vector<std::string> claimed;
  race(4, [&](int i) {
    Store& store = i % 2 == 0 ? *a : *b;
    for (;;) {
      auto batch = store.claim_due_v1_deliveries(now, 3, now + std::chrono::minutes(1));
      ASSERT_TRUE(batch.has_value()) << error_text(batch);
      if (batch->empty()) return;
      std::lock_guard lock(mutex);
      for (const V1DueDelivery& due : *batch) {
        EXPECT_EQ(due.spec.headers, hook.spec.headers);
        EXPECT_FALSE(due.payload.empty());
        claimed.push_back(due.delivery.id);
      }
    }
  });
  EXPECT_EQ(claimed.size(), 40u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 40u)
      << "a delivery was claimed twice";
}

TEST_F(PostgresStoreTest, OpenRefusesBadOptions) {
  EXPECT_EQ(open_postgres_store(PostgresOptions{}, testing::test_secret_box()).error().code,
            ErrorCode::kInvalidArgument);
  PostgresOptions none = testing::test_postgres_options(*schema_);
  none.connections = 0;
  EXPECT_EQ(open_postgres_store(none, testing::test_secret_box()).error().code, ErrorCode::kInvalidArgument);
  PostgresOptions unreachable;
  unreachable.url = "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2";
  EXPECT_EQ(open_postgres_store(unreachable, testing::test_secret_box()).error().code,
            ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace switchboard::store
