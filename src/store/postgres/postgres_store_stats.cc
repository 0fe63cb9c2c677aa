// PostgresStore: the health rollup (HealthStats): its set-based upsert inside
// record_attempts' transaction and the read of a window's buckets.
#include "store/postgres/postgres_store_stats.h"

#include <algorithm>
#include <unordered_map>

#include "store/common/health_rollup.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

std::unordered_map<std::string, DeliveryOwner> pending_owners(pqxx::work& tx,
                                                              const std::vector<AttemptOutcome>& outcomes,
                                                              const std::string& node_id) {
  std::vector<std::string> ids;
  for (const AttemptOutcome& o : outcomes) ids.push_back(o.attempt.delivery_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  pqxx::result rows = tx.exec_params(
      "SELECT id, company_id, webhook_id FROM deliveries WHERE id = ANY($1::text[]) AND state = 'pending' "
      "AND (lease_owner IS NULL OR lease_owner = $2)",
      text_array(ids), node_id);
  std::unordered_map<std::string, DeliveryOwner> owners;
  for (const pqxx::row& row : rows) owners.emplace(text(row[0]), DeliveryOwner{text(row[1]), text(row[2])});
  return owners;
}

// INSERT … SELECT FROM unnest(one array per column) ON CONFLICT DO UPDATE.
const std::string& upsert_sql() {
  static const std::string sql = [] {
    std::string columns = "company_id, webhook_id, minute_at";
    std::string arrays = "$1::text[], $2::text[], $3::bigint[]";
    int index = 4;
    for (const std::string& column : health_count_columns()) {
      columns += ", " + column;
      arrays += ", $" + std::to_string(index++) + "::bigint[]";
    }
    return "INSERT INTO health_rollup (" + columns + ") SELECT * FROM unnest(" + arrays + ") AS u(" +
           columns + ") ON CONFLICT (company_id, webhook_id, minute_at) DO UPDATE SET " +
           health_rollup_accumulate_sql();
  }();
  return sql;
}

}  // namespace

void record_health_rollup(pqxx::work& tx, const std::vector<AttemptOutcome>& outcomes,
                          const std::string& node_id) {
  const std::vector<RollupRow> rows = rollup_rows(outcomes, pending_owners(tx, outcomes, node_id));
  if (rows.empty()) return;
  const std::size_t count_columns = health_count_columns().size();
  std::vector<std::string> company_ids, webhook_ids;
  std::vector<std::int64_t> minutes;
  std::vector<std::vector<std::int64_t>> counts(count_columns);
  // Purge per webhook: rows are ordered by webhook then minute, the last is its latest.
  std::vector<std::string> purge_company, purge_webhook;
  std::vector<std::int64_t> purge_before;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RollupRow& row = rows[i];
    company_ids.push_back(row.company_id);
    webhook_ids.push_back(row.webhook_id);
    minutes.push_back(to_ms(row.minute));
    const auto values = health_count_values(row.counts);
    for (std::size_t c = 0; c < count_columns; ++c) counts[c].push_back(values[c]);
    if (i + 1 == rows.size() || rows[i + 1].webhook_id != row.webhook_id ||
        rows[i + 1].company_id != row.company_id) {
      purge_company.push_back(row.company_id);
      purge_webhook.push_back(row.webhook_id);
      purge_before.push_back(to_ms(health_rollup_purge_before(row.minute)));
    }
  }
  std::vector<std::string> params = {text_array(company_ids), text_array(webhook_ids), number_array(minutes)};
  for (const auto& column : counts) params.push_back(number_array(column));
  tx.exec_params(upsert_sql(), pqxx::prepare::make_dynamic_params(params));
  tx.exec_params(
      "DELETE FROM health_rollup h USING unnest($1::text[], $2::text[], $3::bigint[]) AS p(company_id, "
      "webhook_id, before) WHERE h.company_id = p.company_id AND h.webhook_id = p.webhook_id AND h.minute_at "
      "< "
      "p.before",
      text_array(purge_company), text_array(purge_webhook), number_array(purge_before));
}

Result<std::vector<model::HealthCounts>> PostgresStore::webhook_health(const std::string& company_id,
                                                                       const std::string& webhook_id,
                                                                       const model::WindowShape& shape,
                                                                       TimePoint start) {
  const auto bucket = std::chrono::duration_cast<std::chrono::milliseconds>(shape.bucket);
  const TimePoint end = start + bucket * shape.buckets;
  return read([&](pqxx::work& tx) -> Result<std::vector<model::HealthCounts>> {
    pqxx::result rows = tx.exec_params(
        "SELECT (minute_at - $3::bigint) / $4::bigint AS b, " + health_rollup_sums_sql("::bigint") +
            " FROM health_rollup WHERE company_id = $1 AND webhook_id = $2 "
            "AND minute_at >= $3::bigint AND minute_at < $5::bigint GROUP BY b",
        company_id, webhook_id, to_ms(start), static_cast<std::int64_t>(bucket.count()), to_ms(end));
    std::vector<model::HealthCounts> buckets(static_cast<std::size_t>(shape.buckets));
    const std::size_t columns = health_count_columns().size();
    std::vector<std::int64_t> values(columns);
    for (const pqxx::row& row : rows) {
      const std::int64_t index = integer(row[0]);
      if (index < 0 || index >= shape.buckets) continue;
      for (std::size_t i = 0; i < columns; ++i) values[i] = integer(row[static_cast<int>(i) + 1]);
      buckets[static_cast<std::size_t>(index)] = health_counts_from_values(values);
    }
    return buckets;
  });
}

}  // namespace switchboard::store::postgres
