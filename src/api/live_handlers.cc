// GET /api/v2/live/calls (api.md "Live calls"): the company's call states as
// Server-Sent Events, a snapshot of calls in progress first.
#include "api/errors.h"
#include "api/handlers.h"
#include "api/live_calls.h"

namespace switchboard::api {

namespace {

Response watch_live_calls(const ApiDeps& deps, RequestContext& ctx) {
  if (!deps.live) return error_response(503, "unavailable", "Live calls are not available on this server.");
  auto filter = model::parse_live_call_filter(ctx.request.query_param("numbers").value_or(""),
                                              ctx.request.query_param("department_ids").value_or(""));
  if (!filter) {
    const auto& first = filter.error().errors.front();
    return error_response(400, first.code, first.message, first.field);
  }
  if (!deps.live->has_room(ctx.company_id())) {
    return error_response(429, "too_many_streams",
                          "This company already has the most open live call streams; close one first.");
  }
  Response response;
  response.content_type = "text/event-stream; charset=utf-8";
  response.stream = [live = deps.live, company_id = ctx.company_id(),
                     filter = std::move(*filter)](std::shared_ptr<StreamSink> sink) mutable {
    // A race with another watcher past the limit closes this stream at once.
    (void)live->watch(company_id, std::move(filter), std::move(sink));
  };
  return response;
}

}  // namespace

void add_live_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/live/calls", model::Action::kWatchLiveCalls,
              [&deps](RequestContext& ctx) { return watch_live_calls(deps, ctx); }});
}

}  // namespace switchboard::api
