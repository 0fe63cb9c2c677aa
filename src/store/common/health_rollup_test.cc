#include "store/common/health_rollup.h"

#include <gtest/gtest.h>

#include <vector>

namespace switchboard::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kMinute = TimePoint(milliseconds(1'790'000'100'000));

AttemptOutcome outcome(const std::string& delivery_id, bool success, std::optional<int> status, TimePoint at,
                       bool retry = true, double latency_ms = 10) {
  AttemptOutcome o;
  o.attempt.id = "att_" + delivery_id;
  o.attempt.delivery_id = delivery_id;
  o.attempt.success = success;
  o.attempt.status_code = status;
  o.attempt.at = at;
  o.attempt.latency_ms = latency_ms;
  if (!success && retry) o.next_attempt_at = at + seconds(30);
  return o;
}

struct Expected {
  std::string webhook_id;
  TimePoint minute;
  std::int64_t attempts, succeeded;
};

TEST(HealthRollupTest, WhichOutcomesCountAndWhere) {
  const std::unordered_map<std::string, DeliveryOwner> pending = {{"d1", {"cmp_a", "wh_1"}},
                                                                  {"d2", {"cmp_a", "wh_1"}},
                                                                  {"d3", {"cmp_a", "wh_2"}},
                                                                  {"d4", {"cmp_b", "wh_9"}}};
  struct Case {
    std::string name;
    std::vector<AttemptOutcome> outcomes;
    std::vector<Expected> rows;
  };
  const std::vector<Case> cases = {
      {"empty", {}, {}},
      {"not pending (settled before, deleted, leased elsewhere) is skipped",
       {outcome("dx", true, 200, kMinute)},
       {}},
      {"one webhook, one minute",
       {outcome("d1", true, 200, kMinute), outcome("d2", false, 500, kMinute + seconds(59))},
       {{"wh_1", kMinute, 2, 1}}},
      {"minutes apart make two rows",
       {outcome("d1", true, 200, kMinute + seconds(59)), outcome("d2", true, 200, kMinute + seconds(60))},
       {{"wh_1", kMinute, 1, 1}, {"wh_1", kMinute + seconds(60), 1, 1}}},
      {"ordered by company, webhook, minute",
       {outcome("d4", true, 200, kMinute), outcome("d3", true, 200, kMinute + seconds(60)),
        outcome("d1", true, 200, kMinute + seconds(120))},
       {{"wh_1", kMinute + seconds(120), 1, 1},
        {"wh_2", kMinute + seconds(60), 1, 1},
        {"wh_9", kMinute, 1, 1}}},
      {"a success reported twice counts once",
       {outcome("d1", true, 200, kMinute), outcome("d1", true, 200, kMinute + seconds(1))},
       {{"wh_1", kMinute, 1, 1}}},
      {"an exhausted delivery settles it",
       {outcome("d1", false, 500, kMinute, false), outcome("d1", true, 200, kMinute)},
       {{"wh_1", kMinute, 1, 0}}},
      {"a failure with a retry does not settle it",
       {outcome("d1", false, 500, kMinute), outcome("d1", true, 200, kMinute + seconds(2))},
       {{"wh_1", kMinute, 2, 1}}},
  };
  for (const auto& c : cases) {
    auto rows = rollup_rows(c.outcomes, pending);
    ASSERT_EQ(rows.size(), c.rows.size()) << c.name;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].webhook_id, c.rows[i].webhook_id) << c.name;
      EXPECT_EQ(rows[i].minute, c.rows[i].minute) << c.name;
      EXPECT_EQ(rows[i].counts.attempts, c.rows[i].attempts) << c.name;
      EXPECT_EQ(rows[i].counts.succeeded, c.rows[i].succeeded) << c.name;
    }
  }
}

TEST(HealthRollupTest, ColumnsAndValuesRoundTrip) {
  const auto& columns = health_count_columns();
  ASSERT_EQ(columns.size(), 2u + model::kStatusClasses + model::kLatencyBins);
  EXPECT_EQ(columns[2], "s2xx");
  EXPECT_EQ(columns[6], "snetwork");
  EXPECT_EQ(columns[7], "l0");
  EXPECT_EQ(columns.back(), "l23");
  model::HealthCounts counts;
  counts.add_attempt(true, 200, 0.3);
  counts.add_attempt(false, 404, 150);
  counts.add_attempt(false, std::nullopt, 30000);
  auto values = health_count_values(counts);
  ASSERT_EQ(values.size(), columns.size());
  EXPECT_EQ(health_counts_from_values(values), counts);
}

TEST(HealthRollupTest, SqlFragments) {
  EXPECT_TRUE(health_rollup_accumulate_sql().starts_with(
      "attempts = health_rollup.attempts + excluded.attempts, succeeded = health_rollup.succeeded + "));
  EXPECT_TRUE(
      health_rollup_sums_sql("::bigint").starts_with("SUM(attempts)::bigint, SUM(succeeded)::bigint"));
  EXPECT_EQ(health_rollup_purge_before(kMinute), kMinute - std::chrono::hours(192));
}

}  // namespace
}  // namespace switchboard::store
