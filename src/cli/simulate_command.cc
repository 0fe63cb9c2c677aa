#include "cli/simulate_command.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "common/time_format.h"
#include "simulate/generator.h"
#include "simulate/publisher.h"
#include "simulate/runner.h"
#include "simulate/scenarios.h"

namespace switchboard::cli {

namespace {

std::atomic<bool> stop_requested{false};

void request_stop(int /*signal*/) { stop_requested = true; }

int fail(const std::string& message) {
  std::fprintf(stderr, "switchboard simulate: %s\n", message.c_str());
  return 2;
}

// The directory first, so that call.summary is enriched (agent and department
// names) from the first event. A token that may not manage it (an ingest
// token) or a failure only leaves a note: the traffic still goes out.
void fill_directory(simulate::HttpPublisher& publisher) {
  const auto directory = simulate::sim_directory();
  auto written = publisher.fill_directory(directory);
  if (written) {
    std::fprintf(stderr, "switchboard simulate: directory: %zu departments and %zu agents with names\n",
                 directory.departments.size(), directory.agents.size());
  } else if (written.error().code == ErrorCode::kPermissionDenied) {
    std::fprintf(stderr,
                 "switchboard simulate: directory left alone: %s (use an owner or admin token to fill it; "
                 "call.summary then names agents and departments)\n",
                 written.error().message.c_str());
  } else {
    std::fprintf(stderr, "switchboard simulate: directory not filled: %s\n", written.error().message.c_str());
  }
}

}  // namespace

CLI::App* add_simulate_command(CLI::App& app, SimulateCommand& command) {
  auto* cmd = app.add_subcommand(
      "simulate",
      "Publish realistic call and WhatsApp traffic to a running server (or print it with --dry-run)");
  cmd->add_option("--url,--target", command.url, "Base URL of the server")
      ->envname("SWITCHBOARD_URL")
      ->capture_default_str();
  cmd->add_option("--token", command.token, "Ingest (or owner/admin) token")->envname("SWITCHBOARD_TOKEN");
  cmd->add_option("--rate", command.rate, "Events per second; above 20/s they go out in batches")
      ->check(CLI::Range(0.01, 1000000.0))
      ->capture_default_str();
  cmd->add_option("--duration", command.duration_sec, "Stop after this many seconds")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--count", command.count, "Stop after this many events")
      ->check(CLI::Range(0LL, 1000000000LL));
  cmd->add_option(
      "--seed", command.seed,
      "Seed of the generator: the same seed (and --start) gives the same events (default: random)");
  cmd->add_option("--start", command.start, "Simulated time of the first session, RFC 3339 (default: now)");
  auto* mix =
      cmd->add_option("--mix", command.mix,
                      "Relative weights of the traffic, e.g. calls=60,whatsapp=30,campaigns=10 (default)");
  auto* calls = cmd->add_flag("--calls-only", command.calls_only, "Only calls")->excludes(mix);
  cmd->add_flag("--whatsapp-only", command.whatsapp_only, "Only WhatsApp conversations and campaign messages")
      ->excludes(mix)
      ->excludes(calls);
  cmd->add_option("--concurrency", command.concurrency, "Sessions (calls, conversations) in progress at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_flag(
      "--dry-run", command.dry_run,
      "Print the events as JSON lines instead of sending them (--count, or rate × duration; default 100)");
  cmd->add_flag("--no-directory", command.no_directory,
                "Do not put the simulated agents and departments (names, e-mails, extensions) in the company "
                "directory first (with an ingest token it is left alone anyway)");
  cmd->add_option("--results", command.results_path,
                  "Write one JSON line per published event: its event_id and event_sequence, or the error");
  return cmd;
}

int run_simulate_command(const SimulateCommand& command) {
  simulate::GeneratorOptions options;
  options.concurrency = command.concurrency;
  if (command.calls_only) {
    options.mix = simulate::TrafficMix{1, 0, 0};
  } else if (command.whatsapp_only) {
    options.mix = simulate::TrafficMix{0, 3, 1};
  } else if (!command.mix.empty()) {
    auto mix = simulate::parse_mix(command.mix);
    if (!mix) return fail(mix.error().message);
    options.mix = *mix;
  }
  SystemClock clock;
  options.start = clock.now();
  if (!command.start.empty()) {
    auto start = parse_rfc3339(command.start);
    if (!start) return fail("--start must be an RFC 3339 time, e.g. 2026-11-22T10:00:00Z");
    options.start = *start;
  }
  // Without --seed, one from the clock; printed so that the run can be repeated.
  options.seed = command.seed.value_or(static_cast<std::uint64_t>(clock.now().time_since_epoch().count()));
  simulate::TrafficGenerator generator(options);

  if (command.dry_run) {
    long long count = command.count.value_or(100);
    if (!command.count && command.duration_sec) {
      count = static_cast<long long>(command.rate * *command.duration_sec);
    }
    simulate::write_events(generator, count, std::cout);
    return 0;
  }

  auto publisher = simulate::HttpPublisher::create(command.url, command.token);
  if (!publisher) return fail(publisher.error().message);
  std::ofstream results;
  if (!command.results_path.empty()) {
    results.open(command.results_path, std::ios::trunc);
    if (!results) return fail("cannot write " + command.results_path);
  }
  if (!command.no_directory) fill_directory(**publisher);
  std::fprintf(stderr, "switchboard simulate: seed %llu, start %s, %.1f events/s to %s\n",
               static_cast<unsigned long long>(options.seed), format_rfc3339(options.start).c_str(),
               command.rate, command.url.c_str());
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  simulate::RunPlan plan{command.rate, command.duration_sec, command.count, &stop_requested, &clock};
  const auto summary = simulate::run_simulation(generator, **publisher, plan,
                                                command.results_path.empty() ? nullptr : &results);
  std::fputs(simulate::format_summary(summary).c_str(), stdout);
  std::fflush(stdout);
  return summary.refused == 0 && summary.failed == 0 ? 0 : 1;
}

}  // namespace switchboard::cli
