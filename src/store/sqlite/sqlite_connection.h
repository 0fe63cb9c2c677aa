// RAII wrappers over the SQLite C API, private to the SQLite store.
//
// Connection owns one sqlite3* configured the way every Switchboard
// connection must be (WAL, synchronous, foreign keys, busy timeout) and caches
// its prepared statements. Statement is a prepared statement borrowed from
// that cache; it resets itself when it goes out of scope, so no read snapshot
// outlives the call that took it.
//
// Thread-safety: a Connection (and its Statements) is used by one thread at a
// time: the writer thread, or the reader that leased it from the ReadPool.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/result.h"

namespace switchboard::store::sqlite {

// How long a connection waits on another connection's lock before SQLite
// reports SQLITE_BUSY.
inline constexpr int kBusyTimeoutMs = 5000;

// Maps an (extended) SQLite result code to the store's error vocabulary:
// constraint violations are the caller's problem (kConflict, kNotFound for a
// missing referenced row, kInvalidArgument for CHECK/NOT NULL), lock and I/O
// trouble is transient (kUnavailable), anything else is kInternal.
ErrorCode classify_sqlite_error(int extended_code);
Error sqlite_error(int code, std::string_view context, sqlite3* db);

inline std::int64_t to_unix_ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_unix_ms(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

class Statement {
 public:
  // `owned`: finalize on destruction instead of resetting (not from the cache).
  Statement(sqlite3_stmt* stmt, sqlite3* db, bool* in_use, bool owned);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based. Text is copied, so temporaries are fine. A
  // binding error is reported by the next step()/run().
  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, std::int64_t value);
  void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(int index, bool value) { bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  void bind(int index, TimePoint value) { bind(index, to_unix_ms(value)); }
  void bind(int index, double value);
  void bind(int index, std::nullopt_t);
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index, std::nullopt);
    }
  }

  // Binds the arguments to parameters 1..N in order.
  template <typename... Args>
  void bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
  }

  // Advances to the next row: true when a row is ready, false when done.
  Result<bool> step();
  // Runs a statement that returns no rows (or whose rows are not wanted).
  Result<void> run();

  // Column accessors for the current row; columns are 0-based.
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  double real(int column) const;
  bool boolean(int column) const { return integer(column) != 0; }
  TimePoint time(int column) const { return from_unix_ms(integer(column)); }
  std::optional<TimePoint> optional_time(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  bool* in_use_;
  bool owned_;
  int bind_error_ = SQLITE_OK;
};

enum class OpenMode { kReadWrite, kReadOnly };

struct ConnectionOptions {
  OpenMode mode = OpenMode::kReadWrite;
  bool synchronous_full = true;
  int busy_timeout_ms = kBusyTimeoutMs;
  // How long BEGIN IMMEDIATE / COMMIT keep retrying SQLITE_BUSY (another
  // process holding the write lock) before giving up with kUnavailable.
  std::chrono::milliseconds busy_give_up_after{std::chrono::minutes(1)};
};

class Connection {
 public:
  // Opens the file (creating it in kReadWrite mode) and applies the pragmas.
  // kUnavailable when it cannot be opened or configured.
  static Result<std::unique_ptr<Connection>> open(const std::filesystem::path& path,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more SQL statements that take no parameters.
  Result<void> exec(std::string_view sql);

  // A prepared statement for `sql`, from this connection's cache.
  Result<Statement> prepare(std::string_view sql);
  // prepare() followed by bind_all(args...).
  template <typename... Args>
  Result<Statement> query(std::string_view sql, const Args&... args) {
    auto statement = prepare(sql);
    if (statement) statement->bind_all(args...);
    return statement;
  }

  // Transaction control for writers. begin_immediate() and commit() retry
  // SQLITE_BUSY (another process writing) until options.busy_give_up_after.
  Result<void> begin_immediate();
  Result<void> commit();
  void rollback() noexcept;  // best effort; a no-op outside a transaction
  bool in_transaction() const;

  int changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  sqlite3* handle() const { return db_; }

 private:
  Connection(sqlite3* db, ConnectionOptions options) : db_(db), options_(options) {}
  Result<void> configure();
  Result<void> retry_busy(std::string_view sql);

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_;
  ConnectionOptions options_;
  // Keyed by SQL text; looked up by string_view without building a string.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> cache_;
};

}  // namespace switchboard::store::sqlite
