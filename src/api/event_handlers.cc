// Publishing events (api.md "Events"): one event or a batch, parsed and
// validated here, handed to the ingest pipeline (ingest/ingestor.h), and
// acknowledged with 202 only after the event and its deliveries are durably
// stored.
#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <memory>

#include "api/delivery_json.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "common/ids.h"
#include "common/json_text.h"
#include "ingest/ingestor.h"
#include "model/error_codes.h"
#include "model/event_input.h"
#include "model/event_input_json.h"
#include "model/limits.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

// {"event_id":"evt_…","event_sequence":N|null}, appended to `out`: a batch
// answers one per event, so no JSON object is built and serialized for each.
void append_accepted(std::string& out, const store::IngestOutcome& outcome) {
  out += "{\"event_id\":";
  append_json_string(out, outcome.event_id);
  out += ",\"event_sequence\":";
  out += outcome.sequence ? std::to_string(*outcome.sequence) : "null";
  out += '}';
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

// The answer to publishing one event, once the store has answered.
Response accepted_one(const Result<ingest::IngestResults>& stored) {
  if (!stored) return error_response(stored.error());
  const auto& outcome = stored->front();
  if (!outcome) return error_response(outcome.error());
  std::string body;
  append_accepted(body, *outcome);
  return json_response(202, std::move(body));
}

// 429 `ingest_busy`: the company's events waiting for the store are at the
// bound (ingest::Ingestor::admit); nothing of this request was stored.
Response ingest_busy(const ingest::InFlightBound::Busy& busy) {
  Response r = error_response(
      429, error_codes::kIngestBusy,
      std::to_string(busy.in_flight) + " of this company's events are waiting to be stored (at most " +
          std::to_string(busy.limit) + "); nothing of this request was stored. Retry after 1 s.");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// The parsed body lives only while its handler runs (what is kept is copied
// into model::EventInput), so it is allocated from one arena: no malloc/free
// per JSON node, nothing to free node by node after.
constexpr std::size_t kBodyArenaFirstBlock = 4096;

Response publish_one(const ApiDeps& deps, RequestContext& ctx) {
  std::array<unsigned char, kBodyArenaFirstBlock> first_block;
  json::monotonic_resource arena(first_block.data(), first_block.size());
  auto body = parse_exact_json_body(ctx.request, &arena);
  if (!body) return body.error();
  const TimePoint now = deps.clock.now();
  auto input = model::parse_event(*body, model::OccurredAtRange::around(now, deps.retry_policy));
  if (!input) return input_failure_response(input.error());
  std::vector<model::EventInput> one;
  one.push_back(std::move(*input));
  auto admitted = deps.ingestor->admit(ctx.company_id(), 1);
  if (!admitted) return ingest_busy(admitted.error());
  // Answered from the COMMIT that made the event durable: no thread waits
  // for it meanwhile. The admission is given back with the answer.
  auto pending = std::make_shared<PendingResponse>();
  deps.ingestor->ingest_async(ctx.company_id(), std::move(one), now,
                              [pending, ticket = std::make_shared<ingest::InFlightBound::Ticket>(std::move(
                                            *admitted))](const Result<ingest::IngestResults>& stored) {
                                ticket->release();
                                pending->complete(accepted_one(stored));
                              });
  Response deferred;
  deferred.pending = std::move(pending);
  return deferred;
}

Response publish_batch(const ApiDeps& deps, RequestContext& ctx) {
  // Its nodes take about as many bytes as the body's text.
  json::monotonic_resource arena(std::max(ctx.request.body.size(), kBodyArenaFirstBlock));
  auto body = parse_exact_json_body(ctx.request, &arena);
  if (!body) return body.error();
  if (!body->is_object()) {
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  }
  const auto& obj = body->get_object();
  for (const auto& field : obj) {
    if (field.key() != "events") {
      return error_response(400, error_codes::kUnknownField,
                            "Unknown field \"" + std::string(field.key()) + "\".", field.key());
    }
  }
  const json::value* events = obj.if_contains("events");
  if (!events || !events->is_array()) {
    return error_response(422, error_codes::kRequired, "events must be an array of events.", "events");
  }
  const auto& list = events->get_array();
  if (list.empty()) return error_response(422, error_codes::kRequired, "events must not be empty.", "events");
  if (list.size() > model::limits::kMaxEventsPerBatch) {
    return error_response(
        422, error_codes::kTooMany,
        "A batch holds at most " + std::to_string(model::limits::kMaxEventsPerBatch) + " events.", "events");
  }

  const TimePoint now = deps.clock.now();
  const auto accepted = model::OccurredAtRange::around(now, deps.retry_policy);
  std::vector<json::value> results(list.size());  // the refused events' answers (null: see `stored`)
  std::vector<model::EventInput> valid;
  std::vector<std::size_t> positions;  // index in `list` of each valid event
  valid.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto input = model::parse_event(list[i], accepted);
    if (input && input->data_json.size() > model::limits::kMaxEventDataBytes) {
      // The batch body may be large, but each event keeps the single-event payload limit.
      results[i] = json::object{
          {"error",
           json::object{{"code", error_codes::kPayloadTooLarge},
                        {"message", "This event's data exceeds " +
                                        std::to_string(model::limits::kMaxEventDataBytes) + " bytes."},
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
    valid.push_back(std::move(*input));
    positions.push_back(i);
  }
  // The store's answer for each valid event, by its index in `list`.
  std::vector<const store::IngestOutcome*> stored_at(list.size(), nullptr);
  Result<ingest::IngestResults> stored = ingest::IngestResults{};
  if (!valid.empty()) {
    auto admitted = deps.ingestor->admit(ctx.company_id(), valid.size());
    if (!admitted) return ingest_busy(admitted.error());
    stored = deps.ingestor->ingest(ctx.company_id(), std::move(valid), now);
    admitted->release();
    if (!stored) return error_response(stored.error());
    for (std::size_t j = 0; j < stored->size(); ++j) {
      const auto& outcome = (*stored)[j];
      if (outcome) {
        stored_at[positions[j]] = &*outcome;
      } else {
        results[positions[j]] = json::object{{"error", json::object{{"code", error_codes::kUnavailable},
                                                                    {"message", outcome.error().message}}}};
      }
    }
  }
  std::string out = "{\"results\":[";
  out.reserve(list.size() * 64);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ',';
    if (stored_at[i]) {
      append_accepted(out, *stored_at[i]);
    } else {
      out += json::serialize(results[i]);
    }
  }
  out += "]}";
  return json_response(202, std::move(out));
}

Response get_event(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  auto not_found = [] { return error_response(404, error_codes::kNotFound, "No event with this id."); };
  if (!is_valid_id(id, "evt")) return not_found();
  auto event = deps.store.get_event(ctx.company_id(), id);
  if (!event) return event.error().code == ErrorCode::kNotFound ? not_found() : error_response(event.error());
  auto deliveries = deps.store.list_event_deliveries(ctx.company_id(), id);
  if (!deliveries) return error_response(deliveries.error());
  json::array list;
  for (const auto& d : *deliveries) list.push_back(delivery_json(d, deps.retry_policy.max_attempts));
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
