#include "delivery/lanes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using Time = Lanes<std::string>::Time;

const Time kT0 = Time(std::chrono::hours(1));

Lanes<std::string>::Limits limits(int per_lane, int total, std::size_t stalled_queue = 4,
                                  milliseconds stalled_after = milliseconds(1000)) {
  return {per_lane, total, stalled_queue, stalled_after};
}

// Pops until nothing may start; returns "lane:item" for each.
std::vector<std::string> pop_all(Lanes<std::string>& lanes, Time now = kT0) {
  std::vector<std::string> out;
  while (auto next = lanes.pop(now)) out.push_back(next->first + ":" + next->second);
  return out;
}

TEST(LanesTest, RoundRobinAcrossLanes) {
  Lanes<std::string> lanes(limits(10, 100));
  for (const char* item : {"1", "2", "3"}) ASSERT_TRUE(lanes.push("a", item, kT0));
  for (const char* item : {"1", "2"}) ASSERT_TRUE(lanes.push("b", item, kT0));
  ASSERT_TRUE(lanes.push("c", "1", kT0));
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:1", "b:1", "c:1", "a:2", "b:2", "a:3"}));
  EXPECT_EQ(lanes.in_flight(), 6);
  EXPECT_EQ(lanes.queued(), 0u);
}

TEST(LanesTest, PerLaneLimitHoldsExcessInTheLaneQueue) {
  Lanes<std::string> lanes(limits(2, 100));
  for (const char* item : {"1", "2", "3", "4"}) ASSERT_TRUE(lanes.push("a", item, kT0));
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:1", "a:2"}));
  EXPECT_EQ(lanes.in_flight("a"), 2);
  EXPECT_EQ(lanes.queued("a"), 2u);
  lanes.release("a", kT0);
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:3"}));
  lanes.release("a", kT0);
  lanes.release("a", kT0);
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:4"}));
}

TEST(LanesTest, TotalLimitAcrossLanes) {
  Lanes<std::string> lanes(limits(10, 3));
  for (const char* lane : {"a", "b"}) {
    for (const char* item : {"1", "2", "3"}) ASSERT_TRUE(lanes.push(lane, item, kT0));
  }
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:1", "b:1", "a:2"}));
  lanes.release("b", kT0);
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"b:2"}));
}

TEST(LanesTest, AFullLaneDoesNotDelayOthers) {
  Lanes<std::string> lanes(limits(2, 100));
  for (const char* item : {"1", "2", "3", "4", "5"}) ASSERT_TRUE(lanes.push("hung", item, kT0));
  EXPECT_EQ(pop_all(lanes).size(), 2u);  // both slots busy, never released
  for (const char* item : {"1", "2", "3"}) ASSERT_TRUE(lanes.push("healthy", item, kT0));
  std::vector<std::string> started;
  for (int i = 0; i < 3; ++i) {
    auto next = lanes.pop(kT0);
    ASSERT_TRUE(next.has_value());
    started.push_back(next->first + ":" + next->second);
    lanes.release(next->first, kT0);
  }
  EXPECT_EQ(started, (std::vector<std::string>{"healthy:1", "healthy:2", "healthy:3"}));
  EXPECT_EQ(lanes.queued("hung"), 3u);
}

TEST(LanesTest, AStalledLaneRefusesWorkBeyondItsQueueBound) {
  Lanes<std::string> lanes(limits(2, 100, /*stalled_queue=*/2, milliseconds(1000)));
  for (const char* item : {"1", "2"}) ASSERT_TRUE(lanes.push("a", item, kT0));
  EXPECT_EQ(pop_all(lanes).size(), 2u);
  // Saturated but not yet stalled: work is still queued.
  for (const char* item : {"3", "4", "5"}) EXPECT_TRUE(lanes.push("a", item, kT0 + milliseconds(999)));
  // No release for the stall period: only up to the bound is held.
  EXPECT_FALSE(lanes.push("a", "6", kT0 + milliseconds(1000)));
  EXPECT_EQ(lanes.queued("a"), 3u);
  // A release is progress: the lane is no longer stalled.
  lanes.release("a", kT0 + milliseconds(1500));
  EXPECT_EQ(pop_all(lanes, kT0 + milliseconds(1500)).size(), 1u);
  EXPECT_TRUE(lanes.push("a", "7", kT0 + milliseconds(2000)));
  // Other lanes are unaffected by a stalled one.
  EXPECT_FALSE(lanes.push("a", "8", kT0 + milliseconds(2500)));
  EXPECT_TRUE(lanes.push("b", "1", kT0 + milliseconds(2500)));
}

TEST(LanesTest, DropQueuedLeavesAttemptsInFlight) {
  Lanes<std::string> lanes(limits(1, 100));
  for (const char* item : {"1", "2", "3"}) ASSERT_TRUE(lanes.push("a", item, kT0));
  ASSERT_TRUE(lanes.push("b", "1", kT0));
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:1", "b:1"}));
  EXPECT_EQ(lanes.drop_queued("a"), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(lanes.queued(), 0u);
  EXPECT_EQ(lanes.in_flight("a"), 1);
  lanes.release("a", kT0);
  lanes.release("b", kT0);
  EXPECT_EQ(lanes.in_flight(), 0);
  EXPECT_TRUE(pop_all(lanes).empty());
  EXPECT_EQ(lanes.lane_count(), 0u);  // idle lanes are forgotten
}

TEST(LanesTest, DropAllQueued) {
  Lanes<std::string> lanes(limits(1, 100));
  for (const char* lane : {"a", "b"}) {
    for (const char* item : {"1", "2"}) ASSERT_TRUE(lanes.push(lane, item, kT0));
  }
  EXPECT_EQ(pop_all(lanes).size(), 2u);
  EXPECT_EQ(lanes.drop_all_queued().size(), 2u);
  EXPECT_EQ(lanes.queued(), 0u);
  EXPECT_EQ(lanes.in_flight(), 2);
}

TEST(LanesTest, ReleasingAnUnknownLaneIsHarmless) {
  Lanes<std::string> lanes(limits(1, 1));
  lanes.release("nope", kT0);
  EXPECT_EQ(lanes.in_flight(), 0);
  ASSERT_TRUE(lanes.push("a", "1", kT0));
  EXPECT_EQ(pop_all(lanes).size(), 1u);
}

}  // namespace
}  // namespace switchboard::delivery
