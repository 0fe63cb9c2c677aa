// Migration 006_lean_attempts from the schema before it, WITH data: failed
// attempts written by the earlier schema (each carrying its payload copy)
// read back through the store exactly as they were, and their payload copy
// is gone from disk where it equalled the event's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store::sqlite {
namespace {

constexpr int kLastVersionBefore = 5;  // 005_token_lifecycle: the schema before lean attempts
constexpr std::string_view kPayload = R"({"id":"evt_1","type":"call.answered","data":{}})";
constexpr std::string_view kHeaders =
    R"([["Content-Type","application/json"],["X-MO-Delivery-Attempt","1"]])";

Result<void> run(Connection& c, std::string_view sql) { return c.exec(sql); }

// The database as the earlier schema left it: one exhausted delivery with two
// failed attempts, one whose body was the payload and one whose was not.
void write_old_schema_with_data(const std::filesystem::path& db) {
  auto connection = Connection::open(db, {});
  ASSERT_TRUE(connection) << connection.error().message;
  std::vector<Migration> before;
  for (const Migration& m : embedded_migrations()) {
    if (m.version <= kLastVersionBefore) before.push_back(m);
  }
  ASSERT_TRUE(apply_migrations(**connection, before));
  ASSERT_TRUE(
      run(**connection,
          "INSERT INTO companies (id, name, created_at) VALUES ('cmp_1', 'Acme', 1), ('cmp_2', 'Other', 1);"
          "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
          "status, created_at, updated_at) VALUES ('whk_1', 'cmp_1', 'n', '', 'https://example.com/h', "
          "'{\"type\":\"none\"}', '[]', '[]', '{}', 'active', 1, 1);"));
  auto event = (*connection)
                   ->query(
                       "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, "
                       "created_at, direction, department_id, agent_id, payload) "
                       "VALUES ('evt_1', 'cmp_1', 'call.answered', NULL, '', 1, 1, '', '', '', ?)",
                       kPayload);
  ASSERT_TRUE(event && event->run());
  ASSERT_TRUE(
      run(**connection,
          "INSERT INTO deliveries (id, company_id, webhook_id, event_id, event_type, ordering_key, state, "
          "attempts, event_time, created_at, updated_at) VALUES ('dlv_1', 'cmp_1', 'whk_1', 'evt_1', "
          "'call.answered', '', 'exhausted', 2, 1, 1, 3);"));
  for (const auto& [id, attempt, body] : std::vector<std::tuple<std::string, int, std::string>>{
           {"att_1", 1, std::string(kPayload)}, {"att_2", 2, "not the payload"}}) {
    auto insert =
        (*connection)
            ->query(
                "INSERT INTO attempts (id, company_id, webhook_id, delivery_id, event_id, event_type, "
                "attempt, at, success, status_code, error, error_message, latency_ms, request_url, "
                "request_headers, request_body, response_headers, response_body) VALUES (?, "
                "'cmp_1', 'whk_1', 'dlv_1', 'evt_1', 'call.answered', ?, ?, 0, 500, 'http_status', "
                "'HTTP 500', 12.5, 'https://example.com/h', ?, ?, '[[\"Server\",\"x\"]]', 'oops')",
                id, attempt, attempt * 1000, kHeaders, body);
    ASSERT_TRUE(insert && insert->run());
  }
}

TEST(LeanAttemptsMigrationTest, ExistingAttemptsReadBackUnchangedWithoutPayloadCopies) {
  switchboard::testing::TempDir dir;
  const auto db = dir.path() / "old.db";
  write_old_schema_with_data(db);
  if (HasFatalFailure()) return;

  auto store = testing::open_test_store(db);  // applies 006 onwards
  ASSERT_TRUE(store);
  auto first = store->get_attempt("cmp_1", "whk_1", "att_1");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->company_id, "cmp_1");
  EXPECT_EQ(first->delivery_id, "dlv_1");
  EXPECT_EQ(first->event_id, "evt_1");
  EXPECT_EQ(first->event_type, "call.answered");
  EXPECT_EQ(first->attempt, 1);
  EXPECT_EQ(first->status_code, 500);
  EXPECT_EQ(first->error, model::AttemptError::kHttpStatus);
  EXPECT_EQ(first->error_message, "HTTP 500");
  EXPECT_DOUBLE_EQ(first->latency_ms, 12.5);
  EXPECT_EQ(first->request_url, "https://example.com/h");
  EXPECT_EQ(first->request_headers, kHeaders);
  EXPECT_EQ(first->request_body, kPayload);
  EXPECT_EQ(first->response_headers, R"([["Server","x"]])");
  EXPECT_EQ(first->response_body, "oops");
  auto second = store->get_attempt("cmp_1", "whk_1", "att_2");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->request_body, "not the payload");

  AttemptQuery query;
  query.company_id = "cmp_1";
  query.webhook_id = "whk_1";
  auto listed = store->list_failed_attempts(query);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->items.size(), 2u);
  EXPECT_EQ(listed->items[0].id, "att_2");  // newest first
  // Company scoping now goes through the delivery: another company sees nothing.
  EXPECT_EQ(store->get_attempt("cmp_2", "whk_1", "att_1").error().code, ErrorCode::kNotFound);
  query.company_id = "cmp_2";
  EXPECT_TRUE(store->list_failed_attempts(query)->items.empty());
  store.reset();

  auto connection = Connection::open(db, {});
  ASSERT_TRUE(connection);
  auto copies = (*connection)->prepare("SELECT count(*) FROM attempts WHERE request_body IS NOT NULL");
  ASSERT_TRUE(copies && copies->step().value_or(false));
  EXPECT_EQ(copies->integer(0), 1);  // only the body that was not the payload
}

}  // namespace
}  // namespace switchboard::store::sqlite
