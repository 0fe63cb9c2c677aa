#include "delivery/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;

const MonotonicTime kT0 = MonotonicTime(std::chrono::hours(1));
const TimePoint kLease = TimePoint(std::chrono::hours(1000));
const TimePoint kLease2 = kLease + std::chrono::minutes(2);

// A due delivery to `webhook`; in chain `call` (when not empty) at `seq`.
store::DueDelivery due(const std::string& id, const std::string& webhook = "wh_a",
                       const std::string& call = "", int seq = 0, bool follows = false,
                       std::string payload = "{}") {
  store::DueDelivery d;
  d.delivery.id = id;
  d.delivery.webhook_id = webhook;
  d.delivery.ordering_key = call;
  if (!call.empty()) d.delivery.sequence = seq;
  d.payload = std::move(payload);
  d.follows = follows;
  return d;
}

Scheduler::Limits limits(int per_webhook = 32, int max_tracked = 4096, std::size_t max_bytes = 1u << 20) {
  Scheduler::Limits l;
  l.per_webhook_in_flight = per_webhook;
  l.max_in_flight = 1024;
  l.max_tracked = max_tracked;
  l.max_tracked_bytes = max_bytes;
  l.stalled_after = milliseconds(2000);
  return l;
}

// Accepts one claim.
void claim(Scheduler& s, std::vector<store::DueDelivery> claimed, TimePoint lease = kLease,
           MonotonicTime now = kT0) {
  s.begin_claim();
  for (auto& d : claimed) s.accept(std::move(d), lease, now);
}

// Takes every attempt that may start now; returns their ids.
std::vector<std::string> start_all(Scheduler& s, std::vector<store::DueDelivery>* started = nullptr,
                                   MonotonicTime now = kT0) {
  std::vector<std::string> ids;
  while (auto ready = s.next(now)) {
    ids.push_back(ready->due.delivery.id);
    if (started) started->push_back(ready->due);
  }
  return ids;
}

std::vector<std::string> released_ids(Scheduler& s) {
  std::vector<std::string> ids;
  for (const auto& r : s.take_releases()) ids.push_back(r.delivery_id);
  return ids;
}

using Ids = std::vector<std::string>;

TEST(SchedulerTest, HeadsStartInTheirLanesAndHoldRoom) {
  Scheduler s(limits(32, 10));
  claim(s, {due("d1", "wh_a"), due("d2", "wh_b"), due("d3", "wh_a")});
  EXPECT_EQ(s.held(), 3u);
  EXPECT_EQ(s.room(), 7);
  EXPECT_EQ(start_all(s), (Ids{"d1", "d2", "d3"}));
  EXPECT_EQ(s.in_flight(), 3);
  EXPECT_TRUE(s.take_releases().empty());
}

TEST(SchedulerTest, FollowersStartOneAfterAnotherOnSuccess) {
  Scheduler s(limits());
  claim(s, {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true), due("d3", "wh_a", "c1", 3, true)});
  EXPECT_EQ(s.held(), 3u);
  std::vector<store::DueDelivery> started;
  EXPECT_EQ(start_all(s, &started), (Ids{"d1"}));  // the followers wait
  for (const char* next : {"d2", "d3"}) {
    s.finished(started.back(), /*succeeded=*/true, /*stopping=*/false, kT0);
    EXPECT_EQ(start_all(s, &started), (Ids{next}));
  }
  s.finished(started.back(), true, false, kT0);
  EXPECT_EQ(s.held(), 0u);
  EXPECT_EQ(s.in_flight(), 0);
  EXPECT_TRUE(s.take_releases().empty());
}

TEST(SchedulerTest, AFailureOrStoppingGivesTheFollowersBackUntried) {
  for (const bool stopping : {false, true}) {
    SCOPED_TRACE(stopping ? "success while stopping" : "failure");
    Scheduler s(limits());
    claim(s,
          {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true), due("d3", "wh_a", "c1", 3, true)});
    std::vector<store::DueDelivery> started;
    ASSERT_EQ(start_all(s, &started), (Ids{"d1"}));
    s.finished(started[0], /*succeeded=*/stopping, stopping, kT0);
    const auto releases = s.take_releases();
    ASSERT_EQ(releases.size(), 2u);
    EXPECT_EQ(releases[0].delivery_id, "d2");
    EXPECT_EQ(releases[1].delivery_id, "d3");
    EXPECT_EQ(releases[0].lease_until, kLease);  // the lease the claim gave (the store checks it)
    EXPECT_EQ(s.held(), 0u);
    EXPECT_TRUE(start_all(s).empty());
  }
}

TEST(SchedulerTest, FollowersWithoutTheirHeadAreNotHeld) {
  Scheduler s(limits());
  // A follower whose head is not in this claim (another chain's head came first).
  claim(s, {due("d1", "wh_a", "c1", 1), due("x2", "wh_a", "c2", 2, true)});
  EXPECT_EQ(s.held(), 1u);
  // A follower behind a head we already held: the claim only renewed the
  // head's lease, so the follower keeps the lease the claim gave it.
  claim(s, {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true)}, kLease2);
  EXPECT_EQ(s.held(), 1u);
  Scheduler t(limits());
  claim(t, {due("d1", "wh_a", "c1", 1)});
  claim(t, {due("d2", "wh_a", "c1", 2, true)});  // a new claim's run starts with no head
  EXPECT_EQ(t.held(), 1u);
}

TEST(SchedulerTest, AClaimOfADeliveryHeldRenewsItsLease) {
  Scheduler s(limits());
  claim(s, {due("d1")});
  claim(s, {due("d1")}, kLease2);
  EXPECT_EQ(s.held(), 1u);
  auto ready = s.next(kT0);
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(s.lease_of(*ready), kLease2);
  EXPECT_FALSE(s.next(kT0).has_value());  // queued once
}

TEST(SchedulerTest, ANewHeadOfAChainHeldKeepsOurOrder) {
  Scheduler s(limits());
  claim(s, {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true)});
  ASSERT_EQ(start_all(s), (Ids{"d1"}));
  // d2's lease ran out while it waited and another claim handed it out as a head.
  claim(s, {due("d2", "wh_a", "c1", 2)}, kLease2);
  EXPECT_EQ(s.held(), 2u);
  EXPECT_TRUE(start_all(s).empty());       // not queued a second time
  claim(s, {due("d9", "wh_a", "c1", 9)});  // nor a later one of the same chain
  EXPECT_EQ(s.held(), 2u);
  EXPECT_TRUE(s.take_releases().empty());  // refused work keeps the lease its claim gave
}

TEST(SchedulerTest, AStalledLaneRefusesWorkWhichKeepsItsLease) {
  Scheduler s(limits(/*per_webhook=*/1));
  claim(s, {due("d1")});
  ASSERT_EQ(start_all(s), (Ids{"d1"}));
  const MonotonicTime later = kT0 + milliseconds(2000);  // no release for stalled_after: stalled
  claim(s, {due("d2")}, kLease, later);                  // a stalled lane still queues up to its bound (1)
  claim(s, {due("d3"), due("d4", "wh_b")}, kLease, later);
  EXPECT_EQ(s.held(), 3u);  // d1, d2, d4: d3 refused
  EXPECT_TRUE(s.take_releases().empty());
  EXPECT_EQ(start_all(s, nullptr, later), (Ids{"d4"}));
}

TEST(SchedulerTest, AGoneWebhookGivesBackItsLaneAndChains) {
  Scheduler s(limits(/*per_webhook=*/1));
  claim(s,
        {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true), due("d3", "wh_a"), due("d4", "wh_b")});
  auto ready = s.next(kT0);
  ASSERT_TRUE(ready.has_value());
  ASSERT_EQ(ready->due.delivery.id, "d1");
  s.give_back_lane(*ready, kT0);
  EXPECT_EQ(released_ids(s), (Ids{"d3", "d1", "d2"}));
  EXPECT_EQ(s.held(), 1u);
  EXPECT_EQ(start_all(s), (Ids{"d4"}));
}

TEST(SchedulerTest, ALateStartGivesBackTheDeliveryAndItsChain) {
  Scheduler s(limits());
  claim(s, {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true), due("d3", "wh_a")});
  auto ready = s.next(kT0);
  ASSERT_TRUE(ready.has_value());
  s.give_back(*ready, kT0);
  EXPECT_EQ(released_ids(s), (Ids{"d1", "d2"}));
  EXPECT_EQ(start_all(s), (Ids{"d3"}));
  EXPECT_EQ(s.in_flight(), 1);  // d1's slot was given back
}

TEST(SchedulerTest, RoomIsBoundedByCountAndBytes) {
  struct Case {  // NOLINT(clang-analyzer-optin.performance.Padding): a test table, read in field order
    const char* name;
    int max_tracked;
    std::size_t max_bytes;
    int held;
    std::size_t payload;
    int want_room;
  };
  const Case cases[] = {
      {"empty", 4, 100, 0, 1, 4},           {"some held", 4, 100, 3, 1, 1},
      {"full by count", 4, 100, 4, 1, 0},   {"bytes below bound", 10, 100, 2, 49, 8},
      {"full by bytes", 10, 100, 2, 50, 0}, {"over by bytes", 10, 100, 3, 50, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Scheduler s(limits(32, c.max_tracked, c.max_bytes));
    for (int i = 0; i < c.held; ++i) {
      claim(s, {due("d" + std::to_string(i), "wh_" + std::to_string(i), "", 0, false,
                    std::string(c.payload, 'x'))});
    }
    EXPECT_EQ(s.room(), c.want_room);
  }
}

TEST(SchedulerTest, StoppingGivesBackWhatIsQueuedAndWaiting) {
  Scheduler s(limits(/*per_webhook=*/1));
  claim(s,
        {due("d1", "wh_a", "c1", 1), due("d2", "wh_a", "c1", 2, true), due("d3", "wh_a"), due("d4", "wh_b")});
  s.refuse("d5", kLease);  // claimed while stopping
  ASSERT_EQ(start_all(s), (Ids{"d1", "d4"}));
  s.give_back_queued();
  EXPECT_EQ(released_ids(s), (Ids{"d5", "d3"}));
  s.give_back_followers();
  EXPECT_EQ(released_ids(s), (Ids{"d2"}));
  EXPECT_EQ(s.held(), 2u);  // d1 and d4 are in flight: they keep their leases
}

TEST(ChainsTest, KeysAndFollowers) {
  model::Delivery d;
  d.webhook_id = "wh_a";
  EXPECT_EQ(Chains::key_of(d), "");
  d.ordering_key = "call_1";
  EXPECT_EQ(Chains::key_of(d), "wh_a\ncall_1");

  Chains chains;
  EXPECT_FALSE(chains.accepts_follower("k"));
  chains.open("k");
  EXPECT_TRUE(chains.holds("k"));
  EXPECT_TRUE(chains.accepts_follower("k"));
  EXPECT_FALSE(chains.accepts_follower("other"));
  EXPECT_FALSE(chains.accepts_follower(""));
  chains.add_follower("k", due("f1"));
  chains.add_follower("k", due("f2"));
  chains.end_claim_run();
  EXPECT_FALSE(chains.accepts_follower("k"));
  EXPECT_EQ(chains.next("k")->delivery.id, "f1");
  EXPECT_EQ(chains.close("k").size(), 1u);
  EXPECT_FALSE(chains.holds("k"));
  chains.open("k");
  EXPECT_FALSE(chains.next("k").has_value());  // no follower: the chain is done
  EXPECT_FALSE(chains.holds("k"));
}

// Issue 16 item 4: a webhook's max_in_flight and max_rate on its lane. A
// chain's followers wait for the rate like heads; another webhook does not.
TEST(SchedulerTest, LaneLimitsTable) {
  struct Case {
    std::string name;
    Scheduler::LaneLimits lane;
    std::size_t started_now;           // of wh_a's 4 heads, at kT0
    std::optional<milliseconds> wake;  // next_wake() - kT0, at least
  };
  const std::vector<Case> cases = {
      {"Defaults", {}, 4, std::nullopt},
      {"TwoInFlight", {2, std::nullopt}, 2, std::nullopt},
      {"TenPerSecond", {0, 10}, 1, milliseconds(100)},
      {"FiftyPerSecondOneInFlight", {1, 50}, 1, std::nullopt},  // the slot, not the rate, holds the rest
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Scheduler s(limits());
    s.set_lane_limits("wh_a", c.lane, kT0);
    claim(s, {due("a1", "wh_a"), due("a2", "wh_a"), due("a3", "wh_a"), due("a4", "wh_a"), due("b1", "wh_b")});
    const Ids started = start_all(s);
    EXPECT_EQ(std::count(started.begin(), started.end(), "b1"), 1);
    EXPECT_EQ(started.size() - 1, c.started_now);
    if (c.wake) {
      ASSERT_TRUE(s.next_wake().has_value());
      EXPECT_GE(*s.next_wake() - kT0, *c.wake);
      EXPECT_LT(*s.next_wake() - kT0, *c.wake + milliseconds(1));
    } else {
      EXPECT_FALSE(s.next_wake().has_value());
    }
    EXPECT_TRUE(released_ids(s).empty());  // waiting is not giving back
  }
}

TEST(SchedulerTest, ARateLimitedChainKeepsItsOrder) {
  Scheduler s(limits());
  s.set_lane_limits("wh_a", Scheduler::LaneLimits{0, 10}, kT0);
  claim(s, {due("c1", "wh_a", "call", 1), due("c2", "wh_a", "call", 2, true),
            due("c3", "wh_a", "call", 3, true)});
  std::vector<store::DueDelivery> started;
  Ids order;
  MonotonicTime now = kT0;
  for (int step = 0; step < 1000 && order.size() < 3; ++step, now += milliseconds(10)) {
    std::vector<store::DueDelivery> batch;
    for (const auto& id : start_all(s, &batch, now)) order.push_back(id);
    for (const auto& d : batch) s.finished(d, true, false, now);
  }
  EXPECT_EQ(order, (Ids{"c1", "c2", "c3"}));
  EXPECT_GE(now - kT0, milliseconds(200));  // 10/s: the third starts 200 ms after the first
}

}  // namespace
}  // namespace switchboard::delivery
