// PostgreSQL migration 013_compact_attempts from the schema before it, WITH
// data: failed attempts with text error classes, the "HTTP <status>" message
// and fractional latencies read back through the store as they were (latency
// to the microsecond), stored in the compact encodings, and the attempt log's
// two indexes are the primary key (delivery, attempt, id) and the unique
// (webhook, id). Needs the test PostgreSQL server (postgres_test_support.h).
#include <gtest/gtest.h>

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "store/common/attempt_codec.h"
#include "store/postgres/postgres_migrator.h"
#include "store/postgres/postgres_test_support.h"

namespace switchboard::store::postgres {
namespace {

constexpr int kLastVersionBefore = 12;  // 012_recover_jobs: the schema before compact attempts

TEST(PostgresCompactAttemptsMigrationTest, ExistingAttemptsReadBackAsTheyWere) {
  auto schema = testing::TestPostgresSchema::create();
  ASSERT_TRUE(schema);
  {
    pqxx::connection connection(schema->url());
    std::vector<Migration> before;
    for (const Migration& m : embedded_migrations()) {
      if (m.version <= kLastVersionBefore) before.push_back(m);
    }
    ASSERT_TRUE(apply_migrations(connection, before));
    pqxx::work tx(connection);
    tx.exec(
        "INSERT INTO companies (id, name, managers_can_manage_webhooks, created_at) VALUES ('cmp_1', 'A', "
        "false, 1);"
        "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
        "status, "
        "consecutive_exhausted, created_at, updated_at) VALUES ('wh_1', 'cmp_1', 'n', '', "
        "'https://example.com/h', '{\"type\":\"none\"}', '[]', '[]', '{}', 'active', 0, 1, 1);"
        "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
        "direction, "
        "department_id, agent_id, payload) VALUES ('evt_1', 'cmp_1', 'call.answered', NULL, '', 1, 1, '', "
        "'', "
        "'', '{}');"
        "INSERT INTO deliveries (id, company_id, webhook_id, event_id, event_type, ordering_key, state, "
        "attempts, event_time, created_at, updated_at) VALUES ('dlv_1', 'cmp_1', 'wh_1', 'evt_1', "
        "'call.answered', '', 'exhausted', 3, 1, 1, 1);"
        "INSERT INTO delivery_requests (delivery_id, url, headers) VALUES ('dlv_1', 'https://example.com/h', "
        "'[]');"
        "INSERT INTO attempts (id, webhook_id, delivery_id, attempt, at, status_code, error, error_message, "
        "latency_ms, request_url, request_headers, request_body, response_headers, response_body) VALUES "
        "('att_1', 'wh_1', 'dlv_1', 1, 1000, 500, 'http_status', 'HTTP 500', 12.5, NULL, '{}', NULL, '[]', "
        "'x'),"
        "('att_2', 'wh_1', 'dlv_1', 2, 2000, NULL, 'timeout', 'timed out', 3.53034, NULL, '{}', NULL, '[]', "
        "'x'),"
        "('att_3', 'wh_1', 'dlv_1', 3, 3000, 502, 'http_status', 'HTTP 500 odd', 0.5, NULL, '{}', NULL, "
        "'[]', 'x')");
    tx.commit();
  }

  auto store = testing::open_test_postgres_store(*schema);  // applies 013 onwards
  ASSERT_TRUE(store);
  struct Want {
    std::string id;
    model::AttemptError error;
    std::optional<int> status_code;
    std::string message;
    double latency_ms;
  };
  for (const Want& want :
       std::vector<Want>{{"att_1", model::AttemptError::kHttpStatus, 500, "HTTP 500", 12.5},
                         {"att_2", model::AttemptError::kTimeout, std::nullopt, "timed out", 3.53},
                         {"att_3", model::AttemptError::kHttpStatus, 502, "HTTP 500 odd", 0.5}}) {
    auto got = store->get_attempt("cmp_1", "wh_1", want.id);
    ASSERT_TRUE(got) << want.id << ": " << got.error().message;
    EXPECT_EQ(got->error, want.error) << want.id;
    EXPECT_EQ(got->status_code, want.status_code) << want.id;
    EXPECT_EQ(got->error_message, want.message) << want.id;
    EXPECT_NEAR(got->latency_ms, want.latency_ms, 0.0005) << want.id;
  }
  AttemptQuery timeouts{"cmp_1", "wh_1"};
  timeouts.error = model::AttemptError::kTimeout;
  auto listed = store->list_failed_attempts(timeouts);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, "att_2");
  store.reset();

  pqxx::connection connection(schema->url());
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM attempts WHERE error_message IS NULL")[0][0].as<int>(), 1);
  pqxx::result indexes = tx.exec(
      "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() AND "
      "tablename = 'attempts' ORDER BY indexname");
  ASSERT_EQ(indexes.size(), 2u);
  EXPECT_NE(indexes[0][0].as<std::string>().find("(delivery_id, attempt, id)"), std::string::npos)
      << indexes[0][0].as<std::string>();
  EXPECT_NE(indexes[1][0].as<std::string>().find("UNIQUE INDEX attempts_webhook"), std::string::npos)
      << indexes[1][0].as<std::string>();
}

}  // namespace
}  // namespace switchboard::store::postgres
