// RetentionPurger over a scripted RetentionStore on manual time: which
// cutoffs each company gets, batching until a short batch, space reclaimed
// after batches that deleted something, and stop() ending a pass.
#include "store/common/retention_purger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/test_clock.h"

namespace switchboard::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class ScriptedRetentionStore final : public RetentionStore {
 public:
  std::vector<CompanyRetention> companies;
  std::map<std::string, std::deque<int>> deletions;  // per company, one per call; 0 once spent
  std::vector<PurgeRequest> requests;
  std::atomic<int> reclaims = 0;

  Result<std::optional<seconds>> get_retention(const std::string&) override {
    return std::optional<seconds>();
  }
  Result<void> set_retention(const std::string&, const std::optional<seconds>&) override { return {}; }
  Result<std::vector<CompanyRetention>> list_retentions() override { return companies; }
  Result<int> purge_expired_events(const PurgeRequest& request) override {
    std::lock_guard lock(mutex_);
    requests.push_back(request);
    auto& script = deletions[request.company_id];
    if (script.empty()) return 0;
    int n = script.front();
    script.pop_front();
    return n;
  }
  Result<void> reclaim_space(int) override {
    ++reclaims;
    return {};
  }

 private:
  std::mutex mutex_;
};

struct PassCase {
  std::string name;
  std::optional<seconds> own_retention;
  std::deque<int> deletions;  // batch size 10
  int expected_batches;
  std::int64_t expected_events;
  int expected_reclaims;
  seconds expected_retention;
  friend std::ostream& operator<<(std::ostream& out, const PassCase& c) { return out << c.name; }
};

class PurgerPassTest : public ::testing::TestWithParam<PassCase> {};

TEST_P(PurgerPassTest, OnePass) {
  const PassCase& c = GetParam();
  switchboard::testing::ManualTime time;
  ScriptedRetentionStore store;
  store.companies = {{"cmp_1", c.own_retention}};
  store.deletions["cmp_1"] = c.deletions;
  PurgerOptions options;
  options.default_retention = hours(24 * 30);
  options.window = hours(24);
  options.batch_events = 10;
  options.pause = std::chrono::milliseconds(0);  // manual time does not move by itself
  RetentionPurger purger(store, time.wall(), time.monotonic(), options);
  auto totals = purger.run_once();
  ASSERT_TRUE(totals) << totals.error().message;
  EXPECT_EQ(totals->companies, 1);
  EXPECT_EQ(totals->batches, c.expected_batches);
  EXPECT_EQ(totals->events, c.expected_events);
  EXPECT_EQ(store.reclaims, c.expected_reclaims);
  ASSERT_FALSE(store.requests.empty());
  for (const PurgeRequest& r : store.requests) {
    EXPECT_EQ(r.max_events, 10);
    EXPECT_EQ(r.cutoffs.expired_before, time.wall().now() - c.expected_retention);
    EXPECT_EQ(r.cutoffs.window_open_after, time.wall().now() - hours(24));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PurgerPassTest,
    ::testing::Values(PassCase{"nothing_expired", std::nullopt, {}, 1, 0, 0, hours(24 * 30)},
                      PassCase{"one_short_batch", std::nullopt, {3}, 1, 3, 1, hours(24 * 30)},
                      PassCase{
                          "full_batches_then_short", std::nullopt, {10, 10, 4}, 3, 24, 3, hours(24 * 30)},
                      PassCase{"full_batches_then_empty", std::nullopt, {10, 10}, 3, 20, 2, hours(24 * 30)},
                      PassCase{"company_retention_wins", hours(2), {1}, 1, 1, 1, hours(2)}),
    [](const auto& info) { return info.param.name; });

TEST(RetentionPurgerTest, TimeScaleShortensRetentionAndWindow) {
  switchboard::testing::ManualTime time;
  ScriptedRetentionStore store;
  store.companies = {{"cmp_1", std::nullopt}};
  PurgerOptions options;
  options.default_retention = hours(1);
  options.window = hours(24);
  options.time_scale = 60;
  RetentionPurger purger(store, time.wall(), time.monotonic(), options);
  ASSERT_TRUE(purger.run_once());
  ASSERT_EQ(store.requests.size(), 1u);
  EXPECT_EQ(store.requests[0].cutoffs.expired_before, time.wall().now() - std::chrono::minutes(1));
  EXPECT_EQ(store.requests[0].cutoffs.window_open_after, time.wall().now() - std::chrono::minutes(24));
}

TEST(RetentionPurgerTest, BackgroundThreadPausesBetweenBatchesAndStops) {
  switchboard::testing::ManualTime time;
  ScriptedRetentionStore store;
  store.companies = {{"cmp_1", std::nullopt}};
  store.deletions["cmp_1"] = {10, 10, 10};
  PurgerOptions options;
  options.batch_events = 10;
  options.pause = std::chrono::milliseconds(50);
  options.interval = hours(1);
  RetentionPurger purger(store, time.wall(), time.monotonic(), options);
  purger.start();
  // The first batch runs at once, then the thread waits for the pause.
  while (time.manual_monotonic().waiting() == 0) std::this_thread::yield();
  EXPECT_EQ(store.reclaims, 1);
  time.advance(std::chrono::milliseconds(50));
  while (store.reclaims < 2) std::this_thread::yield();
  purger.stop();  // ends the pass in its pause: no third batch
  EXPECT_EQ(store.reclaims, 2);
}

}  // namespace
}  // namespace switchboard::store
