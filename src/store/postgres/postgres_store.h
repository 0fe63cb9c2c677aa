// PostgresStore: the Store of cluster mode. Several Switchboard nodes open
// the same PostgreSQL database and share all state through it; each node
// keeps a small fixed pool of connections, and every Store call is one short
// READ COMMITTED transaction (retried on serialization failures, deadlocks
// and lost connections). Rules that span rows are enforced with row locks,
// so nodes racing each other still keep every limit and ordering rule.
// Numbered migrations (src/store/postgres/migrations/NNN_*.sql, embedded in
// the binary) are applied at open under a PostgreSQL advisory lock, so nodes
// starting at the same time migrate once.
// Secrets are sealed with the SecretBox exactly as in the SQLite store.
#pragma once

#include <memory>
#include <string>

#include "common/crypto.h"
#include "store/store.h"

namespace switchboard::store {

struct PostgresOptions {
  std::string url;  // libpq connection URI, e.g. postgresql://user@host:5432/db
  int connections = 8;
};

// Connects, migrates and returns the store. kInvalidArgument for an empty
// url or connections < 1; kUnavailable when the server cannot be reached;
// kInternal if a migration fails.
Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options, crypto::SecretBox secrets);

}  // namespace switchboard::store
