// V1Dispatcher: sends calling-webhook v1 deliveries (spec §6), beside the v2
// DeliveryEngine and independent of it.
//
//   store (due v1 deliveries, leased) -> legacy request (model/v1_webhook.h)
//     -> its own HttpClient (same SSRF and TLS options as v2)
//     <- results (Store::record_v1_attempts): delivered, retry, or dropped
//
// One scheduler thread claims due work when notified and on a timer aimed at
// Store::next_v1_due_time(); everything it needs is in the store, so a
// restart loses nothing (leases expire). Retries follow RetryPolicy::v1
// (1 + 3 attempts, 30 s apart, scaled by time_scale); a dropped event is
// logged (warn) and stays listed with state `dropped`.
// Time (Clock, MonotonicClock) and the HttpClient may be passed in (create()).
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "delivery/http_client.h"
#include "store/store.h"

namespace switchboard::delivery {

struct V1DispatcherOptions {
  double time_scale = 1.0;
  bool allow_private_networks = false;
  std::filesystem::path ca_file;
  std::chrono::milliseconds timeout{30000};  // per attempt, not scaled
  int claim_batch = 64;                      // also the most attempts in flight
  std::chrono::milliseconds lease{120000};   // > timeout
  std::string user_agent = "Switchboard-Webhooks/" SWITCHBOARD_VERSION;
};

// The request one v1 delivery makes (pure): POST with the legacy JSON body, or
// GET with the selected fields as query parameters; the webhook's query
// parameters and headers added. kInvalidArgument when the payload or URL is malformed.
Result<HttpRequest> build_v1_request(const store::V1DueDelivery& due, const std::string& user_agent);

class V1Dispatcher {
 public:
  // kInvalidArgument when `ca_file` cannot be read.
  static Result<std::unique_ptr<V1Dispatcher>> create(store::V1Queue& queue, const Clock& clock,
                                                      V1DispatcherOptions options);
  // Over the given clocks and client (tests: manual time, a scripted client).
  static std::unique_ptr<V1Dispatcher> create(store::V1Queue& queue, const Clock& clock,
                                              const MonotonicClock& monotonic,
                                              std::unique_ptr<HttpClient> client,
                                              V1DispatcherOptions options);
  virtual ~V1Dispatcher() = default;

  virtual void start() = 0;
  // Stops claiming and waits (up to `drain`) for attempts in flight, recording them.
  virtual void stop(std::chrono::milliseconds drain = std::chrono::seconds(10)) = 0;
  // New v1 work may be due now (after ingest).
  virtual void notify() = 0;
};

}  // namespace switchboard::delivery
