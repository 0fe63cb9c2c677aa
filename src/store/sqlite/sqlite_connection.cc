#include "store/sqlite/sqlite_connection.h"

#include <algorithm>
#include <cassert>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "common/result.h"

namespace switchboard::store::sqlite {

ErrorCode classify_sqlite_error(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return ErrorCode::kConflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return ErrorCode::kNotFound;  // the referenced company/user does not exist
    default:
      break;
  }
  switch (extended_code & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return ErrorCode::kInvalidArgument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

Error sqlite_error(int code, std::string_view context, sqlite3* db) {
  std::string message(context);
  message += ": ";
  // errmsg describes the most recent failure on `db`, which is `code` here.
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  return Error{classify_sqlite_error(code), std::move(message)};
}

// --- Statement ---------------------------------------------------------------

Statement::Statement(sqlite3_stmt* stmt, sqlite3* db, bool* in_use, bool owned)
    : stmt_(stmt), db_(db), in_use_(in_use), owned_(owned) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      in_use_(std::exchange(other.in_use_, nullptr)),
      owned_(other.owned_),
      bind_error_(other.bind_error_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  // Resetting ends the statement's read transaction; clearing drops copies of
  // bound values (which may be sealed secrets) as soon as they are not needed.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (in_use_ != nullptr) *in_use_ = false;
}

void Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::bind(int index, std::nullopt_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) {
    return make_error(classify_sqlite_error(bind_error_),
                      std::string("binding parameters: ") + sqlite3_errstr(bind_error_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(sqlite_error(sqlite3_extended_errcode(db_), "executing statement", db_));
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return forward_error(row);
    if (!*row) return {};
  }
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::optional<TimePoint> Statement::optional_time(int column) const {
  if (is_null(column)) return std::nullopt;
  return time(column);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// --- Connection --------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::open(const std::filesystem::path& path,
                                                     const ConnectionOptions& options) {
  // Memory statistics take a process-wide mutex on every allocation; nothing
  // reads them. Only possible before SQLite initializes (a no-op afterwards).
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  // NOMUTEX: a connection is only ever used by one thread at a time.
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |=
      options.mode == OpenMode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error{ErrorCode::kUnavailable, "opening " + path.string() + ": " +
                                             (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
    sqlite3_close_v2(db);
    return tl::unexpected(std::move(error));
  }
  std::unique_ptr<Connection> connection(new Connection(db, options));
  if (auto configured = connection->configure(); !configured) {
    return make_error(ErrorCode::kUnavailable,
                      "configuring " + path.string() + ": " + configured.error().message);
  }
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) {
    assert(!cached.in_use && "a Statement outlived its Connection");
    sqlite3_finalize(cached.stmt);
  }
  sqlite3_close_v2(db_);
}

Result<void> Connection::configure() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
  // Space is given back after purges (issue 15, item 3): incremental
  // auto-vacuum keeps a free-page list that `PRAGMA incremental_vacuum(N)`
  // returns to the file system in small steps, with no full VACUUM. It can
  // only be chosen while the file has no tables, so it is set here, before the
  // migrations; on a file created before it this does nothing (`switchboard
  // purge --vacuum` converts one offline with a one-time VACUUM).
  if (options_.mode != OpenMode::kReadOnly) {
    if (auto set = exec("PRAGMA auto_vacuum=INCREMENTAL"); !set) return set;
  }
  // journal_mode is persistent in the file: the first read-write connection
  // switches it, and on a read-only connection this only reports it.
  auto mode = prepare("PRAGMA journal_mode=WAL");
  if (!mode) return forward_error(mode);
  auto row = mode->step();
  if (!row) return forward_error(row);
  if (!*row || mode->text(0) != "wal") {
    return make_error(ErrorCode::kUnavailable, "the database could not be switched to WAL mode");
  }
  // temp_store=MEMORY keeps savepoint and statement journals in memory: every
  // group-committed write and most multi-index statements open one.
  // The writer's page cache holds the queue's hot index pages (the default
  // 2 MB made every claim and result re-read and re-allocate pages).
  // journal_size_limit: a checkpoint that restarts the WAL truncates it to
  // 8 MB (twice the 1,000-page auto-checkpoint), so a burst's WAL does not
  // stay on disk at its peak size for good (issue 15: the data directory
  // under retention was ~25 MB over its rows, most of it WAL).
  const std::string cache = options_.mode == OpenMode::kReadWrite
                                ? " PRAGMA cache_size=-32768; PRAGMA journal_size_limit=8388608;"
                                : "";
  return exec(std::string("PRAGMA synchronous=") + (options_.synchronous_full ? "FULL" : "NORMAL") +
              "; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;" + cache);
}

Result<void> Connection::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  Error error{classify_sqlite_error(sqlite3_extended_errcode(db_)),
              message != nullptr ? message : sqlite3_errstr(rc)};
  sqlite3_free(message);
  return tl::unexpected(std::move(error));
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);  // no allocation on the (usual) hit
  bool inserted = false;
  if (it == cache_.end()) std::tie(it, inserted) = cache_.try_emplace(std::string(sql));
  CachedStatement& cached = it->second;
  if (!inserted && !cached.in_use) {
    cached.in_use = true;
    return Statement(cached.stmt, db_, &cached.in_use, /*owned=*/false);
  }
  // The cached one is busy (a nested use of the same SQL): hand out a private copy.
  sqlite3_stmt* stmt = nullptr;
  unsigned flags = inserted ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    if (inserted) cache_.erase(it);
    return tl::unexpected(sqlite_error(sqlite3_extended_errcode(db_), "preparing statement", db_));
  }
  if (!inserted) return Statement(stmt, db_, nullptr, /*owned=*/true);
  cached.stmt = stmt;
  cached.in_use = true;
  return Statement(stmt, db_, &cached.in_use, /*owned=*/false);
}

Result<void> Connection::retry_busy(std::string_view sql) {
  auto give_up_at = std::chrono::steady_clock::now() + options_.busy_give_up_after;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    auto statement = prepare(sql);
    if (!statement) return forward_error(statement);
    auto done = statement->run();
    if (done) return {};
    // busy_timeout already waited; another process is holding the write lock
    // for longer (e.g. an offline CLI command). Keep waiting, not failing.
    int code = sqlite3_extended_errcode(db_) & 0xff;
    if (code != SQLITE_BUSY || std::chrono::steady_clock::now() >= give_up_at) {
      return forward_error(done);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

Result<void> Connection::begin_immediate() { return retry_busy("BEGIN IMMEDIATE"); }

Result<void> Connection::commit() { return retry_busy("COMMIT"); }

void Connection::rollback() noexcept {
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

int Connection::changes() const { return sqlite3_changes(db_); }

}  // namespace switchboard::store::sqlite
