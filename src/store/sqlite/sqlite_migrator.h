// Schema migrations for the SQLite store.
//
// Migrations are the numbered files src/store/sqlite/migrations/NNN_name.sql,
// embedded into the binary at build time. apply_migrations() applies those
// not yet recorded in schema_migrations, in ascending version order, each in
// its own IMMEDIATE transaction together with its schema_migrations row, so a
// crash or a concurrent process (another `serve`, an offline CLI command)
// never applies one twice or leaves one half-applied.
//
// Called on the write connection before the writer thread starts.
#pragma once

#include <span>
#include <string_view>

#include "common/result.h"
#include "store/sqlite/sqlite_connection.h"

namespace switchboard::store::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The migrations built into this binary, in ascending version order.
std::span<const Migration> embedded_migrations();

// kInternal when a migration fails (its transaction is rolled back and later
// ones are not attempted); kUnavailable when the database is locked too long.
Result<void> apply_migrations(Connection& connection, std::span<const Migration> migrations);

}  // namespace switchboard::store::sqlite
