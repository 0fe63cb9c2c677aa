// The health rollup both backends keep (GET /api/v2/webhooks/{id}/stats):
// one row per (company, webhook, UTC minute) of model::HealthCounts, added to
// by DeliveryQueue::record_attempts in the same transaction as the results
// and summed into a window's buckets on read, so the stats never scan the
// attempt log. What is not SQL lives here, once: which outcomes of a batch
// count, their rows, the column spellings and the SQL fragments both dialects
// share. Each backend has one upsert and one read (sqlite_store_stats.cc,
// postgres_store_stats.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "model/health_stats.h"
#include "store/store.h"

namespace switchboard::store {

// A delivery's company and webhook as its row says.
struct DeliveryOwner {
  std::string company_id, webhook_id;
};

// What one batch adds to one rollup row.
struct RollupRow {
  std::string company_id, webhook_id;
  TimePoint minute;
  model::HealthCounts counts;
};

// The rows a batch of outcomes adds. An outcome counts when its delivery is in
// `pending` (pending when the batch began: delivery id -> owner) and no earlier
// outcome of the batch settled it (delivered or exhausted); exactly the ones
// record_attempts applies, so a result reported twice (at-least-once) counts
// once. Ordered by (company_id, webhook_id, minute): the order rows are
// written in, so concurrent batches lock them alike.
std::vector<RollupRow> rollup_rows(const std::vector<AttemptOutcome>& outcomes,
                                   const std::unordered_map<std::string, DeliveryOwner>& pending);

// The table and its count columns, in model::HealthCounts order: attempts,
// succeeded, the status classes (s2xx … snetwork), the latency bins (l0 … l23).
inline constexpr std::string_view kHealthRollupTable = "health_rollup";
const std::vector<std::string>& health_count_columns();
std::vector<std::int64_t> health_count_values(const model::HealthCounts& counts);
// The inverse, from health_count_columns().size() values.
model::HealthCounts health_counts_from_values(std::span<const std::int64_t> values);

// "attempts = health_rollup.attempts + excluded.attempts, …": the ON CONFLICT
// update of the upsert (same spelling in SQLite and PostgreSQL).
std::string health_rollup_accumulate_sql();
// "SUM(attempts)<cast>, …" in column order (PostgreSQL casts the numeric sums back: "::bigint").
std::string health_rollup_sums_sql(std::string_view cast);

// Rows of a webhook older than this are purged when it records results.
TimePoint health_rollup_purge_before(TimePoint minute);

}  // namespace switchboard::store
