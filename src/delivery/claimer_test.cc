#include "delivery/claimer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "common/test_clock.h"
#include "delivery/test_fake_store.h"
#include "delivery/test_support.h"

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using switchboard::testing::ManualTime;
using testing::FakeStore;
using testing::wait_until;

model::Webhook make_webhook() {
  model::Webhook webhook;
  webhook.id = "wh_a";
  webhook.company_id = "co_1";
  webhook.status = model::WebhookStatus::kActive;
  return webhook;
}

class ClaimerTest : public ::testing::Test {
 protected:
  ClaimerTest() { store_.put_webhook(webhook_); }

  std::unique_ptr<Claimer> make(int claim_batch, int min_claim) {
    return std::make_unique<Claimer>(store_, time_.wall(), time_.monotonic(),
                                     Claimer::Options{claim_batch, 32, min_claim, std::chrono::seconds(30)},
                                     [this](std::vector<store::DueDelivery> claimed, TimePoint lease_until) {
                                       std::lock_guard lock(mutex_);
                                       batches_.push_back(claimed.size());
                                       lease_until_ = lease_until;
                                     });
  }
  std::vector<std::size_t> batches() const {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  void add(int count, TimePoint due) {
    for (int i = 0; i < count; ++i)
      store_.add_delivery(webhook_, "dlv_" + std::to_string(next_id_++), due, "{}");
  }

  ManualTime time_;
  FakeStore store_;
  const model::Webhook webhook_ = make_webhook();
  int next_id_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::size_t> batches_;
  TimePoint lease_until_{};
};

TEST_F(ClaimerTest, ClaimsAgainAtOnceWhileClaimsComeBackFull) {
  add(5, time_.wall().now());
  auto claimer = make(/*claim_batch=*/2, /*min_claim=*/1);
  claimer->start(/*room=*/100);
  ASSERT_TRUE(wait_until([&] { return claimer->claimed() == 5; }));
  claimer->stop();
  EXPECT_EQ(batches(), (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_EQ(lease_until_, time_.wall().now() + std::chrono::seconds(30));
}

TEST_F(ClaimerTest, ClaimsNoMoreThanTheRoomAndWaitsForMore) {
  add(5, time_.wall().now());
  auto claimer = make(/*claim_batch=*/10, /*min_claim=*/2);
  claimer->start(/*room=*/3);
  ASSERT_TRUE(wait_until([&] { return claimer->claimed() == 3; }));
  // Room is now 0 (< min_claim): the claim stopped for lack of it. Room
  // coming back asks for a claim at once, without time moving.
  claimer->set_room(1);  // still less than min_claim
  claimer->set_room(2);
  ASSERT_TRUE(wait_until([&] { return claimer->claimed() == 5; }));
  claimer->stop();
  EXPECT_EQ(batches(), (std::vector<std::size_t>{3, 2}));
}

TEST_F(ClaimerTest, WakesWhenTheNextDeliveryIsDue) {
  add(1, time_.wall().now() + milliseconds(300));
  auto claimer = make(10, 1);
  claimer->start(100);
  // It asked the store when work is due, and sleeps until then.
  ASSERT_TRUE(
      wait_until([&] { return store_.claim_calls() == 1 && time_.manual_monotonic().waiting() == 1; }));
  time_.advance(milliseconds(300));  // due now; the claimer aimed 1 ms later
  ASSERT_TRUE(wait_until([&] { return time_.manual_monotonic().waiting() == 1; }));
  EXPECT_EQ(claimer->claimed(), 0u);
  time_.advance(milliseconds(1));
  ASSERT_TRUE(wait_until([&] { return claimer->claimed() == 1; }));
  claimer->stop();
}

TEST_F(ClaimerTest, NotifyClaimsAtOnce) {
  auto claimer = make(10, 1);
  claimer->start(100);
  ASSERT_TRUE(
      wait_until([&] { return store_.claim_calls() == 1 && time_.manual_monotonic().waiting() == 1; }));
  add(2, time_.wall().now());
  claimer->notify();
  ASSERT_TRUE(wait_until([&] { return claimer->claimed() == 2; }));
  claimer->stop();
}

}  // namespace
}  // namespace switchboard::delivery
