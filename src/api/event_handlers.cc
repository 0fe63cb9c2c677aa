// Publishing events (api.md "Events"): one event or a batch, acknowledged with
// 202 only after the event and its deliveries are durably stored.
#include <boost/json.hpp>

#include "api/delivery_json.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "common/ids.h"
#include "live/live_call_hub.h"
#include "model/directory.h"
#include "model/event_input.h"
#include "model/event_input_json.h"
#include "model/limits.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxBatch = 1000;

store::NewEvent to_new_event(model::EventInput&& input, const std::string& company_id, TimePoint now) {
  store::NewEvent out;
  out.event.id = new_id("evt", now);
  out.event.company_id = company_id;
  out.event.type = std::move(input.type);
  out.event.sequence_key = std::move(input.sequence_key);
  out.event.occurred_at = input.occurred_at.value_or(now);
  out.event.created_at = now;
  out.event.idempotency_key = std::move(input.idempotency_key);
  out.data_json = std::move(input.data_json);
  out.sequenced = input.sequenced;
  out.attributes = std::move(input.attributes);
  out.enrich_from_directory = model::is_enriched_from_directory(out.event.type);
  return out;
}

// Newly stored call events reach the live call stream (after COMMIT: a
// watcher never sees a call state that was not stored).
void publish_live(const ApiDeps& deps, const store::NewEvent& event,
                  const Result<store::IngestOutcome>& outcome) {
  if (!deps.live || !outcome || outcome->duplicate) return;
  deps.live->publish(event.event.company_id, event.event.type, event.data_json, event.event.occurred_at,
                     outcome->sequence.value_or(0));
}

json::object accepted_json(const store::IngestOutcome& outcome) {
  json::object out{{"event_id", outcome.event_id}};
  out["event_sequence"] = outcome.sequence ? json::value(*outcome.sequence) : json::value(nullptr);
  return out;
}

json::object field_errors_json(const model::InputFailure& failure) {
  json::array errors;
  for (const auto& e : failure.errors) {
    errors.push_back(json::object{{"field", e.field}, {"code", e.code}, {"message", e.message}});
  }
  const auto& first = failure.errors.front();
  return json::object{
      {"error", json::object{{"code", first.code}, {"message", first.message}, {"field", first.field}}},
      {"errors", std::move(errors)}};
}

Response publish_one(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_exact_json_body(ctx.request);
  if (!body) return body.error();
  const TimePoint now = deps.clock.now();
  auto input = model::parse_event(*body, model::OccurredAtRange::around(now, deps.retry_policy));
  if (!input) return input_failure_response(input.error());
  std::vector<store::NewEvent> batch;
  batch.push_back(to_new_event(std::move(*input), ctx.company_id(), now));
  auto stored = deps.store.ingest_events(batch);
  if (!stored) return error_response(stored.error());
  auto& outcome = stored->front();
  if (!outcome) return error_response(outcome.error());
  publish_live(deps, batch.front(), outcome);
  if (deps.engine && outcome->deliveries > 0) deps.engine->notify();
  if (deps.v1_dispatcher && outcome->deliveries > 0) deps.v1_dispatcher->notify();
  return json_response(202, json::serialize(accepted_json(*outcome)));
}

Response publish_batch(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_exact_json_body(ctx.request);
  if (!body) return body.error();
  if (!body->is_object()) return error_response(400, "invalid_body", "The body must be a JSON object.");
  const auto& obj = body->get_object();
  for (const auto& field : obj) {
    if (field.key() != "events") {
      return error_response(400, "unknown_field", "Unknown field \"" + std::string(field.key()) + "\".",
                            field.key());
    }
  }
  const json::value* events = obj.if_contains("events");
  if (!events || !events->is_array()) {
    return error_response(422, "required", "events must be an array of events.", "events");
  }
  const auto& list = events->get_array();
  if (list.empty()) return error_response(422, "required", "events must not be empty.", "events");
  if (list.size() > kMaxBatch) {
    return error_response(422, "too_many", "A batch holds at most 1000 events.", "events");
  }

  const TimePoint now = deps.clock.now();
  const auto accepted = model::OccurredAtRange::around(now, deps.retry_policy);
  std::vector<json::value> results(list.size());
  std::vector<store::NewEvent> valid;
  std::vector<std::size_t> positions;  // index in `list` of each valid event
  valid.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto input = model::parse_event(list[i], accepted);
    if (input && input->data_json.size() > model::limits::kDefaultMaxBodyBytes) {
      // The batch body may be large, but each event keeps the single-event payload limit.
      results[i] = json::object{{"error", json::object{{"code", "payload_too_large"},
                                                       {"message", "This event's data exceeds 262144 bytes."},
                                                       {"field", "events[" + std::to_string(i) + "].data"}}}};
      continue;
    }
    if (!input) {
      auto failure = input.error();
      for (auto& e : failure.errors)
        e.field = "events[" + std::to_string(i) + "]" + (e.field.empty() ? "" : "." + e.field);
      results[i] = field_errors_json(failure);
      continue;
    }
    valid.push_back(to_new_event(std::move(*input), ctx.company_id(), now));
    positions.push_back(i);
  }
  bool any_delivery = false;
  if (!valid.empty()) {
    auto stored = deps.store.ingest_events(valid);
    if (!stored) return error_response(stored.error());
    for (std::size_t j = 0; j < stored->size(); ++j) {
      const auto& outcome = (*stored)[j];
      publish_live(deps, valid[j], outcome);
      if (outcome) {
        results[positions[j]] = accepted_json(*outcome);
        any_delivery = any_delivery || outcome->deliveries > 0;
      } else {
        results[positions[j]] = json::object{
            {"error", json::object{{"code", "unavailable"}, {"message", outcome.error().message}}}};
      }
    }
  }
  if (deps.engine && any_delivery) deps.engine->notify();
  if (deps.v1_dispatcher && any_delivery) deps.v1_dispatcher->notify();
  json::array out(results.begin(), results.end());
  return json_response(202, json::serialize(json::object{{"results", std::move(out)}}));
}

Response get_event(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  auto not_found = [] { return error_response(404, "not_found", "No event with this id."); };
  if (!is_valid_id(id, "evt")) return not_found();
  auto event = deps.store.get_event(ctx.company_id(), id);
  if (!event) return event.error().code == ErrorCode::kNotFound ? not_found() : error_response(event.error());
  auto deliveries = deps.store.list_event_deliveries(ctx.company_id(), id);
  if (!deliveries) return error_response(deliveries.error());
  json::array list;
  for (const auto& d : *deliveries) list.push_back(delivery_json(d));
  // The envelope as stored, byte for byte: a parse and serialize would respell its numbers.
  return json_response(200,
                       "{\"event\":" + event->payload + ",\"deliveries\":" + json::serialize(list) + "}");
}

}  // namespace

void add_event_routes(Router& router, const ApiDeps& deps) {
  router.add({"POST", "/api/v2/events", model::Action::kPublishEvents,
              [&deps](RequestContext& ctx) { return publish_one(deps, ctx); }});
  router.add({"POST", "/api/v2/events/batch", model::Action::kPublishEvents,
              [&deps](RequestContext& ctx) { return publish_batch(deps, ctx); }});
  router.add({"GET", "/api/v2/events/{id}", model::Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return get_event(deps, ctx); }});
}

}  // namespace switchboard::api
