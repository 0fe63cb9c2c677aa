// GET /api/v2/calls (issue 17 item 11): the company's recent call history for
// Call Logs, below the live rows: every call with an event accepted since
// `since` (default: the last hour; at most 24 h back), folded into one row
// each (api/call_history.h), newest started first, paged with a cursor. At
// most kMaxCallHistoryEvents events (the newest; `truncated` says when more
// exist) are looked at, and only through the (company_id, created_at) index
// without their payloads (store::ConsoleReads::list_recent_call_event_refs):
// those order and page the calls; then only the page's calls' events are
// read in full (get_events) and folded. The answer is the one folding every
// event of the window would give.
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "api/call_history.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/live_call.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

constexpr int kMaxCallHistoryEvents = 20000;
constexpr auto kDefaultWindow = std::chrono::hours(1);
constexpr auto kMaxWindow = std::chrono::hours(24);
constexpr int kDefaultCalls = 50;
constexpr int kMaxCalls = 200;

json::value optional_time(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}
json::value optional_text(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::object call_json(const CallRecord& r) {
  const auto& c = r.latest;
  return {{"call_id", c.call_id},
          {"state", model::to_string(c.state)},
          {"direction", optional_text(c.direction)},
          {"from", optional_text(c.from)},
          {"to", optional_text(c.to)},
          {"agent_id", optional_text(c.agent_id)},
          {"department_id", optional_text(c.department_id)},
          {"started_at", format_rfc3339(r.started_at)},
          {"answered_at", optional_time(r.answered_at)},
          {"ended_at", optional_time(r.ended_at)},
          {"last_event_at", format_rfc3339(c.at)},
          {"events", r.events}};
}

Response bad(std::string_view field, const std::string& message) {
  return error_response(422, error_codes::kInvalidValue, message, field);
}

Response list_calls(const ApiDeps& deps, RequestContext& ctx) {
  const TimePoint now = deps.clock.now();
  TimePoint since = now - kDefaultWindow;
  if (auto text = ctx.request.query_param("since"); text && !text->empty()) {
    auto parsed = parse_rfc3339(*text);
    if (!parsed) return bad("since", "since must be an RFC 3339 time.");
    if (*parsed < now - kMaxWindow) return bad("since", "since must be within the last 24 hours.");
    since = *parsed;
  }
  int limit = kDefaultCalls;
  if (auto text = ctx.request.query_param("limit"); text && !text->empty()) {
    limit = 0;
    for (char c : *text) {
      if (c < '0' || c > '9' || limit > kMaxCalls) {
        limit = -1;
        break;
      }
      limit = limit * 10 + (c - '0');
    }
    if (limit < 1 || limit > kMaxCalls) return bad("limit", "limit must be between 1 and 200.");
  }
  const std::string cursor(ctx.request.query_param("cursor").value_or(""));
  store::ConsoleReads* reads = console_reads(deps);
  if (!reads)
    return error_response(503, error_codes::kUnavailable, "Call history is not available on this server.");
  auto refs = reads->list_recent_call_event_refs(ctx.company_id(), since, kMaxCallHistoryEvents + 1);
  if (!refs) return error_response(refs.error());
  const bool truncated = refs->size() > static_cast<std::size_t>(kMaxCallHistoryEvents);
  if (truncated) refs->pop_back();  // newest first: the oldest is the one beyond the bound
  std::string next;
  const auto starts = page_call_starts(call_starts(*refs), cursor, limit, next);
  std::vector<std::string> ids;
  for (const auto& call : starts) ids.insert(ids.end(), call.event_ids.begin(), call.event_ids.end());
  auto events = reads->get_events(ctx.company_id(), ids);
  if (!events) return error_response(events.error());
  std::vector<model::LiveCallUpdate> updates;
  updates.reserve(events->size());
  for (const auto& event : *events) {
    boost::system::error_code ec;
    json::value envelope = json::parse(event.payload, ec);
    if (ec || !envelope.is_object()) continue;
    const json::value* data = envelope.get_object().if_contains("data");
    if (!data || !data->is_object()) continue;
    auto update = model::live_call_update(event.type, data->get_object(), event.occurred_at);
    if (!update) continue;
    update->sequence = event.sequence.value_or(0);
    updates.push_back(std::move(*update));
  }
  const auto page = fold_calls(updates);
  json::array data;
  for (const auto& r : page) data.push_back(call_json(r));
  return json_response(200, json::serialize(json::object{{"data", std::move(data)},
                                                         {"next_cursor", optional_text(next)},
                                                         {"since", format_rfc3339(since)},
                                                         {"truncated", truncated}}));
}

}  // namespace

void add_call_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/calls", model::Action::kWatchLiveCalls,
              [&deps](RequestContext& ctx) { return list_calls(deps, ctx); }});
}

}  // namespace switchboard::api
