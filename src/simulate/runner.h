// Running a simulation: takes events from a TrafficGenerator and publishes
// them at a steady rate, one request per event at low rates and batches of
// the events due every 100 ms above kBatchAboveRate events/s; tallies what the
// server accepted and refused (and why). Runs on the calling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "common/clock.h"
#include "model/limits.h"
#include "simulate/generator.h"
#include "simulate/publisher.h"

namespace switchboard::simulate {

inline constexpr double kBatchAboveRate = 20;  // events/s

struct RunPlan {
  double rate = 10;                         // events per second
  std::optional<double> duration_sec;       // stop after this long…
  std::optional<long long> count;           // …or after this many events (whichever comes first)
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop early
  // When set, each event goes out with an occurred_at no later than this
  // clock's now. The simulated timeline runs ahead of the wall clock at high
  // rates, and the server refuses events more than a few minutes ahead of its
  // clock (model::kOccurredAtAllowedSkew); the data keep their simulated times.
  const Clock* clock = nullptr;
};

struct RunSummary {
  long long sent = 0;
  long long accepted = 0;
  long long refused = 0;
  long long failed = 0;
  std::map<std::string, long long> reasons;  // refusal / failure reason -> events
  std::map<std::string, long long> by_type;  // event type -> events sent
  double elapsed_sec = 0;
};

// Publishes until the plan's duration or count is reached (or *stop). When
// `results` is set, writes one JSON line per event: {"type","id","event_id",
// "event_sequence"} or {"type","id","error"}.
RunSummary run_simulation(TrafficGenerator& generator, Publisher& publisher, const RunPlan& plan,
                          std::ostream* results);

// --dry-run: writes `count` events as JSON lines (the bodies that would be
// POSTed).
void write_events(TrafficGenerator& generator, long long count, std::ostream& out);

// The summary printed at the end, several lines.
std::string format_summary(const RunSummary& summary);

}  // namespace switchboard::simulate
