// GET /api/v2/live/calls (api.md "Live calls"): the company's call states as
// Server-Sent Events, a snapshot of calls in progress first. The SSE handler
// only: the calls and their watchers are the live::LiveCallHub's.
#include "api/errors.h"
#include "api/handlers.h"
#include "live/live_call_hub.h"
#include "model/error_codes.h"

namespace switchboard::api {

namespace {

using live::LiveCallHub;

// Retry-After of a refused stream: a slot frees when one of the holder's
// streams closes, which the server cannot foresee; this is a polite pace.
constexpr int kStreamRetryAfterSeconds = 5;

Response watch_live_calls(const ApiDeps& deps, RequestContext& ctx) {
  if (!deps.live)
    return error_response(503, error_codes::kUnavailable, "Live calls are not available on this server.");
  auto filter = model::parse_live_call_filter(ctx.request.query_param("numbers").value_or(""),
                                              ctx.request.query_param("department_ids").value_or(""));
  if (!filter) {
    const auto& first = filter.error().errors.front();
    return error_response(400, first.code, first.message, first.field);
  }
  // One slot per stream, taken before the 200 is sent: beyond a bound the
  // client gets a clear 429, never a stream that closes at once.
  const auto& principal = *ctx.principal;
  auto admission =
      deps.live->admit(ctx.company_id(), principal.user ? principal.user->id : principal.token_id);
  if (!admission) {
    const bool per_user = admission.error().scope == LiveCallHub::Refusal::Scope::kUser;
    const std::string limit = std::to_string(admission.error().limit);
    Response r = error_response(
        429, error_codes::kTooManyStreams,
        per_user ? "You already have " + limit + " open live call streams; close one first."
                 : "This company already has " + limit + " open live call streams; close one first.");
    // A slot frees as soon as any of those streams closes.
    r.headers.emplace_back("Retry-After", std::to_string(kStreamRetryAfterSeconds));
    return r;
  }
  Response response;
  response.content_type = "text/event-stream; charset=utf-8";
  // std::function needs a copyable target: the admission is shared (and
  // released when the stream never starts and the response goes).
  response.stream = [live = deps.live,
                     admission = std::make_shared<LiveCallHub::Admission>(std::move(*admission)),
                     filter = std::move(*filter)](std::shared_ptr<StreamSink> sink) mutable {
    live->watch(std::move(*admission), std::move(filter), std::move(sink));
  };
  return response;
}

}  // namespace

void add_live_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/live/calls", model::Action::kWatchLiveCalls,
              [&deps](RequestContext& ctx) { return watch_live_calls(deps, ctx); }});
}

}  // namespace switchboard::api
