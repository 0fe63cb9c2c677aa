// Failure alerts (issue 16 items 1-2): the company's alert channels and its
// degraded threshold. Owners and admins only (model::Action::kManageAlerts);
// another company's channel answers 404.
//   GET|POST /api/v2/alert-channels
//   GET|PATCH|DELETE /api/v2/alert-channels/{id}
//   POST /api/v2/alert-channels/{id}/test
//   GET|PATCH /api/v2/alert-settings
// An alert webhook is carried by a hidden webhook ("wha_…", store/alert_store.h)
// that the delivery engine signs, sends and retries; its signing secret is
// shown once, in the answer to POST. SMTP passwords are masked in every answer.
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "alerts/alert_monitor.h"
#include "alerts/alert_texts.h"
#include "alerts/channel_input.h"
#include "alerts/smtp_client.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "model/envelope.h"
#include "model/error_codes.h"
#include "model/limits.h"
#include "model/rbac.h"
#include "store/alert_store.h"
#include "store/common/alert_codec.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

store::AlertStore* alert_store(const ApiDeps& deps) { return dynamic_cast<store::AlertStore*>(&deps.store); }

Response no_alert_store() {
  return error_response(503, error_codes::kUnavailable, "This store does not keep alert channels.");
}

Response not_found() { return error_response(404, error_codes::kNotFound, "No alert channel with this id."); }

json::value optional_time(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::object channel_json(const store::AlertChannel& channel, const std::string& url) {
  json::array events;
  for (const auto& event : channel.events) events.emplace_back(event);
  json::object out{{"id", channel.id},
                   {"name", channel.name},
                   {"kind", store::alert_kind_column(channel.kind)},
                   {"events", std::move(events)},
                   {"enabled", channel.enabled}};
  if (channel.kind == store::AlertChannelKind::kWebhook) {
    out["url"] = url;
  } else {
    json::array recipients;
    for (const auto& to : channel.smtp.recipients) recipients.emplace_back(to);
    out["smtp"] =
        json::object{{"host", channel.smtp.host},
                     {"port", channel.smtp.port},
                     {"tls", store::smtp_tls_column(channel.smtp.tls)},
                     {"username", channel.smtp.username},
                     {"password", channel.smtp.password.empty() ? json::value(nullptr)
                                                                : json::value(model::kMaskedSecret)},
                     {"from", channel.smtp.from},
                     {"recipients", std::move(recipients)}};
  }
  out["last_error"] = channel.last_error.empty() ? json::value(nullptr) : json::value(channel.last_error);
  out["last_failure_at"] = optional_time(channel.last_failure_at);
  out["last_success_at"] = optional_time(channel.last_success_at);
  out["created_at"] = format_rfc3339(channel.created_at);
  out["updated_at"] = format_rfc3339(channel.updated_at);
  return out;
}

// The carrier webhook's URL (kind webhook), "" otherwise or when unreadable.
std::string carrier_url(const ApiDeps& deps, const store::AlertChannel& channel) {
  if (channel.webhook_id.empty()) return "";
  auto webhook = deps.store.get_webhook(channel.company_id, channel.webhook_id);
  return webhook ? webhook->spec.url : "";
}

Response field_errors(std::vector<model::FieldError> errors) {
  model::InputFailure failure;
  const bool malformed =
      errors.front().code == error_codes::kInvalidBody || errors.front().code == error_codes::kUnknownField;
  failure.kind = malformed ? model::InputFailure::Kind::kMalformed : model::InputFailure::Kind::kInvalid;
  failure.errors = std::move(errors);
  return input_failure_response(failure);
}

// An IP-literal SMTP host the SSRF guard refuses (alerts/smtp_client.h) is a
// field error at once; a DNS name is checked on every connection, and a
// refusal then shows in the channel's last_error. Without a monitor (no
// delivery on this node) nothing is sent from here, so nothing is checked.
std::optional<Response> refused_smtp_host(const ApiDeps& deps, const alerts::ChannelSpec& spec) {
  if (spec.kind != store::AlertChannelKind::kEmail || deps.alert_monitor == nullptr) return std::nullopt;
  auto refusal = alerts::smtp_host_refusal(spec.smtp.host, deps.alert_monitor->allows_private_networks());
  if (!refusal) return std::nullopt;
  return field_errors({{"smtp.host", error_codes::kNotAllowed,
                        *refusal + ": alerts go only to public addresses (private networks need the "
                                   "server's --allow-private-networks)."}});
}

model::WebhookSpec carrier_spec(const alerts::ChannelSpec& spec) {
  model::WebhookSpec out;
  out.name = "Alert channel: " + spec.name;
  out.url = spec.url;
  out.events = spec.events;
  return out;
}

Response list_channels(const ApiDeps& deps, RequestContext& ctx) {
  store::AlertStore* store = alert_store(deps);
  if (!store) return no_alert_store();
  auto channels = store->list_alert_channels(ctx.company_id());
  if (!channels) return error_response(channels.error());
  json::array data;
  for (const auto& channel : *channels) data.push_back(channel_json(channel, carrier_url(deps, channel)));
  return json_response(200, json::serialize(json::object{{"data", std::move(data)}}));
}

Response create_channel(const ApiDeps& deps, RequestContext& ctx) {
  store::AlertStore* store = alert_store(deps);
  if (!store) return no_alert_store();
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto spec = alerts::parse_channel_create(*body);
  if (!spec) return field_errors(std::move(spec.error()));
  if (auto refused = refused_smtp_host(deps, *spec)) return std::move(*refused);
  const TimePoint now = deps.clock.now();
  store::AlertChannel channel;
  channel.id = new_id("ach", now);
  channel.company_id = ctx.company_id();
  channel.name = spec->name;
  channel.kind = spec->kind;
  channel.events = spec->events;
  channel.enabled = spec->enabled;
  channel.smtp = spec->smtp;
  channel.created_at = channel.updated_at = now;
  std::optional<model::Webhook> carrier;
  if (channel.kind == store::AlertChannelKind::kWebhook) {
    carrier.emplace();
    carrier->id = new_id("wha", now);
    carrier->company_id = channel.company_id;
    carrier->spec = carrier_spec(*spec);
    carrier->secret =
        "whsec_" + crypto::base64_encode(crypto::random_bytes(model::limits::kGeneratedSecretBytes));
    carrier->status = spec->enabled ? model::WebhookStatus::kActive : model::WebhookStatus::kInactive;
    carrier->created_at = carrier->updated_at = now;
    channel.webhook_id = carrier->id;
  }
  auto created = store->create_alert_channel(channel, carrier, model::limits::kMaxAlertChannelsPerCompany);
  if (!created) {
    if (created.error().code == ErrorCode::kLimitReached)
      return error_response(409, error_codes::kLimitReached, "A company has at most 10 alert channels.");
    return error_response(created.error());
  }
  json::object out = channel_json(channel, spec->url);
  if (carrier) out["secret"] = *carrier->secret;  // shown once
  return json_response(201, json::serialize(out));
}

Result<store::AlertChannel> load(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "ach")) return make_error(ErrorCode::kNotFound, "no such channel");
  return alert_store(deps)->get_alert_channel(ctx.company_id(), id);
}

Response load_failure(const Error& error) {
  return error.code == ErrorCode::kNotFound ? not_found() : error_response(error);
}

Response get_channel(const ApiDeps& deps, RequestContext& ctx) {
  if (!alert_store(deps)) return no_alert_store();
  auto channel = load(deps, ctx);
  if (!channel) return load_failure(channel.error());
  return json_response(200, json::serialize(channel_json(*channel, carrier_url(deps, *channel))));
}

Response patch_channel(const ApiDeps& deps, RequestContext& ctx) {
  store::AlertStore* store = alert_store(deps);
  if (!store) return no_alert_store();
  auto channel = load(deps, ctx);
  if (!channel) return load_failure(channel.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  alerts::ChannelSpec current{
      channel->name, channel->kind, channel->events, channel->enabled, carrier_url(deps, *channel),
      channel->smtp};
  auto spec = alerts::parse_channel_patch(*body, current);
  if (!spec) return field_errors(std::move(spec.error()));
  if (auto refused = refused_smtp_host(deps, *spec)) return std::move(*refused);
  const TimePoint now = deps.clock.now();
  channel->name = spec->name;
  channel->events = spec->events;
  channel->enabled = spec->enabled;
  channel->smtp = spec->smtp;
  channel->updated_at = now;
  if (!channel->webhook_id.empty()) {
    auto carried = deps.store.update_webhook_spec(ctx.company_id(), channel->webhook_id, carrier_spec(*spec),
                                                  std::nullopt, now);
    if (!carried) return error_response(carried.error());
    model::StatusChange change;
    change.status = spec->enabled ? model::WebhookStatus::kActive : model::WebhookStatus::kInactive;
    if (spec->enabled) change.consecutive_exhausted = 0;
    if (auto status = deps.store.set_webhook_status(ctx.company_id(), channel->webhook_id, change, now);
        !status)
      return error_response(status.error());
  }
  if (auto updated = store->update_alert_channel(*channel); !updated) return load_failure(updated.error());
  if (deps.engine) deps.engine->notify();
  return json_response(200, json::serialize(channel_json(*channel, spec->url)));
}

Response delete_channel(const ApiDeps& deps, RequestContext& ctx) {
  store::AlertStore* store = alert_store(deps);
  if (!store) return no_alert_store();
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "ach")) return not_found();
  if (auto done = store->delete_alert_channel(ctx.company_id(), id); !done) return load_failure(done.error());
  return no_content();
}

Response test_channel(const ApiDeps& deps, RequestContext& ctx) {
  if (!alert_store(deps)) return no_alert_store();
  auto channel = load(deps, ctx);
  if (!channel) return load_failure(channel.error());
  if (channel->kind == store::AlertChannelKind::kEmail) {
    if (!deps.alert_monitor)
      return error_response(503, error_codes::kUnavailable, "Alerts are not running on this server.");
    if (auto queued = deps.alert_monitor->send_test(*channel); !queued) return error_response(queued.error());
    return json_response(202, json::serialize(json::object{{"queued", true}}));
  }
  // An alert webhook: one signed test delivery now through the engine, answered when it ends.
  if (!deps.engine)
    return error_response(503, error_codes::kUnavailable, "Delivery is not running on this server.");
  auto carrier = deps.store.get_webhook(ctx.company_id(), channel->webhook_id);
  if (!carrier) return error_response(carrier.error());
  alerts::Alert alert;
  alert.event = alerts::OperationalEvent::kWebhookRecovered;
  alert.test = true;
  alert.company_id = ctx.company_id();
  alert.webhook_id = "wh_test";
  alert.webhook_name = "Test alert";
  alert.webhook_url = "https://example.com/webhooks";
  alert.at = deps.clock.now();
  model::Event event;
  event.id = new_id("evt", alert.at);
  event.company_id = ctx.company_id();
  event.type = "webhook.recovered";
  event.created_at = alert.at;
  const std::string payload = model::compose_envelope(event, alerts::alert_data_json(alert));
  auto pending = std::make_shared<PendingResponse>();
  auto started =
      deps.engine->send_test(*carrier, event.id, payload, [pending](delivery::TestDeliveryResult result) {
        json::object out{
            {"delivered", result.delivered},
            {"status_code", result.status_code ? json::value(*result.status_code) : json::value(nullptr)},
            {"error", result.error ? json::value(*result.error) : json::value(nullptr)}};
        pending->complete(json_response(200, json::serialize(out)));
      });
  if (!started) return error_response(429, error_codes::kTooManyTests, "Too many test deliveries in flight.");
  Response response;
  response.pending = std::move(pending);
  return response;
}

json::object threshold_json(const store::DegradedThreshold& threshold) {
  return json::object{{"degraded_below_percent", threshold.below_percent},
                      {"degraded_min_attempts", threshold.min_attempts},
                      {"degraded_window_minutes", threshold.window.count()}};
}

Response get_settings(const ApiDeps& deps, RequestContext& ctx) {
  store::AlertStore* store = alert_store(deps);
  if (!store) return no_alert_store();
  auto threshold = store->get_degraded_threshold(ctx.company_id());
  if (!threshold) return error_response(threshold.error());
  return json_response(200, json::serialize(threshold_json(*threshold)));
}

Response patch_settings(const ApiDeps& deps, RequestContext& ctx) {
  store::AlertStore* store = alert_store(deps);
  if (!store) return no_alert_store();
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto current = store->get_degraded_threshold(ctx.company_id());
  if (!current) return error_response(current.error());
  auto threshold = alerts::parse_threshold_patch(*body, *current);
  if (!threshold) {
    // Out of range is a bad request (as PATCH /retention): 400 with the field.
    model::InputFailure failure{model::InputFailure::Kind::kMalformed, std::move(threshold.error())};
    return input_failure_response(failure);
  }
  if (auto saved = store->set_degraded_threshold(ctx.company_id(), *threshold); !saved)
    return error_response(saved.error());
  return json_response(200, json::serialize(threshold_json(*threshold)));
}

}  // namespace

void add_alert_routes(Router& router, const ApiDeps& deps) {
  using model::Action;
  router.add({"GET", "/api/v2/alert-channels", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return list_channels(deps, ctx); }});
  router.add({"POST", "/api/v2/alert-channels", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return create_channel(deps, ctx); }});
  router.add({"GET", "/api/v2/alert-channels/{id}", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return get_channel(deps, ctx); }});
  router.add({"PATCH", "/api/v2/alert-channels/{id}", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return patch_channel(deps, ctx); }});
  router.add({"DELETE", "/api/v2/alert-channels/{id}", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return delete_channel(deps, ctx); }});
  router.add({"POST", "/api/v2/alert-channels/{id}/test", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return test_channel(deps, ctx); }});
  router.add({"GET", "/api/v2/alert-settings", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return get_settings(deps, ctx); }});
  router.add({"PATCH", "/api/v2/alert-settings", Action::kManageAlerts,
              [&deps](RequestContext& ctx) { return patch_settings(deps, ctx); }});
}

}  // namespace switchboard::api
