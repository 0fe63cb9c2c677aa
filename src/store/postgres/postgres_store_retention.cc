// PostgresStore: data retention (store/retention_store.h). Each purge call
// is one short transaction deleting a bounded batch (by primary key, chosen
// on events_company_created), so that autovacuum can follow the dead tuples
// and no claim or ingest waits long on a lock. Deleting an event cascades
// through deliveries_event, attempts_delivery and v1_deliveries_event.
// Several nodes may purge at once: SKIP LOCKED lets each take other rows.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {

Result<std::optional<std::chrono::seconds>> PostgresStore::get_retention(const std::string& company_id) {
  return read([&](pqxx::work& tx) -> Result<std::optional<std::chrono::seconds>> {
    pqxx::result rows = tx.exec_params("SELECT retention_seconds FROM companies WHERE id = $1", company_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    if (auto seconds = optional_integer(rows[0][0])) return std::optional(std::chrono::seconds(*seconds));
    return std::optional<std::chrono::seconds>();
  });
}

Result<void> PostgresStore::set_retention(const std::string& company_id,
                                          const std::optional<std::chrono::seconds>& retention) {
  std::optional<std::int64_t> seconds;
  if (retention) seconds = retention->count();
  return transact([&](pqxx::work& tx) -> Result<void> {
    pqxx::result done = tx.exec_params("UPDATE companies SET retention_seconds = $1::bigint WHERE id = $2",
                                       seconds, company_id);
    if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    return {};
  });
}

Result<std::vector<CompanyRetention>> PostgresStore::list_retentions() {
  return read([&](pqxx::work& tx) -> Result<std::vector<CompanyRetention>> {
    std::vector<CompanyRetention> out;
    for (const pqxx::row& row : tx.exec("SELECT id, retention_seconds FROM companies ORDER BY id")) {
      CompanyRetention company{text(row[0]), std::nullopt};
      if (auto seconds = optional_integer(row[1])) company.retention = std::chrono::seconds(*seconds);
      out.push_back(std::move(company));
    }
    return out;
  });
}

Result<int> PostgresStore::purge_expired_events(const PurgeRequest& request) {
  return transact([&](pqxx::work& tx) -> Result<int> {
    // model::event_purgeable in SQL, oldest first.
    pqxx::result done = tx.exec_params(
        "DELETE FROM events WHERE id IN ("
        "SELECT e.id FROM events e WHERE e.company_id = $1 AND e.created_at < $2::bigint "
        "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending' "
        "AND d.event_time > $3::bigint) "
        "AND NOT EXISTS (SELECT 1 FROM v1_deliveries v WHERE v.event_id = e.id AND v.state = 'pending') "
        "ORDER BY e.created_at LIMIT $4 FOR UPDATE SKIP LOCKED)",
        request.company_id, to_ms(request.cutoffs.expired_before), to_ms(request.cutoffs.window_open_after),
        static_cast<std::int64_t>(request.max_events));
    return static_cast<int>(done.affected_rows());
  });
}

Result<void> PostgresStore::reclaim_space(int /*pages*/) { return {}; }  // autovacuum's job

}  // namespace switchboard::store::postgres
