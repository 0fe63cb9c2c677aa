// Health statistics rules: see health_stats.h.
#include "model/health_stats.h"

#include <cmath>

namespace switchboard::model {

namespace {
constexpr double kBinsPerDoubling = 1.5;  // bin width: a factor 2^(2/3)
}  // namespace

StatusClass status_class(std::optional<int> status_code) {
  if (!status_code) return StatusClass::kNetwork;
  if (*status_code < 300) return StatusClass::k2xx;
  if (*status_code < 400) return StatusClass::k3xx;
  if (*status_code < 500) return StatusClass::k4xx;
  return StatusClass::k5xx;
}

int latency_bin(double latency_ms) {
  if (!(latency_ms >= 1.0)) return 0;  // also NaN
  const double bin = std::floor(std::log2(latency_ms) * kBinsPerDoubling) + 1;
  return bin >= kLatencyBins - 1 ? kLatencyBins - 1 : static_cast<int>(bin);
}

double latency_bin_estimate(int bin) {
  if (bin <= 0) return 0.5;
  if (bin >= kLatencyBins - 1) return std::exp2((kLatencyBins - 2) / kBinsPerDoubling);
  return std::exp2((bin - 0.5) / kBinsPerDoubling);
}

void HealthCounts::add_attempt(bool success, std::optional<int> status_code, double latency_ms) {
  attempts += 1;
  if (success) succeeded += 1;
  status_classes[static_cast<int>(status_class(status_code))] += 1;
  if (status_code) latency[latency_bin(latency_ms)] += 1;
}

void HealthCounts::add(const HealthCounts& other) {
  attempts += other.attempts;
  succeeded += other.succeeded;
  for (int i = 0; i < kStatusClasses; ++i) status_classes[i] += other.status_classes[i];
  for (int i = 0; i < kLatencyBins; ++i) latency[i] += other.latency[i];
}

std::optional<double> success_rate(const HealthCounts& counts) {
  if (counts.attempts <= 0) return std::nullopt;
  return static_cast<double>(counts.succeeded) / static_cast<double>(counts.attempts);
}

std::optional<double> latency_percentile(const LatencyHistogram& histogram, double p) {
  std::int64_t total = 0;
  for (std::int64_t n : histogram) total += n;
  if (total <= 0) return std::nullopt;
  auto rank = static_cast<std::int64_t>(std::ceil(p * static_cast<double>(total)));
  if (rank < 1) rank = 1;
  std::int64_t seen = 0;
  for (int bin = 0; bin < kLatencyBins; ++bin) {
    seen += histogram[bin];
    if (seen >= rank) return latency_bin_estimate(bin);
  }
  return latency_bin_estimate(kLatencyBins - 1);
}

namespace {
// Floors `t` to a multiple of `step` since the epoch (also before 1970).
TimePoint floor_to(TimePoint t, std::chrono::milliseconds step) {
  const std::int64_t ms = t.time_since_epoch().count();
  const std::int64_t s = step.count();
  std::int64_t q = ms / s;
  if (ms % s != 0 && ms < 0) q -= 1;
  return TimePoint(std::chrono::milliseconds(q * s));
}
}  // namespace

TimePoint rollup_minute(TimePoint at) { return floor_to(at, std::chrono::minutes(1)); }

std::optional<StatsWindow> parse_stats_window(std::string_view text) {
  if (text == "1h") return StatsWindow::k1h;
  if (text == "24h") return StatsWindow::k24h;
  if (text == "7d") return StatsWindow::k7d;
  return std::nullopt;
}

WindowShape window_shape(StatsWindow window) {
  switch (window) {
    case StatsWindow::k1h:
      return {"1h", std::chrono::seconds(60), 60};
    case StatsWindow::k24h:
      return {"24h", std::chrono::seconds(900), 96};
    case StatsWindow::k7d:
      return {"7d", std::chrono::seconds(3600), 168};
  }
  return {"24h", std::chrono::seconds(900), 96};
}

TimePoint window_start(const WindowShape& shape, TimePoint now) {
  return floor_to(now, shape.bucket) - shape.bucket * (shape.buckets - 1);
}

TimePoint window_end(const WindowShape& shape, TimePoint now) {
  return floor_to(now, shape.bucket) + shape.bucket;
}

std::optional<int> bucket_index(const WindowShape& shape, TimePoint start, TimePoint minute) {
  if (minute < start) return std::nullopt;
  const auto index = (minute - start) / std::chrono::duration_cast<std::chrono::milliseconds>(shape.bucket);
  if (index >= shape.buckets) return std::nullopt;
  return static_cast<int>(index);
}

}  // namespace switchboard::model
