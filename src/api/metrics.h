// Metrics: Prometheus counters and histograms for the service, rendered in the
// text exposition format at GET /metrics. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Registry;
}

namespace switchboard::api {

// Label values fed by clients are bounded, so that no request can add a
// series (a Prometheus series costs memory for ever):
// The method label: one of the methods the API knows, else "other".
std::string_view method_label(std::string_view method);
// The status label: the exact code for the codes this server sends, else
// its class ("2xx" … "5xx"), or "other" outside 100-599.
std::string status_label(int status);

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // One finished HTTP request. `route` is the matched pattern or
  // "unmatched", never the raw path; method and status are bounded here
  // (method_label, status_label).
  void observe_request(std::string_view method, std::string_view route, int status, double seconds);

  // The delivery engine's running totals (EngineStats), set before a render.
  void set_delivery_totals(std::uint64_t delivered, std::uint64_t failed, std::uint64_t claimed);

  // Cluster mode: the live call relay's totals (PostgresChannel::Stats), set
  // before a render by the hook below.
  void set_live_relay_totals(std::uint64_t sent, std::uint64_t received, std::uint64_t dropped,
                             std::uint64_t reconnects);
  // Called at the start of every render(), to refresh totals kept elsewhere.
  // Add hooks before serving; they run on the rendering thread.
  void add_render_hook(std::function<void()> hook);

  std::string render() const;  // Prometheus text format
  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::api
