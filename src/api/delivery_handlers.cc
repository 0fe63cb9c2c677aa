// Delivery operations on one webhook (api.md "Webhooks v2"): failure and
// delivery logs, send test event, manual redelivery and replay.
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/delivery_json.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "model/envelope.h"
#include "model/error_codes.h"
#include "model/event_catalog.h"
#include "model/limits.h"
#include "model/sample_events.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

Response webhook_not_found() {
  return error_response(404, error_codes::kNotFound, "No webhook with this id.");
}

Result<model::Webhook> load_webhook(const ApiDeps& deps, const RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "wh")) return make_error(ErrorCode::kNotFound, "No webhook with this id.");
  return deps.store.get_webhook(ctx.company_id(), id);
}

Response load_error(const Error& error) {
  return error.code == ErrorCode::kNotFound ? webhook_not_found() : error_response(error);
}

std::optional<Response> parse_time_param(const Request& request, std::string_view name,
                                         std::optional<TimePoint>& out) {
  auto value = request.query_param(name);
  if (!value || value->empty()) return std::nullopt;
  out = parse_rfc3339(*value);
  if (!out) {
    return error_response(422, error_codes::kInvalidValue, std::string(name) + " must be an RFC 3339 time.",
                          name);
  }
  return std::nullopt;
}

// The chain heads that the pending ones of `deliveries` wait for (empty when
// the store cannot tell).
Result<std::map<std::string, std::string>> chain_heads(const ApiDeps& deps, const std::string& company_id,
                                                       const std::string& webhook_id,
                                                       const std::vector<model::Delivery>& deliveries) {
  std::vector<std::string> pending;
  for (const auto& d : deliveries) {
    if (d.state == model::DeliveryState::kPending && !d.ordering_key.empty()) pending.push_back(d.id);
  }
  if (!console_reads(deps) || pending.empty()) return std::map<std::string, std::string>{};
  return console_reads(deps)->chain_heads(company_id, webhook_id, pending);
}

Response list_failures(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load_webhook(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto page = parse_page_request(ctx.request);
  if (!page) return page.error();
  store::AttemptQuery query;
  query.company_id = ctx.company_id();
  query.webhook_id = webhook->id;
  query.page = *page;
  if (auto bad = parse_time_param(ctx.request, "since", query.since)) return *bad;
  if (auto bad = parse_time_param(ctx.request, "until", query.until)) return *bad;
  if (auto type = ctx.request.query_param("event_type"); type && !type->empty()) {
    if (!model::find_event_type(*type)) {
      return error_response(422, error_codes::kUnknownEvent,
                            "\"" + std::string(*type) + "\" is not an event type.", "event_type");
    }
    query.event_type = std::string(*type);
  }
  if (auto status = ctx.request.query_param("status"); status && !status->empty()) {
    int code = 0;
    auto [end, ec] = std::from_chars(status->data(), status->data() + status->size(), code);
    if (ec == std::errc() && end == status->data() + status->size() && code >= 100 && code <= 599) {
      query.status_code = code;
    } else {
      auto error = model::parse_attempt_error(*status);
      if (!error || *error == model::AttemptError::kNone) {
        std::string kinds;
        for (auto kind : model::attempt_failure_kinds()) {
          kinds += (kinds.empty() ? "" : ", ") + std::string(model::to_string(kind));
        }
        return error_response(422, error_codes::kInvalidValue,
                              "status must be an HTTP status code or one of " + kinds + ".", "status");
      }
      query.error = *error;
    }
  }
  auto attempts = deps.store.list_failed_attempts(query);
  if (!attempts) return error_response(attempts.error());
  return json_response(
      200, page_response<model::Attempt>(
               *attempts, [](const model::Attempt& a) { return json::value(attempt_json(a, false)); },
               [](const model::Attempt& a) { return a.id; }));
}

Response get_failure(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load_webhook(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  const std::string& attempt_id = ctx.params.at(1);
  auto not_found = [] {
    return error_response(404, error_codes::kNotFound, "No failed attempt with this id.");
  };
  if (!is_valid_id(attempt_id, "att")) return not_found();
  auto attempt = deps.store.get_attempt(ctx.company_id(), webhook->id, attempt_id);
  if (!attempt)
    return attempt.error().code == ErrorCode::kNotFound ? not_found() : error_response(attempt.error());
  return json_response(200, json::serialize(attempt_json(*attempt, true)));
}

Response list_deliveries(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load_webhook(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto page = parse_page_request(ctx.request);
  if (!page) return page.error();
  std::optional<model::DeliveryState> state;
  if (auto text = ctx.request.query_param("state"); text && !text->empty()) {
    state = model::parse_delivery_state(*text);
    if (!state) {
      return error_response(422, error_codes::kInvalidValue,
                            "state must be pending, delivered, exhausted or dropped.", "state");
    }
  }
  auto deliveries = deps.store.list_deliveries(ctx.company_id(), webhook->id, state, *page);
  if (!deliveries) return error_response(deliveries.error());
  auto heads = chain_heads(deps, ctx.company_id(), webhook->id, deliveries->items);
  if (!heads) return error_response(heads.error());
  const int max_attempts = deps.retry_policy.max_attempts;
  return json_response(
      200, page_response<model::Delivery>(
               *deliveries,
               [&](const model::Delivery& d) {
                 auto head = heads->find(d.id);
                 return json::value(delivery_json(
                     d, max_attempts, head == heads->end() ? std::nullopt : std::optional(head->second)));
               },
               [](const model::Delivery& d) { return d.id; }));
}

// GET /api/v2/deliveries/{id}/attempts: the delivery (with what it waits for)
// and its failed attempts, oldest first, each with the request sent (secrets
// masked; the signature headers, which are not secrets, as sent) and the
// response received: the dashboard's attempt timeline and its cURL command.
Response list_delivery_attempts(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  auto not_found = [] { return error_response(404, error_codes::kNotFound, "No delivery with this id."); };
  if (!is_valid_id(id, "dlv")) return not_found();
  if (!console_reads(deps)) {
    return error_response(503, error_codes::kUnavailable,
                          "Attempt timelines are not available on this server.");
  }
  auto delivery = deps.store.get_delivery(ctx.company_id(), id);
  if (!delivery)
    return delivery.error().code == ErrorCode::kNotFound ? not_found() : error_response(delivery.error());
  auto attempts = console_reads(deps)->list_delivery_attempts(ctx.company_id(), id);
  if (!attempts) return error_response(attempts.error());
  auto heads = chain_heads(deps, ctx.company_id(), delivery->webhook_id, {*delivery});
  if (!heads) return error_response(heads.error());
  std::optional<std::string> blocked_by;
  if (auto head = heads->find(id); head != heads->end()) blocked_by = head->second;
  json::array data;
  for (const auto& a : *attempts) data.push_back(attempt_json(a, true));
  return json_response(200,
                       json::serialize(json::object{
                           {"delivery", delivery_json(*delivery, deps.retry_policy.max_attempts, blocked_by)},
                           {"data", std::move(data)}}));
}

Response send_test(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load_webhook(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request, json::object{});
  if (!body) return body.error();
  if (!body->is_object())
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  std::string type = webhook->spec.events.empty() ? "call.answered" : webhook->spec.events.front();
  for (const auto& field : body->get_object()) {
    if (field.key() != "event_type") {
      return error_response(400, error_codes::kUnknownField,
                            "Unknown field \"" + std::string(field.key()) + "\".", field.key());
    }
    if (!field.value().is_string() || !model::find_event_type(field.value().get_string())) {
      return error_response(422, error_codes::kUnknownEvent, "event_type must be one of the event types.",
                            "event_type");
    }
    type = std::string(field.value().get_string());
  }
  if (!deps.engine)
    return error_response(503, error_codes::kUnavailable, "Delivery is not running on this server.");
  const TimePoint now = deps.clock.now();
  model::Event event;
  event.id = new_id("evt", now);
  event.company_id = ctx.company_id();
  event.type = type;
  if (model::find_event_type(type)->sequenced) event.sequence = 1;
  event.created_at = now;
  const std::string payload =
      model::compose_envelope(event, model::to_js_json(model::sample_event_data(type)));
  // The attempt may wait on the receiver for the whole delivery timeout: the
  // answer is deferred, so no worker waits with it.
  auto pending = std::make_shared<PendingResponse>();
  auto started = deps.engine->send_test(
      *webhook, event.id, payload, [pending, event_id = event.id, type](delivery::TestDeliveryResult result) {
        json::object out{
            {"delivered", result.delivered},
            {"status_code", result.status_code ? json::value(*result.status_code) : json::value(nullptr)},
            {"error", result.error ? json::value(*result.error) : json::value(nullptr)},
            {"latency_ms", result.latency_ms},
            {"response_body", result.response_body},
            {"response_body_truncated", result.response_body_truncated},
            {"event_id", event_id},
            {"event_type", type}};
        pending->complete(json_response(200, json::serialize(out)));
      });
  if (!started) {
    const auto& refusal = started.error();
    const std::string retry_after = std::to_string(refusal.retry_after.count());
    Response r = error_response(429, error_codes::kTooManyTests,
                                "This " + refusal.scope + " already has " + std::to_string(refusal.limit) +
                                    " test deliveries in flight; retry after " + retry_after + " s.");
    r.headers.emplace_back("Retry-After", retry_after);
    return r;
  }
  Response response;
  response.pending = std::move(pending);
  return response;
}

Response redeliver(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  auto not_found = [] { return error_response(404, error_codes::kNotFound, "No delivery with this id."); };
  if (!is_valid_id(id, "dlv")) return not_found();
  const TimePoint now = deps.clock.now();
  auto created = deps.store.redeliver(ctx.company_id(), id, new_id("dlv", now), now);
  if (!created)
    return created.error().code == ErrorCode::kNotFound ? not_found() : error_response(created.error());
  if (deps.engine) deps.engine->notify_queued({store::pending_of(*created)});
  return json_response(202, json::serialize(delivery_json(*created, deps.retry_policy.max_attempts)));
}

Response replay(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load_webhook(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  if (!body->is_object())
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  std::optional<TimePoint> since, until;
  model::InputFailure failure;
  for (const auto& field : body->get_object()) {
    if (field.key() != "since" && field.key() != "until") {
      return error_response(400, error_codes::kUnknownField,
                            "Unknown field \"" + std::string(field.key()) + "\".", field.key());
    }
  }
  for (auto [name, target] : {std::pair{"since", &since}, std::pair{"until", &until}}) {
    const json::value* v = body->get_object().if_contains(name);
    if (!v) {
      failure.errors.push_back({name, error_codes::kRequired, std::string(name) + " is required."});
      continue;
    }
    *target = v->is_string() ? parse_rfc3339(v->get_string()) : std::nullopt;
    if (!*target) {
      failure.errors.push_back(
          {name, error_codes::kInvalidValue, std::string(name) + " must be an RFC 3339 time."});
    }
  }
  if (failure.errors.empty() && *since >= *until) {
    failure.errors.push_back({"until", error_codes::kInvalidValue, "until must be after since."});
  }
  if (!failure.errors.empty()) return input_failure_response(failure);
  const TimePoint now = deps.clock.now();
  auto count = deps.store.replay(ctx.company_id(), webhook->id, *since, *until, now,
                                 model::limits::kMaxReplayDeliveries);
  if (!count) return load_error(count.error());
  if (deps.engine && *count > 0) deps.engine->notify();
  return json_response(202, json::serialize(json::object{{"replayed", *count},
                                                         {"limit", model::limits::kMaxReplayDeliveries}}));
}

}  // namespace

void add_delivery_routes(Router& router, const ApiDeps& deps) {
  using model::Action;
  router.add({"GET", "/api/v2/webhooks/{id}/failures", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return list_failures(deps, ctx); }});
  router.add({"GET", "/api/v2/webhooks/{id}/failures/{attempt_id}", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return get_failure(deps, ctx); }});
  router.add({"GET", "/api/v2/webhooks/{id}/deliveries", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return list_deliveries(deps, ctx); }});
  router.add({"POST", "/api/v2/webhooks/{id}/test", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return send_test(deps, ctx); }});
  router.add({"POST", "/api/v2/webhooks/{id}/replay", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return replay(deps, ctx); }});
  router.add({"GET", "/api/v2/deliveries/{id}/attempts", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return list_delivery_attempts(deps, ctx); }});
  router.add({"POST", "/api/v2/deliveries/{id}/redeliver", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return redeliver(deps, ctx); }});
}

}  // namespace switchboard::api
