#include "api/api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/algorithm/string/predicate.hpp>
#include <chrono>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/identity_service.h"
#include "api/metrics.h"
#include "api/recover_runner.h"
#include "common/logging.h"
#include "model/error_codes.h"
#include "model/rbac.h"

namespace switchboard::api {

Api::Api(ApiDeps deps)
    : deps_(deps), token_usage_([&store = deps.store](const std::vector<store::Store::TokenUse>& uses) {
        if (auto done = store.record_token_use(uses); !done) {
          spdlog::warn("event=token_last_used_failed tokens={} error=\"{}\"", uses.size(),
                       done.error().message);
        }
      }) {
  if (!deps_.ingestor) {
    own_ingestor_ = std::make_unique<ingest::Ingestor>(deps_.store, nullptr, nullptr);
    deps_.ingestor = own_ingestor_.get();
  }
  add_system_routes(router_, deps_);
  add_identity_routes(router_, deps_);
  add_directory_routes(router_, deps_);
  add_webhook_routes(router_, deps_);
  add_webhook_key_routes(router_, deps_);  // issue 16 item 5
  add_v1_webhook_routes(router_, deps_);
  add_event_routes(router_, deps_);
  add_delivery_routes(router_, deps_);
  add_search_routes(router_, deps_);
  add_call_routes(router_, deps_);
  add_stats_routes(router_, deps_);
  add_today_routes(router_, deps_);
  add_alert_routes(router_, deps_);
  recover_runner_ = std::make_unique<RecoverRunner>(deps_.store, deps_.clock, [engine = deps_.engine] {
    if (engine) engine->notify();
  });
  recover_runner_->resume();
  add_recover_routes(router_, deps_, *recover_runner_);
  add_live_routes(router_, deps_);
  add_retention_routes(router_, deps_);
}

Api::~Api() = default;

Response Api::handle(const Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  auto match = router_.match(request.method, request.path);
  if (!match.route) return finish(request, "unmatched", started, no_route(match, request));
  Response response = authenticate_and_run(*match.route, request, std::move(match.params));
  // HEAD ran the GET handler: the transport sends no body; a stream is never
  // opened.
  if (request.method == "HEAD") response.stream = nullptr;
  return finish(request, match.route->pattern, started, std::move(response));
}

std::optional<Response> Api::handle_inline(const Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  auto match = router_.match(request.method, request.path);
  if (!match.route) return finish(request, "unmatched", started, no_route(match, request));
  const Route& route = *match.route;
  if (route.action || !route.quick) return std::nullopt;
  RequestContext ctx{request, nullptr, nullptr, std::move(match.params)};
  auto response = route.quick(ctx);
  if (!response) return std::nullopt;
  if (request.method == "HEAD") response->stream = nullptr;
  return finish(request, route.pattern, started, std::move(*response));
}

Response Api::no_route(const Router::Match& match, const Request& request) {
  if (!match.path_matched) return error_response(404, error_codes::kNotFound, "No such route.");
  std::string allow;
  for (const auto& method : match.allowed) allow += (allow.empty() ? "" : ", ") + method;
  Response response =
      error_response(405, error_codes::kMethodNotAllowed,
                     "This route does not accept " + request.method + "; it accepts " + allow + ".");
  response.headers.emplace_back("Allow", allow);
  return response;
}

Response Api::finish(const Request& request, std::string_view route_name,
                     std::chrono::steady_clock::time_point started, Response response) const {
  if (deps_.metrics) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    deps_.metrics->observe_request(request.method, route_name, response.status, elapsed.count());
  }
  return response;
}

Response Api::authenticate_and_run(const Route& route, const Request& request,
                                   std::vector<std::string> params) const {
  RequestContext ctx{request, nullptr, nullptr, std::move(params)};
  if (!route.action) return route.handler(ctx);

  auto unauthorized = [](std::string_view message) {
    Response r = error_response(401, error_codes::kUnauthorized, message);
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  };
  auto authorization = request.header("Authorization");
  if (!authorization) return unauthorized("Missing bearer token: send Authorization: Bearer <token>.");
  std::string_view value = *authorization;
  if (value.size() <= 7 || !boost::algorithm::istarts_with(value, "Bearer ")) {
    return unauthorized("The Authorization header must be \"Bearer <token>\".");
  }
  std::string_view token = value.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 256) return unauthorized("Invalid token.");

  auto principal = deps_.store.find_principal_by_token_hash(token_hash(token));
  if (!principal) {
    if (principal.error().code == ErrorCode::kNotFound) return unauthorized("Invalid token.");
    return error_response(principal.error());
  }
  // Read from the store on every request (no principal cache), so a
  // revocation or deactivation written by any node or by the CLI holds at once.
  const TimePoint now = deps_.clock.now();
  switch (model::principal_status(*principal, now)) {
    case model::TokenStatus::kRevoked:
      return unauthorized("Token revoked.");
    case model::TokenStatus::kExpired:
      return unauthorized("Token expired.");
    case model::TokenStatus::kActive:
      break;
  }
  token_usage_.used(principal->token_id, principal->last_used_at, now);
  if (auto limited = rate_limit(*route.action, *principal)) return std::move(*limited);
  auto company = deps_.store.get_company(principal->company_id);
  if (!company) {
    if (company.error().code == ErrorCode::kNotFound) return unauthorized("Invalid token.");
    return error_response(company.error());
  }
  std::optional<model::Role> role;
  if (principal->user) role = principal->user->role;
  if (!model::is_allowed(role, company->managers_can_manage_webhooks, *route.action)) {
    return error_response(403, error_codes::kForbidden, "Your role does not allow this action.");
  }
  ctx.principal = &*principal;
  ctx.company = &*company;
  set_log_company(company->id);  // this request's log lines name it from here on
  return route.handler(ctx);
}

// Publishing and the rest have separate buckets, so a busy publisher never
// locks its company's admins out of the API (and the other way round).
std::optional<Response> Api::rate_limit(model::Action action, const model::Principal& principal) const {
  const bool publishing = action == model::Action::kPublishEvents;
  const model::RateLimit& limit = publishing ? deps_.ingest_rate_limit : deps_.rate_limit;
  if (limit.unlimited()) return std::nullopt;
  auto decision =
      rate_limiter_.take((publishing ? "publish:" : "api:") + principal.token_id, limit, deps_.clock.now());
  if (decision.allowed) return std::nullopt;
  const std::string retry_after = std::to_string(decision.retry_after.count());
  Response r = error_response(429, error_codes::kRateLimited,
                              "Too many requests with this token: at most " +
                                  fmt::format("{:g}", limit.per_second) + " per second, in bursts of " +
                                  std::to_string(decision.limit) + ". Retry after " + retry_after + " s.");
  r.headers.emplace_back("Retry-After", retry_after);
  r.headers.emplace_back("X-RateLimit-Limit", std::to_string(decision.limit));
  r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(decision.remaining));
  return r;
}

}  // namespace switchboard::api
