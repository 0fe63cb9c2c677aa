// Api: the HTTP contract of api.md, independent of any transport.
// handle() authenticates the bearer token (refusing revoked and expired
// tokens and deactivated users' with 401; looked up in the store on every
// request, never cached, so a revocation holds on every node at once), applies the token's rate limit
// (429 with Retry-After), checks the route's Action against the caller's role
// (model/rbac.h), runs the handler and returns the response.
// Handlers scope every object to the caller's company, so another company's
// object answers 404.
//
// Thread-safety: handle() may be called from many threads at once; it may
// block on the store (group commit), so call it from a worker pool, not from
// an I/O thread. handle_inline() never blocks: the transport calls it on its
// I/O thread first, and handle() on a worker only when it declines.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "api/http_types.h"
#include "api/router.h"
#include "api/token_usage.h"
#include "common/clock.h"
#include "delivery/engine.h"
#include "delivery/v1_dispatcher.h"
#include "ingest/ingestor.h"
#include "model/rate_limit.h"
#include "model/retention_limits.h"
#include "model/retry_policy.h"
#include "store/store.h"

namespace switchboard::live {
class LiveCallHub;
}  // namespace switchboard::live

namespace switchboard::alerts {
class AlertMonitor;
}  // namespace switchboard::alerts

namespace switchboard::api {

class Metrics;
class Readiness;
class RecoverRunner;

struct ApiDeps {
  store::Store& store;
  const Clock& clock;
  Metrics* metrics = nullptr;                  // optional
  delivery::DeliveryEngine* engine = nullptr;  // optional: no delivery without it (tests of the API alone)
  std::filesystem::path web_root = {};         // the dashboard's built files; empty: none (a plain page at /)
  delivery::V1Dispatcher* v1_dispatcher = nullptr;  // optional: calling webhooks v1 delivery
  bool v1_stop_after_sunset = false;                // serve --v1-after-sunset stop
  live::LiveCallHub* live = nullptr;                // optional: GET /api/v2/live/calls answers 503 without it
  // Per-token limits: publishing events (POST /events, /events/batch) and
  // every other authenticated route; unlimited by default.
  model::RateLimit ingest_rate_limit = {};
  model::RateLimit rate_limit = {};
  // The v2 delivery policy, scaled by serve --time-scale: ingest bounds
  // occurred_at by its window (model::OccurredAtRange).
  model::RetryPolicy retry_policy = model::RetryPolicy::v2();
  // Publishing events goes through it (stamping, the store, after-commit
  // notifications); optional: without it the Api ingests over `store` and
  // tells nobody.
  ingest::Ingestor* ingestor = nullptr;
  // What GET /api/ready answers (api/health_probe.h); optional: without it the
  // API is always ready (an Api built directly, in tests).
  const Readiness* readiness = nullptr;
  // The retention of companies without their own (serve --retention);
  // GET/PATCH /api/v2/retention show it.
  std::chrono::seconds default_retention = model::limits::kDefaultRetention;
  // Failure alerts (src/alerts/): test e-mails go through its outbox; optional
  // (without it POST /alert-channels/{id}/test of an e-mail channel answers 503).
  alerts::AlertMonitor* alert_monitor = nullptr;
};

class Api {
 public:
  explicit Api(ApiDeps deps);
  ~Api();

  Response handle(const Request& request) const;
  // The answer when it can be given at once without blocking: no route for
  // the path or method (404, 405), or a public route whose QuickHandler
  // answers (the health check while its last ping is recent). nullopt: the
  // request needs handle().
  std::optional<Response> handle_inline(const Request& request) const;

  // The route table (tests compare it with the OpenAPI document).
  const Router& router() const { return router_; }

 private:
  // 404 or 405 (with Allow) for a request no route takes.
  static Response no_route(const Router::Match& match, const Request& request);
  // Records the request's metrics and returns `response`.
  Response finish(const Request& request, std::string_view route_name,
                  std::chrono::steady_clock::time_point started, Response response) const;
  Response authenticate_and_run(const Route& route, const Request& request,
                                std::vector<std::string> params) const;
  // The 429 answer when the token is over its limit for this kind of route.
  std::optional<Response> rate_limit(model::Action action, const model::Principal& principal) const;

  std::unique_ptr<ingest::Ingestor> own_ingestor_;  // when ApiDeps has none
  ApiDeps deps_;
  Router router_;
  mutable model::RateLimiter rate_limiter_;
  // last_used_at of tokens, written off the request path (declared last: its
  // thread stops, writing what is queued, before the rest goes).
  mutable TokenUsageRecorder token_usage_;
  // Recover jobs, run off the request path (declared after the router whose
  // routes use it: its thread stops first).
  std::unique_ptr<RecoverRunner> recover_runner_;
};

}  // namespace switchboard::api
