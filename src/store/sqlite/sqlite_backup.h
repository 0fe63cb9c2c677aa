// A consistent copy of a live SQLite store (`switchboard backup`).
//
// SQLite's online backup API copies every page of the store inside one read
// transaction of its own: the copy is the database as of one commit, taken
// while `serve` goes on writing (WAL readers never block the writer, and the
// writer never blocks them). A file copy of the database and its WAL would
// not be: the two can be caught between a commit and a checkpoint.
//
// The copy is written beside `out` under a temporary name, checked
// (PRAGMA quick_check), synced, and only then linked to `out`, which must not
// exist: a backup never replaces a file, and a failed one leaves nothing
// behind. The result is one self-contained file (rollback journal, not WAL),
// mode 0600: it holds the company's data with its secrets sealed by the
// store's key, which is NOT in it (keep DATA/secret.key, or the file given to
// --secret-key-file, apart from the backups).
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.h"

namespace switchboard::store::sqlite {

struct BackupSummary {
  std::uintmax_t bytes = 0;  // size of the copy
  int pages = 0;             // database pages copied
};

// Copies the store at `database` (a Switchboard SQLite file, in use or not)
// to `out`. Errors: kInvalidArgument when `out` exists, its directory does not,
// or `database` is not there; kUnavailable when the source cannot be read or
// the copy cannot be written, synced or checked (nothing is left at `out`).
Result<BackupSummary> backup_database(const std::filesystem::path& database,
                                      const std::filesystem::path& out);

}  // namespace switchboard::store::sqlite
