// DeliveryEngine: moves due deliveries from the store to their endpoints.
//
//   DeliveryQueue (due deliveries) -> Claimer -> Scheduler (lanes, chains)
//     -> HttpClient (libcurl multi) -> ResultRecorder (batched record_attempts)
//
// The engine wires parts that each do one job (each file says more):
// - Claimer (claimer.h, its own thread): claims due work in batches with a
//   lease, when notified and on a timer aimed at next_due_time(); nothing is
//   kept only in memory that the store cannot rebuild after a restart.
//   On a single node (shared_store == false, a store that offers_pending_reads)
//   LocalClaimer (claimer_local.h) takes its place: the pending deliveries are
//   kept in memory (ReadyQueue), loaded at start and fed by wake-ups that carry
//   the new ones; no lease is written, the store is written only for results.
// - Scheduler (scheduler.h, pure, owned by the engine's scheduler thread):
//   what is held, per-webhook lanes (lanes.h: bounded in flight, so a slow or
//   hanging endpoint never delays others) and chains (chains.h). The store
//   hands out only the head of each (webhook, call) chain, with up to
//   `chain_depth` - 1 followers; each follower starts only when the one before
//   it has succeeded, so a busy call costs one store round trip per
//   `chain_depth` events. A failure gives the rest of the chain back untried.
// - WebhookCache (webhook_cache.h, scheduler thread): webhooks by id, trusted
//   for a second.
// - ResultRecorder (recorder.h, its own thread): results and lease releases
//   written in batches.
// - The scheduler thread (engine.cc) runs the loop: take claims and
//   completions, start what may start, hand results to the recorder.
// - Retry policy and health are model functions (model/retry_policy.h), scaled
//   by `time_scale`.
// Time (Clock for stored times, MonotonicClock for waits) and the HttpClient
// are passed in (EngineDeps), so tests run it on a manual clock with a
// scripted client.
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "delivery/http_client.h"
#include "delivery/recorder.h"
#include "delivery/test_slots.h"
#include "delivery/webhook_cache.h"
#include "delivery/webhook_signals.h"
#include "model/webhook.h"
#include "store/store.h"

namespace switchboard::delivery {

struct EngineOptions {
  double time_scale = 1.0;
  bool allow_private_networks = false;         // allow loopback/private targets (dev, tests)
  std::filesystem::path ca_file;               // extra CA to trust (tests' self-signed CA)
  std::chrono::milliseconds timeout{30000};    // total per attempt (NOT scaled)
  std::size_t max_response_bytes = 64 * 1024;  // response body kept for the log
  int max_in_flight = 1024;                    // attempts in flight, all webhooks
  int per_webhook_in_flight = 32;              // attempts in flight to one webhook
  int claim_batch = 1024;                      // most deliveries claimed at once (chain followers included)
  int chain_depth = 32;    // deliveries of one call claimed together (DeliveryQueue::claim_due_deliveries)
  int max_tracked = 4096;  // deliveries held in memory: in flight, queued and chain followers
  std::size_t max_tracked_bytes = 64u << 20;  // their payload bytes (claims stop above this)
  std::chrono::milliseconds lease{120000};    // > timeout: a claimed delivery is ours this long
  // Other nodes share the store (cluster mode): leases at start-up may be
  // theirs, so they are left to expire instead of being cleared.
  bool shared_store = false;
  // Single node only: work from the in-memory ready queue (LocalClaimer) with
  // no lease writes (issue 14). Off: the leased claimer, as in a cluster.
  bool memory_queue = true;
  // HTTP client event loops (threads); each webhook's attempts run on one of
  // them. 0 = one per core, at most 4.
  int client_loops = 0;
  std::string user_agent = "Switchboard-Webhooks/" SWITCHBOARD_VERSION;
  // Told about every committed batch of attempt results (failure alerts); optional.
  RecordedListener* recorded_listener = nullptr;
};

// What DeliveryEngine::drain() left undone.
struct DrainReport {
  // Attempts still in flight at the deadline: not recorded, their leases kept
  // (a restart, or in a cluster another node, delivers them again).
  int abandoned = 0;
};

// The outcome of one test delivery (POST /webhooks/{id}/test).
struct TestDeliveryResult {
  bool delivered = false;
  std::optional<int> status_code;
  std::optional<std::string> error;  // error class and message when not delivered
  double latency_ms = 0;
  // What the receiver answered (sanitized to UTF-8, at most the client's
  // response cap), so the dashboard can show and keep it: a test is not recorded.
  std::string response_body;
  bool response_body_truncated = false;
};

// Counts since start, for /metrics.
struct EngineStats {
  std::uint64_t delivered = 0;  // attempts that succeeded, recorded
  std::uint64_t failed = 0;     // attempts that failed, recorded
  std::uint64_t claimed = 0;    // deliveries claimed from the store (heads and followers)
};

// What the engine works with, passed in. Each must outlive the engine.
struct EngineDeps {
  store::DeliveryQueue& queue;
  WebhookLookup& webhooks;
  const Clock& clock;                  // stored times: claims, leases, attempts
  const MonotonicClock& monotonic;     // waits, webhook cache, lanes, drain
  std::unique_ptr<HttpClient> client;  // sends the attempts; the engine owns it
  // Told of the webhooks a 410 disabled, after the store recorded it (webhook_signals.h); may be null.
  WebhookStatusListener* status_listener = nullptr;
};

class DeliveryEngine {
 public:
  // The production engine: the libcurl-multi HttpClient built from `options`,
  // the steady clock, webhooks read through the store's webhook role.
  // Throws std::invalid_argument when `options.ca_file` cannot be read (start-up configuration).
  // `status_listener` (may be null) hears of webhooks a 410 disabled (webhook_signals.h).
  static std::unique_ptr<DeliveryEngine> create(store::DeliveryQueue& queue, store::WebhookStore& webhooks,
                                                const Clock& clock, EngineOptions options,
                                                WebhookStatusListener* status_listener = nullptr);
  // An engine over the given parts (tests: manual clocks, a scripted client).
  static std::unique_ptr<DeliveryEngine> create(EngineDeps deps, EngineOptions options);
  virtual ~DeliveryEngine() = default;

  virtual void start() = 0;
  // Stops claiming, waits for attempts in flight (up to `drain`) and records their results.
  virtual void stop(std::chrono::milliseconds drain = std::chrono::seconds(10)) = 0;
  // The graceful stop of `serve` (SIGTERM), a separate entry point over
  // stop(): stops claiming, gives back claimed work not started, waits for
  // attempts in flight until `deadline` (on EngineDeps::monotonic), records
  // their results, and reports what it left undone. A later stop() does nothing.
  virtual DrainReport drain(MonotonicTime deadline) = 0;
  // New work may be due now (after ingest, redeliver, replay, enable). On a
  // single node (in-memory queue) this rescans the store for pending work.
  virtual void notify() = 0;
  // These deliveries were just queued (ingest, redelivery): a single-node
  // engine adds them to its in-memory queue without reading the store.
  virtual void notify_queued(std::vector<store::PendingDelivery> queued) {
    (void)queued;
    notify();
  }

  // Delivers `payload` to the webhook once, now, with the usual headers and
  // signatures; records nothing. Never waits on the network: `done` runs once
  // when the attempt ends (on the HTTP client's thread, or on this one before
  // send_test returns when the request cannot be built), and must be quick.
  // Refused, without calling `done`, when the webhook, its company or this
  // node has the most tests in flight (model::limits::kMaxTestsInFlightPer*).
  using TestCallback = std::function<void(TestDeliveryResult)>;
  virtual tl::expected<void, TestRefusal> send_test(const model::Webhook& webhook,
                                                    const std::string& event_id, const std::string& payload,
                                                    TestCallback done) = 0;

  virtual EngineStats stats() const = 0;
};

}  // namespace switchboard::delivery
