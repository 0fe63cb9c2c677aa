#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

namespace switchboard::store::sqlite {
namespace {

// How long the copy waits for the source while its writer holds a lock that
// keeps a reader out (a WAL reset, an exclusive checkpoint): brief in practice.
constexpr int kBusyTimeoutMs = 10000;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Error failure(ErrorCode code, const std::string& what, sqlite3* db) {
  return Error{code, what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory")};
}

Result<Db> open_db(const std::filesystem::path& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK)
    return tl::unexpected(failure(ErrorCode::kUnavailable, "opening " + path.string(), raw));
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return db;
}

Result<void> exec(sqlite3* db, const char* sql, const std::string& what) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return tl::unexpected(failure(ErrorCode::kUnavailable, what, db));
  }
  return {};
}

// PRAGMA quick_check answers one row "ok" when the file is sound.
Result<void> check(sqlite3* db, const std::filesystem::path& path) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &raw, nullptr) != SQLITE_OK) {
    return tl::unexpected(failure(ErrorCode::kUnavailable, "checking " + path.string(), db));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  if (sqlite3_step(raw) != SQLITE_ROW) {
    return tl::unexpected(failure(ErrorCode::kUnavailable, "checking " + path.string(), db));
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
  const std::string answer = text != nullptr ? text : "";
  if (answer != "ok") return make_error(ErrorCode::kUnavailable, "the copy failed its check: " + answer);
  return {};
}

// The copy is a Switchboard store only if the source was one: a file that
// SQLite opens but that has no migrations table is refused.
Result<void> require_store(sqlite3* db, const std::filesystem::path& path) {
  sqlite3_stmt* raw = nullptr;
  const char* sql = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'";
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return tl::unexpected(
        failure(ErrorCode::kInvalidArgument, path.string() + " is not a Switchboard store", db));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  if (sqlite3_step(raw) != SQLITE_ROW || sqlite3_column_int(raw, 0) != 1) {
    return make_error(ErrorCode::kInvalidArgument, path.string() + " is not a Switchboard store");
  }
  return {};
}

Result<void> sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    return make_error(ErrorCode::kUnavailable, "syncing " + path.string() + ": " + std::strerror(errno));
  const bool synced = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!synced)
    return make_error(ErrorCode::kUnavailable, "syncing " + path.string() + ": " + std::strerror(saved));
  return {};
}

// Copies every page of `source` into `copy` in one step: one read transaction,
// so one commit's state, however busy the writer is.
Result<int> copy_pages(sqlite3* source, sqlite3* copy) {
  sqlite3_backup* backup = sqlite3_backup_init(copy, "main", source, "main");
  if (backup == nullptr) return tl::unexpected(failure(ErrorCode::kUnavailable, "starting the copy", copy));
  int rc = SQLITE_OK;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    if (std::chrono::steady_clock::now() > give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the source's writer holds a lock a moment
  }
  const int pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return make_error(ErrorCode::kUnavailable, std::string("copying the store: ") + sqlite3_errstr(rc));
  }
  return pages;
}

}  // namespace

Result<BackupSummary> backup_database(const std::filesystem::path& database,
                                      const std::filesystem::path& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(database, ec)) {
    return make_error(ErrorCode::kInvalidArgument, "no store at " + database.string());
  }
  if (std::filesystem::exists(std::filesystem::symlink_status(out, ec))) {
    return make_error(ErrorCode::kInvalidArgument,
                      out.string() + " already exists: a backup never replaces a file");
  }
  const std::filesystem::path directory = out.has_parent_path() ? out.parent_path() : ".";
  if (!std::filesystem::is_directory(directory, ec)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "no directory " + directory.string() + " to write the backup in");
  }
  const std::filesystem::path partial = out.string() + ".partial-" + std::to_string(::getpid());
  // Owner-only from the first byte (the copy holds the company's data).
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(ErrorCode::kUnavailable,
                      "cannot write " + partial.string() + ": " + std::strerror(errno));
  }
  ::close(fd);
  // The temporary name goes in every case: after a failure nothing is left,
  // after success `out` is the file's one name.
  struct RemoveOnExit {
    const std::filesystem::path& path;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove_partial{partial};

  auto source = open_db(database, SQLITE_OPEN_READONLY);
  if (!source) return forward_error(source);
  if (auto store = require_store(source->get(), database); !store) return forward_error(store);
  auto copy = open_db(partial, SQLITE_OPEN_READWRITE);
  if (!copy) return forward_error(copy);
  if (auto full = exec(copy->get(), "PRAGMA synchronous = FULL", "configuring the copy"); !full) {
    return forward_error(full);
  }

  auto pages = copy_pages(source->get(), copy->get());
  if (!pages) return forward_error(pages);
  source->reset();
  // The pages say WAL (the store's mode); the copy is one self-contained file.
  if (auto mode = exec(copy->get(), "PRAGMA journal_mode = DELETE", "writing the copy"); !mode) {
    return forward_error(mode);
  }
  if (auto sound = check(copy->get(), partial); !sound) return forward_error(sound);
  copy->reset();

  if (auto synced = sync_path(partial, O_RDONLY); !synced) return forward_error(synced);
  // link() refuses an existing name: a file that appeared at `out` meanwhile is kept.
  if (::link(partial.c_str(), out.c_str()) != 0) {
    const int saved = errno;
    if (saved == EEXIST) {
      return make_error(ErrorCode::kInvalidArgument,
                        out.string() + " already exists: a backup never replaces a file");
    }
    return make_error(ErrorCode::kUnavailable, "cannot write " + out.string() + ": " + std::strerror(saved));
  }
  if (auto synced = sync_path(directory, O_RDONLY | O_DIRECTORY); !synced) return forward_error(synced);

  BackupSummary summary;
  summary.pages = *pages;
  summary.bytes = std::filesystem::file_size(out, ec);
  return summary;
}

}  // namespace switchboard::store::sqlite
