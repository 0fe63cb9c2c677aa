// Purge under ingest load (issue 15, item 1), and the space a purge gives
// back (item 3).
//
// Under load: a large retention purge runs on
// its own thread while events are ingested one per call; prints ingest's p50
// and p99 before and during the purge. A measurement for the record, not a
// timed assertion: it checks only that everything expired went and every
// event ingested meanwhile stayed.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/common/retention_purger.h"
#include "store/retention_store.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_vacuum.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using Millis = std::chrono::duration<double, std::milli>;

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

TEST(SqlitePurgeLoadTest, IngestGoesOnWhileALargePurgeRuns) {
  constexpr int kExpired = 20000;
  switchboard::testing::TempDir dir;
  auto store = testing::open_test_store(dir.path() / "purge.db");
  ASSERT_TRUE(store);
  auto owner = contract::user("cmp_a", "own", "o@a.example", model::Role::kOwner);
  ASSERT_TRUE(store->create_company(contract::company("cmp_a"), owner, contract::user_token(owner, "tok")));
  ASSERT_TRUE(store->create_webhook(contract::subscriber("cmp_a", "wh_1"), 10));
  SystemClock clock;
  const TimePoint old = clock.now() - std::chrono::hours(24 * 40);
  for (int i = 0; i < kExpired; i += 500) {
    std::vector<NewEvent> batch;
    for (int k = i; k < i + 500; ++k) {
      batch.push_back(contract::new_event("cmp_a", "evt_old_" + std::to_string(k), "call.answered", "",
                                          old + std::chrono::milliseconds(k)));
      batch.back().delivery_ids.clear();
    }
    ASSERT_TRUE(store->ingest_events(batch));
  }

  int next = 0;
  auto ingest_one = [&]() {
    NewEvent event =
        contract::new_event("cmp_a", "evt_new_" + std::to_string(next++), "call.answered", "", clock.now());
    event.delivery_ids.clear();
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(store->ingest_events({event}));
    return Millis(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> before;
  for (int i = 0; i < 300; ++i) before.push_back(ingest_one());

  auto* retention = dynamic_cast<RetentionStore*>(store.get());
  ASSERT_NE(retention, nullptr);
  RetentionPurger purger(*retention, clock, SteadyMonotonicClock::instance(), PurgerOptions{});
  std::atomic<bool> purging = true;
  Result<PurgeTotals> totals = PurgeTotals{};
  const auto purge_start = std::chrono::steady_clock::now();
  std::thread purge([&] {
    totals = purger.run_once();
    purging = false;
  });
  std::vector<double> during;
  while (purging) during.push_back(ingest_one());
  purge.join();
  const double purge_ms = Millis(std::chrono::steady_clock::now() - purge_start).count();
  ASSERT_TRUE(totals) << totals.error().message;
  EXPECT_EQ(totals->events, kExpired);
  std::printf(
      "purge of %d expired events (each with a delivery) in %d batches: %.0f ms\n"
      "ingest, one event per call: before p50 %.2f ms p99 %.2f ms (%zu); during the purge p50 %.2f ms p99 "
      "%.2f ms "
      "(%zu)\n",
      kExpired, totals->batches, purge_ms, percentile(before, 0.5), percentile(before, 0.99), before.size(),
      percentile(during, 0.5), percentile(during, 0.99), during.size());
  for (int i = 0; i < next; ++i) {
    EXPECT_TRUE(store->get_event("cmp_a", "evt_new_" + std::to_string(i))) << i;
  }
}

// The single integer `sql` gives on a fresh read-only connection to `db`.
std::int64_t pragma(const std::filesystem::path& db, const std::string& sql) {
  sqlite::ConnectionOptions options;
  options.mode = sqlite::OpenMode::kReadOnly;
  auto connection = sqlite::Connection::open(db, options);
  if (!connection) return -1;
  auto query = (*connection)->prepare(sql);
  if (!query || !query->step().value_or(false)) return -1;
  return query->integer(0);
}

TEST(SqlitePurgeSpaceTest, TheFileShrinksAfterAPurgeWithoutAFullVacuum) {
  switchboard::testing::TempDir dir;
  const auto db = dir.path() / "space.db";
  auto store = testing::open_test_store(db);
  ASSERT_TRUE(store);
  auto owner = contract::user("cmp_a", "own", "o@a.example", model::Role::kOwner);
  ASSERT_TRUE(store->create_company(contract::company("cmp_a"), owner, contract::user_token(owner, "tok")));
  SystemClock clock;
  const TimePoint old = clock.now() - std::chrono::hours(24 * 40);
  const std::string filler(2000, 'x');
  for (int i = 0; i < 4000; i += 500) {
    std::vector<NewEvent> batch;
    for (int k = i; k < i + 500; ++k) {
      batch.push_back(contract::new_event("cmp_a", "evt_" + std::to_string(k), "call.answered", "", old));
      batch.back().data_json = R"({"call_id":"c1","filler":")" + filler + R"("})";
    }
    ASSERT_TRUE(store->ingest_events(batch));
  }
  store.reset();                                   // checkpoints the WAL into the file
  EXPECT_EQ(pragma(db, "PRAGMA auto_vacuum"), 2);  // INCREMENTAL, chosen before the first table
  const std::int64_t pages_before = pragma(db, "PRAGMA page_count");

  store = testing::open_test_store(db);
  ASSERT_TRUE(store);
  auto* retention = dynamic_cast<RetentionStore*>(store.get());
  ASSERT_NE(retention, nullptr);
  RetentionPurger purger(*retention, clock, SteadyMonotonicClock::instance(), PurgerOptions{});
  auto totals = purger.run_once();
  ASSERT_TRUE(totals) << totals.error().message;
  EXPECT_EQ(totals->events, 4000);
  store.reset();
  const std::int64_t pages_after = pragma(db, "PRAGMA page_count");
  std::printf("file pages before the purge %lld, after %lld\n", static_cast<long long>(pages_before),
              static_cast<long long>(pages_after));
  EXPECT_LT(pages_after * 4, pages_before);  // most of the file was the expired events
  EXPECT_LE(pragma(db, "PRAGMA freelist_count") * 10, pages_after);  // given back, not kept free
}

// The same through the C API: an older file may still be in rollback-journal
// mode, which a read-only Connection (WAL only) refuses.
std::int64_t raw_pragma(const std::filesystem::path& db, const char* sql) {
  sqlite3* raw = nullptr;
  std::int64_t out = -1;
  if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(raw, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(raw);
  return out;
}

TEST(SqlitePurgeSpaceTest, AnOlderFileIsConvertedToIncrementalVacuumOnce) {
  switchboard::testing::TempDir dir;
  const auto db = dir.path() / "old.db";
  {
    sqlite3* raw = nullptr;  // an older version's file: no auto-vacuum
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(raw, "CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('a');", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(raw);
  }
  EXPECT_EQ(raw_pragma(db, "PRAGMA auto_vacuum"), 0);
  ASSERT_TRUE(sqlite::convert_to_incremental_vacuum(db));
  EXPECT_EQ(raw_pragma(db, "PRAGMA auto_vacuum"), 2);
  EXPECT_EQ(raw_pragma(db, "SELECT count(*) FROM t"), 1);
  ASSERT_TRUE(sqlite::convert_to_incremental_vacuum(db));  // already converted: nothing to do
  EXPECT_TRUE(sqlite::convert_to_incremental_vacuum(dir.path() / "missing.db"));
}

}  // namespace
}  // namespace switchboard::store
