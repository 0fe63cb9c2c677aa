#include "model/health_stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace switchboard::model {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint at_ms(std::int64_t ms) { return TimePoint(milliseconds(ms)); }

TEST(HealthStatsTest, StatusClassOfEachCode) {
  struct Case {
    std::optional<int> code;
    StatusClass expected;
  };
  const std::vector<Case> cases = {
      {std::nullopt, StatusClass::kNetwork},
      {100, StatusClass::k2xx},
      {200, StatusClass::k2xx},
      {204, StatusClass::k2xx},
      {299, StatusClass::k2xx},
      {300, StatusClass::k3xx},
      {399, StatusClass::k3xx},
      {400, StatusClass::k4xx},
      {410, StatusClass::k4xx},
      {499, StatusClass::k4xx},
      {500, StatusClass::k5xx},
      {503, StatusClass::k5xx},
      {599, StatusClass::k5xx},
      {600, StatusClass::k5xx},
  };
  for (const auto& c : cases) EXPECT_EQ(status_class(c.code), c.expected) << c.code.value_or(-1);
}

TEST(HealthStatsTest, LatencyBinsAreThreePerDoublingFromOneMillisecond) {
  struct Case {
    double ms;
    int bin;
  };
  const std::vector<Case> cases = {
      {-5, 0},     {0, 0},      {0.99, 0},   {1.0, 1},  {1.5, 1},          {1.6, 2},   {2.0, 2},
      {2.6, 3},    {4.0, 4},    {10, 5},     {100, 10}, {1000, 15},        {1024, 16}, {5000, 19},
      {25000, 22}, {26100, 23}, {30000, 23}, {1e9, 23}, {std::nan(""), 0},
  };
  for (const auto& c : cases) EXPECT_EQ(latency_bin(c.ms), c.bin) << c.ms;
}

TEST(HealthStatsTest, EveryBinEstimateIsWithinTheDocumentedBoundOfItsValues) {
  // Bins 1..22: the estimate (geometric midpoint) is within 2^(1/3) of every
  // value of the bin; checked on a fine grid.
  const double bound = std::exp2(1.0 / 3.0) + 1e-9;
  for (double ms = 1.0; ms < 26000.0; ms *= 1.01) {
    const double estimate = latency_bin_estimate(latency_bin(ms));
    EXPECT_LE(estimate / ms, bound) << ms;
    EXPECT_LE(ms / estimate, bound) << ms;
  }
  EXPECT_EQ(latency_bin_estimate(0), 0.5);
  EXPECT_NEAR(latency_bin_estimate(23), 26008.0, 1.0);
  EXPECT_NEAR(latency_bin_estimate(1), std::exp2(1.0 / 3.0), 1e-9);
}

TEST(HealthStatsTest, PercentileIsTheNearestRankBin) {
  struct Case {
    std::vector<std::pair<int, std::int64_t>> bins;  // bin, count
    double p;
    std::optional<int> bin;  // expected estimate's bin
  };
  const std::vector<Case> cases = {
      {{}, 0.5, std::nullopt},
      {{{5, 1}}, 0.5, 5},
      {{{5, 1}}, 0.95, 5},
      {{{2, 50}, {9, 50}}, 0.5, 2},    // rank 50 is the last of bin 2
      {{{2, 49}, {9, 51}}, 0.5, 9},    // rank 50 is the first of bin 9
      {{{2, 95}, {20, 5}}, 0.95, 2},   // rank 95
      {{{2, 94}, {20, 6}}, 0.95, 20},  // rank 95 in the slow bin
      {{{0, 3}, {23, 1}}, 0.95, 23},
      {{{1, 1}, {3, 1}, {7, 1}}, 0.5, 3},  // rank ceil(1.5) = 2
  };
  for (const auto& c : cases) {
    LatencyHistogram histogram{};
    for (auto [bin, n] : c.bins) histogram[bin] = n;
    auto got = latency_percentile(histogram, c.p);
    if (!c.bin) {
      EXPECT_FALSE(got);
      continue;
    }
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, latency_bin_estimate(*c.bin)) << c.p;
  }
}

TEST(HealthStatsTest, CountsAddAttemptsAndLatencyOnlyWithAResponse) {
  HealthCounts counts;
  counts.add_attempt(true, 200, 12);
  counts.add_attempt(false, 503, 40);
  counts.add_attempt(false, std::nullopt, 30000);  // timeout: no latency
  counts.add_attempt(false, 302, 3);
  EXPECT_EQ(counts.attempts, 4);
  EXPECT_EQ(counts.succeeded, 1);
  EXPECT_EQ(counts.failed(), 3);
  EXPECT_EQ(counts.status_classes, (std::array<std::int64_t, kStatusClasses>{1, 1, 0, 1, 1}));
  std::int64_t with_latency = 0;
  for (auto n : counts.latency) with_latency += n;
  EXPECT_EQ(with_latency, 3);
  EXPECT_EQ(counts.latency[latency_bin(12)], 1);
  HealthCounts twice = counts;
  twice.add(counts);
  EXPECT_EQ(twice.attempts, 8);
  EXPECT_EQ(twice.latency[latency_bin(40)], 2);
  EXPECT_EQ(success_rate(twice), 0.25);
  EXPECT_EQ(success_rate(HealthCounts{}), std::nullopt);
}

TEST(HealthStatsTest, RollupMinuteFloorsToTheMinute) {
  struct Case {
    std::int64_t at, minute;
  };
  const std::vector<Case> cases = {
      {0, 0}, {59'999, 0}, {60'000, 60'000}, {1'790'000'123'456, 1'790'000'100'000}, {-1, -60'000},
  };
  for (const auto& c : cases) EXPECT_EQ(rollup_minute(at_ms(c.at)), at_ms(c.minute)) << c.at;
}

TEST(HealthStatsTest, WindowsParseAndHaveTheirShapes) {
  struct Case {
    std::string_view text;
    std::optional<StatsWindow> window;
    seconds bucket;
    int buckets;
  };
  const std::vector<Case> cases = {
      {"1h", StatsWindow::k1h, seconds(60), 60},
      {"24h", StatsWindow::k24h, seconds(900), 96},
      {"7d", StatsWindow::k7d, seconds(3600), 168},
      {"", std::nullopt, {}, 0},
      {"1d", std::nullopt, {}, 0},
      {"24H", std::nullopt, {}, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_stats_window(c.text), c.window) << c.text;
    if (!c.window) continue;
    const WindowShape shape = window_shape(*c.window);
    EXPECT_EQ(shape.name, c.text);
    EXPECT_EQ(shape.bucket, c.bucket);
    EXPECT_EQ(shape.buckets, c.buckets);
  }
}

TEST(HealthStatsTest, BucketsAreAlignedAndTheLastHoldsNow) {
  const TimePoint now = at_ms(1'790'000'123'456);
  struct Case {
    StatsWindow window;
    std::int64_t start, end;
  };
  const std::vector<Case> cases = {
      {StatsWindow::k1h, 1'790'000'100'000 - 59 * 60'000, 1'790'000'160'000},
      {StatsWindow::k24h, 1'790'000'100'000 - 95 * 900'000, 1'790'001'000'000},
      {StatsWindow::k7d, 1'789'999'200'000 - 167 * 3'600'000, 1'790'002'800'000},
  };
  for (const auto& c : cases) {
    const WindowShape shape = window_shape(c.window);
    EXPECT_EQ(window_start(shape, now), at_ms(c.start)) << shape.name;
    EXPECT_EQ(window_end(shape, now), at_ms(c.end)) << shape.name;
    EXPECT_EQ(window_end(shape, now) - window_start(shape, now), shape.bucket * shape.buckets);
  }
}

TEST(HealthStatsTest, BucketIndexOfAMinute) {
  const WindowShape shape = window_shape(StatsWindow::k24h);
  const TimePoint start = at_ms(900'000 * 1000);
  struct Case {
    milliseconds offset;
    std::optional<int> index;
  };
  const std::vector<Case> cases = {
      {-minutes(1), std::nullopt},   {minutes(0), 0},           {minutes(14), 0}, {minutes(15), 1},
      {hours(23) + minutes(59), 95}, {hours(24), std::nullopt},
  };
  for (const auto& c : cases)
    EXPECT_EQ(bucket_index(shape, start, start + c.offset), c.index) << c.offset.count();
}

}  // namespace
}  // namespace switchboard::model
