// The health rollup shared by both backends: see health_rollup.h.
#include "store/common/health_rollup.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>

#include "model/limits.h"

namespace switchboard::store {

std::vector<RollupRow> rollup_rows(const std::vector<AttemptOutcome>& outcomes,
                                   const std::unordered_map<std::string, DeliveryOwner>& pending) {
  std::map<std::tuple<std::string, std::string, TimePoint>, model::HealthCounts> rows;
  std::unordered_set<std::string> settled;
  for (const AttemptOutcome& outcome : outcomes) {
    const model::Attempt& a = outcome.attempt;
    auto owner = pending.find(a.delivery_id);
    if (owner == pending.end() || settled.contains(a.delivery_id)) continue;
    if (a.success || !outcome.next_attempt_at) settled.insert(a.delivery_id);
    rows[{owner->second.company_id, owner->second.webhook_id, model::rollup_minute(a.at)}].add_attempt(
        a.success, a.status_code, a.latency_ms);
  }
  std::vector<RollupRow> out;
  out.reserve(rows.size());
  for (auto& [key, counts] : rows) {
    out.push_back(RollupRow{std::get<0>(key), std::get<1>(key), std::get<2>(key), counts});
  }
  return out;
}

const std::vector<std::string>& health_count_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> names = {"attempts", "succeeded"};
    for (std::string_view name : model::kStatusClassNames) names.push_back("s" + std::string(name));
    for (int bin = 0; bin < model::kLatencyBins; ++bin) names.push_back("l" + std::to_string(bin));
    return names;
  }();
  return columns;
}

std::vector<std::int64_t> health_count_values(const model::HealthCounts& counts) {
  std::vector<std::int64_t> values = {counts.attempts, counts.succeeded};
  values.insert(values.end(), counts.status_classes.begin(), counts.status_classes.end());
  values.insert(values.end(), counts.latency.begin(), counts.latency.end());
  return values;
}

model::HealthCounts health_counts_from_values(std::span<const std::int64_t> values) {
  model::HealthCounts counts;
  if (values.size() != health_count_columns().size()) return counts;
  counts.attempts = values[0];
  counts.succeeded = values[1];
  std::copy_n(values.begin() + 2, model::kStatusClasses, counts.status_classes.begin());
  std::copy_n(values.begin() + 2 + model::kStatusClasses, model::kLatencyBins, counts.latency.begin());
  return counts;
}

std::string health_rollup_accumulate_sql() {
  std::string sql;
  for (const std::string& column : health_count_columns()) {
    if (!sql.empty()) sql += ", ";
    sql += column + " = " + std::string(kHealthRollupTable) + "." + column + " + excluded." + column;
  }
  return sql;
}

std::string health_rollup_sums_sql(std::string_view cast) {
  std::string sql;
  for (const std::string& column : health_count_columns()) {
    if (!sql.empty()) sql += ", ";
    sql += "SUM(" + column + ")" + std::string(cast);
  }
  return sql;
}

TimePoint health_rollup_purge_before(TimePoint minute) {
  return minute -
         std::chrono::duration_cast<std::chrono::milliseconds>(model::limits::kHealthRollupRetention);
}

}  // namespace switchboard::store
