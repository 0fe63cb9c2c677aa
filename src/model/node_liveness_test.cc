// Table tests of the cluster node liveness rule (model/node_liveness.h).
#include "model/node_liveness.h"

#include <gtest/gtest.h>

#include <chrono>

namespace switchboard::model {
namespace {

using std::chrono::milliseconds;

TimePoint at(long long ms) { return TimePoint(milliseconds(ms)); }

TEST(NodeLiveness, StaleExactlyWhenMoreThanTheBoundPassed) {
  struct Case {
    long long stale_after_ms, last_ms, now_ms;
    bool stale;
  };
  const Case cases[] = {
      {10000, 0, 0, false},                                    // just beat
      {10000, 0, 9999, false},                                 // inside the bound
      {10000, 0, 10000, false},                                // exactly the bound: still alive
      {10000, 0, 10001, true},                                 // past it
      {10000, 5000, 4000, false},                              // a heartbeat "in the future" (skew): alive
      {10000, 1000, 60000, true},                              // long dead
      {500, 100, 600, false},                                  // the smallest bound
      {500, 100, 601, true},      {120000, 0, 119999, false},  // a bound as long as the old lease
  };
  for (const Case& c : cases) {
    const NodeLiveness rule{milliseconds(c.stale_after_ms)};
    EXPECT_EQ(rule.is_stale(at(c.last_ms), at(c.now_ms)), c.stale)
        << c.stale_after_ms << " " << c.last_ms << " " << c.now_ms;
    // The store's SQL form (heartbeat_at < cutoff) says the same.
    EXPECT_EQ(at(c.last_ms) < rule.stale_cutoff(at(c.now_ms)), c.stale);
  }
}

TEST(NodeLiveness, BeatsSeveralTimesPerBound) {
  struct Case {
    long long stale_after_ms, beat_every_ms;
  };
  const Case cases[] = {{10000, 2000}, {500, 100}, {3, 1}, {1, 1}, {0, 1}};
  for (const Case& c : cases) {
    EXPECT_EQ(NodeLiveness{milliseconds(c.stale_after_ms)}.beat_every(), milliseconds(c.beat_every_ms))
        << c.stale_after_ms;
  }
  EXPECT_EQ(NodeLiveness{}.stale_after, milliseconds(10000));
}

}  // namespace
}  // namespace switchboard::model
