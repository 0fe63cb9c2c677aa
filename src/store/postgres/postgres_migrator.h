// Schema migrations for the PostgreSQL store.
//
// Migrations are the numbered files src/store/postgres/migrations/NNN_name.sql,
// embedded into the binary at build time (kPostgresMigrations).
// apply_migrations() takes a session-level advisory lock
// (pg_advisory_lock(kMigrationLockKey)) for the whole run, so that nodes
// starting together wait for each other and migrate once; then applies every
// migration not yet recorded in schema_migrations, in ascending version
// order, each in its own transaction together with its schema_migrations row
// (PostgreSQL DDL is transactional: a failed migration leaves nothing behind).
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <span>
#include <string_view>

#include "common/result.h"

namespace switchboard::store::postgres {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The advisory lock key that serializes migrations ("SWBMIGRT").
inline constexpr std::int64_t kMigrationLockKey = 0x5357424D49475254;

// The migrations built into this binary, in ascending version order.
std::span<const Migration> embedded_migrations();

// kInternal when a migration fails (its transaction is rolled back and later
// ones are not attempted); kUnavailable when the connection fails.
Result<void> apply_migrations(pqxx::connection& connection, std::span<const Migration> migrations);

}  // namespace switchboard::store::postgres
