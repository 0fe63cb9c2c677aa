// Metrics: Prometheus counters and histograms for the service, rendered in the
// text exposition format at GET /metrics. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace switchboard::api {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // One finished HTTP request. `route` is the matched pattern (bounded
  // cardinality), never the raw path.
  void observe_request(std::string_view method, std::string_view route, int status, double seconds);

  std::string render() const;  // Prometheus text format
  prometheus::Registry& registry();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::api
