#include "delivery/test_slots.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace limits = model::limits;

const MonotonicTime kT0 = MonotonicTime(std::chrono::hours(1));

model::Webhook webhook(const std::string& id, const std::string& company = "co_1") {
  model::Webhook w;
  w.id = id;
  w.company_id = company;
  return w;
}

TEST(TestSlotsTest, EachBoundRefusesWithItsScope) {
  TestSlots slots;
  for (int i = 0; i < limits::kMaxTestsInFlightPerWebhook; ++i)
    ASSERT_TRUE(slots.take(webhook("wh_0"), kT0, kT0));
  auto refused = slots.take(webhook("wh_0"), kT0, kT0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "webhook");
  EXPECT_EQ(refused.error().limit, limits::kMaxTestsInFlightPerWebhook);

  for (int w = 1; static_cast<int>(slots.size()) < limits::kMaxTestsInFlightPerCompany; ++w) {
    ASSERT_TRUE(slots.take(webhook("wh_" + std::to_string(w)), kT0, kT0));
  }
  refused = slots.take(webhook("wh_fresh"), kT0, kT0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "company");
  EXPECT_EQ(refused.error().limit, limits::kMaxTestsInFlightPerCompany);

  for (int c = 2; static_cast<int>(slots.size()) < limits::kMaxTestsInFlightPerServer; ++c) {
    ASSERT_TRUE(slots.take(webhook("wh_c" + std::to_string(c), "co_" + std::to_string(c)), kT0, kT0));
  }
  refused = slots.take(webhook("wh_new", "co_new"), kT0, kT0);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().scope, "server");
  EXPECT_EQ(refused.error().limit, limits::kMaxTestsInFlightPerServer);
}

TEST(TestSlotsTest, RetryAfterIsWhenTheEarliestSlotIsSureToBeFree) {
  struct Case {
    milliseconds earliest_ends_in;
    seconds want;
  };
  const Case cases[] = {
      {milliseconds(4000), seconds(4)}, {milliseconds(3001), seconds(4)}, {milliseconds(1500), seconds(2)},
      {milliseconds(1000), seconds(1)}, {milliseconds(100), seconds(1)},  {milliseconds(0), seconds(1)},
      {milliseconds(-500), seconds(1)},  // overdue: its callback is about to run
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.earliest_ends_in.count());
    TestSlots slots;
    const MonotonicTime now = kT0;
    ASSERT_TRUE(slots.take(webhook("wh_a"), now, now + c.earliest_ends_in));
    for (int i = 1; i < limits::kMaxTestsInFlightPerWebhook; ++i) {
      ASSERT_TRUE(slots.take(webhook("wh_a"), now, now + c.earliest_ends_in + seconds(10)));
    }
    auto refused = slots.take(webhook("wh_a"), now, now);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().retry_after, c.want);
  }
}

TEST(TestSlotsTest, GivingBackFreesTheSlotEverywhere) {
  TestSlots slots;
  std::vector<TestSlots::Slot> taken;
  for (int i = 0; i < limits::kMaxTestsInFlightPerWebhook; ++i) {
    auto slot = slots.take(webhook("wh_a"), kT0, kT0 + seconds(i));
    ASSERT_TRUE(slot.has_value());
    taken.push_back(*slot);
  }
  ASSERT_FALSE(slots.take(webhook("wh_a"), kT0, kT0).has_value());
  slots.give_back(taken[0]);
  EXPECT_EQ(slots.size(), taken.size() - 1);
  EXPECT_TRUE(slots.take(webhook("wh_a"), kT0, kT0).has_value());
  for (std::size_t i = 1; i < taken.size(); ++i) slots.give_back(taken[i]);
  EXPECT_EQ(slots.size(), 1u);
}

}  // namespace
}  // namespace switchboard::delivery
