// Identity routes: who am I, users, the managers' webhook permission, ingest tokens.
#include <boost/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/identity_service.h"
#include "api/request_json.h"
#include "common/time_format.h"
#include "model/limits.h"
#include "model/rbac.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::object user_json(const model::User& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"email", user.email},
          {"role", model::to_string(user.role)},
          {"created_at", format_rfc3339(user.created_at)}};
}

json::object permissions_json(std::optional<model::Role> role, const model::Company& company) {
  const bool grant = company.managers_can_manage_webhooks;
  auto allowed = [&](model::Action a) { return model::is_allowed(role, grant, a); };
  return {{"managers_can_manage_webhooks", grant},
          {"manage_webhooks", allowed(model::Action::kManageWebhooks)},
          {"manage_users", allowed(model::Action::kCreateUser)},
          {"set_permissions", allowed(model::Action::kSetPermissions)},
          {"create_ingest_tokens", allowed(model::Action::kCreateIngestToken)},
          {"publish_events", allowed(model::Action::kPublishEvents)},
          {"manage_directory", allowed(model::Action::kManageDirectory)},
          {"watch_live_calls", allowed(model::Action::kWatchLiveCalls)}};
}

// Rejects fields outside `known` (400) so that typos never pass silently.
std::optional<Response> reject_unknown_fields(const json::object& body,
                                              std::initializer_list<std::string_view> known) {
  for (const auto& field : body) {
    bool ok = false;
    for (auto k : known) ok = ok || field.key() == k;
    if (!ok) {
      return error_response(400, "unknown_field", "Unknown field \"" + std::string(field.key()) + "\".",
                            field.key());
    }
  }
  return std::nullopt;
}

bool looks_like_email(std::string_view email) {
  auto at = email.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string_view::npos &&
         email.find_first_of(" \t\r\n<>\"") == std::string_view::npos;
}

Response create_user(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  if (!body->is_object()) return error_response(400, "invalid_body", "The body must be a JSON object.");
  const auto& obj = body->get_object();
  if (auto bad = reject_unknown_fields(obj, {"name", "email", "role"})) return *bad;

  model::InputFailure failure;
  auto string_field = [&](std::string_view key, std::size_t max) -> std::string {
    const json::value* v = obj.if_contains(key);
    if (!v || (v->is_string() && v->get_string().empty())) {
      failure.errors.push_back({std::string(key), "required", std::string(key) + " is required."});
      return {};
    }
    if (!v->is_string()) {
      failure.errors.push_back({std::string(key), "invalid_type", std::string(key) + " must be a string."});
      return {};
    }
    std::string s(v->get_string());
    if (s.size() > max) {
      failure.errors.push_back(
          {std::string(key), "too_long",
           std::string(key) + " must be at most " + std::to_string(max) + " characters."});
    }
    return s;
  };
  std::string name = string_field("name", model::limits::kMaxUserNameLength);
  std::string email = string_field("email", model::limits::kMaxEmailLength);
  if (!email.empty() && !looks_like_email(email)) {
    failure.errors.push_back({"email", "invalid_value", "email must be an e-mail address."});
  }
  std::string role_text = string_field("role", 16);
  auto role = model::parse_role(role_text);
  if (!role_text.empty() && !role) {
    failure.errors.push_back({"role", "invalid_value", "role must be one of owner, admin, manager, agent."});
  }
  if (!failure.errors.empty()) return input_failure_response(failure);

  if (!model::can_create_user(ctx.principal->user->role, *role)) {
    return error_response(403, "forbidden", "Only an owner can create owners and admins.", "role");
  }
  auto created = create_user_with_token(deps.store, deps.clock, ctx.company_id(), name, email, *role);
  if (!created) {
    if (created.error().code == ErrorCode::kConflict) {
      return error_response(409, "email_taken", "A user with this email already exists.", "email");
    }
    return error_response(created.error());
  }
  json::object out = user_json(created->user);
  out["token"] = created->token;
  return json_response(201, json::serialize(out));
}

}  // namespace

void add_identity_routes(Router& router, const ApiDeps& deps) {
  router.add({"GET", "/api/v2/me", model::Action::kReadIdentity, [](RequestContext& ctx) {
                std::optional<model::Role> role;
                json::value user = nullptr;
                if (ctx.principal->user) {
                  role = ctx.principal->user->role;
                  user = user_json(*ctx.principal->user);
                }
                json::object out{
                    {"user", std::move(user)},
                    {"company", json::object{{"id", ctx.company->id}, {"name", ctx.company->name}}},
                    {"role", role ? model::to_string(*role) : std::string_view("ingest")},
                    {"token_kind", model::to_string(ctx.principal->kind)},
                    {"permissions", permissions_json(role, *ctx.company)}};
                return json_response(200, json::serialize(out));
              }});

  router.add({"POST", "/api/v2/users", model::Action::kCreateUser,
              [&deps](RequestContext& ctx) { return create_user(deps, ctx); }});

  router.add({"GET", "/api/v2/users", model::Action::kListUsers, [&deps](RequestContext& ctx) {
                auto page = parse_page_request(ctx.request);
                if (!page) return page.error();
                auto users = deps.store.list_users(ctx.company_id(), *page);
                if (!users) return error_response(users.error());
                return json_response(
                    200, page_response<model::User>(
                             *users, [](const model::User& u) { return json::value(user_json(u)); },
                             [](const model::User& u) { return u.id; }));
              }});

  router.add({"GET", "/api/v2/permissions", model::Action::kReadIdentity, [](RequestContext& ctx) {
                return json_response(
                    200, json::serialize(json::object{
                             {"managers_can_manage_webhooks", ctx.company->managers_can_manage_webhooks}}));
              }});

  router.add(
      {"PUT", "/api/v2/permissions", model::Action::kSetPermissions, [&deps](RequestContext& ctx) {
         auto body = parse_json_body(ctx.request);
         if (!body) return body.error();
         if (!body->is_object())
           return error_response(400, "invalid_body", "The body must be a JSON object.");
         const auto& obj = body->get_object();
         if (auto bad = reject_unknown_fields(obj, {"managers_can_manage_webhooks"})) return *bad;
         const json::value* v = obj.if_contains("managers_can_manage_webhooks");
         if (!v) {
           return error_response(422, "required", "managers_can_manage_webhooks is required.",
                                 "managers_can_manage_webhooks");
         }
         if (!v->is_bool()) {
           return error_response(422, "invalid_type", "managers_can_manage_webhooks must be true or false.",
                                 "managers_can_manage_webhooks");
         }
         if (auto r = deps.store.set_managers_can_manage_webhooks(ctx.company_id(), v->get_bool()); !r) {
           return error_response(r.error());
         }
         return json_response(200,
                              json::serialize(json::object{{"managers_can_manage_webhooks", v->get_bool()}}));
       }});

  router.add(
      {"POST", "/api/v2/ingest-tokens", model::Action::kCreateIngestToken, [&deps](RequestContext& ctx) {
         auto body = parse_json_body(ctx.request, json::object{});
         if (!body) return body.error();
         if (!body->is_object())
           return error_response(400, "invalid_body", "The body must be a JSON object.");
         if (auto bad = reject_unknown_fields(body->get_object(), {})) return *bad;
         auto token = create_ingest_token(deps.store, deps.clock, ctx.company_id());
         if (!token) return error_response(token.error());
         return json_response(
             201, json::serialize(json::object{{"id", token->record.id},
                                               {"token", token->text},
                                               {"kind", "ingest"},
                                               {"created_at", format_rfc3339(token->record.created_at)}}));
       }});
}

}  // namespace switchboard::api
