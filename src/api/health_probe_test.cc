// HealthProbe: when the health check may answer from the last ping.
#include "api/health_probe.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace switchboard::api {
namespace {

using std::chrono::milliseconds;

TimePoint at(long long ms) { return TimePoint(milliseconds(ms)); }

TEST(HealthProbeTest, RecentOkOnlyWithinTheMaxAgeOfASuccessfulPing) {
  struct Case {
    const char* name;
    std::vector<std::pair<bool, long long>> pings;  // (ok, at ms), in order
    long long now;
    bool recent;
  };
  const long long max = kHealthProbeMaxAge.count();
  const std::vector<Case> cases = {
      {"never pinged", {}, 5'000, false},
      {"just pinged", {{true, 5'000}}, 5'000, true},
      {"inside the max age", {{true, 5'000}}, 5'000 + max - 1, true},
      {"at the max age", {{true, 5'000}}, 5'000 + max, false},
      {"long after", {{true, 5'000}}, 50'000, false},
      {"clock set back before the ping", {{true, 5'000}}, 4'999, false},
      {"failed ping forgets the earlier success", {{true, 5'000}, {false, 5'001}}, 5'002, false},
      {"success after a failure", {{false, 5'000}, {true, 5'100}}, 5'200, true},
      {"only failures", {{false, 5'000}}, 5'000, false},
  };
  for (const Case& c : cases) {
    HealthProbe probe;
    for (auto [ok, when] : c.pings) probe.record(ok, at(when));
    EXPECT_EQ(probe.recent_ok(at(c.now)), c.recent) << c.name;
  }
}

}  // namespace
}  // namespace switchboard::api
