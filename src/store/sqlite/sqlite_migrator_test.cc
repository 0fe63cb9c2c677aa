#include "store/sqlite/sqlite_migrator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store::sqlite {
namespace {

class MigratorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connection> connection() {
    auto opened = Connection::open(dir_.path() / "migrate.db", {});
    EXPECT_TRUE(opened.has_value());
    return std::move(*opened);
  }

  // The single integer a query returns, or -1.
  static long long scalar(Connection& connection, std::string_view sql) {
    auto query = connection.prepare(sql);
    if (!query || !query->step().value_or(false)) return -1;
    return query->integer(0);
  }

  static bool table_exists(Connection& connection, const std::string& name) {
    return scalar(connection,
                  "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '" + name + "'") == 1;
  }

  testing::TempDir dir_;
};

TEST_F(MigratorTest, AppliesInVersionOrderOnce) {
  // Given out of order: 2 depends on 1.
  const std::vector<Migration> migrations = {
      {2, "002_fill", "INSERT INTO a (x) VALUES (1), (2);"},
      {1, "001_create", "CREATE TABLE a (x INTEGER);"},
  };
  auto db = connection();
  ASSERT_TRUE(apply_migrations(*db, migrations));
  ASSERT_TRUE(apply_migrations(*db, migrations));  // idempotent: nothing runs twice
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM a"), 2);
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM schema_migrations"), 2);
  EXPECT_EQ(scalar(*db, "SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_GT(scalar(*db, "SELECT min(applied_at) FROM schema_migrations"), 1'600'000'000'000);
}

TEST_F(MigratorTest, FailedMigrationIsRolledBackAndStopsTheRest) {
  const std::vector<Migration> migrations = {
      {1, "001_ok", "CREATE TABLE a (x INTEGER);"},
      {2, "002_broken", "CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1);"},
      {3, "003_after", "CREATE TABLE c (x INTEGER);"},
  };
  auto db = connection();
  auto outcome = apply_migrations(*db, migrations);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kInternal);
  EXPECT_NE(outcome.error().message.find("002_broken"), std::string::npos);
  EXPECT_TRUE(table_exists(*db, "a"));
  EXPECT_FALSE(table_exists(*db, "b"));  // its half was undone
  EXPECT_FALSE(table_exists(*db, "c"));
  EXPECT_EQ(scalar(*db, "SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_FALSE(db->in_transaction());
}

TEST_F(MigratorTest, LaterMigrationsApplyOnTopOfEarlierOnes) {
  auto db = connection();
  ASSERT_TRUE(apply_migrations(*db, std::vector<Migration>{{1, "001_a", "CREATE TABLE a (x INTEGER);"}}));
  ASSERT_TRUE(apply_migrations(*db, std::vector<Migration>{{1, "001_a", "CREATE TABLE a (x INTEGER);"},
                                                           {2, "002_b", "CREATE TABLE b (x INTEGER);"}}));
  EXPECT_TRUE(table_exists(*db, "b"));
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST_F(MigratorTest, EmbeddedMigrationsAreNumberedFromOneWithoutGaps) {
  auto embedded = embedded_migrations();
  ASSERT_FALSE(embedded.empty());
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ(embedded[i].version, static_cast<int>(i + 1)) << embedded[i].name;
    EXPECT_FALSE(embedded[i].sql.empty());
  }
}

TEST_F(MigratorTest, EmbeddedSchemaIsConsistent) {
  auto db = connection();
  ASSERT_TRUE(apply_migrations(*db, embedded_migrations()));
  for (const char* table : {"companies", "users", "api_tokens", "webhooks"}) {
    EXPECT_TRUE(table_exists(*db, table)) << table;
  }
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'api_tokens_token_hash'"), 1);
  EXPECT_EQ(scalar(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'webhooks_company_id'"), 1);
}

}  // namespace
}  // namespace switchboard::store::sqlite
