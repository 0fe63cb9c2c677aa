// NodeHeartbeat over a scripted NodeMembership: what each beat reports turns
// into a wake-up of the engine exactly when leases were released; the thread
// beats at once and then every beat_every() of the manual clock.
#include "delivery/node_heartbeat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/test_clock.h"

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;

class ScriptedMembership final : public store::NodeMembership {
 public:
  explicit ScriptedMembership(std::vector<Result<Beat>> script) : script_(std::move(script)) {}
  Result<Beat> heartbeat(TimePoint now, const model::NodeLiveness& rule) override {
    std::lock_guard lock(mutex_);
    calls_.push_back(now);
    rules_.push_back(rule.stale_after);
    if (next_ < script_.size()) return script_[next_++];
    return Beat{"node_a", false, {}, 0};
  }
  std::size_t calls() const {
    std::lock_guard lock(mutex_);
    return calls_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Result<Beat>> script_;
  std::size_t next_ = 0;
  std::vector<TimePoint> calls_;
  std::vector<milliseconds> rules_;
};

using Beat = store::NodeMembership::Beat;

TEST(NodeHeartbeat, WakesTheEngineExactlyWhenLeasesWereReleased) {
  struct Case {
    const char* name;
    Result<Beat> beat;
    int wakeups;
    NodeHeartbeat::Stats stats;
  };
  const std::vector<Case> cases = {
      {"renewed only", Beat{"node_a", false, {}, 0}, 0, {1, 0, 0, 0, 0}},
      {"a stale node with leases", Beat{"node_a", false, {"node_b"}, 7}, 1, {1, 0, 0, 1, 7}},
      {"a stale node with none", Beat{"node_a", false, {"node_b"}, 0}, 0, {1, 0, 0, 1, 0}},
      {"two stale nodes", Beat{"node_a", false, {"node_b", "node_c"}, 3}, 1, {1, 0, 0, 2, 3}},
      {"this node had been declared stale", Beat{"node_a", true, {}, 0}, 0, {1, 0, 1, 0, 0}},
      {"the store failed", make_error(ErrorCode::kUnavailable, "down"), 0, {0, 1, 0, 0, 0}},
  };
  for (const Case& c : cases) {
    ScriptedMembership membership({c.beat});
    ManualClock clock(TimePoint(milliseconds(1000)));
    switchboard::testing::ManualMonotonicClock monotonic;
    int wakeups = 0;
    NodeHeartbeat heartbeat(membership, clock, monotonic, model::NodeLiveness{milliseconds(10000)},
                            [&] { ++wakeups; });
    EXPECT_EQ(heartbeat.beat().has_value(), c.beat.has_value()) << c.name;
    EXPECT_EQ(wakeups, c.wakeups) << c.name;
    const auto s = heartbeat.stats();
    EXPECT_EQ(s.beats, c.stats.beats) << c.name;
    EXPECT_EQ(s.failures, c.stats.failures) << c.name;
    EXPECT_EQ(s.rejoined, c.stats.rejoined) << c.name;
    EXPECT_EQ(s.taken_over, c.stats.taken_over) << c.name;
    EXPECT_EQ(s.released, c.stats.released) << c.name;
  }
}

TEST(NodeHeartbeat, BeatsAtStartThenEveryFifthOfTheBound) {
  ScriptedMembership membership({});
  ManualClock clock(TimePoint(milliseconds(1000)));
  switchboard::testing::ManualMonotonicClock monotonic;
  NodeHeartbeat heartbeat(membership, clock, monotonic, model::NodeLiveness{milliseconds(10000)}, nullptr);
  heartbeat.start();
  auto wait_for_calls = [&](std::size_t n) {
    // The beat runs on the heartbeat thread: wait (bounded) until it did.
    for (int i = 0; i < 5000 && membership.calls() < n; ++i) std::this_thread::sleep_for(milliseconds(1));
    return membership.calls();
  };
  EXPECT_EQ(wait_for_calls(1), 1u);
  monotonic.advance(milliseconds(1999));
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(membership.calls(), 1u);  // not yet: every 2 s
  monotonic.advance(milliseconds(1));
  EXPECT_EQ(wait_for_calls(2), 2u);
  monotonic.advance(milliseconds(2000));
  EXPECT_EQ(wait_for_calls(3), 3u);
  heartbeat.stop();
}

}  // namespace
}  // namespace switchboard::delivery
