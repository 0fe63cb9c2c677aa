// store::sqlite::backup_database: a consistent, self-contained copy of a live
// store, and clear refusals that never replace or leave a file.
#include "store/sqlite/sqlite_backup.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store::sqlite {
namespace {

using model::ApiToken;
using model::Company;
using model::User;

TimePoint at(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

std::string token_id(int n) {
  char id[32];
  std::snprintf(id, sizeof id, "tok_%06d", n);
  return id;
}

ApiToken ingest_token(int n) {
  return ApiToken{token_id(n),           "cmp_a",   std::nullopt, model::TokenKind::kIngest,
                  "hash_" + token_id(n), at(10 + n)};
}

void seed_company(Store& store) {
  User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, at(1)};
  ASSERT_TRUE(store.create_company(
      Company{"cmp_a", "Acme", true, at(1)}, owner,
      ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", at(2)}));
}

// The ingest tokens a store holds, by number (tok_000000 ...).
std::vector<int> ingest_token_numbers(Store& store) {
  std::vector<int> numbers;
  PageRequest request{500, ""};
  for (;;) {
    auto page = store.list_tokens("cmp_a", std::nullopt, request);
    EXPECT_TRUE(page.has_value()) << (page ? "" : page.error().message);
    if (!page || page->items.empty()) return numbers;
    for (const auto& token : page->items) {
      if (token.id != "tok_owner") numbers.push_back(std::stoi(token.id.substr(4)));
    }
    if (!page->has_more) return numbers;
    request.after_id = page->items.back().id;
  }
}

class SqliteBackupTest : public ::testing::Test {
 protected:
  std::filesystem::path db() const { return dir_.path() / "data" / "switchboard.db"; }
  std::filesystem::path out() const { return dir_.path() / "backups" / "store.backup"; }
  void SetUp() override { std::filesystem::create_directories(dir_.path() / "backups"); }

  // Nothing but `keep` in the backups directory (no temporary file left).
  void expect_only(const std::vector<std::string>& keep) const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "backups")) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, keep);
  }

  testing::TempDir dir_;
};

// Tokens are written one transaction each while the copy is taken: the copy
// holds every token written before it began and, being one commit's state, a
// gapless prefix of the rest. It opens as a store, on its own (no -wal file).
TEST_F(SqliteBackupTest, ACopyTakenWhileTheStoreIsWrittenIsOneCommitsState) {
  auto store = testing::open_test_store(db());
  ASSERT_NE(store, nullptr);
  seed_company(*store);
  for (int n = 0; n < 200; ++n) ASSERT_TRUE(store->create_token(ingest_token(n)).has_value());

  std::atomic<int> written{200};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int n = 200; !stop.load() && n < 200000; ++n) {
      if (!store->create_token(ingest_token(n))) return;
      written.store(n + 1);
    }
  });
  while (written.load() < 400) std::this_thread::yield();
  const int before = written.load();
  auto copied = backup_database(db(), out());
  const int after = written.load();
  stop.store(true);
  writer.join();
  ASSERT_TRUE(copied.has_value()) << copied.error().message;
  EXPECT_EQ(copied->bytes, std::filesystem::file_size(out()));
  EXPECT_GT(copied->pages, 0);
  expect_only({"store.backup"});
  EXPECT_EQ(std::filesystem::status(out()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // A rollback-journal file: byte 18 of the header is 1 (legacy), not 2 (WAL).
  std::ifstream header(out(), std::ios::binary);
  char bytes[20] = {};
  header.read(bytes, sizeof bytes);
  EXPECT_EQ(bytes[18], 1);

  // Restored elsewhere, alone, it is a store with the same key's secrets.
  const auto restored_path = dir_.path() / "restored" / "switchboard.db";
  std::filesystem::create_directories(restored_path.parent_path());
  std::filesystem::copy_file(out(), restored_path);
  auto restored = testing::open_test_store(restored_path);
  ASSERT_NE(restored, nullptr);
  ASSERT_TRUE(restored->get_company("cmp_a").has_value());
  std::vector<int> numbers = ingest_token_numbers(*restored);
  ASSERT_GE(static_cast<int>(numbers.size()), before) << "a token written before the copy began is missing";
  EXPECT_LE(static_cast<int>(numbers.size()), after);
  for (int i = 0; i < static_cast<int>(numbers.size()); ++i) {
    ASSERT_EQ(numbers[i], i) << "the copy is not one commit's state: a gap at " << i;
  }
}

// Each refusal names the problem, replaces nothing and leaves no file behind.
TEST_F(SqliteBackupTest, RefusalsAreClearAndLeaveNothingBehind) {
  {
    auto store = testing::open_test_store(db());
    ASSERT_NE(store, nullptr);
    seed_company(*store);
  }
  std::ofstream(dir_.path() / "backups" / "taken") << "an earlier backup";
  std::ofstream(dir_.path() / "not-sqlite") << "plain text, not a database";
  {  // A SQLite file that is not a Switchboard store.
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / "other.db").c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
  }
  struct Row {
    const char* name;
    std::filesystem::path source;
    std::filesystem::path out;
    ErrorCode code;
    std::string says;
  };
  const std::vector<Row> rows = {
      {"the target exists", db(), dir_.path() / "backups" / "taken", ErrorCode::kInvalidArgument,
       "already exists"},
      {"the target's directory does not exist", db(), dir_.path() / "missing" / "store.backup",
       ErrorCode::kInvalidArgument, "no directory"},
      {"no store at the source", dir_.path() / "nothing.db", out(), ErrorCode::kInvalidArgument,
       "no store at"},
      {"the source is not a database", dir_.path() / "not-sqlite", out(), ErrorCode::kInvalidArgument,
       "not a Switchboard store"},
      {"the source is another database", dir_.path() / "other.db", out(), ErrorCode::kInvalidArgument,
       "not a Switchboard store"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    auto copied = backup_database(row.source, row.out);
    ASSERT_FALSE(copied.has_value());
    EXPECT_EQ(copied.error().code, row.code);
    EXPECT_NE(copied.error().message.find(row.says), std::string::npos) << copied.error().message;
    expect_only({"taken"});
  }
  std::ifstream kept(dir_.path() / "backups" / "taken");
  std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "an earlier backup");
}

}  // namespace
}  // namespace switchboard::store::sqlite
