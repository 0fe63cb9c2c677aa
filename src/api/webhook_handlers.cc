// Webhook v2 management routes (api.md "Webhooks v2"). Every lookup is scoped
// to the caller's company: another company's webhook answers 404.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "alerts/alert_monitor.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "api/webhook_json.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "model/error_codes.h"
#include "model/limits.h"
#include "model/webhook_changes.h"
#include "model/webhook_input.h"
#include "model/webhook_origin.h"
#include "store/alert_store.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

// The webhooks that carry alert channels ("wha_…", store/alert_store.h) are
// managed through /alert-channels. They sort after every "wh_" id, so once
// one shows up the rest of the list is carriers too.
void hide_alert_carriers(store::Page<model::Webhook>& page) {
  auto first = std::find_if(page.items.begin(), page.items.end(), [](const model::Webhook& w) {
    return w.id.starts_with(store::kAlertWebhookIdPrefix);
  });
  if (first == page.items.end()) return;
  page.items.erase(first, page.items.end());
  page.has_more = false;
}

std::string generate_secret() {
  return "whsec_" + crypto::base64_encode(crypto::random_bytes(model::limits::kGeneratedSecretBytes));
}

// When the webhook's current run of failures began, where the store can tell
// (store::ConsoleReads); a failed read leaves it out of the answer and is logged.
std::optional<TimePoint> failing_since(const ApiDeps& deps, const model::Webhook& webhook) {
  if (!console_reads(deps)) return std::nullopt;
  auto since = console_reads(deps)->failing_since(webhook.company_id, webhook.id);
  if (!since) {
    spdlog::warn("event=failing_since_read_failed webhook_id={} error=\"{}\"", webhook.id,
                 since.error().message);
    return std::nullopt;
  }
  return *since;
}

Response webhook_response(const ApiDeps& deps, int status, const model::Webhook& webhook,
                          std::optional<std::string_view> reveal_secret = {}) {
  return json_response(status,
                       json::serialize(webhook_json(webhook, reveal_secret, failing_since(deps, webhook))));
}

Response not_found() { return error_response(404, error_codes::kNotFound, "No webhook with this id."); }

// Loads the webhook named by the route's {id} within the caller's company.
Result<model::Webhook> load(const ApiDeps& deps, const RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "wh")) return make_error(ErrorCode::kNotFound, "No webhook with this id.");
  return deps.store.get_webhook(ctx.company_id(), id);
}

Response load_error(const Error& error) {
  return error.code == ErrorCode::kNotFound ? not_found() : error_response(error);
}

// A new secret for a change that asks for one to be generated: randomness
// stays out of the pure rule (model/webhook_changes.h), which is handed it.
std::string generated_for(const model::SecretChange& change) {
  return change.kind == model::SecretChange::Kind::kGenerate ? generate_secret() : std::string();
}

Response create_webhook(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto input = model::parse_webhook_create(*body);
  if (!input) return input_failure_response(input.error());

  const TimePoint now = deps.clock.now();
  model::Webhook webhook;
  webhook.id = new_id("wh", now);
  webhook.company_id = ctx.company_id();
  webhook.spec = std::move(input->spec);
  webhook.status = model::WebhookStatus::kActive;
  webhook.created_at = now;
  webhook.updated_at = now;
  model::SecretChangeResult secrets =
      model::apply_secret_change({}, input->secret, generated_for(input->secret), now, false);
  webhook.secret = secrets.secrets.secret;
  webhook.previous_secret = secrets.secrets.previous_secret;
  webhook.previous_secret_expires_at = secrets.secrets.previous_secret_expires_at;

  if (auto stored = deps.store.create_webhook(webhook, model::limits::kMaxWebhooksPerCompany); !stored) {
    if (stored.error().code == ErrorCode::kLimitReached) {
      return error_response(409, error_codes::kLimitReached,
                            "A company can have at most " +
                                std::to_string(model::limits::kMaxWebhooksPerCompany) +
                                " webhooks; delete one before adding another.");
    }
    return error_response(stored.error());
  }
  return webhook_response(deps, 201, webhook, secrets.revealed);
}

Response patch_webhook(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto input = model::parse_webhook_patch(*body, webhook->spec);
  if (!input) return input_failure_response(input.error());
  // Stored credentials never follow the URL to another origin unasked.
  std::vector<model::FieldError> reenter =
      model::credentials_for_new_origin(webhook->spec.url, webhook->secret.has_value(), *input);
  if (!reenter.empty()) {
    return input_failure_response(
        model::InputFailure{model::InputFailure::Kind::kInvalid, std::move(reenter)});
  }
  const TimePoint now = deps.clock.now();
  std::optional<model::WebhookEdit> edit =
      model::plan_webhook_patch(*webhook, *input, generated_for(input->secret), now);
  if (!edit) {
    return error_response(409, error_codes::kNoChanges,
                          "Nothing to update: the webhook already has these values.");
  }
  // Only the spec (and the secrets when they change): never the status the
  // delivery engine may have changed since the read.
  auto stored = deps.store.update_webhook_spec(ctx.company_id(), webhook->id, edit->spec, edit->secrets, now);
  if (!stored) return load_error(stored.error());
  return webhook_response(deps, 200, *stored, edit->revealed);
}

Response set_status(const ApiDeps& deps, RequestContext& ctx, model::WebhookStatus status) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  std::optional<model::StatusChange> change = model::plan_status_change(webhook->status, status);
  if (!change) return webhook_response(deps, 200, *webhook);  // idempotent
  auto stored = deps.store.set_webhook_status(ctx.company_id(), webhook->id, *change, deps.clock.now());
  if (!stored) return load_error(stored.error());
  // The alerts look at once: an enable ends a failed/disabled episode
  // (webhook.recovered), even when a 410 disables it again right after.
  if (deps.alert_monitor) deps.alert_monitor->webhook_changed(ctx.company_id(), webhook->id, stored->status);
  return webhook_response(deps, 200, *stored);
}

Response delete_webhook(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto confirm = ctx.request.query_param("confirm");
  if (!confirm || *confirm != "DELETE") {
    return error_response(400, error_codes::kConfirmationRequired,
                          "Deleting a webhook is permanent: repeat the request with ?confirm=DELETE.",
                          "confirm");
  }
  if (auto removed = deps.store.delete_webhook(ctx.company_id(), webhook->id); !removed) {
    return load_error(removed.error());
  }
  return no_content();
}

Response rotate_secret(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request, json::object{});
  if (!body) return body.error();
  if (!body->is_object()) {
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  }
  model::SecretChange change{model::SecretChange::Kind::kGenerate, {}};
  for (const auto& field : body->get_object()) {
    if (field.key() != "secret") {
      return error_response(400, error_codes::kUnknownField,
                            "Unknown field \"" + std::string(field.key()) + "\".", field.key());
    }
    const auto& v = field.value();
    if (v.is_null() || (v.is_string() && v.get_string() == "generate")) continue;
    if (!v.is_string() || !model::is_valid_secret(v.get_string())) {
      return error_response(422, error_codes::kInvalidSecret,
                            "secret must be \"generate\" or whsec_ followed by base64 of 24 to 64 bytes.",
                            "secret");
    }
    change = {model::SecretChange::Kind::kSet, std::string(v.get_string())};
  }
  const TimePoint now = deps.clock.now();
  model::SecretChangeResult rotated =
      model::apply_secret_change(model::secrets_of(*webhook), change, generated_for(change), now, false);
  auto stored = deps.store.rotate_webhook_secret(ctx.company_id(), webhook->id, rotated.secrets, now);
  if (!stored) return load_error(stored.error());
  return webhook_response(deps, 200, *stored, rotated.revealed);
}

}  // namespace

void add_webhook_routes(Router& router, const ApiDeps& deps) {
  using model::Action;
  router.add({"GET", "/api/v2/webhooks", Action::kManageWebhooks, [&deps](RequestContext& ctx) {
                auto page = parse_page_request(ctx.request);
                if (!page) return page.error();
                auto list = deps.store.list_webhooks(ctx.company_id(), *page);
                if (!list) return error_response(list.error());
                hide_alert_carriers(*list);
                return json_response(200,
                                     page_response<model::Webhook>(
                                         *list,
                                         [&deps](const model::Webhook& w) {
                                           return json::value(webhook_json(w, {}, failing_since(deps, w)));
                                         },
                                         [](const model::Webhook& w) { return w.id; }));
              }});
  router.add({"POST", "/api/v2/webhooks", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return create_webhook(deps, ctx); }});
  router.add({"GET", "/api/v2/webhooks/{id}", Action::kManageWebhooks, [&deps](RequestContext& ctx) {
                auto webhook = load(deps, ctx);
                if (!webhook) return load_error(webhook.error());
                return webhook_response(deps, 200, *webhook);
              }});
  router.add({"PATCH", "/api/v2/webhooks/{id}", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return patch_webhook(deps, ctx); }});
  router.add({"DELETE", "/api/v2/webhooks/{id}", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return delete_webhook(deps, ctx); }});
  router.add({"POST", "/api/v2/webhooks/{id}/enable", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return set_status(deps, ctx, model::WebhookStatus::kActive); }});
  router.add({"POST", "/api/v2/webhooks/{id}/disable", Action::kManageWebhooks, [&deps](RequestContext& ctx) {
                return set_status(deps, ctx, model::WebhookStatus::kInactive);
              }});
  router.add({"POST", "/api/v2/webhooks/{id}/secret/rotate", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return rotate_secret(deps, ctx); }});
}

}  // namespace switchboard::api
