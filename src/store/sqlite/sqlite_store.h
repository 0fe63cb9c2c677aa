// SqliteStore: the embedded, zero-configuration Store.
//
// One writer thread owns the only write connection and group-commits: it
// drains the queue of pending writes into one transaction (each write in its
// own SAVEPOINT so one failure does not undo the others), COMMITs, and only
// then answers every caller. journal_mode=WAL, synchronous=FULL by default.
// Reads use a small pool of separate read-only connections.
// Numbered migrations (src/store/sqlite/migrations/NNN_*.sql) are applied at open.
//
// Several processes may open the same file (e.g. `switchboard token create`
// while `serve` runs); SQLite's locking and busy_timeout serialize them.
#pragma once

#include <filesystem>
#include <memory>

#include "common/clock.h"
#include "common/crypto.h"
#include "store/store.h"

namespace switchboard::store {

struct SqliteOptions {
  std::filesystem::path path;  // the database file
  bool synchronous_full =
      true;  // false: synchronous=NORMAL (faster, may lose the last commits on power loss)
  int read_connections = 4;
  int max_batch = 1024;  // most writes in one group commit
};

// Opens (creating if needed) and migrates the database. kUnavailable if the
// file cannot be opened; kInternal if a migration fails.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options, crypto::SecretBox secrets);

}  // namespace switchboard::store
