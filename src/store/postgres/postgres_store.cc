// open_postgres_store(): connects the pool, migrates under the advisory lock,
// and assembles the store; plus the helpers the subject files share.
#include "store/postgres/postgres_store.h"

#include <random>
#include <thread>
#include <utility>

#include "common/result.h"
#include "store/postgres/postgres_migrator.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store {

namespace {

constexpr std::string_view kKeyCheckText = "switchboard secret key check";

// Refuses a secret key other than the one the database's secrets are sealed
// with (every node of a cluster must use the same --secret-key-file).
Result<void> check_secret_key(pqxx::connection& connection, const crypto::SecretBox& secrets) {
  pqxx::work tx(connection);
  tx.exec_params("INSERT INTO key_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                 secrets.seal(kKeyCheckText));
  auto row = tx.exec1("SELECT sealed FROM key_check WHERE id = 1");
  tx.commit();
  auto opened = secrets.open(row[0].as<std::string>());
  if (!opened || *opened != kKeyCheckText) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "the secret key is not the one this database's secrets are sealed with: give every node "
        "of the cluster the same --secret-key-file");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options,
                                                   crypto::SecretBox secrets) {
  if (options.url.empty() || options.connections < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "PostgreSQL store: a connection URL and connections >= 1 are required");
  }
  auto pool = postgres::ConnectionPool::open(options.url, options.connections);
  if (!pool) return forward_error(pool);
  {
    postgres::ConnectionPool::Lease lease = (*pool)->acquire();
    try {
      auto migrated = postgres::apply_migrations(lease.connection(), postgres::embedded_migrations());
      if (!migrated) return forward_error(migrated);
      if (auto key = check_secret_key(lease.connection(), secrets); !key) return forward_error(key);
      auto resealed = postgres::reseal_webhook_headers(lease.connection(), secrets);
      if (!resealed) return forward_error(resealed);
    } catch (const pqxx::broken_connection& e) {
      return make_error(ErrorCode::kUnavailable, std::string("connecting to PostgreSQL: ") + e.what());
    }
  }
  return std::unique_ptr<Store>(
      std::make_unique<postgres::PostgresStore>(std::move(secrets), std::move(*pool)));
}

namespace postgres {

std::string PostgresStore::describe_sql_error(const pqxx::sql_error& e) {
  std::string message = "PostgreSQL: ";
  message += e.what();
  if (!e.sqlstate().empty()) message += " (SQLSTATE " + e.sqlstate() + ")";
  return message;
}

void PostgresStore::backoff(int attempt) {
  // 5, 10, 20, 40 ms, each with up to 100% jitter so that racing nodes that
  // conflicted once do not collide again in lockstep.
  thread_local std::minstd_rand random(std::random_device{}());
  const int base_ms = 5 << (attempt - 1);
  std::uniform_int_distribution<int> jitter(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(random)));
}

bool has_sqlstate(const pqxx::sql_error& e, std::string_view sqlstate) { return e.sqlstate() == sqlstate; }

Result<void> lock_company(pqxx::work& tx, const std::string& company_id) {
  // FOR NO KEY UPDATE, not FOR UPDATE: it serializes the transactions that
  // check a per-company limit, yet does not block the FOR KEY SHARE locks that
  // foreign-key checks of concurrent inserts (events, users…) take on the row.
  auto row = tx.exec_params("SELECT 1 FROM companies WHERE id = $1 FOR NO KEY UPDATE", company_id);
  if (row.empty()) return make_error(ErrorCode::kNotFound, "company not found");
  return {};
}

Result<void> PostgresStore::ping() {
  return read([](pqxx::work& tx) -> Result<void> {
    tx.exec("SELECT max(version) FROM schema_migrations");
    return {};
  });
}

}  // namespace postgres
}  // namespace switchboard::store
