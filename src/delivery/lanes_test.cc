#include "delivery/lanes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
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

// --- per-lane controls (issue 16 item 4) ------------------------------------

using LaneLimits = Lanes<std::string>::LaneLimits;

TEST(LanesTest, ALanesOwnSlotsAreFewerNeverMore) {
  struct Case {
    int own;  // LaneLimits::in_flight
    int started;
  };
  for (const Case& c : std::vector<Case>{{0, 3}, {1, 1}, {2, 2}, {3, 3}, {10, 3}}) {
    Lanes<std::string> lanes(limits(3, 100));
    lanes.set_lane_limits("a", LaneLimits{c.own, std::nullopt}, kT0);
    for (const char* item : {"1", "2", "3", "4", "5"}) ASSERT_TRUE(lanes.push("a", item, kT0));
    ASSERT_TRUE(lanes.push("b", "1", kT0));
    pop_all(lanes);
    EXPECT_EQ(lanes.in_flight("a"), c.started) << c.own;
    EXPECT_EQ(lanes.in_flight("b"), 1) << c.own;
  }
}

// A burst to a lane limited to `rate`/s, released at once after each start (a
// fast receiver), popped every millisecond of manual time: the start times.
std::vector<Time> drain_at_rate(int rate, int burst, std::vector<std::string>* order = nullptr,
                                std::vector<Time>* others = nullptr) {
  Lanes<std::string>::Limits l = limits(32, 1024, 32);
  // The whole burst queued (the engine bounds it: ARateLimitedLaneQueuesABoundedBacklog).
  l.max_rate_queue = 100000;
  l.rate_queue_horizon = std::chrono::seconds(100000);
  Lanes<std::string> lanes(l);
  lanes.set_lane_limits("limited", LaneLimits{0, rate}, kT0);
  for (int i = 0; i < burst; ++i) EXPECT_TRUE(lanes.push("limited", std::to_string(i), kT0));
  for (int i = 0; i < 100; ++i) lanes.push("other", std::to_string(i), kT0);
  std::vector<Time> starts;
  const Time give_up = kT0 + std::chrono::seconds(2 * burst / rate + 2);
  // Time moves as the engine's scheduler thread does: to the next token (next_wake()).
  for (Time now = kT0; starts.size() < static_cast<std::size_t>(burst) && now < give_up;) {
    while (auto next = lanes.pop(now)) {
      if (next->first == "limited") {
        starts.push_back(now);
        if (order) order->push_back(next->second);
      } else if (others) {
        others->push_back(now);
      }
      lanes.release(next->first, now);
    }
    // Nothing to do until the next token: the wake-up time says so.
    const auto wake = lanes.next_wake();
    if (wake) EXPECT_GT(*wake, now);
    now = wake ? *wake : now + milliseconds(1);
  }
  return starts;
}

// Most starts within any window of `window` (starts sorted).
std::size_t most_in_window(const std::vector<Time>& starts, milliseconds window) {
  std::size_t most = 0, first = 0;
  for (std::size_t last = 0; last < starts.size(); ++last) {
    while (starts[last] - starts[first] >= window) ++first;
    most = std::max(most, last - first + 1);
  }
  return most;
}

TEST(LanesTest, RateTable) {
  struct Case {
    int rate;
    int burst;
  };
  for (const Case& c : std::vector<Case>{{1, 5}, {10, 50}, {50, 10000}, {200, 1000}, {1000, 3000}}) {
    const auto starts = drain_at_rate(c.rate, c.burst);
    ASSERT_EQ(starts.size(), static_cast<std::size_t>(c.burst));
    // At most rate + capacity - 1 in any second (exactly the rate up to 50/s),
    // and on average the rate.
    const auto capacity = static_cast<std::size_t>(TokenBucket::capacity_for(c.rate));
    EXPECT_LE(most_in_window(starts, std::chrono::seconds(1)),
              static_cast<std::size_t>(c.rate) + capacity - 1)
        << c.rate;
    const double seconds = std::chrono::duration<double>(starts.back() - starts.front()).count();
    EXPECT_NEAR((c.burst - static_cast<double>(capacity)) / seconds, c.rate, c.rate * 0.02) << c.rate;
  }
}

TEST(LanesTest, ARateLimitedBurstKeepsItsOrderAndDoesNotDelayOthers) {
  std::vector<std::string> order;
  std::vector<Time> others;
  const auto starts = drain_at_rate(50, 200, &order, &others);
  ASSERT_EQ(order.size(), 200u);
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], std::to_string(i));
  // The other lane's 100 items all started at once, not behind the limited lane.
  ASSERT_EQ(others.size(), 100u);
  EXPECT_EQ(others.back(), kT0);
  EXPECT_GE(starts.back() - starts.front(), milliseconds(199 * 20 - 20));
}

TEST(LanesTest, ARateLimitedLaneQueuesABoundedBacklog) {
  Lanes<std::string>::Limits l = limits(32, 1024, 32);
  l.rate_queue_horizon = std::chrono::seconds(2);
  l.max_rate_queue = 500;
  Lanes<std::string> lanes(l);
  struct Case {
    int rate;
    std::size_t bound;
  };
  for (const Case& c : std::vector<Case>{{1, 32}, {50, 100}, {200, 400}, {1000, 500}}) {
    lanes.set_lane_limits("a", LaneLimits{0, c.rate}, kT0);
    EXPECT_EQ(lanes.rate_queue_bound("a"), c.bound) << c.rate;
  }
  lanes.set_lane_limits("a", LaneLimits{0, 50}, kT0);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(lanes.push("a", std::to_string(i), kT0));
  EXPECT_FALSE(lanes.push("a", "100", kT0));
  EXPECT_TRUE(lanes.push("b", "1", kT0));  // only the limited lane refuses
  lanes.set_lane_limits("a", LaneLimits{}, kT0);
  EXPECT_TRUE(lanes.push("a", "100", kT0));  // unlimited again
}

TEST(LanesTest, RateStatePersistsWhileTheLaneIsIdle) {
  Lanes<std::string> lanes(limits(32, 1024));
  lanes.set_lane_limits("a", LaneLimits{0, 10}, kT0);
  ASSERT_TRUE(lanes.push("a", "1", kT0));
  EXPECT_EQ(pop_all(lanes).size(), 1u);
  lanes.release("a", kT0);
  EXPECT_EQ(lanes.lane_count(), 0u);  // idle: the lane is forgotten, its bucket is not
  ASSERT_TRUE(lanes.push("a", "2", kT0 + milliseconds(50)));
  EXPECT_TRUE(pop_all(lanes, kT0 + milliseconds(50)).empty());
  EXPECT_EQ(lanes.next_wake().value_or(kT0) - kT0 >= milliseconds(100), true);
  EXPECT_EQ(pop_all(lanes, kT0 + milliseconds(101)), (std::vector<std::string>{"a:2"}));
}

TEST(LanesTest, DroppingAWaitingLanesWorkForgetsItsWait) {
  Lanes<std::string> lanes(limits(32, 1024));
  lanes.set_lane_limits("a", LaneLimits{0, 1}, kT0);
  for (const char* item : {"1", "2", "3"}) ASSERT_TRUE(lanes.push("a", item, kT0));
  EXPECT_EQ(pop_all(lanes).size(), 1u);
  EXPECT_TRUE(lanes.next_wake().has_value());
  EXPECT_EQ(lanes.drop_queued("a").size(), 2u);
  EXPECT_FALSE(lanes.next_wake().has_value());
  lanes.release("a", kT0);
  EXPECT_EQ(lanes.lane_count(), 0u);
}

TEST(LanesTest, LiftingTheRateWakesAWaitingLane) {
  Lanes<std::string> lanes(limits(32, 1024));
  lanes.set_lane_limits("a", LaneLimits{0, 1}, kT0);
  for (const char* item : {"1", "2"}) ASSERT_TRUE(lanes.push("a", item, kT0));
  EXPECT_EQ(pop_all(lanes).size(), 1u);
  lanes.set_lane_limits("a", LaneLimits{}, kT0);
  EXPECT_EQ(pop_all(lanes), (std::vector<std::string>{"a:2"}));
}

}  // namespace
}  // namespace switchboard::delivery
