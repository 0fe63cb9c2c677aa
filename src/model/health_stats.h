// Health statistics of a webhook (GET /api/v2/webhooks/{id}/stats) as pure
// rules: how one attempt is counted (status class, log-scale latency bin), how
// counts add up, how p50/p95 are estimated from the bins, and how a window
// (1h, 24h, 7d) is cut into the buckets a chart draws. No I/O: the store keeps
// per-webhook per-minute rows of HealthCounts (store/common/health_rollup.h)
// and sums them into the window's buckets on read.
//
// Latency histogram: kLatencyBins log-scale bins, three per doubling.
//   bin 0            [0, 1) ms
//   bin i (1..22)    [2^((i-1)·2/3), 2^(i·2/3)) ms   (1 ms … 26.0 s)
//   bin 23           [2^(44/3) ≈ 26.0 s, ∞)
// A percentile is the bin holding its nearest rank, reported as the bin's
// geometric midpoint (bin 0: 0.5 ms; bin 23: its lower bound). Error bound:
// the estimate is within a factor 2^(1/3) (±26 %) of the true percentile for
// 1 ms … 26.0 s, within 0.5 ms below 1 ms, and at most 4 s low above 26.0 s
// (the delivery timeout is at most 30 s). Only attempts that got an HTTP
// response count toward latency (a refused connection has no latency worth
// charting; a timeout is counted in the `network` class).
//
// Thread-safety: pure functions and value types.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/clock.h"

namespace switchboard::model {

inline constexpr int kLatencyBins = 24;

// Status classes in the order of HealthCounts::status_classes and of the API's
// `status_classes` object.
enum class StatusClass { k2xx, k3xx, k4xx, k5xx, kNetwork };
inline constexpr int kStatusClasses = 5;
inline constexpr std::array<std::string_view, kStatusClasses> kStatusClassNames = {"2xx", "3xx", "4xx", "5xx",
                                                                                   "network"};

// No status code: network (timeout, refused, TLS, DNS…). 1xx counts with 2xx
// (not a final answer a receiver would send), 600+ with 5xx.
StatusClass status_class(std::optional<int> status_code);

// The histogram bin of a latency (negative counts as 0).
int latency_bin(double latency_ms);
// The value a percentile falling in `bin` is reported as.
double latency_bin_estimate(int bin);

using LatencyHistogram = std::array<std::int64_t, kLatencyBins>;

// Counts of attempts: one rollup row, one bucket, or a window's totals.
struct HealthCounts {
  std::int64_t attempts = 0;
  std::int64_t succeeded = 0;
  std::array<std::int64_t, kStatusClasses> status_classes{};
  LatencyHistogram latency{};

  std::int64_t failed() const { return attempts - succeeded; }
  // Counts one attempt.
  void add_attempt(bool success, std::optional<int> status_code, double latency_ms);
  void add(const HealthCounts& other);
  bool operator==(const HealthCounts&) const = default;
};

// succeeded / attempts, nullopt without attempts.
std::optional<double> success_rate(const HealthCounts& counts);
// The nearest-rank percentile `p` (0 < p <= 1) estimated from the bins;
// nullopt for an empty histogram.
std::optional<double> latency_percentile(const LatencyHistogram& histogram, double p);

// The rollup row an attempt at `at` belongs to: the start of its UTC minute.
TimePoint rollup_minute(TimePoint at);

// The windows of the stats route and how each is cut.
enum class StatsWindow { k1h, k24h, k7d };
struct WindowShape {
  std::string_view name;
  std::chrono::seconds bucket;
  int buckets = 0;
};
std::optional<StatsWindow> parse_stats_window(std::string_view text);
WindowShape window_shape(StatsWindow window);

// Buckets are aligned to multiples of their size since the Unix epoch; the last
// one holds `now`. The start of the first (oldest) bucket.
TimePoint window_start(const WindowShape& shape, TimePoint now);
// The end (exclusive) of the last bucket.
TimePoint window_end(const WindowShape& shape, TimePoint now);
// The bucket a rollup minute falls in, or nullopt outside the window.
std::optional<int> bucket_index(const WindowShape& shape, TimePoint start, TimePoint minute);

}  // namespace switchboard::model
