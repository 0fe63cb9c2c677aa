// The Store contract for data retention (store/retention_store.h): the
// company setting, and the purge deleting exactly what model::event_purgeable
// allows (on fixed times), with what hangs off each event. Runs against every
// backend of store_backends().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/retention.h"
#include "store/retention_store.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using namespace contract::vocabulary;  // at, kT0, new_event, failed_attempt, …

class RetentionContractTest : public contract::DeliveryContractFixture {
 protected:
  RetentionStore& retention() {
    auto* role = dynamic_cast<RetentionStore*>(&store());
    EXPECT_NE(role, nullptr);
    return *role;
  }
  bool event_exists(const std::string& id) { return store().get_event("cmp_a", id).has_value(); }
};

TEST_P(RetentionContractTest, CompanySettingRoundTrips) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  EXPECT_EQ(retention().get_retention("cmp_a").value(), std::nullopt);
  ASSERT_TRUE(retention().set_retention("cmp_a", hours(48)));
  EXPECT_EQ(retention().get_retention("cmp_a").value(), std::optional<seconds>(hours(48)));
  EXPECT_EQ(retention().get_retention("cmp_b").value(), std::nullopt);
  auto listed = retention().list_retentions();
  ASSERT_TRUE(listed) << error_text(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].company_id, "cmp_a");
  EXPECT_EQ((*listed)[0].retention, std::optional<seconds>(hours(48)));
  EXPECT_EQ((*listed)[1].retention, std::nullopt);
  ASSERT_TRUE(retention().set_retention("cmp_a", std::nullopt));
  EXPECT_EQ(retention().get_retention("cmp_a").value(), std::nullopt);
  EXPECT_EQ(retention().get_retention("cmp_x").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(retention().set_retention("cmp_x", hours(1)).error().code, ErrorCode::kNotFound);
}

TEST_P(RetentionContractTest, PurgeDeletesExactlyWhatExpired) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  add_webhook(subscriber("cmp_b", "wh_b"));
  const TimePoint now = at(kT0);
  const TimePoint old = now - hours(30);  // past the 1 h retention and past a 24 h window
  struct Case {
    std::string event;
    TimePoint created;
    bool kept;
  };
  // delivered: settled; pending_window_over: pending, window started 30 h ago;
  // exhausted: with a failed attempt; redelivered: old, but redelivered an hour
  // ago, so inside its new window; fresh: not yet expired; pending_recent:
  // expired (90 min) but its pending delivery is inside its window.
  const std::vector<Case> cases = {
      {"evt_delivered", old, false},          {"evt_pending_window_over", old, false},
      {"evt_exhausted", old, false},          {"evt_redelivered", old, true},
      {"evt_fresh", now - minutes(30), true}, {"evt_pending_recent", now - minutes(90), true},
  };
  for (const Case& c : cases) ingest_one(new_event("cmp_a", c.event, "call.answered", "", c.created));
  ingest_one(new_event("cmp_b", "evt_other_company", "call.answered", "", old));
  ASSERT_EQ(claim(old, 100).size(), 5u);  // the old ones (both companies)
  record({delivered_attempt("dlv_evt_delivered_0", 1, old + seconds(1)),
          failed_attempt("dlv_evt_exhausted_0", 1, old + seconds(1), std::nullopt),
          delivered_attempt("dlv_evt_redelivered_0", 1, old + seconds(1))});
  auto redelivered = store().redeliver("cmp_a", "dlv_evt_redelivered_0", "dlv_again", now - hours(1));
  ASSERT_TRUE(redelivered) << error_text(redelivered);

  const model::RetentionCutoffs cutoffs = model::retention_cutoffs(now, hours(1), hours(24), 1);
  auto deleted = retention().purge_expired_events({"cmp_a", cutoffs, 500});
  ASSERT_TRUE(deleted) << error_text(deleted);
  EXPECT_EQ(*deleted, 3);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.event);
    EXPECT_EQ(event_exists(c.event), c.kept);
  }
  // What hung off the deleted events went with them; the rest is intact.
  EXPECT_EQ(store().get_delivery("cmp_a", "dlv_evt_exhausted_0").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_attempt("cmp_a", "wh_1", "att_dlv_evt_exhausted_0_1").error().code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(store().get_delivery("cmp_a", "dlv_again").has_value());
  EXPECT_TRUE(store().get_delivery("cmp_a", "dlv_evt_pending_recent_0").has_value());
  // Another company's events follow its own purge, not this one.
  EXPECT_TRUE(store().get_event("cmp_b", "evt_other_company").has_value());
  // Nothing more is due.
  EXPECT_EQ(retention().purge_expired_events({"cmp_a", cutoffs, 500}).value(), 0);
  EXPECT_TRUE(retention().reclaim_space(100));
}

TEST_P(RetentionContractTest, PurgeTakesAtMostABatchOldestFirst) {
  seed_company("cmp_a");
  const TimePoint now = at(kT0);
  for (int i = 0; i < 5; ++i) {
    ingest_one(new_event("cmp_a", "evt_" + std::to_string(i), "call.answered", "", now - hours(10 - i)));
  }
  const model::RetentionCutoffs cutoffs = model::retention_cutoffs(now, hours(1), hours(24), 1);
  EXPECT_EQ(retention().purge_expired_events({"cmp_a", cutoffs, 2}).value(), 2);
  EXPECT_FALSE(event_exists("evt_0"));
  EXPECT_FALSE(event_exists("evt_1"));
  EXPECT_TRUE(event_exists("evt_2"));
  EXPECT_EQ(retention().purge_expired_events({"cmp_a", cutoffs, 2}).value(), 2);
  EXPECT_EQ(retention().purge_expired_events({"cmp_a", cutoffs, 2}).value(), 1);
  EXPECT_EQ(retention().purge_expired_events({"cmp_a", cutoffs, 2}).value(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, RetentionContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
