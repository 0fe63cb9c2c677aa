// Health statistics of one webhook (issue 16 item 6):
//   GET /api/v2/webhooks/{id}/stats?window=1h|24h|7d
// Totals and per-bucket counts, success rate, status classes and latency
// p50/p95, from the store's per-minute rollups (store::HealthStats), never
// from the attempt log. The rules (buckets, bins, percentiles and their error
// bound) are model/health_stats.h.
#include <boost/json.hpp>
#include <cmath>

#include "api/errors.h"
#include "api/handlers.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/health_stats.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::value rounded(std::optional<double> value, double scale) {
  if (!value) return nullptr;
  return std::round(*value * scale) / scale;
}

json::object latency_json(const model::LatencyHistogram& histogram) {
  return json::object{{"p50", rounded(model::latency_percentile(histogram, 0.50), 10)},
                      {"p95", rounded(model::latency_percentile(histogram, 0.95), 10)}};
}

json::object totals_json(const model::HealthCounts& totals) {
  json::object classes;
  for (int i = 0; i < model::kStatusClasses; ++i)
    classes[model::kStatusClassNames[i]] = totals.status_classes[i];
  return json::object{{"attempts", totals.attempts},
                      {"succeeded", totals.succeeded},
                      {"failed", totals.failed()},
                      {"success_rate", rounded(model::success_rate(totals), 10000)},
                      {"status_classes", std::move(classes)},
                      {"latency_ms", latency_json(totals.latency)}};
}

json::object bucket_json(TimePoint start, const model::HealthCounts& counts) {
  return json::object{{"start", format_rfc3339(start)},
                      {"attempts", counts.attempts},
                      {"succeeded", counts.succeeded},
                      {"failed", counts.failed()},
                      {"latency_ms", latency_json(counts.latency)}};
}

Response webhook_stats(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  auto not_found = [] { return error_response(404, error_codes::kNotFound, "No webhook with this id."); };
  if (!is_valid_id(id, "wh")) return not_found();
  auto webhook = deps.store.get_webhook(ctx.company_id(), id);
  if (!webhook)
    return webhook.error().code == ErrorCode::kNotFound ? not_found() : error_response(webhook.error());
  model::StatsWindow window = model::StatsWindow::k24h;
  if (auto text = ctx.request.query_param("window"); text) {
    auto parsed = model::parse_stats_window(*text);
    if (!parsed)
      return error_response(400, error_codes::kInvalidValue, "window must be 1h, 24h or 7d.", "window");
    window = *parsed;
  }
  const model::WindowShape shape = model::window_shape(window);
  const TimePoint start = model::window_start(shape, deps.clock.now());
  auto buckets = deps.store.webhook_health(ctx.company_id(), webhook->id, shape, start);
  if (!buckets) return error_response(buckets.error());
  model::HealthCounts totals;
  json::array items;
  items.reserve(buckets->size());
  for (std::size_t i = 0; i < buckets->size(); ++i) {
    totals.add((*buckets)[i]);
    items.push_back(bucket_json(start + shape.bucket * static_cast<int>(i), (*buckets)[i]));
  }
  json::object out{{"window", shape.name},
                   {"bucket_seconds", shape.bucket.count()},
                   {"totals", totals_json(totals)},
                   {"buckets", std::move(items)}};
  return json_response(200, json::serialize(out));
}

}  // namespace

void add_stats_routes(Router& router, const ApiDeps& deps) {
  // Whoever may read the webhook may read its statistics.
  router.add({"GET", "/api/v2/webhooks/{id}/stats", model::Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return webhook_stats(deps, ctx); }});
}

}  // namespace switchboard::api
