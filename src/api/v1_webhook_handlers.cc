// Calling webhooks v1 routes (api.md "Calling webhooks v1", spec §6): the
// legacy subscriptions, beside v2 and with its RBAC (Action::kManageWebhooks).
// Every answer carries Deprecation and Sunset headers; past the sunset date a
// Warning header and a `warning` field say what the server does with v1.
#include <boost/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/v1_webhook.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::array params_json(const std::vector<model::V1Param>& params) {
  json::array out;
  for (const model::V1Param& p : params)
    out.push_back(json::object{{"key", p.key}, {"value", model::kMaskedSecret}});
  return out;
}

json::object v1_webhook_json(const model::V1Webhook& w) {
  json::array fields;
  for (const std::string& f : w.spec.fields) fields.emplace_back(f);
  return json::object{{"id", w.id},
                      {"type", model::to_string(w.spec.type)},
                      {"url", w.spec.url},
                      {"method", model::to_string(w.spec.method)},
                      {"headers", params_json(w.spec.headers)},
                      {"query", params_json(w.spec.query)},
                      {"fields", std::move(fields)},
                      {"enabled", w.spec.enabled},
                      {"created_at", format_rfc3339(w.created_at)},
                      {"updated_at", format_rfc3339(w.updated_at)}};
}

json::object v1_delivery_json(const model::V1Delivery& d) {
  json::value status = nullptr;
  if (d.last_status_code) status = *d.last_status_code;
  json::value error = nullptr;
  if (!d.last_error.empty()) error = d.last_error;
  return json::object{{"id", d.id},
                      {"webhook_id", d.webhook_id},
                      {"event_id", d.event_id},
                      {"event_type", d.event_type},
                      {"state", model::to_string(d.state)},
                      {"attempts", d.attempts},
                      {"next_attempt_at", d.state == model::V1DeliveryState::kPending
                                              ? json::value(format_rfc3339(d.next_attempt_at))
                                              : json::value(nullptr)},
                      {"last_status_code", std::move(status)},
                      {"last_error", std::move(error)},
                      {"created_at", format_rfc3339(d.created_at)},
                      {"updated_at", format_rfc3339(d.updated_at)}};
}

// Empty before the sunset; after it, what the server does with v1.
std::string sunset_warning(const ApiDeps& deps) {
  if (deps.clock.now() < model::v1_sunset_time()) return {};
  return deps.v1_stop_after_sunset ? "Calling webhooks v1 passed its sunset on 2026-07-31; this "
                                     "server no longer sends v1 "
                                     "deliveries (--v1-after-sunset stop). Move to /api/v2/webhooks."
                                   : "Calling webhooks v1 passed its sunset on 2026-07-31; "
                                     "deliveries continue for now "
                                     "(--v1-after-sunset continue). Move to /api/v2/webhooks.";
}

// Deprecation/Sunset/Link on every v1 answer; past the sunset a Warning header,
// and a `warning` field in JSON object bodies.
Response with_v1_headers(const ApiDeps& deps, Response response) {
  response.headers.emplace_back("Deprecation", model::v1_deprecation_header());
  response.headers.emplace_back("Sunset", std::string(model::kV1SunsetHttpDate));
  response.headers.emplace_back("Link", "</api/v2/webhooks>; rel=\"successor-version\"");
  const std::string warning = sunset_warning(deps);
  if (warning.empty()) return response;
  response.headers.emplace_back("Warning", "299 - \"" + warning + "\"");
  if (response.content_type == "application/json" && !response.body.empty()) {
    boost::system::error_code ec;
    json::value body = json::parse(response.body, ec);
    if (!ec && body.is_object()) {
      body.get_object()["warning"] = warning;
      response.body = json::serialize(body);
    }
  }
  return response;
}

Response not_found() { return error_response(404, error_codes::kNotFound, "No v1 webhook with this id."); }

Result<model::V1Webhook> load(const ApiDeps& deps, const RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "v1wh")) return make_error(ErrorCode::kNotFound, "No v1 webhook with this id.");
  return deps.store.get_v1_webhook(ctx.company_id(), id);
}

Response load_error(const Error& error) {
  return error.code == ErrorCode::kNotFound ? not_found() : error_response(error);
}

Response webhook_response(int status, const model::V1Webhook& w) {
  return json_response(status, json::serialize(v1_webhook_json(w)));
}

Response list_webhooks(const ApiDeps& deps, RequestContext& ctx) {
  auto page = parse_page_request(ctx.request);
  if (!page) return page.error();
  auto list = deps.store.list_v1_webhooks(ctx.company_id(), *page);
  if (!list) return error_response(list.error());
  return json_response(200,
                       page_response<model::V1Webhook>(
                           *list, [](const model::V1Webhook& w) { return json::value(v1_webhook_json(w)); },
                           [](const model::V1Webhook& w) { return w.id; }));
}

Response create_webhook(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto spec = model::parse_v1_webhook_create(*body);
  if (!spec) return input_failure_response(spec.error());
  const TimePoint now = deps.clock.now();
  model::V1Webhook webhook{new_id("v1wh", now), ctx.company_id(), std::move(*spec), now, now};
  if (auto stored = deps.store.create_v1_webhook(webhook); !stored) return error_response(stored.error());
  return webhook_response(201, webhook);
}

Response patch_webhook(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  std::vector<std::string> kept;
  auto spec = model::parse_v1_webhook_patch(*body, webhook->spec, &kept);
  if (!spec) return input_failure_response(spec.error());
  // Stored header/query values never follow the URL to another origin unasked.
  std::vector<model::FieldError> reenter =
      model::v1_credentials_for_new_origin(webhook->spec.url, *spec, kept);
  if (!reenter.empty()) {
    return input_failure_response(
        model::InputFailure{model::InputFailure::Kind::kInvalid, std::move(reenter)});
  }
  webhook->spec = std::move(*spec);
  webhook->updated_at = deps.clock.now();
  if (auto stored = deps.store.update_v1_webhook(*webhook); !stored) return load_error(stored.error());
  return webhook_response(200, *webhook);
}

Response set_enabled(const ApiDeps& deps, RequestContext& ctx, bool enabled) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  if (webhook->spec.enabled == enabled) return webhook_response(200, *webhook);  // idempotent
  webhook->spec.enabled = enabled;
  webhook->updated_at = deps.clock.now();
  if (auto stored = deps.store.update_v1_webhook(*webhook); !stored) return load_error(stored.error());
  if (enabled && deps.v1_dispatcher) deps.v1_dispatcher->notify();
  return webhook_response(200, *webhook);
}

Response delete_webhook(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  if (auto removed = deps.store.delete_v1_webhook(ctx.company_id(), webhook->id); !removed) {
    return load_error(removed.error());
  }
  return no_content();
}

Response list_deliveries(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto page = parse_page_request(ctx.request);
  if (!page) return page.error();
  std::optional<model::V1DeliveryState> state;
  if (auto text = ctx.request.query_param("state")) {
    state = model::parse_v1_delivery_state(*text);
    if (!state) {
      return error_response(400, error_codes::kInvalidState, "state must be pending, delivered or dropped.",
                            "state");
    }
  }
  auto list = deps.store.list_v1_deliveries(ctx.company_id(), webhook->id, state, *page);
  if (!list) return error_response(list.error());
  return json_response(200,
                       page_response<model::V1Delivery>(
                           *list, [](const model::V1Delivery& d) { return json::value(v1_delivery_json(d)); },
                           [](const model::V1Delivery& d) { return d.id; }));
}

}  // namespace

void add_v1_webhook_routes(Router& router, const ApiDeps& deps) {
  using model::Action;
  auto route = [&router, &deps](const char* method, const char* path,
                                Response (*fn)(const ApiDeps&, RequestContext&)) {
    router.add({method, path, Action::kManageWebhooks,
                [&deps, fn](RequestContext& ctx) { return with_v1_headers(deps, fn(deps, ctx)); }});
  };
  route("GET", "/api/v1/webhooks", list_webhooks);
  route("POST", "/api/v1/webhooks", create_webhook);
  route("GET", "/api/v1/webhooks/{id}", [](const ApiDeps& d, RequestContext& ctx) {
    auto webhook = load(d, ctx);
    if (!webhook) return load_error(webhook.error());
    return webhook_response(200, *webhook);
  });
  route("PATCH", "/api/v1/webhooks/{id}", patch_webhook);
  route("DELETE", "/api/v1/webhooks/{id}", delete_webhook);
  route("POST", "/api/v1/webhooks/{id}/enable",
        [](const ApiDeps& d, RequestContext& ctx) { return set_enabled(d, ctx, true); });
  route("POST", "/api/v1/webhooks/{id}/disable",
        [](const ApiDeps& d, RequestContext& ctx) { return set_enabled(d, ctx, false); });
  route("GET", "/api/v1/webhooks/{id}/deliveries", list_deliveries);
}

}  // namespace switchboard::api
