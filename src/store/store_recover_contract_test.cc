// The Store contract for recover jobs (RecoverJobs): a webhook's exhausted
// deliveries since a time come back as new pending deliveries, in order, at
// most `max`, with the job's final state written alike. Runs against every
// backend of store_backends().
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "model/recover_job.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::failed_attempt;
using contract::kT0;
using contract::new_event;
using contract::subscriber;
using model::RecoverStatus;
using std::chrono::minutes;
using std::chrono::seconds;

class RecoverContractTest : public contract::DeliveryContractFixture {
 protected:
  // Events of one call (sequenced), each delivery exhausted on its first attempt.
  void exhaust(const std::vector<std::string>& event_ids, TimePoint created) {
    std::vector<NewEvent> batch;
    for (const std::string& id : event_ids)
      batch.push_back(new_event("cmp_a", id, "call.answered", "call:1", created));
    ingest(batch);
    for (std::size_t i = 0; i < event_ids.size(); ++i) {
      auto claimed = claim(created + seconds(static_cast<int>(i)));
      ASSERT_EQ(claimed.size(), 1u);
      AttemptOutcome failed =
          failed_attempt(claimed[0], 1, created + seconds(static_cast<int>(i)), std::nullopt);
      failed.counts_toward_failure = false;
      record({failed});
    }
  }
  model::RecoverJob job(const std::string& id, TimePoint since, TimePoint created) {
    model::RecoverJob j;
    j.id = id;
    j.company_id = "cmp_a";
    j.webhook_id = "wh_1";
    j.since = since;
    j.created_at = created;
    return j;
  }
  model::RecoverJob run(const std::string& id, TimePoint now, int max = 100) {
    auto ran = store().run_recover_job("cmp_a", id, now, max);
    EXPECT_TRUE(ran.has_value()) << error_text(ran);
    return ran.value_or(model::RecoverJob{});
  }
};

TEST_P(RecoverContractTest, QueuesTheExhaustedSinceInOrderAndFinishesTheJob) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  const TimePoint t = at(kT0);
  exhaust({"evt_old"}, t);
  exhaust({"evt_1", "evt_2", "evt_3"}, t + minutes(10));
  ASSERT_TRUE(store().create_recover_job(job("rcv_1", t + minutes(5), t + minutes(20))).has_value());

  auto running = store().list_running_recover_jobs(10);
  ASSERT_TRUE(running.has_value()) << error_text(running);
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ(running->at(0).status, RecoverStatus::kRunning);

  const TimePoint now = t + minutes(21);
  auto done = run("rcv_1", now);
  EXPECT_EQ(done.status, RecoverStatus::kDone);
  EXPECT_EQ(done.queued, 3);
  EXPECT_EQ(done.total, 3);
  EXPECT_FALSE(done.capped);
  EXPECT_EQ(done.finished_at, now);
  // The chain goes out in event order, one at a time.
  std::vector<std::string> events;
  for (int i = 0; i < 3; ++i) {
    auto claimed = store().claim_due_deliveries(now + seconds(i), 10, now + seconds(i) + minutes(1), 1);
    ASSERT_TRUE(claimed.has_value()) << error_text(claimed);
    ASSERT_EQ(claimed->size(), 1u);
    events.push_back(claimed->at(0).delivery.event_id);
    record({contract::delivered_attempt(claimed->at(0).delivery.id, 1, now + seconds(i))});
  }
  EXPECT_EQ(events, (std::vector<std::string>{"evt_1", "evt_2", "evt_3"}));

  // Run again: already done, nothing more queued.
  EXPECT_EQ(run("rcv_1", now + minutes(1)).queued, 3);
  EXPECT_TRUE(claim(now + minutes(2)).empty());
  auto stored = store().get_recover_job("cmp_a", "wh_1", "rcv_1");
  ASSERT_TRUE(stored.has_value()) << error_text(stored);
  EXPECT_EQ(stored->status, RecoverStatus::kDone);
  EXPECT_EQ(store().list_running_recover_jobs(10)->size(), 0u);
}

TEST_P(RecoverContractTest, CapsAtMaxAndSaysSo) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  const TimePoint t = at(kT0);
  exhaust({"evt_1", "evt_2", "evt_3"}, t);
  ASSERT_TRUE(store().create_recover_job(job("rcv_1", t, t + minutes(1))).has_value());
  auto done = run("rcv_1", t + minutes(2), 2);
  EXPECT_EQ(done.queued, 2);
  EXPECT_EQ(done.total, 3);
  EXPECT_TRUE(done.capped);
}

TEST_P(RecoverContractTest, AWebhookNoLongerActiveFailsTheJobWithNothingQueued) {
  seed_company("cmp_a");
  add_webhook(subscriber("cmp_a", "wh_1"));
  const TimePoint t = at(kT0);
  exhaust({"evt_1"}, t);
  ASSERT_TRUE(store().create_recover_job(job("rcv_1", t, t + minutes(1))).has_value());
  set_status("cmp_a", "wh_1", model::WebhookStatus::kInactive);
  auto failed = run("rcv_1", t + minutes(2));
  EXPECT_EQ(failed.status, RecoverStatus::kFailed);
  EXPECT_EQ(failed.error, "webhook_not_active");
  EXPECT_EQ(failed.queued, 0);
  set_status("cmp_a", "wh_1", model::WebhookStatus::kActive);
  EXPECT_TRUE(claim(t + minutes(3)).empty());
}

TEST_P(RecoverContractTest, JobsAreScopedToTheirCompanyAndWebhook) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_webhook(subscriber("cmp_a", "wh_1"));
  add_webhook(subscriber("cmp_a", "wh_2"));
  const TimePoint t = at(kT0);
  ASSERT_TRUE(store().create_recover_job(job("rcv_1", t, t)).has_value());
  EXPECT_EQ(store().get_recover_job("cmp_b", "wh_1", "rcv_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_recover_job("cmp_a", "wh_2", "rcv_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().run_recover_job("cmp_b", "rcv_1", t, 10).error().code, ErrorCode::kNotFound);
  model::RecoverJob orphan = job("rcv_2", t, t);
  orphan.webhook_id = "wh_none";
  EXPECT_EQ(store().create_recover_job(orphan).error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, RecoverContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
