#include "model/delivery.h"

#include <gtest/gtest.h>

namespace switchboard::model {
namespace {

const TimePoint kThen = TimePoint(std::chrono::milliseconds(1'790'000'000'000));
const TimePoint kNow = kThen + std::chrono::hours(30);

TEST(RedeliveryTest, ANewPendingDeliveryOfTheSameEventInTheSameChainWithAFreshWindow) {
  Delivery original;
  original.id = "dlv_old";
  original.company_id = "cmp_a";
  original.webhook_id = "wh_1";
  original.event_id = "evt_1";
  original.event_type = "call.answered";
  original.ordering_key = "call:1";
  original.sequence = 7;
  original.state = DeliveryState::kExhausted;
  original.attempts = 9;
  original.event_time = kThen;
  original.next_attempt_at.reset();
  original.last_status_code = 503;
  original.last_error = "http_status";
  original.created_at = original.updated_at = kThen;

  const Delivery d = redelivery_of(original, "dlv_new", kNow);
  EXPECT_EQ(d.id, "dlv_new");
  EXPECT_EQ(d.company_id, "cmp_a");
  EXPECT_EQ(d.webhook_id, "wh_1");
  EXPECT_EQ(d.event_id, "evt_1");
  EXPECT_EQ(d.event_type, "call.answered");
  EXPECT_EQ(d.ordering_key, "call:1");
  EXPECT_EQ(d.sequence, 7);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(d.event_time, kNow) << "the 24 h window starts again";
  EXPECT_EQ(d.next_attempt_at, kNow);
  EXPECT_EQ(d.last_status_code, std::nullopt);
  EXPECT_EQ(d.last_error, "");
  EXPECT_EQ(d.created_at, kNow);
  EXPECT_EQ(d.updated_at, kNow);
}

}  // namespace
}  // namespace switchboard::model
