// `switchboard simulate`: the command line of the traffic simulator
// (src/simulate). Kept apart from main.cc so that main only wires commands.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::cli {

struct SimulateCommand {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  double rate = 10;
  std::optional<double> duration_sec;
  std::optional<long long> count;
  std::optional<std::uint64_t> seed;
  std::string start;  // RFC 3339; empty: now
  std::string mix;
  bool calls_only = false;
  bool whatsapp_only = false;
  int concurrency = 8;
  bool dry_run = false;
  std::string results_path;
  // Leave the company directory alone (by default an owner or admin token
  // first puts the simulator's departments and agents in it).
  bool no_directory = false;
};

// Adds the `simulate` subcommand to `app`, filling `command` when parsed.
CLI::App* add_simulate_command(CLI::App& app, SimulateCommand& command);

// Runs it; returns the process exit code (0: every event accepted, or a dry run).
int run_simulate_command(const SimulateCommand& command);

}  // namespace switchboard::cli
