// Recover (issue 16 item 7): resend every exhausted delivery of a webhook
// since a time, as a background job with a cap and a readable status.
//   POST /api/v2/webhooks/{id}/recover {"since":"<RFC 3339>"} -> 202 the job
//   GET  /api/v2/webhooks/{id}/recover/{job_id}                -> the job
// The job runs on the RecoverRunner (api/recover_runner.h); the deliveries it
// queues are redeliveries (model::redelivery_of), so per-call order is kept
// by the queue's chains as for redeliver and replay. `since` may go back as
// far as the company's data retention (GET /api/v2/retention).
#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/recover_runner.h"
#include "api/request_json.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/limits.h"
#include "model/recover_job.h"
#include "store/retention_store.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

Response webhook_not_found() {
  return error_response(404, error_codes::kNotFound, "No webhook with this id.");
}

json::object job_json(const model::RecoverJob& job) {
  return json::object{{"id", job.id},
                      {"webhook_id", job.webhook_id},
                      {"status", model::to_string(job.status)},
                      {"since", format_rfc3339(job.since)},
                      {"queued", job.queued},
                      {"total", job.total},
                      {"capped", job.capped},
                      {"limit", model::limits::kMaxRecoverDeliveries},
                      {"error", job.error.empty() ? json::value(nullptr) : json::value(job.error)},
                      {"created_at", format_rfc3339(job.created_at)},
                      {"finished_at", job.finished_at ? json::value(format_rfc3339(*job.finished_at))
                                                      : json::value(nullptr)}};
}

// How far back `since` may go: the data the company keeps (its retention, or
// the server default; the purge deletes what is older).
Result<std::chrono::seconds> data_kept(const ApiDeps& deps, const std::string& company_id) {
  auto* store = dynamic_cast<store::RetentionStore*>(&deps.store);
  if (store == nullptr) return deps.default_retention;
  auto own = store->get_retention(company_id);
  if (!own) return forward_error(own);
  return own->value_or(deps.default_retention);
}

std::string describe(std::chrono::seconds age) {
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
  if (hours >= 24 && hours % 24 == 0) return std::to_string(hours / 24) + " days";
  if (age.count() % 3600 == 0) return std::to_string(hours) + " hours";
  return std::to_string(age.count()) + " seconds";
}

// The `since` of the body, or the 400 answer. `max_age`: data_kept().
tl::expected<TimePoint, Response> parse_since(const Request& request, TimePoint now,
                                              std::chrono::seconds max_age) {
  auto body = parse_json_body(request);
  if (!body) return tl::unexpected(body.error());
  if (!body->is_object()) {
    return tl::unexpected(error_response(400, error_codes::kInvalidBody, "The body must be a JSON object."));
  }
  for (const auto& field : body->get_object()) {
    if (field.key() != "since") {
      return tl::unexpected(error_response(400, error_codes::kUnknownField,
                                           "Unknown field \"" + std::string(field.key()) + "\".",
                                           field.key()));
    }
  }
  const json::value* value = body->get_object().if_contains("since");
  if (!value)
    return tl::unexpected(error_response(400, error_codes::kRequired, "since is required.", "since"));
  auto since = value->is_string() ? parse_rfc3339(value->get_string()) : std::nullopt;
  if (!since) {
    return tl::unexpected(
        error_response(400, error_codes::kInvalidValue, "since must be an RFC 3339 time.", "since"));
  }
  // The rule takes whole hours: a retention that is not (it rarely is not)
  // lets `since` go back up to an hour more, where there is nothing left to find.
  switch (model::check_recover_since(*since, now, std::chrono::ceil<std::chrono::hours>(max_age))) {
    case model::RecoverSinceCheck::kOk:
      return *since;
    case model::RecoverSinceCheck::kInFuture:
      return tl::unexpected(
          error_response(400, error_codes::kInvalidValue, "since is in the future.", "since"));
    case model::RecoverSinceCheck::kTooOld:
      break;
  }
  return tl::unexpected(error_response(
      400, error_codes::kInvalidValue,
      "since is older than the data kept (the company's retention: " + describe(max_age) + ").", "since"));
}

Response start_recover(const ApiDeps& deps, RecoverRunner& runner, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "wh")) return webhook_not_found();
  auto webhook = deps.store.get_webhook(ctx.company_id(), id);
  if (!webhook) {
    return webhook.error().code == ErrorCode::kNotFound ? webhook_not_found()
                                                        : error_response(webhook.error());
  }
  const TimePoint now = deps.clock.now();
  auto kept = data_kept(deps, ctx.company_id());
  if (!kept) return error_response(kept.error());
  auto since = parse_since(ctx.request, now, *kept);
  if (!since) return since.error();
  if (webhook->status != model::WebhookStatus::kActive) {
    return error_response(409, error_codes::kWebhookNotActive,
                          "The webhook is not active: enable it before recovering its deliveries.");
  }
  model::RecoverJob job;
  job.id = new_id("rcv", now);
  job.company_id = ctx.company_id();
  job.webhook_id = webhook->id;
  job.since = *since;
  job.created_at = now;
  if (auto created = deps.store.create_recover_job(job); !created) {
    return created.error().code == ErrorCode::kNotFound ? webhook_not_found()
                                                        : error_response(created.error());
  }
  runner.submit(job.company_id, job.id);
  return json_response(202, json::serialize(job_json(job)));
}

Response get_recover(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  const std::string& job_id = ctx.params.at(1);
  if (!is_valid_id(id, "wh")) return webhook_not_found();
  auto not_found = [] { return error_response(404, error_codes::kNotFound, "No recover job with this id."); };
  if (!is_valid_id(job_id, "rcv")) return not_found();
  auto job = deps.store.get_recover_job(ctx.company_id(), id, job_id);
  if (!job) return job.error().code == ErrorCode::kNotFound ? not_found() : error_response(job.error());
  return json_response(200, json::serialize(job_json(*job)));
}

}  // namespace

void add_recover_routes(Router& router, const ApiDeps& deps, RecoverRunner& runner) {
  using model::Action;
  router.add({"POST", "/api/v2/webhooks/{id}/recover", Action::kManageWebhooks,
              [&deps, &runner](RequestContext& ctx) { return start_recover(deps, runner, ctx); }});
  router.add({"GET", "/api/v2/webhooks/{id}/recover/{job_id}", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return get_recover(deps, ctx); }});
}

}  // namespace switchboard::api
