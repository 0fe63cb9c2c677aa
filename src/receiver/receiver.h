// Receiver: the HTTPS endpoint behind `switchboard receive`, for development
// and tests. It accepts deliveries (Boost.Beast over TLS, HTTP/1.1 keep-alive,
// several I/O threads, bodies up to 1 MiB), verifies every signature scheme
// (receiver/verify.h), records what it got, and answers as told: a fixed
// status, 500 for the first N requests, after a delay (for all or the first N
// requests), or never. It counts how many deliveries were open at once.
//
// Only POST requests are deliveries. GET answers 200 with the counts
// ({"received":N,"verified":N,"failed":N}), a probe for scripts; other
// methods get 405. Neither is recorded. Delays and hangs use timers, so one slow answer never holds up
// another connection.
//
// Thread-safety: every public method may be called from any thread, except
// that stop() (and the destructor) must not be called from on_event, which
// runs on the I/O threads, possibly several at once; keep it short.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace switchboard::receiver {

struct ReceivedEvent {
  std::string event_id;  // the envelope's event_id ("" when the body is not an envelope)
  std::string event_type;
  int attempt = 0;  // X-MO-Delivery-Attempt; 0 when missing or invalid
  std::optional<long long> sequence;
  std::string call_id;
  bool signatures_ok = false;       // every check passed (signatures unchecked without secrets)
  bool signatures_checked = false;  // false when no secret is configured
  std::vector<std::string> signature_errors;
  int status = 0;      // the status answered (or about to be, after delay_ms); 0 when hanging
  std::string target;  // the request target: path and query string as received
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  long long received_unix_us = 0;  // wall-clock receive time (latency measurements across processes)
  std::chrono::steady_clock::time_point received_at;
};

struct ReceiverOptions {
  std::string listen = "127.0.0.1:9443";  // host:port or [v6]:port; port 0 picks a free port
  // Both empty: generate a self-signed pair in memory (see tls_identity.h).
  std::filesystem::path cert, key;
  std::filesystem::path cert_out;    // when set, the certificate PEM is written here
  std::vector<std::string> secrets;  // whsec_… or raw secrets; a delivery verifies if any matches
  int status = 200;                  // the answer to deliveries
  int fail_first = 0;                // answer 500 to the first N requests (counted across connections)
  int fail_status = 500;             // what fail_first answers (e.g. 429, 503, 410)
  std::string retry_after;           // when set, a Retry-After header on every 429 and 503 answer
  int delay_ms = 0;                  // wait this long before answering
  int delay_first = 0;               // delay only the first N deliveries (0: every one)
  bool hang = false;                 // never answer; overrides status, fail_first and delay_ms
  bool plain_http = false;           // no TLS; for tests only
  bool quiet = false;                // run_receiver: no line per request
  // Largest clock skew accepted for X-MO-Timestamp / webhook-timestamp;
  // nullopt disables the check (time-scaled tests).
  std::optional<std::chrono::seconds> timestamp_tolerance = std::chrono::minutes(5);
  int io_threads = 2;
  std::size_t max_kept_events = 10000;  // events() keeps the most recent ones; count() counts all
  // Called for each delivery once verified, with the status it is about to be answered (0: hang).
  std::function<void(const ReceivedEvent&)> on_event;
};

class Receiver {
 public:
  // Loads or generates the certificate, binds and starts the I/O threads.
  // kInvalidArgument for bad options or certificate files; kUnavailable when
  // the address cannot be bound or cert_out cannot be written.
  static Result<std::unique_ptr<Receiver>> start(const ReceiverOptions& options);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::uint16_t port() const;
  std::string cert_pem() const;  // "" with plain_http
  // "https://127.0.0.1:PORT" (http:// with plain_http).
  std::string url() const;

  std::size_t count() const;     // deliveries received
  std::size_t verified() const;  // of those, how many passed every check
  // The most deliveries open at once so far: received and not yet answered
  // (waiting out delay_ms, or hung until the client gave up). What a client's
  // concurrency limit looks like from here (tests of max_in_flight).
  std::size_t max_open() const;
  std::vector<ReceivedEvent> events() const;
  // Blocks until at least `count` deliveries were received (true) or the timeout passed (false).
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

  // Stops at once: closes the listener and every connection (pending delayed
  // or hung answers are dropped) and joins the I/O threads. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit Receiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `switchboard receive`: starts a Receiver, prints "Receiving on https://HOST:PORT"
// (flushed), then one JSON line per delivery on stdout unless quiet:
//   {"event_id":"evt_…","event_type":"call.answered","attempt":1,"sequence":3,"call_id":"…",
//    "signatures":"ok"|"failed"|"unchecked","errors":[…],"status":200|null,"duplicate":false,"bytes":N}
// until SIGINT or SIGTERM; then prints "received N, verified N, failed N" and
// returns 0. Returns 1 (after a message on stderr) when it cannot start.
int run_receiver(const ReceiverOptions& options);

}  // namespace switchboard::receiver
