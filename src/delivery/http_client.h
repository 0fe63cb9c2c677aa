// HttpClient: outbound HTTPS for deliveries, libcurl multi on threads of its own.
//
// - `loops` event loops, each a thread with one multi handle driving its
//   transfers (curl_multi_poll; submit() wakes it with curl_multi_wakeup): no
//   thread per request. A request runs on the loop its `affinity` picks, so
//   the engine keeps each webhook's transfers, and so its connections, on one
//   loop while different webhooks spread over the cores. Within a loop
//   connections are kept alive and reused per host; DNS results and TLS
//   sessions are shared between its transfers.
// - HTTP/2 when the receiver offers it by ALPN, with many transfers
//   multiplexed on one connection (a transfer waits for a connection being set
//   up to learn whether it can multiplex, instead of opening its own);
//   HTTP/1.1 keep-alive otherwise. Either way each transfer is one concurrent
//   request, so the caller's in-flight bounds mean the same. A response that
//   arrived complete before the request body was sent (a server may answer
//   early and then reset the stream, RFC 9113 §8.1) stands.
// - Easy handles are pooled per loop and configured once; a transfer's
//   headers are one buffer (header_block.h).
// - Redirects are never followed: a 3xx is a failure classified kRedirect.
// - Only https:// (plus http:// when `allow_plain_http`, for tests). TLS peers
//   and host names are verified against the system CA bundle plus `ca_file`
//   (combined into one private temporary file, so that libcurl's CA-store
//   cache applies; the CA directory is not used for the same reason).
// - SSRF: every address libcurl is about to connect to (after DNS) is vetted
//   with ssrf::classify in CURLOPT_OPENSOCKETFUNCTION; a refused address fails
//   the attempt with kRefused. Because the check is on the socket actually
//   opened, DNS rebinding cannot slip a different address in. Proxies from the
//   environment are ignored.
// - The response body is kept up to `max_response_bytes`; beyond that it is
//   read and discarded (so the connection stays reusable) up to
//   kMaxDiscardedResponseBytes more, after which the transfer is cut off (the
//   status already received stands). Response headers are kept up to
//   `max_response_header_bytes`.
// - Mutual TLS (issue 16 item 5): a request may carry a client certificate
//   (the webhook's), presented in the TLS handshake. Easy handles are shared
//   by every webhook of a loop, so each transfer sets its certificate or
//   clears it. libcurl keys connections and TLS sessions on the client
//   certificate (its ssl_primary_config holds the certificate blob), so a
//   connection or session made with one identity is never reused for a
//   request with another or with none (HttpClientTest.ClientIdentitiesNeverShareAConnection).
//
// Thread-safety: submit() may be called from any thread. Callbacks run on the
// client's thread, one at a time: they must be quick and must not call back
// into the client synchronously in a way that waits for another transfer.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "delivery/request_builder.h"
#include "model/client_certificate.h"
#include "model/delivery.h"

namespace switchboard::delivery {

inline constexpr std::size_t kMaxDiscardedResponseBytes = 1024 * 1024;

// Whether a transfer that libcurl ended with `curl_code` (a CURLcode) still
// brought the response whose status decides the attempt: it completed; or its
// body was cut off past the bounds above after the status came; or, over
// HTTP/2, the receiver sent its whole final response before reading the
// request body and then reset the stream (RFC 9113 §8.1 says that response
// stands; nginx's `return 200` does it, and libcurl 7.88 reports the upload it
// could not finish as a stream error).
bool response_stands(int curl_code, long status, bool cut_off);

struct HttpClientOptions {
  bool allow_private_networks = false;  // see ssrf::is_allowed
  bool allow_plain_http = false;        // tests only: permit http:// URLs
  std::filesystem::path ca_file;        // extra CA(s) to trust, in addition to the system bundle
  // The system bundle; empty = libcurl's built-in default. Tests point it elsewhere.
  std::filesystem::path system_ca_file;
  std::size_t max_response_bytes = 64 * 1024;
  std::size_t max_response_header_bytes = 16 * 1024;
  long max_host_connections = 1024;  // concurrent connections to one host
  long max_total_connections = 0;    // 0 = unbounded (the caller bounds transfers in flight)
  // Event-loop threads (requests pinned by HttpRequest::affinity), 1 to
  // kMaxLoops: create() refuses any other count rather than start that many
  // threads (a garbage count once started ~20,000 and hung the server's start).
  int loops = 1;
  static constexpr int kMaxLoops = 16;
  bool http2 = true;  // offer h2 by ALPN (false: HTTP/1.1 only)
};

struct HttpRequest {
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;                          // POSTed as-is
  std::chrono::milliseconds timeout{30000};  // total: connect, TLS, send, wait, read
  bool get = false;                          // send a GET without a body instead (v1 GET webhooks)
  // When set, POSTed instead of `body`, without a copy: the caller keeps it
  // alive and unchanged until the callback has run.
  const std::string* shared_body = nullptr;
  // Requests with the same affinity run on the same loop (the engine passes a
  // hash of the webhook id); the client takes it modulo `loops`.
  std::size_t affinity = 0;
  // Presented for mutual TLS when set (issue 16 item 5).
  std::shared_ptr<const model::ClientCertificate> client_certificate;

  const std::string& payload() const { return shared_body != nullptr ? *shared_body : body; }
};

struct HttpResponse {
  // kNone: a 2xx. kHttpStatus: another non-3xx status. kRedirect: a 3xx.
  // Anything else: no (complete) HTTP response; `status_code` is then empty.
  model::AttemptError error = model::AttemptError::kOther;
  std::optional<int> status_code;
  std::string error_message;  // empty on success
  std::vector<HttpHeader> headers;
  std::string body;  // at most max_response_bytes
  bool body_truncated = false;
  double latency_ms = 0;  // from the start of the transfer to its end

  bool success() const { return error == model::AttemptError::kNone; }
};

// The request that sends `built` (URL, headers and, issue 16 item 5, the
// client certificate) with `body`.
HttpRequest to_http_request(const BuiltRequest& built, std::string body, std::chrono::milliseconds timeout);

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;

  // kInvalidArgument when ca_file (or system_ca_file) cannot be read.
  static Result<std::unique_ptr<HttpClient>> create(HttpClientOptions options);
  // Stops the thread; transfers still running end with kOther ("client stopped").
  virtual ~HttpClient() = default;

  // Starts the request; `callback` runs exactly once, on the client's thread.
  virtual void submit(HttpRequest request, Callback callback) = 0;
  // Transfers submitted whose callback has not started yet.
  virtual std::size_t in_flight() const = 0;
};

// Combines the system CA bundle with an extra CA file into one PEM bundle
// (CURLOPT_CAINFO takes one file; a missing system bundle contributes nothing).
Result<std::string> combined_ca_bundle(const std::filesystem::path& system_bundle,
                                       const std::filesystem::path& extra);

}  // namespace switchboard::delivery
