// SQLite-specific behaviour of events and the delivery queue: durability
// across reopen, upgrade from the first schema, the query plans that keep
// claiming O(claimed), and the queue invariants (chain heads, paused
// deliveries) under a long random sequence of operations. The behaviour every
// Store shares is in src/store/store_*contract_test.cc.
#include "store/sqlite/sqlite_delivery_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_test_support.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using namespace contract::vocabulary;  // at, kT0, new_event, failed_attempt, …
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class SqliteDeliveryQueueTest : public ::testing::Test {
 protected:
  std::filesystem::path db_path() const { return dir_.path() / "switchboard.db"; }
  std::unique_ptr<Store> open() { return testing::open_test_store(db_path()); }

  static void seed(Store& store) {
    model::User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, at(1)};
    ASSERT_TRUE(store.create_company(
        model::Company{"cmp_a", "Acme", false, at(1)}, owner,
        model::ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", at(2)}));
    ASSERT_TRUE(store.create_webhook(subscriber("cmp_a", "wh_1"), 10));
  }

  // A raw connection to the store's file, for looking behind the interface.
  std::unique_ptr<sqlite::Connection> raw() {
    auto connection = sqlite::Connection::open(db_path(), {});
    EXPECT_TRUE(connection.has_value()) << error_text(connection);
    return connection ? std::move(*connection) : nullptr;
  }

  static std::string plan_of(sqlite::Connection& connection, const std::string& sql) {
    auto query = connection.prepare("EXPLAIN QUERY PLAN " + sql);
    EXPECT_TRUE(query.has_value()) << error_text(query);
    std::string plan;
    while (query && query->step().value_or(false)) plan += query->text(3) + "\n";
    return plan;
  }

  static std::vector<std::string> strings(sqlite::Connection& connection, const std::string& sql) {
    std::vector<std::string> out;
    auto query = connection.prepare(sql);
    EXPECT_TRUE(query.has_value()) << sql << ": " << error_text(query);
    while (query && query->step().value_or(false)) out.push_back(query->text(0));
    return out;
  }

  testing::TempDir dir_;
};

TEST_F(SqliteDeliveryQueueTest, ReopenKeepsEventsQueueAndLog) {
  const TimePoint t = at(kT0);
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    seed(*store);
    NewEvent first = new_event("cmp_a", "evt_1");
    first.event.idempotency_key = "key-1";
    ASSERT_TRUE(store->ingest_events({first, new_event("cmp_a", "evt_2")}));
    auto claimed = store->claim_due_deliveries(t, 10, t + minutes(5), 1);
    ASSERT_TRUE(claimed.has_value());
    ASSERT_EQ(claimed->size(), 1u);
    ASSERT_TRUE(store->record_attempts({failed_attempt("dlv_evt_1_0", 1, t, t + seconds(30))}));
    ASSERT_TRUE(store->claim_due_deliveries(t + seconds(30), 10, t + minutes(5), 1));  // leased again
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto event = store->get_event("cmp_a", "evt_1");
  ASSERT_TRUE(event.has_value()) << error_text(event);
  EXPECT_EQ(event->sequence, 1);
  EXPECT_THAT(event->payload, HasSubstr("\"event_id\":\"evt_1\""));
  auto delivery = store->get_delivery("cmp_a", "dlv_evt_1_0");
  ASSERT_TRUE(delivery.has_value());
  EXPECT_EQ(delivery->attempts, 1);
  EXPECT_EQ(delivery->last_status_code, 500);
  auto log = store->list_failed_attempts({"cmp_a", "wh_1"});
  ASSERT_TRUE(log.has_value());
  ASSERT_EQ(log->items.size(), 1u);
  EXPECT_EQ(log->items[0].response_body, "oops");

  // Counters, idempotency keys and leases are durable too.
  NewEvent retry = new_event("cmp_a", "evt_3");
  retry.event.idempotency_key = "key-1";
  auto outcomes = store->ingest_events({retry, new_event("cmp_a", "evt_4")});
  ASSERT_TRUE(outcomes.has_value());
  EXPECT_TRUE((*outcomes)[0]->duplicate);
  EXPECT_EQ((*outcomes)[1]->sequence, 3);
  auto while_leased = store->claim_due_deliveries(t + minutes(1), 10, t + minutes(2), 1);
  ASSERT_TRUE(while_leased.has_value());
  EXPECT_THAT(*while_leased, IsEmpty());
  // A restarted single node releases the leases of attempts that died with it.
  ASSERT_TRUE(store->release_all_leases());
  auto released = store->claim_due_deliveries(t + minutes(1), 10, t + minutes(2), 1);
  ASSERT_TRUE(released.has_value());
  ASSERT_EQ(released->size(), 1u);
  EXPECT_EQ(released->front().delivery.id, "dlv_evt_1_0");
}

TEST_F(SqliteDeliveryQueueTest, UpgradesADatabaseOfTheFirstSchema) {
  {
    // A database written by a binary that knew only migration 001.
    auto connection = raw();
    ASSERT_NE(connection, nullptr);
    ASSERT_TRUE(sqlite::apply_migrations(*connection, sqlite::embedded_migrations().subspan(0, 1)));
    ASSERT_TRUE(connection->exec(
        "INSERT INTO companies (id, name, created_at) VALUES ('cmp_a', 'Acme', 1);"
        "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
        "status, "
        "created_at, updated_at) VALUES ('wh_old', 'cmp_a', 'old', '', 'https://old.example/', "
        "'{\"type\":\"none\",\"username\":\"\",\"password\":\"\",\"location\":\"header\",\"keys\":[]}', "
        "'[]', '[\"call.answered\"]', '{\"direction\":[],\"department_ids\":[],\"agent_ids\":[]}', "
        "'active', 1, 1);"));
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto connection = raw();
  ASSERT_NE(connection, nullptr);
  // Every later migration applied in order (more are added by later issues).
  std::vector<std::string> all;
  for (const auto& migration : sqlite::embedded_migrations()) all.emplace_back(migration.name);
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[1], "002_events_deliveries");
  EXPECT_EQ(strings(*connection, "SELECT name FROM schema_migrations ORDER BY version"), all);
  auto outcomes = store->ingest_events({new_event("cmp_a", "evt_1")});
  ASSERT_TRUE(outcomes.has_value()) << error_text(outcomes);
  ASSERT_TRUE((*outcomes)[0].has_value()) << error_text((*outcomes)[0]);
  EXPECT_EQ((*outcomes)[0]->deliveries, 1);
  ASSERT_TRUE(store->delete_webhook("cmp_a", "wh_old"));
  EXPECT_EQ(store->get_delivery("cmp_a", "dlv_evt_1_0").error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteDeliveryQueueTest, ClaimingWalksOnlyTheReadyIndex) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto connection = raw();
  ASSERT_NE(connection, nullptr);
  ASSERT_TRUE(connection->exec("ANALYZE"));

  struct Case {
    std::string name, sql;
    std::vector<std::string> must_contain;
  };
  const std::vector<Case> cases = {
      {"claim", sqlite::claim_query_sql(), {"SEARCH d USING INDEX deliveries_ready (<expr><?)"}},
      {"next due", sqlite::next_due_query_sql(), {"SCAN d USING INDEX deliveries_ready"}},
      {"chain head",
       "SELECT id FROM deliveries WHERE webhook_id = ? AND ordering_key = ? AND state = 'pending' "
       "ORDER BY sequence, id LIMIT 1",
       {"SEARCH deliveries USING INDEX deliveries_pending (webhook_id=? AND ordering_key=?)"}},
      {"pause a webhook",
       "UPDATE deliveries SET paused = 1 WHERE webhook_id = ? AND state = 'pending'",
       {"SEARCH deliveries USING INDEX deliveries_pending (webhook_id=?)"}},
      {"release leases",
       "UPDATE deliveries SET lease_until = 0 WHERE lease_until != 0",
       {"deliveries_leased"}},
      {"failure log",
       "SELECT id FROM attempts WHERE webhook_id = ? AND id < ? ORDER BY id DESC LIMIT 9",
       {"attempts_webhook (webhook_id=? AND id<?)"}},
      {"idempotency",
       "SELECT id FROM events WHERE company_id = ? AND idempotency_key = ?",
       {"events_idempotency"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string plan = plan_of(*connection, c.sql);
    for (const std::string& part : c.must_contain) EXPECT_THAT(plan, HasSubstr(part));
    EXPECT_THAT(plan, Not(HasSubstr("SCAN deliveries\n")));
    EXPECT_THAT(plan, Not(HasSubstr("TEMP B-TREE")));
  }
}

TEST_F(SqliteDeliveryQueueTest, IngestNeedsNoSecrets) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    seed(*store);
  }
  // Opened with the wrong key, the store cannot read the signing secret, yet
  // matching webhooks at ingest never decrypts anything.
  auto store =
      open_sqlite_store(testing::test_sqlite_options(db_path()), testing::secret_box_with_key('\x01'));
  ASSERT_TRUE(store.has_value());
  auto outcomes = (*store)->ingest_events({new_event("cmp_a", "evt_1")});
  ASSERT_TRUE(outcomes.has_value()) << error_text(outcomes);
  ASSERT_TRUE((*outcomes)[0].has_value()) << error_text((*outcomes)[0]);
  EXPECT_EQ((*outcomes)[0]->deliveries, 1);
}

// Random operations against a few webhooks and calls; after each one the
// queue's bookkeeping must match its definition.
TEST_F(SqliteDeliveryQueueTest, QueueInvariantsHoldUnderRandomOperations) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  seed(*store);
  ASSERT_TRUE(store->create_webhook(subscriber("cmp_a", "wh_2"), 10));
  auto connection = raw();
  ASSERT_NE(connection, nullptr);

  std::mt19937 random(20261122);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  TimePoint now = at(kT0);
  int events = 0, attempts = 0, redeliveries = 0, steps_with_paused = 0;
  std::vector<std::string> in_flight;
  for (int step = 0; step < 600; ++step) {
    SCOPED_TRACE(step);
    now += seconds(1 + pick(20));
    switch (pick(6)) {
      case 0:
      case 1: {  // publish a few events of a few calls
        std::vector<NewEvent> batch;
        for (int i = pick(4); i >= 0; --i) {
          char id[16];
          std::snprintf(id, sizeof id, "evt_%05d", events++);
          std::string key = pick(5) == 0 ? "" : "call:" + std::to_string(pick(4));
          batch.push_back(new_event("cmp_a", id, "call.answered", key, now));
        }
        ASSERT_TRUE(store->ingest_events(batch));
        break;
      }
      case 2: {  // claim
        auto claimed = store->claim_due_deliveries(now, 1 + pick(5), now + seconds(30 + pick(60)), 1);
        ASSERT_TRUE(claimed.has_value());
        for (const DueDelivery& due : *claimed) in_flight.push_back(due.delivery.id);
        break;
      }
      case 3: {  // results for some in-flight ones (or stale ones)
        std::vector<AttemptOutcome> results;
        while (!in_flight.empty() && pick(3) != 0) {
          std::string id = in_flight.back();
          in_flight.pop_back();
          int n = ++attempts;
          AttemptOutcome outcome;
          switch (pick(3)) {
            case 0:
              outcome = delivered_attempt(id, 1, now);
              break;
            case 1:
              outcome = failed_attempt(id, 1, now, now + seconds(pick(120)));
              break;
            default:
              outcome = failed_attempt(id, 1, now, std::nullopt);
          }
          outcome.attempt.id = "att_" + std::to_string(n);
          results.push_back(outcome);
        }
        ASSERT_TRUE(store->record_attempts(results));
        break;
      }
      case 4: {  // redeliver something
        auto ids = strings(*connection, "SELECT id FROM deliveries ORDER BY random() LIMIT 1");
        if (ids.empty()) break;
        ASSERT_TRUE(
            store->redeliver("cmp_a", ids[0], "dlv_re_" + std::to_string(redeliveries++), now).has_value());
        break;
      }
      default: {  // toggle a webhook
        std::string id = pick(2) == 0 ? "wh_1" : "wh_2";
        auto webhook = store->get_webhook("cmp_a", id);
        ASSERT_TRUE(webhook.has_value());
        const model::WebhookStatus status =
            webhook->status == model::WebhookStatus::kActive
                ? (pick(2) == 0 ? model::WebhookStatus::kInactive : model::WebhookStatus::kFailed)
                : model::WebhookStatus::kActive;
        ASSERT_TRUE(store->set_webhook_status("cmp_a", id, model::StatusChange{status, std::nullopt},
                                              webhook->updated_at));
        break;
      }
    }
    // Exactly one unblocked delivery per chain with pending deliveries; none
    // blocked outside chains.
    EXPECT_THAT(
        strings(*connection,
                "SELECT webhook_id || ' ' || ordering_key FROM deliveries WHERE state = 'pending' "
                "AND ordering_key != '' GROUP BY webhook_id, ordering_key HAVING sum(blocked = 0) != 1"),
        IsEmpty());
    EXPECT_THAT(strings(*connection, "SELECT id FROM deliveries WHERE ordering_key = '' AND blocked = 1"),
                IsEmpty());
    // Paused exactly while the webhook is not active.
    EXPECT_THAT(strings(*connection,
                        "SELECT d.id FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                        "WHERE d.state = 'pending' AND d.paused != (w.status != 'active')"),
                IsEmpty());
    // Settled deliveries hold no lease.
    EXPECT_THAT(
        strings(*connection, "SELECT id FROM deliveries WHERE state != 'pending' AND lease_until != 0"),
        IsEmpty());
    // At most one delivery of a chain in flight.
    EXPECT_THAT(strings(*connection,
                        "SELECT webhook_id || ' ' || ordering_key FROM deliveries "
                        "WHERE state = 'pending' AND ordering_key != '' AND lease_until > " +
                            std::to_string(sqlite::to_unix_ms(now)) +
                            " GROUP BY webhook_id, ordering_key HAVING count(*) > 1"),
                IsEmpty());
    if (!strings(*connection, "SELECT id FROM deliveries WHERE state = 'pending' AND paused = 1 LIMIT 1")
             .empty()) {
      ++steps_with_paused;
    }
    if (::testing::Test::HasFailure()) break;
  }
  // The run reached every interesting state.
  EXPECT_GT(events, 100);
  EXPECT_GT(redeliveries, 10);
  EXPECT_GT(steps_with_paused, 10);
  for (const char* where : {"state = 'delivered'", "state = 'exhausted'", "state = 'pending' AND blocked = 1",
                            "state = 'pending' AND attempts > 0"}) {
    SCOPED_TRACE(where);
    EXPECT_THAT(strings(*connection, std::string("SELECT id FROM deliveries WHERE ") + where),
                Not(IsEmpty()));
  }
}

}  // namespace
}  // namespace switchboard::store
