// SqliteStore: data retention (store/retention_store.h): the companies'
// retention settings, the batched purge of expired events and incremental
// vacuum. Each purge call is one write through the group-commit writer, so a
// batch shares the writer with ingest for one short transaction only.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {

Result<std::optional<std::chrono::seconds>> SqliteStore::get_retention(const std::string& company_id) {
  return read([&](Connection& connection) -> Result<std::optional<std::chrono::seconds>> {
    auto query = connection.query("SELECT retention_seconds FROM companies WHERE id = ?", company_id);
    if (!query) return forward_error(query);
    auto row = query->step();
    if (!row) return forward_error(row);
    if (!*row) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    if (auto seconds = query->optional_integer(0)) return std::optional(std::chrono::seconds(*seconds));
    return std::optional<std::chrono::seconds>();
  });
}

Result<void> SqliteStore::set_retention(const std::string& company_id,
                                        const std::optional<std::chrono::seconds>& retention) {
  std::optional<std::int64_t> seconds;
  if (retention) seconds = retention->count();
  return write([&](Connection& connection) -> Result<void> {
    auto update =
        connection.query("UPDATE companies SET retention_seconds = ? WHERE id = ?", seconds, company_id);
    if (!update) return forward_error(update);
    if (auto done = update->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    return {};
  });
}

Result<std::vector<CompanyRetention>> SqliteStore::list_retentions() {
  return read([&](Connection& connection) -> Result<std::vector<CompanyRetention>> {
    auto query = connection.prepare("SELECT id, retention_seconds FROM companies ORDER BY id");
    if (!query) return forward_error(query);
    std::vector<CompanyRetention> out;
    for (;;) {
      auto row = query->step();
      if (!row) return forward_error(row);
      if (!*row) return out;
      CompanyRetention company{query->text(0), std::nullopt};
      if (auto seconds = query->optional_integer(1)) company.retention = std::chrono::seconds(*seconds);
      out.push_back(std::move(company));
    }
  });
}

Result<int> SqliteStore::purge_expired_events(const PurgeRequest& request) {
  int deleted = 0;
  auto done = write([&](Connection& connection) -> Result<void> {
    // model::event_purgeable in SQL; oldest first on events_company_created.
    // Deleting an event cascades to its deliveries (their attempts and
    // request) and its v1 deliveries.
    auto purge = connection.query(
        "DELETE FROM events WHERE id IN ("
        "SELECT e.id FROM events e WHERE e.company_id = ?1 AND e.created_at < ?2 "
        "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending' "
        "AND d.event_time > ?3) "
        "AND NOT EXISTS (SELECT 1 FROM v1_deliveries v WHERE v.event_id = e.id AND v.state = 'pending') "
        "ORDER BY e.created_at LIMIT ?4)",
        request.company_id, request.cutoffs.expired_before, request.cutoffs.window_open_after,
        static_cast<std::int64_t>(request.max_events));
    if (!purge) return forward_error(purge);
    if (auto ran = purge->run(); !ran) return ran;
    deleted = connection.changes();
    return {};
  });
  if (!done) return forward_error(done);
  return deleted;
}

Result<void> SqliteStore::reclaim_space(int pages) {
  // Returns up to `pages` free pages to the file system (a no-op on a file
  // created before auto_vacuum=INCREMENTAL: sqlite_connection.cc).
  return write([&](Connection& connection) -> Result<void> {
    return connection.exec("PRAGMA incremental_vacuum(" + std::to_string(pages > 0 ? pages : 1) + ")");
  });
}

}  // namespace switchboard::store::sqlite
