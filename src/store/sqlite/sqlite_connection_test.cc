#include "store/sqlite/sqlite_connection.h"

#include <gtest/gtest.h>

#include <string>

#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store::sqlite {
namespace {

std::string pragma(Connection& connection, const std::string& name) {
  auto query = connection.prepare("PRAGMA " + name);
  if (!query || !query->step().value_or(false)) return "?";
  return query->text(0);
}

class ConnectionTest : public ::testing::Test {
 protected:
  std::filesystem::path path() const { return dir_.path() / "c.db"; }
  testing::TempDir dir_;
};

TEST_F(ConnectionTest, EveryConnectionIsConfigured) {
  struct Case {
    OpenMode mode;
    bool synchronous_full;
    std::string synchronous;  // 2 = FULL, 1 = NORMAL
  };
  auto create = Connection::open(path(), {});  // the file must exist before a read-only open
  ASSERT_TRUE(create.has_value());
  for (const Case& c : {Case{OpenMode::kReadWrite, true, "2"}, Case{OpenMode::kReadWrite, false, "1"},
                        Case{OpenMode::kReadOnly, true, "2"}}) {
    SCOPED_TRACE(static_cast<int>(c.mode));
    ConnectionOptions options;
    options.mode = c.mode;
    options.synchronous_full = c.synchronous_full;
    auto connection = Connection::open(path(), options);
    ASSERT_TRUE(connection.has_value()) << connection.error().message;
    EXPECT_EQ(pragma(**connection, "journal_mode"), "wal");
    EXPECT_EQ(pragma(**connection, "synchronous"), c.synchronous);
    EXPECT_EQ(pragma(**connection, "foreign_keys"), "1");
    EXPECT_EQ(pragma(**connection, "busy_timeout"), std::to_string(kBusyTimeoutMs));
  }
}

TEST_F(ConnectionTest, ReadOnlyConnectionsCannotWrite) {
  auto writer = Connection::open(path(), {});
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE((*writer)->exec("CREATE TABLE t (x INTEGER)"));
  ConnectionOptions options;
  options.mode = OpenMode::kReadOnly;
  auto reader = Connection::open(path(), options);
  ASSERT_TRUE(reader.has_value());
  EXPECT_FALSE((*reader)->exec("INSERT INTO t VALUES (1)"));
}

TEST_F(ConnectionTest, StatementsAreCachedAndNestedUseGetsACopy) {
  auto connection = Connection::open(path(), {});
  ASSERT_TRUE(connection.has_value());
  Connection& db = **connection;
  ASSERT_TRUE(db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);"));
  const char* sql = "SELECT x FROM t WHERE x >= ? ORDER BY x";
  {
    auto outer = db.query(sql, 1);
    ASSERT_TRUE(outer.has_value());
    ASSERT_TRUE(outer->step().value());
    auto inner = db.query(sql, 2);  // the cached one is busy
    ASSERT_TRUE(inner.has_value());
    ASSERT_TRUE(inner->step().value());
    EXPECT_EQ(inner->integer(0), 2);
    EXPECT_EQ(outer->integer(0), 1);
  }
  auto again = db.query(sql, 2);  // reset and rebound
  ASSERT_TRUE(again.has_value());
  ASSERT_TRUE(again->step().value());
  EXPECT_EQ(again->integer(0), 2);
  EXPECT_FALSE(again->step().value());
}

TEST_F(ConnectionTest, BindsEveryKindOfValue) {
  auto connection = Connection::open(path(), {});
  ASSERT_TRUE(connection.has_value());
  auto query = (*connection)
                   ->query("SELECT ?, ?, ?, ?, ?, ?, ?", std::string("text"), "literal", 42, true,
                           TimePoint(std::chrono::milliseconds(1'700'000'000'123)),
                           std::optional<std::string>(), std::optional<std::string>("set"));
  ASSERT_TRUE(query.has_value());
  ASSERT_TRUE(query->step().value());
  EXPECT_EQ(query->text(0), "text");
  EXPECT_EQ(query->text(1), "literal");
  EXPECT_EQ(query->integer(2), 42);
  EXPECT_TRUE(query->boolean(3));
  EXPECT_EQ(query->time(4), TimePoint(std::chrono::milliseconds(1'700'000'000'123)));
  EXPECT_TRUE(query->is_null(5));
  EXPECT_EQ(query->optional_text(5), std::nullopt);
  EXPECT_EQ(query->optional_text(6), "set");
}

TEST(SqliteErrorTest, CodesMapToTheStoreVocabulary) {
  struct Case {
    int code;
    ErrorCode expected;
  };
  for (const Case& c :
       {Case{SQLITE_CONSTRAINT_UNIQUE, ErrorCode::kConflict},
        Case{SQLITE_CONSTRAINT_PRIMARYKEY, ErrorCode::kConflict},
        Case{SQLITE_CONSTRAINT_FOREIGNKEY, ErrorCode::kNotFound},
        Case{SQLITE_CONSTRAINT_CHECK, ErrorCode::kInvalidArgument},
        Case{SQLITE_CONSTRAINT_NOTNULL, ErrorCode::kInvalidArgument},
        Case{SQLITE_BUSY, ErrorCode::kUnavailable}, Case{SQLITE_BUSY_SNAPSHOT, ErrorCode::kUnavailable},
        Case{SQLITE_IOERR_FSYNC, ErrorCode::kUnavailable}, Case{SQLITE_FULL, ErrorCode::kUnavailable},
        Case{SQLITE_CORRUPT, ErrorCode::kInternal}, Case{SQLITE_ERROR, ErrorCode::kInternal}}) {
    SCOPED_TRACE(c.code);
    EXPECT_EQ(classify_sqlite_error(c.code), c.expected);
  }
}

}  // namespace
}  // namespace switchboard::store::sqlite
