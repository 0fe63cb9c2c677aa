// Public and catalog routes: health (liveness), readiness, metrics, the OpenAPI document, event
// types, and the dashboard's files.
#include <boost/json.hpp>
#include <memory>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/health_probe.h"
#include "api/metrics.h"
#include "api/openapi_json.h"
#include "api/static_files.h"
#include "model/error_codes.h"
#include "model/event_catalog.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

std::string event_types_body() {
  json::array groups;
  for (const auto& group : model::event_groups()) {
    json::array events;
    for (const auto& info : model::event_catalog()) {
      if (info.group != group.name) continue;
      events.push_back(json::object{{"type", info.type},
                                    {"label", info.label},
                                    {"description", info.description},
                                    {"sequenced", info.sequenced}});
    }
    groups.push_back(
        json::object{{"name", group.name}, {"label", group.label}, {"events", std::move(events)}});
  }
  return json::serialize(json::object{{"groups", std::move(groups)}});
}

}  // namespace

void add_system_routes(Router& router, const ApiDeps& deps) {
  // The health check pings the store; while the last ping is recent
  // (api/health_probe.h) it is answered on the I/O thread without one.
  auto probe = std::make_shared<HealthProbe>();
  static constexpr std::string_view kHealthy =
      R"({"status":"ok","store":"ok","version":")" SWITCHBOARD_VERSION "\"}";
  router.add({"GET", "/api/health", std::nullopt,
              [&deps, probe](RequestContext&) {
                const TimePoint started = deps.clock.now();
                auto ping = deps.store.ping();
                probe->record(ping.has_value(), started);
                if (!ping) {
                  return json_response(503, json::serialize(json::object{{"status", "unavailable"},
                                                                         {"store", ping.error().message}}));
                }
                return json_response(200, std::string(kHealthy));
              },
              [&deps, probe](RequestContext&) -> std::optional<Response> {
                if (!probe->recent_ok(deps.clock.now())) return std::nullopt;
                return json_response(200, std::string(kHealthy));
              }});

  // Readiness (api/health_probe.h): no store access, always answered on the
  // I/O thread. 503 while starting and while draining, so that a load
  // balancer sends traffic only to a node that takes it.
  auto ready = [&deps](RequestContext&) -> Response {
    const ReadinessState state = deps.readiness ? deps.readiness->state() : ReadinessState::kReady;
    const std::string body = json::serialize(json::object{{"status", to_string(state)}});
    return json_response(state == ReadinessState::kReady ? 200 : 503, body);
  };
  router.add({"GET", "/api/ready", std::nullopt, ready,
              [ready](RequestContext& ctx) -> std::optional<Response> { return ready(ctx); }});

  // The dashboard when its assets were built; otherwise "/" says what is here.
  auto web = std::make_shared<const WebRoot>(deps.web_root);
  router.add({"GET", "/", std::nullopt, [web](RequestContext& ctx) {
                if (auto page = web->serve(ctx.request.path)) return std::move(*page);
                Response r;
                r.content_type = "text/html; charset=utf-8";
                r.body =
                    "<!doctype html><meta charset=utf-8><title>Switchboard</title>"
                    "<h1>Switchboard " SWITCHBOARD_VERSION
                    " is running</h1>"
                    "<p>The dashboard is not built into this server. The API is "
                    "available: see "
                    "<a href=\"/api/openapi.json\">/api/openapi.json</a> and <a "
                    "href=\"/api/health\">/api/health</a>.</p>";
                add_page_security_headers(r);
                return r;
              }});

  router.add({"GET", "/metrics", std::nullopt, [&deps](RequestContext&) {
                Response r;
                r.content_type = "text/plain; version=0.0.4";
                if (deps.metrics && deps.engine) {
                  const auto totals = deps.engine->stats();
                  deps.metrics->set_delivery_totals(totals.delivered, totals.failed, totals.claimed);
                }
                r.body = deps.metrics ? deps.metrics->render() : std::string();
                return r;
              }});

  router.add({"GET", "/api/openapi.json", std::nullopt,
              [](RequestContext&) { return json_response(200, std::string(generated::kOpenApiJson)); }});

  // The catalog never changes at run time: render it once.
  static const std::string event_types = event_types_body();
  router.add({"GET", "/api/v2/event-types", model::Action::kReadIdentity,
              [](RequestContext&) { return json_response(200, event_types); }});

  // The dashboard's files and client-side routes. The router has no wildcard,
  // so these name the depths the dashboard uses (its own routes live in the
  // URL fragment). The router takes the first match: these come after
  // /metrics, and a new one-segment GET route belongs above them, here.
  auto static_file = [web](RequestContext& ctx) {
    if (auto file = web->serve(ctx.request.path)) return std::move(*file);
    return error_response(404, error_codes::kNotFound, "No such route.");
  };
  router.add({"GET", "/{file}", std::nullopt, static_file});
  router.add({"GET", "/assets/{file}", std::nullopt, static_file});
}

}  // namespace switchboard::api
