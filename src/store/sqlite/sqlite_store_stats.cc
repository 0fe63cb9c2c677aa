// SqliteStore: the health rollup (HealthStats): its upsert inside
// record_attempts' transaction and the read of a window's buckets.
#include "store/sqlite/sqlite_store_stats.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "store/common/health_rollup.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

// The batch's deliveries that are pending, with their owners.
Result<std::unordered_map<std::string, DeliveryOwner>> pending_owners(
    Connection& connection, const std::vector<AttemptOutcome>& outcomes) {
  std::unordered_map<std::string, DeliveryOwner> owners;
  std::unordered_set<std::string> seen;
  for (const AttemptOutcome& outcome : outcomes) {
    const std::string& id = outcome.attempt.delivery_id;
    if (!seen.insert(id).second) continue;
    auto query = connection.query(
        "SELECT company_id, webhook_id FROM deliveries WHERE id = ? AND state = 'pending'", id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (*found) owners.emplace(id, DeliveryOwner{query->text(0), query->text(1)});
  }
  return owners;
}

const std::string& upsert_sql() {
  static const std::string sql = [] {
    std::string columns = "company_id, webhook_id, minute_at";
    std::string values = "?, ?, ?";
    for (const std::string& column : health_count_columns()) {
      columns += ", " + column;
      values += ", ?";
    }
    return "INSERT INTO health_rollup (" + columns + ") VALUES (" + values +
           ") ON CONFLICT (company_id, webhook_id, minute_at) DO UPDATE SET " +
           health_rollup_accumulate_sql();
  }();
  return sql;
}

Result<void> upsert(Connection& connection, const RollupRow& row) {
  auto statement = connection.prepare(upsert_sql());
  if (!statement) return forward_error(statement);
  statement->bind(1, row.company_id);
  statement->bind(2, row.webhook_id);
  statement->bind(3, row.minute);
  int index = 4;
  for (std::int64_t value : health_count_values(row.counts)) statement->bind(index++, value);
  return statement->run();
}

// One range of the primary key per webhook: usually finds nothing.
Result<void> purge(Connection& connection, const RollupRow& row) {
  auto statement =
      connection.query("DELETE FROM health_rollup WHERE company_id = ? AND webhook_id = ? AND minute_at < ?",
                       row.company_id, row.webhook_id, health_rollup_purge_before(row.minute));
  if (!statement) return forward_error(statement);
  return statement->run();
}

}  // namespace

Result<void> record_health_rollup(Connection& connection, const std::vector<AttemptOutcome>& outcomes) {
  auto owners = pending_owners(connection, outcomes);
  if (!owners) return forward_error(owners);
  const std::vector<RollupRow> rows = rollup_rows(outcomes, *owners);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (auto done = upsert(connection, rows[i]); !done) return done;
    // Rows are ordered by webhook then minute: purge once per webhook, from its latest minute.
    const bool last_of_webhook = i + 1 == rows.size() || rows[i + 1].webhook_id != rows[i].webhook_id ||
                                 rows[i + 1].company_id != rows[i].company_id;
    if (last_of_webhook) {
      if (auto done = purge(connection, rows[i]); !done) return done;
    }
  }
  return {};
}

Result<std::vector<model::HealthCounts>> SqliteStore::webhook_health(const std::string& company_id,
                                                                     const std::string& webhook_id,
                                                                     const model::WindowShape& shape,
                                                                     TimePoint start) {
  const auto bucket = std::chrono::duration_cast<std::chrono::milliseconds>(shape.bucket);
  const TimePoint end = start + bucket * shape.buckets;
  return read([&](Connection& connection) -> Result<std::vector<model::HealthCounts>> {
    auto query =
        connection.query("SELECT (minute_at - ?3) / ?4, " + health_rollup_sums_sql("") +
                             " FROM health_rollup WHERE company_id = ?1 AND webhook_id = ?2 "
                             "AND minute_at >= ?3 AND minute_at < ?5 GROUP BY 1",
                         company_id, webhook_id, start, static_cast<std::int64_t>(bucket.count()), end);
    if (!query) return forward_error(query);
    std::vector<model::HealthCounts> buckets(static_cast<std::size_t>(shape.buckets));
    const std::size_t columns = health_count_columns().size();
    std::vector<std::int64_t> values(columns);
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return buckets;
      const std::int64_t index = query->integer(0);
      if (index < 0 || index >= shape.buckets) continue;
      for (std::size_t i = 0; i < columns; ++i) values[i] = query->integer(static_cast<int>(i) + 1);
      buckets[static_cast<std::size_t>(index)] = health_counts_from_values(values);
    }
  });
}

}  // namespace switchboard::store::sqlite
