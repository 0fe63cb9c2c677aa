// Migration 011_compact_attempts from the schema before it, WITH data: failed
// attempts of every shape the earlier schema held (text error classes, the
// "HTTP <status>" message and others, fractional latencies) read back through
// the store as they were (latency to the microsecond), in the compact
// encodings on disk; and the two indexes left serve every read of the
// attempt log (EXPLAIN QUERY PLAN of the store's SQL).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "store/common/rows.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store::sqlite {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kLastVersionBefore = 10;  // 010_recover_jobs: the schema before compact attempts

struct OldAttempt {
  std::string id;
  int attempt;
  std::optional<int> status_code;
  std::string error, error_message;
  double latency_ms;
  model::AttemptError want_error;
  bool message_elided;
};

const std::vector<OldAttempt>& old_attempts() {
  static const std::vector<OldAttempt> rows = {
      {"att_1", 1, 500, "http_status", "HTTP 500", 12.5, model::AttemptError::kHttpStatus, true},
      {"att_2", 2, 503, "http_status", "HTTP 503 (spelled otherwise)", 3.53034,
       model::AttemptError::kHttpStatus, false},
      {"att_3", 3, std::nullopt, "timeout", "Operation timed out after 10000 ms", 10000.25,
       model::AttemptError::kTimeout, false},
      {"att_4", 4, 301, "redirect", "redirect not followed (HTTP 301)", 0.5, model::AttemptError::kRedirect,
       false},
      {"att_5", 5, std::nullopt, "refused", "refused to connect to 10.0.0.1", 0,
       model::AttemptError::kRefused, false},
      {"att_6", 6, std::nullopt, "other", "", 1, model::AttemptError::kOther, false},
  };
  return rows;
}

void write_old_schema_with_data(const std::filesystem::path& db) {
  auto connection = Connection::open(db, {});
  ASSERT_TRUE(connection) << connection.error().message;
  std::vector<Migration> before;
  for (const Migration& m : embedded_migrations()) {
    if (m.version <= kLastVersionBefore) before.push_back(m);
  }
  ASSERT_TRUE(apply_migrations(**connection, before));
  ASSERT_TRUE(
      (*connection)
          ->exec("INSERT INTO companies (id, name, created_at) VALUES ('cmp_1', 'Acme', 1);"
                 "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, "
                 "filters, status, created_at, updated_at) VALUES ('whk_1', 'cmp_1', 'n', '', "
                 "'https://example.com/h', '{\"type\":\"none\"}', '[]', '[]', '{}', 'active', 1, 1);"
                 "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, "
                 "created_at, direction, department_id, agent_id, payload) VALUES ('evt_1', 'cmp_1', "
                 "'call.answered', NULL, '', 1, 1, '', '', '', '{}');"
                 "INSERT INTO deliveries (id, company_id, webhook_id, event_id, event_type, "
                 "ordering_key, state, attempts, event_time, created_at, updated_at) VALUES ('dlv_1', "
                 "'cmp_1', 'whk_1', 'evt_1', 'call.answered', '', 'exhausted', 6, 1, 1, 3);"
                 "INSERT INTO delivery_requests (delivery_id, url, headers) VALUES ('dlv_1', "
                 "'https://example.com/h', '[[\"Content-Type\",\"application/json\"]]');"));
  for (const OldAttempt& a : old_attempts()) {
    auto insert =
        (*connection)
            ->query(
                "INSERT INTO attempts (id, webhook_id, delivery_id, attempt, at, status_code, "
                "error, error_message, latency_ms, request_url, request_headers, request_body, "
                "response_headers, response_body) VALUES (?, 'whk_1', 'dlv_1', ?, ?, ?, ?, ?, ?, "
                "NULL, '{}', NULL, '[]', 'oops')",
                a.id, a.attempt, a.attempt * 1000, a.status_code, a.error, a.error_message, a.latency_ms);
    ASSERT_TRUE(insert && insert->run()) << a.id;
  }
}

std::string plan_of(Connection& connection, const std::string& sql) {
  auto query = connection.prepare("EXPLAIN QUERY PLAN " + sql);
  EXPECT_TRUE(query.has_value()) << sql;
  std::string plan;
  while (query && query->step().value_or(false)) plan += query->text(3) + "\n";
  return plan;
}

TEST(CompactAttemptsMigrationTest, ExistingAttemptsReadBackAsTheyWereInCompactEncodings) {
  switchboard::testing::TempDir dir;
  const auto db = dir.path() / "old.db";
  write_old_schema_with_data(db);
  if (HasFatalFailure()) return;

  auto store = testing::open_test_store(db);  // applies 011 onwards
  ASSERT_TRUE(store);
  for (const OldAttempt& want : old_attempts()) {
    auto got = store->get_attempt("cmp_1", "whk_1", want.id);
    ASSERT_TRUE(got) << want.id << ": " << got.error().message;
    EXPECT_EQ(got->attempt, want.attempt) << want.id;
    EXPECT_EQ(got->status_code, want.status_code) << want.id;
    EXPECT_EQ(got->error, want.want_error) << want.id;
    EXPECT_EQ(got->error_message, want.error_message) << want.id;
    EXPECT_NEAR(got->latency_ms, want.latency_ms, 0.0005) << want.id;
    EXPECT_EQ(got->request_url, "https://example.com/h") << want.id;
    EXPECT_EQ(got->request_body, "{}") << want.id;
  }
  AttemptQuery timeouts{"cmp_1", "whk_1"};
  timeouts.error = model::AttemptError::kTimeout;
  auto listed = store->list_failed_attempts(timeouts);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].id, "att_3");
  store.reset();

  auto connection = Connection::open(db, {});
  ASSERT_TRUE(connection);
  auto stored =
      (*connection)->prepare("SELECT id, error, error_message IS NULL, latency_us FROM attempts ORDER BY id");
  ASSERT_TRUE(stored);
  for (const OldAttempt& want : old_attempts()) {
    ASSERT_TRUE(stored->step().value_or(false));
    EXPECT_EQ(stored->text(0), want.id);
    EXPECT_EQ(stored->integer(1), attempt_error_code(want.want_error)) << want.id;
    EXPECT_EQ(stored->integer(2) == 1, want.message_elided) << want.id;
    EXPECT_EQ(stored->integer(3), latency_column(want.latency_ms)) << want.id;
  }
}

TEST(CompactAttemptsMigrationTest, TwoIndexesServeEveryReadOfTheAttemptLog) {
  switchboard::testing::TempDir dir;
  const auto db = dir.path() / "new.db";
  ASSERT_TRUE(testing::open_test_store(db));
  auto connection = Connection::open(db, {});
  ASSERT_TRUE(connection);
  Connection& c = **connection;

  std::vector<std::string> indexes;
  auto listed = c.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'attempts' ORDER BY name");
  ASSERT_TRUE(listed);
  while (listed->step().value_or(false)) indexes.push_back(listed->text(0));
  EXPECT_THAT(indexes, ElementsAre("attempts_delivery", "attempts_webhook"));

  const std::string select = "SELECT " + std::string(kAttemptColumns) + std::string(kAttemptFrom);
  struct Read {
    std::string name, sql, index;
  };
  const std::vector<Read> reads = {
      {"failure log page (list_failed_attempts)",
       select +
           "WHERE a.webhook_id = 'w' AND d.company_id = 'c' AND a.id < 'att_9' ORDER BY a.id DESC LIMIT 51",
       "attempts_webhook"},
      {"inspect (get_attempt)", select + "WHERE a.id = 'a' AND d.company_id = 'c' AND a.webhook_id = 'w'",
       "attempts_webhook"},
      {"timeline (list_delivery_attempts)",
       select + "WHERE a.delivery_id = 'd' AND d.company_id = 'c' ORDER BY a.attempt, a.id LIMIT 26",
       "attempts_delivery"},
      {"failing_since, newest failure",
       "SELECT at FROM attempts WHERE webhook_id = 'w' ORDER BY id DESC LIMIT 1", "attempts_webhook"},
      {"the delivery foreign key (purge cascade)", "SELECT 1 FROM attempts WHERE delivery_id = 'd'",
       "attempts_delivery"},
  };
  for (const Read& read : reads) {
    const std::string plan = plan_of(c, read.sql);
    EXPECT_THAT(plan, HasSubstr("INDEX " + read.index + " (")) << read.name << "\n" << plan;
    EXPECT_THAT(plan, Not(HasSubstr("SCAN a\n"))) << read.name << "\n" << plan;
    // No sort of the whole result; the timeline's rows come in attempt order
    // from attempts_delivery and only ties of one attempt number (a result
    // reported twice) are sorted by id ("RIGHT PART OF ORDER BY").
    EXPECT_THAT(plan, Not(HasSubstr("USE TEMP B-TREE FOR ORDER BY"))) << read.name << "\n" << plan;
  }
}

}  // namespace
}  // namespace switchboard::store::sqlite
