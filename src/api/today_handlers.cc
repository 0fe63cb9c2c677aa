// Home's "events today" (issue 17 item 7):
//   GET /api/v2/stats/today
// How many events the company's publishers got accepted since the start of
// the current day in UTC (companies have no time zone of their own), counted
// by the store over the (company_id, created_at) index
// (store::ConsoleReads::count_events_since); never by reading the events.
// Readable by whoever may read webhook statistics (model::Action::kManageWebhooks:
// owners, admins, and managers when the owner lets them manage webhooks).
#include <boost/json.hpp>
#include <chrono>

#include "api/errors.h"
#include "api/handlers.h"
#include "common/time_format.h"
#include "model/error_codes.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

Response events_today(const ApiDeps& deps, RequestContext& ctx) {
  store::ConsoleReads* reads = console_reads(deps);
  if (!reads)
    return error_response(503, error_codes::kUnavailable, "Event counts are not available on this server.");
  const TimePoint now = deps.clock.now();
  const TimePoint since = std::chrono::floor<std::chrono::days>(now);
  auto count = reads->count_events_since(ctx.company_id(), since);
  if (!count) return error_response(count.error());
  return json_response(200, json::serialize(json::object{
                                {"events", *count}, {"since", format_rfc3339(since)}, {"time_zone", "UTC"}}));
}

}  // namespace

void add_today_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/stats/today", model::Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return events_today(deps, ctx); }});
}

}  // namespace switchboard::api
