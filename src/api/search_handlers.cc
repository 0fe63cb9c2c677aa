// GET /api/v2/search?q= (issue 17 item 9): find an event by its id, a
// delivery by its id, a call's events by call id, or events by a phone
// number, in the caller's company, with each event's deliveries (so the
// dashboard links straight to them). Every lookup is bounded: ids by primary
// key, call ids by an index, numbers among the company's newest
// store::kSearchNumberScan events.
#include <boost/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/delivery_json.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/search_query.h"
#include "common/time_format.h"
#include "model/error_codes.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

constexpr int kDefaultHits = 20;
constexpr int kMaxHits = 50;

struct Hit {
  store::EventHit event;
  std::string matched_by;  // event_id, delivery_id, call_id, phone_number
};

// "call:c-17" → "c-17" (the id as published); null for an unsequenced event.
json::value call_id_of(std::string_view sequence_key) {
  const auto colon = sequence_key.find(':');
  if (colon == std::string_view::npos) return nullptr;
  return json::value(sequence_key.substr(colon + 1));
}

std::optional<Response> parse_hits_limit(const Request& request, int& limit) {
  auto text = request.query_param("limit");
  if (!text || text->empty()) return std::nullopt;
  int value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || value > kMaxHits) {
      value = -1;
      break;
    }
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > kMaxHits) {
    return error_response(422, error_codes::kInvalidValue,
                          "limit must be between 1 and " + std::to_string(kMaxHits) + ".", "limit");
  }
  limit = value;
  return std::nullopt;
}

// The hits of `q`, newest first, at most `limit`, each event once.
Result<std::vector<Hit>> find(const ApiDeps& deps, const std::string& company_id, const SearchQuery& q,
                              int limit) {
  std::vector<Hit> hits;
  auto add_event = [&](const std::string& event_id, const char* matched_by) -> Result<void> {
    auto event = deps.store.get_event(company_id, event_id);
    if (!event) {
      if (event.error().code == ErrorCode::kNotFound) return {};
      return forward_error(event);
    }
    hits.push_back({{event->id, event->type, event->sequence_key, event->created_at}, matched_by});
    return {};
  };
  if (q.event_id) {
    if (auto added = add_event(q.text, "event_id"); !added) return forward_error(added);
  } else if (q.delivery_id) {
    auto delivery = deps.store.get_delivery(company_id, q.text);
    if (delivery) {
      if (auto added = add_event(delivery->event_id, "delivery_id"); !added) return forward_error(added);
    } else if (delivery.error().code != ErrorCode::kNotFound) {
      return forward_error(delivery);
    }
  } else {
    std::set<std::string> seen;
    auto add_all = [&](Result<std::vector<store::EventHit>> found, const char* matched_by) -> Result<void> {
      if (!found) return forward_error(found);
      for (auto& e : *found) {
        if (static_cast<int>(hits.size()) < limit && seen.insert(e.id).second) {
          hits.push_back({std::move(e), matched_by});
        }
      }
      return {};
    };
    if (q.call_id) {
      // Events keep their call / conversation id with its kind (model::EventInput::sequence_key).
      for (const char* kind : {"call:", "conversation:"}) {
        auto added =
            add_all(console_reads(deps)->find_events_by_call(company_id, kind + q.text, limit), "call_id");
        if (!added) return forward_error(added);
      }
    }
    if (q.phone) {
      auto added =
          add_all(console_reads(deps)->find_events_by_number(company_id, *q.phone, limit), "phone_number");
      if (!added) return forward_error(added);
    }
  }
  return hits;
}

Response search(const ApiDeps& deps, RequestContext& ctx) {
  auto text = ctx.request.query_param("q");
  if (text && text->size() > kMaxSearchText) {
    return error_response(422, error_codes::kTooLong,
                          "Search for at most " + std::to_string(kMaxSearchText) + " characters.", "q");
  }
  auto q = classify_search(text ? *text : std::string_view());
  if (!q) {
    return error_response(422, error_codes::kRequired, "Enter an event id, a call id or a phone number.",
                          "q");
  }
  int limit = kDefaultHits;
  if (auto bad = parse_hits_limit(ctx.request, limit)) return *bad;
  if (!console_reads(deps))
    return error_response(503, error_codes::kUnavailable, "Search is not available on this server.");
  auto hits = find(deps, ctx.company_id(), *q, limit);
  if (!hits) return error_response(hits.error());
  json::array data;
  for (const auto& hit : *hits) {
    auto deliveries = deps.store.list_event_deliveries(ctx.company_id(), hit.event.id);
    if (!deliveries) return error_response(deliveries.error());
    json::array listed;
    for (const auto& d : *deliveries) listed.push_back(delivery_json(d, deps.retry_policy.max_attempts));
    data.push_back(json::object{{"event_id", hit.event.id},
                                {"event_type", hit.event.type},
                                {"call_id", call_id_of(hit.event.sequence_key)},
                                {"created_at", format_rfc3339(hit.event.created_at)},
                                {"matched_by", hit.matched_by},
                                {"deliveries", std::move(listed)}});
  }
  return json_response(200, json::serialize(json::object{{"query", q->text}, {"data", std::move(data)}}));
}

}  // namespace

void add_search_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/search", model::Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return search(deps, ctx); }});
}

}  // namespace switchboard::api
