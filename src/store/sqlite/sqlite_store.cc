// open_sqlite_store(): opens, configures and migrates the database, then
// assembles the writer thread and the read pool.
#include "store/sqlite/sqlite_store.h"

#include <system_error>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/sqlite/sqlite_vacuum.h"

namespace switchboard::store {

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options, crypto::SecretBox secrets) {
  using sqlite::Connection;
  using sqlite::ConnectionOptions;
  using sqlite::OpenMode;

  if (options.path.empty() || options.read_connections < 1 || options.max_batch < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "SQLite store: a path, read_connections >= 1 and max_batch >= 1 are required");
  }
  if (auto parent = options.path.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return make_error(ErrorCode::kUnavailable, "creating " + parent.string() + ": " + ec.message());
  }

  ConnectionOptions write_options;
  write_options.mode = OpenMode::kReadWrite;
  write_options.synchronous_full = options.synchronous_full;
  auto write_connection = Connection::open(options.path, write_options);
  if (!write_connection) return forward_error(write_connection);
  if (auto migrated = sqlite::apply_migrations(**write_connection, sqlite::embedded_migrations());
      !migrated) {
    return forward_error(migrated);
  }
  if (auto resealed = sqlite::reseal_webhook_headers(**write_connection, secrets); !resealed) {
    return forward_error(resealed);
  }

  // Readers open after the writer has made the file exist and switched it to WAL.
  ConnectionOptions read_options = write_options;
  read_options.mode = OpenMode::kReadOnly;
  std::vector<std::unique_ptr<Connection>> readers;
  readers.reserve(static_cast<std::size_t>(options.read_connections));
  for (int i = 0; i < options.read_connections; ++i) {
    auto reader = Connection::open(options.path, read_options);
    if (!reader) return forward_error(reader);
    readers.push_back(std::move(*reader));
  }

  auto writer = std::make_unique<sqlite::Writer>(std::move(*write_connection), options.max_batch);
  auto pool = std::make_unique<sqlite::ReadPool>(std::move(readers));
  return std::unique_ptr<Store>(
      std::make_unique<sqlite::SqliteStore>(std::move(secrets), std::move(writer), std::move(pool)));
}

namespace sqlite {

Result<void> convert_to_incremental_vacuum(const std::filesystem::path& database) {
  std::error_code ec;
  if (!std::filesystem::exists(database, ec)) return {};
  auto connection = Connection::open(database, ConnectionOptions{});
  if (!connection) return forward_error(connection);
  {
    auto mode = (*connection)->prepare("PRAGMA auto_vacuum");
    if (!mode) return forward_error(mode);
    auto row = mode->step();
    if (!row) return forward_error(row);
    if (*row && mode->integer(0) == 2) return {};  // 2 = INCREMENTAL already
  }  // the statement ends before VACUUM, which refuses to run beside one
  return (*connection)->exec("PRAGMA auto_vacuum=INCREMENTAL; VACUUM;");
}

Result<void> SqliteStore::ping() {
  return read([](Connection& connection) -> Result<void> {
    auto query = connection.prepare("SELECT max(version) FROM schema_migrations");
    if (!query) return forward_error(query);
    auto row = query->step();
    if (!row) return forward_error(row);
    return {};
  });
}

}  // namespace sqlite
}  // namespace switchboard::store
