// The Store contract for health statistics (HealthStats): record_attempts
// keeps per-minute rollups of the results it records, in its transaction;
// webhook_health sums them into a window's buckets. Runs against every
// backend of store_backends().
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "model/health_stats.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using namespace contract::vocabulary;  // at, kT0, new_event, failed_attempt, …

class StatsContractTest : public contract::DeliveryContractFixture {
 protected:
  std::vector<model::HealthCounts> health(const std::string& company_id, const std::string& webhook_id,
                                          const model::WindowShape& shape, TimePoint start) {
    auto got = store().webhook_health(company_id, webhook_id, shape, start);
    EXPECT_TRUE(got.has_value()) << error_text(got);
    return got.value_or(std::vector<model::HealthCounts>{});
  }
};

TEST_P(StatsContractTest, RecordedResultsLandInTheirMinutesBuckets) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  ingest_unsequenced({"evt_1", "evt_2", "evt_3"});
  const TimePoint t = at(kT0);
  ASSERT_EQ(claim(t).size(), 3u);

  AttemptOutcome timeout = failed_attempt("dlv_evt_3_0", 1, t + minutes(1), std::nullopt);
  timeout.attempt.status_code.reset();
  timeout.attempt.error = model::AttemptError::kTimeout;
  timeout.attempt.latency_ms = 30000;
  record({delivered_attempt("dlv_evt_1_0", 1, t + seconds(1)),
          failed_attempt("dlv_evt_2_0", 1, t + seconds(2), t + seconds(32), 503)});
  // Reported again (at-least-once): already delivered, not counted twice.
  record({delivered_attempt("dlv_evt_1_0", 1, t + seconds(3))});
  record({timeout});  // exhausted, a minute later

  const model::WindowShape shape = model::window_shape(model::StatsWindow::k1h);
  const TimePoint now = t + minutes(2);
  const TimePoint start = model::window_start(shape, now);
  auto buckets = health("cmp_a", "wh_1", shape, start);
  ASSERT_EQ(buckets.size(), 60u);
  const int first = model::bucket_index(shape, start, model::rollup_minute(t)).value();
  const int second = model::bucket_index(shape, start, model::rollup_minute(t + minutes(1))).value();
  ASSERT_EQ(second, first + 1);
  EXPECT_EQ(buckets[first].attempts, 2);
  EXPECT_EQ(buckets[first].succeeded, 1);
  EXPECT_EQ(buckets[first].status_classes, (std::array<std::int64_t, model::kStatusClasses>{1, 0, 0, 1, 0}));
  EXPECT_EQ(buckets[first].latency[model::latency_bin(12.5)], 2);
  EXPECT_EQ(buckets[second].attempts, 1);
  EXPECT_EQ(buckets[second].status_classes[static_cast<int>(model::StatusClass::kNetwork)], 1);
  std::int64_t total = 0;
  for (const auto& b : buckets) total += b.attempts;
  EXPECT_EQ(total, 3);

  // Another company's view of the webhook, and a webhook without results: zeros.
  for (const auto& b : health("cmp_b", "wh_1", shape, start)) EXPECT_EQ(b.attempts, 0);
  for (const auto& b : health("cmp_a", "wh_none", shape, start)) EXPECT_EQ(b.attempts, 0);
}

TEST_P(StatsContractTest, WiderBucketsSumTheirMinutes) {
  seed_subscriber("cmp_a", "wh_1");
  const TimePoint t = at(kT0);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back("evt_" + std::to_string(i));
  ingest_unsequenced(ids);
  ASSERT_EQ(claim(t).size(), 5u);
  std::vector<AttemptOutcome> outcomes;
  for (int i = 0; i < 5; ++i)
    outcomes.push_back(delivered_attempt("dlv_evt_" + std::to_string(i) + "_0", 1, t + minutes(3 * i)));
  record(outcomes);
  const model::WindowShape shape = model::window_shape(model::StatsWindow::k7d);
  const TimePoint now = t + minutes(15);
  auto buckets = health("cmp_a", "wh_1", shape, model::window_start(shape, now));
  ASSERT_EQ(buckets.size(), 168u);
  std::int64_t total = 0;
  for (const auto& b : buckets) total += b.succeeded;
  EXPECT_EQ(total, 5);
}

TEST_P(StatsContractTest, RowsPastTheRetentionArePurgedWhenTheWebhookRecords) {
  seed_subscriber("cmp_a", "wh_1");
  const TimePoint t = at(kT0);
  ingest_unsequenced({"evt_old"});
  ASSERT_EQ(claim(t).size(), 1u);
  record({delivered_attempt("dlv_evt_old_0", 1, t)});
  const model::WindowShape days{"10d", hours(24), 10};
  const TimePoint start = model::rollup_minute(t) - hours(24);
  auto before = health("cmp_a", "wh_1", days, start);
  ASSERT_EQ(before.size(), 10u);
  EXPECT_EQ(before[1].attempts, 1);

  const TimePoint later = t + hours(24 * 8) + minutes(2);
  ingest_unsequenced({"evt_new"}, later);
  ASSERT_EQ(claim(later).size(), 1u);
  record({delivered_attempt("dlv_evt_new_0", 1, later)});
  auto after = health("cmp_a", "wh_1", days, start);
  EXPECT_EQ(after[1].attempts, 0);  // purged
  EXPECT_EQ(after[9].attempts, 1);
}

TEST_P(StatsContractTest, DeletingTheWebhookDeletesItsRollup) {
  seed_subscriber("cmp_a", "wh_1");
  const TimePoint t = at(kT0);
  ingest_unsequenced({"evt_1"});
  ASSERT_EQ(claim(t).size(), 1u);
  record({delivered_attempt("dlv_evt_1_0", 1, t)});
  ASSERT_TRUE(store().delete_webhook("cmp_a", "wh_1").has_value());
  add_webhook(subscriber("cmp_a", "wh_1"));  // same id again: starts from nothing
  const model::WindowShape shape = model::window_shape(model::StatsWindow::k1h);
  for (const auto& b : health("cmp_a", "wh_1", shape, model::window_start(shape, t)))
    EXPECT_EQ(b.attempts, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, StatsContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
