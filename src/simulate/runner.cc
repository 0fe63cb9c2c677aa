#include "simulate/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <thread>
#include <vector>

namespace switchboard::simulate {

namespace json = boost::json;

namespace {

using SteadyClock = std::chrono::steady_clock;

void record(RunSummary& summary, const SimEvent& event, const PublishOutcome& outcome,
            std::ostream* results) {
  ++summary.sent;
  ++summary.by_type[event.type];
  switch (outcome.kind) {
    case PublishOutcome::Kind::kAccepted:
      ++summary.accepted;
      break;
    case PublishOutcome::Kind::kRefused:
      ++summary.refused;
      ++summary.reasons[outcome.reason];
      break;
    case PublishOutcome::Kind::kFailed:
      ++summary.failed;
      ++summary.reasons[outcome.reason];
      break;
  }
  if (!results) return;
  json::object line{{"type", event.type}, {"id", event.sequence_id()}};
  if (outcome.kind == PublishOutcome::Kind::kAccepted) {
    line["event_id"] = outcome.event_id;
    line["event_sequence"] =
        outcome.event_sequence ? json::value(*outcome.event_sequence) : json::value(nullptr);
  } else {
    line["error"] = outcome.reason;
  }
  *results << json::serialize(line) << '\n';
}

}  // namespace

RunSummary run_simulation(TrafficGenerator& generator, Publisher& publisher, const RunPlan& plan,
                          std::ostream* results) {
  RunSummary summary;
  const bool batching = plan.rate > kBatchAboveRate;
  // Batches go out every 100 ms; single events each 1/rate seconds.
  const std::chrono::duration<double> tick(batching ? 0.1 : 1.0 / plan.rate);
  const auto begin = SteadyClock::now();
  const long long total = plan.count.value_or(std::numeric_limits<long long>::max());
  auto elapsed = [&] { return std::chrono::duration<double>(SteadyClock::now() - begin).count(); };
  std::vector<SimEvent> pending;
  for (long long ticks = 0; summary.sent < total; ++ticks) {
    if (plan.stop && plan.stop->load()) break;
    const double now = elapsed();
    if (plan.duration_sec && now >= *plan.duration_sec) break;
    // Events due by now (the first at once); a server slower than the rate is
    // not caught up beyond one batch.
    const long long due = std::min(total, static_cast<long long>(std::floor(now * plan.rate)) + 1);
    long long n = std::min<long long>(
        due - summary.sent, batching ? static_cast<long long>(model::limits::kMaxEventsPerBatch) : 1);
    if (n > 0) {
      pending.clear();
      for (long long i = 0; i < n; ++i) pending.push_back(generator.next());
      if (plan.clock) {
        const TimePoint now = plan.clock->now();
        for (SimEvent& event : pending) event.occurred_at = std::min(event.occurred_at, now);
      }
      if (batching) {
        const auto outcomes = publisher.publish_batch(pending);
        for (std::size_t i = 0; i < pending.size(); ++i) record(summary, pending[i], outcomes[i], results);
      } else {
        record(summary, pending.front(), publisher.publish_one(pending.front()), results);
      }
    }
    if (summary.sent >= total) break;
    const auto next = begin + std::chrono::duration_cast<SteadyClock::duration>(tick * (ticks + 1));
    if (next > SteadyClock::now()) std::this_thread::sleep_until(next);
  }
  summary.elapsed_sec = elapsed();
  return summary;
}

void write_events(TrafficGenerator& generator, long long count, std::ostream& out) {
  for (long long i = 0; i < count; ++i) out << generator.next().to_json() << '\n';
}

std::string format_summary(const RunSummary& summary) {
  const double per_second =
      summary.elapsed_sec > 0 ? static_cast<double>(summary.sent) / summary.elapsed_sec : 0;
  std::string out = fmt::format(
      "sent {} events in {:.1f} s ({:.1f}/s): {} accepted, {} "
      "refused, {} failed\n",
      summary.sent, summary.elapsed_sec, per_second, summary.accepted, summary.refused, summary.failed);
  for (const auto& [type, n] : summary.by_type) out += fmt::format("  {:<22} {}\n", type, n);
  // The most frequent reasons first.
  std::vector<std::pair<std::string, long long>> reasons(summary.reasons.begin(), summary.reasons.end());
  std::stable_sort(reasons.begin(), reasons.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (reasons.size() > 10) reasons.resize(10);
  for (const auto& [reason, n] : reasons) out += fmt::format("  not accepted ({}): {}\n", n, reason);
  return out;
}

}  // namespace switchboard::simulate
