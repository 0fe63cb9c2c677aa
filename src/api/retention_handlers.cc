// Data retention routes (issue 15): GET and PATCH /api/v2/retention, the
// company's retention of events (with their deliveries and attempts). Owners
// and admins only (model::Action::kManageRetention); the company is the
// caller's. The purge itself runs in the background (store/common/retention_purger.h).
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "model/error_codes.h"
#include "model/rbac.h"
#include "model/retention.h"
#include "model/retention_limits.h"
#include "store/retention_store.h"

namespace switchboard::api {
namespace {

namespace json = boost::json;
namespace limits = model::limits;

constexpr std::string_view kField = "retention_seconds";

std::string retention_json(const std::optional<std::chrono::seconds>& own, std::chrono::seconds fallback) {
  return json::serialize(
      json::object{{"retention_seconds", own.value_or(fallback).count()},
                   {"source", own ? "company" : "default"},
                   {"default_retention_seconds", fallback.count()},
                   {"min_retention_seconds", std::chrono::seconds(limits::kMinRetention).count()},
                   {"max_retention_seconds", std::chrono::seconds(limits::kMaxRetention).count()}});
}

store::RetentionStore* retention_store(const ApiDeps& deps) {
  return dynamic_cast<store::RetentionStore*>(&deps.store);
}

Response unavailable() {
  return error_response(503, error_codes::kUnavailable, "This store does not keep retention settings.");
}

Response get_retention(const ApiDeps& deps, RequestContext& ctx) {
  store::RetentionStore* store = retention_store(deps);
  if (store == nullptr) return unavailable();
  auto own = store->get_retention(ctx.company_id());
  if (!own) return error_response(own.error());
  return json_response(200, retention_json(*own, deps.default_retention));
}

// The new value from the body: a number of seconds in range, or null (back
// to the server default). Errors are ready 400 responses.
tl::expected<std::optional<std::chrono::seconds>, Response> parse_retention(const json::object& body) {
  for (const auto& field : body) {
    if (field.key() != kField) {
      return tl::unexpected(error_response(400, error_codes::kUnknownField,
                                           "Unknown field \"" + std::string(field.key()) + "\".",
                                           field.key()));
    }
  }
  const json::value* value = body.if_contains(kField);
  if (value == nullptr) {
    return tl::unexpected(
        error_response(400, error_codes::kRequired, "retention_seconds is required.", kField));
  }
  if (value->is_null()) return std::optional<std::chrono::seconds>();
  if (!value->is_int64() && !value->is_uint64()) {
    return tl::unexpected(error_response(400, error_codes::kInvalidType,
                                         "retention_seconds must be a whole number of seconds or null.",
                                         kField));
  }
  const std::int64_t seconds = value->is_int64()
                                   ? value->get_int64()
                                   : static_cast<std::int64_t>(std::min<std::uint64_t>(
                                         value->get_uint64(), std::numeric_limits<std::int64_t>::max()));
  if (!model::retention_in_range(std::chrono::seconds(seconds))) {
    return tl::unexpected(error_response(
        400, error_codes::kInvalidValue,
        "retention_seconds must be between " +
            std::to_string(std::chrono::seconds(limits::kMinRetention).count()) + " (1 hour) and " +
            std::to_string(std::chrono::seconds(limits::kMaxRetention).count()) + " (400 days).",
        kField));
  }
  return std::optional(std::chrono::seconds(seconds));
}

Response set_retention(const ApiDeps& deps, RequestContext& ctx) {
  store::RetentionStore* store = retention_store(deps);
  if (store == nullptr) return unavailable();
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  if (!body->is_object())
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  auto retention = parse_retention(body->get_object());
  if (!retention) return retention.error();
  if (auto done = store->set_retention(ctx.company_id(), *retention); !done)
    return error_response(done.error());
  return json_response(200, retention_json(*retention, deps.default_retention));
}

}  // namespace

void add_retention_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/retention", model::Action::kManageRetention,
              [&deps](RequestContext& ctx) { return get_retention(deps, ctx); }});
  router.add({"PATCH", "/api/v2/retention", model::Action::kManageRetention,
              [&deps](RequestContext& ctx) { return set_retention(deps, ctx); }});
}

}  // namespace switchboard::api
