// Enterprise receivers (issue 16 item 5): a webhook's client certificate for
// mutual TLS and its Ed25519 signing key. Routes beside the webhook's own
// (webhook_handlers.cc), with the same RBAC action and company scoping: another
// company's webhook answers 404. Private keys are never answered nor logged;
// the webhook's JSON (webhook_json.h) shows what may be seen of them.
#include <boost/json.hpp>
#include <memory>
#include <string>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "api/webhook_json.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "model/client_certificate.h"
#include "model/error_codes.h"
#include "model/signing_keys.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

Response not_found() { return error_response(404, error_codes::kNotFound, "No webhook with this id."); }

Result<model::Webhook> load(const ApiDeps& deps, const RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!is_valid_id(id, "wh")) return make_error(ErrorCode::kNotFound, "No webhook with this id.");
  return deps.store.get_webhook(ctx.company_id(), id);
}

Response load_error(const Error& error) {
  return error.code == ErrorCode::kNotFound ? not_found() : error_response(error);
}

Response field_error(model::FieldError error) {
  return input_failure_response(
      model::InputFailure{model::InputFailure::Kind::kMalformed, {std::move(error)}});
}

// The webhook as GET shows it (failing_since where the store can tell).
Response webhook_answer(const ApiDeps& deps, const model::Webhook& webhook) {
  std::optional<TimePoint> failing_since;
  if (store::ConsoleReads* reads = console_reads(deps)) {
    if (auto since = reads->failing_since(webhook.company_id, webhook.id)) failing_since = *since;
  }
  return json_response(200, json::serialize(webhook_json(webhook, {}, failing_since)));
}

// PUT {"certificate": PEM, "private_key": PEM}: checked (model/client_certificate.h),
// then stored with the key sealed. Replaces any earlier certificate.
Response put_client_certificate(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  if (!body->is_object()) {
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  }
  std::string certificate;
  std::string private_key;
  for (const auto& field : body->get_object()) {
    const std::string_view key = field.key();
    if (key != "certificate" && key != "private_key") {
      return error_response(400, error_codes::kUnknownField, "Unknown field \"" + std::string(key) + "\".",
                            key);
    }
    if (!field.value().is_string()) {
      return field_error(
          {std::string(key), error_codes::kInvalidType, std::string(key) + " must be a PEM string."});
    }
    (key == "certificate" ? certificate : private_key) = std::string(field.value().get_string());
  }
  const TimePoint now = deps.clock.now();
  auto parsed = model::parse_client_certificate(certificate, private_key, now);
  if (!parsed) return field_error(std::move(parsed.error()));
  auto stored = deps.store.set_webhook_client_certificate(
      ctx.company_id(), webhook->id, std::make_shared<const model::ClientCertificate>(std::move(*parsed)),
      now);
  if (!stored) return load_error(stored.error());
  return webhook_answer(deps, *stored);
}

// DELETE: idempotent; deliveries stop presenting a certificate at once (within
// the engine's webhook cache time).
Response delete_client_certificate(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  if (webhook->client_certificate) {
    auto stored =
        deps.store.set_webhook_client_certificate(ctx.company_id(), webhook->id, nullptr, deps.clock.now());
    if (!stored) return load_error(stored.error());
  }
  return no_content();
}

// POST: a new Ed25519 key pair from fresh randomness. The first call turns
// "v1a," signatures on; each later call rotates, the old key signing beside
// the new one for the HMAC rotation's grace. No body.
Response generate_ed25519_key(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  auto body = parse_json_body(ctx.request, json::object{});
  if (!body) return body.error();
  if (!body->is_object() || !body->get_object().empty()) {
    return error_response(400, error_codes::kInvalidBody, "This request takes no body (or {}).");
  }
  auto fresh = model::ed25519_key_from_seed(crypto::random_bytes(model::kEd25519SeedBytes));
  if (!fresh) return error_response(500, error_codes::kInternalError, "Could not make an Ed25519 key.");
  const TimePoint now = deps.clock.now();
  const model::SigningKeys keys = model::rotate_ed25519_key(webhook->signing_keys, std::move(*fresh), now);
  auto stored = deps.store.set_webhook_signing_keys(ctx.company_id(), webhook->id, keys, now);
  if (!stored) return load_error(stored.error());
  return webhook_answer(deps, *stored);
}

// DELETE: stops Ed25519 signatures at once (previous key included). Idempotent.
Response delete_ed25519_key(const ApiDeps& deps, RequestContext& ctx) {
  auto webhook = load(deps, ctx);
  if (!webhook) return load_error(webhook.error());
  if (webhook->signing_keys != model::SigningKeys{}) {
    auto stored = deps.store.set_webhook_signing_keys(ctx.company_id(), webhook->id, {}, deps.clock.now());
    if (!stored) return load_error(stored.error());
  }
  return no_content();
}

}  // namespace

void add_webhook_key_routes(Router& router, const ApiDeps& deps) {
  using model::Action;
  router.add({"PUT", "/api/v2/webhooks/{id}/client-certificate", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return put_client_certificate(deps, ctx); }});
  router.add({"DELETE", "/api/v2/webhooks/{id}/client-certificate", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return delete_client_certificate(deps, ctx); }});
  router.add({"POST", "/api/v2/webhooks/{id}/signing-keys/ed25519", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return generate_ed25519_key(deps, ctx); }});
  router.add({"DELETE", "/api/v2/webhooks/{id}/signing-keys/ed25519", Action::kManageWebhooks,
              [&deps](RequestContext& ctx) { return delete_ed25519_key(deps, ctx); }});
}

}  // namespace switchboard::api
