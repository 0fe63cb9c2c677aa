// Identity routes: who am I, users (and their deactivation), the managers'
// webhook permission, tokens (list, create, revoke) and ingest tokens.
#include <boost/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/identity_service.h"
#include "api/request_json.h"
#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/limits.h"
#include "model/rbac.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::value optional_time_json(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return json::value(format_rfc3339(*t));
}

json::object user_json(const model::User& user) {
  return {{"id", user.id},
          {"name", user.name},
          {"email", user.email},
          {"role", model::to_string(user.role)},
          {"created_at", format_rfc3339(user.created_at)},
          {"active", !user.deactivated_at.has_value()},
          {"deactivated_at", optional_time_json(user.deactivated_at)}};
}

// A token as listed: never its secret, only the hint of its first characters.
json::object token_json(const model::ApiToken& token, TimePoint now) {
  return {{"id", token.id},
          {"kind", model::to_string(token.kind)},
          {"user_id", token.user_id ? json::value(*token.user_id) : json::value(nullptr)},
          {"hint", token.hint.empty() ? json::value(nullptr) : json::value(token.hint)},
          {"status", model::to_string(model::token_status(token, now))},
          {"created_at", format_rfc3339(token.created_at)},
          {"expires_at", optional_time_json(token.expires_at)},
          {"last_used_at", optional_time_json(token.last_used_at)},
          {"revoked_at", optional_time_json(token.revoked_at)}};
}

// Reads an optional expiry from `at_key` (RFC 3339 time) or `in_key` (whole
// seconds from now), at most one of them; bounded by model::check_token_expiry.
tl::expected<std::optional<TimePoint>, Response> parse_expiry(const json::object& body,
                                                              std::string_view at_key,
                                                              std::string_view in_key, TimePoint now) {
  const json::value* at = body.if_contains(at_key);
  const json::value* in = body.if_contains(in_key);
  if (at && at->is_null()) at = nullptr;
  if (in && in->is_null()) in = nullptr;
  if (at && in) {
    return tl::unexpected(
        error_response(422, error_codes::kInvalidValue,
                       "Give " + std::string(at_key) + " or " + std::string(in_key) + ", not both.", in_key));
  }
  std::optional<TimePoint> expires_at;
  if (at) {
    if (!at->is_string()) {
      return tl::unexpected(error_response(
          422, error_codes::kInvalidType, std::string(at_key) + " must be an RFC 3339 time string.", at_key));
    }
    expires_at = parse_rfc3339(at->get_string());
    if (!expires_at) {
      return tl::unexpected(error_response(
          422, error_codes::kInvalidValue,
          std::string(at_key) + " must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z.", at_key));
    }
  } else if (in) {
    if (!in->is_int64() && !in->is_uint64()) {
      return tl::unexpected(error_response(422, error_codes::kInvalidType,
                                           std::string(in_key) + " must be a whole number of seconds.",
                                           in_key));
    }
    const bool too_big = in->is_uint64() || in->get_int64() > 10LL * 365 * 86400;
    const long long seconds = too_big ? 10LL * 365 * 86400 + 1 : in->get_int64();
    expires_at = now + std::chrono::seconds(seconds);
  } else {
    return std::optional<TimePoint>{};
  }
  if (auto wrong = model::check_token_expiry(*expires_at, now)) {
    return tl::unexpected(error_response(422, error_codes::kInvalidValue, *wrong, at ? at_key : in_key));
  }
  return expires_at;
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
      return error_response(400, error_codes::kUnknownField,
                            "Unknown field \"" + std::string(field.key()) + "\".", field.key());
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
  if (!body->is_object())
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  const auto& obj = body->get_object();
  if (auto bad =
          reject_unknown_fields(obj, {"name", "email", "role", "token_expires_at", "token_expires_in"})) {
    return *bad;
  }

  model::InputFailure failure;
  auto string_field = [&](std::string_view key, std::size_t max) -> std::string {
    const json::value* v = obj.if_contains(key);
    if (!v || (v->is_string() && v->get_string().empty())) {
      failure.errors.push_back(
          {std::string(key), error_codes::kRequired, std::string(key) + " is required."});
      return {};
    }
    if (!v->is_string()) {
      failure.errors.push_back(
          {std::string(key), error_codes::kInvalidType, std::string(key) + " must be a string."});
      return {};
    }
    std::string s(v->get_string());
    if (s.size() > max) {
      failure.errors.push_back(
          {std::string(key), error_codes::kTooLong,
           std::string(key) + " must be at most " + std::to_string(max) + " characters."});
    }
    return s;
  };
  std::string name = string_field("name", model::limits::kMaxUserNameLength);
  std::string email = string_field("email", model::limits::kMaxEmailLength);
  if (!email.empty() && !looks_like_email(email)) {
    failure.errors.push_back({"email", error_codes::kInvalidValue, "email must be an e-mail address."});
  }
  std::string role_text = string_field("role", 16);
  auto role = model::parse_role(role_text);
  if (!role_text.empty() && !role) {
    failure.errors.push_back(
        {"role", error_codes::kInvalidValue, "role must be one of owner, admin, manager, agent."});
  }
  if (!failure.errors.empty()) return input_failure_response(failure);
  auto expires_at = parse_expiry(obj, "token_expires_at", "token_expires_in", deps.clock.now());
  if (!expires_at) return expires_at.error();

  if (!model::can_create_user(ctx.principal->user->role, *role)) {
    return error_response(403, error_codes::kForbidden, "Only an owner can create owners and admins.",
                          "role");
  }
  auto created =
      create_user_with_token(deps.store, deps.clock, ctx.company_id(), name, email, *role, *expires_at);
  if (!created) {
    if (created.error().code == ErrorCode::kConflict) {
      return error_response(409, error_codes::kEmailTaken, "A user with this email already exists.", "email");
    }
    return error_response(created.error());
  }
  json::object out = user_json(created->user);
  out["token"] = created->token;
  out["token_expires_at"] = optional_time_json(*expires_at);
  return json_response(201, json::serialize(out));
}

// GET /tokens: owners and admins see the company's tokens (?user_id= narrows
// to one user), everyone else only their own.
Response list_tokens(const ApiDeps& deps, RequestContext& ctx) {
  auto page = parse_page_request(ctx.request);
  if (!page) return page.error();
  const model::User& me = *ctx.principal->user;
  std::optional<std::string> user_id;
  if (auto wanted = ctx.request.query_param("user_id")) user_id = std::string(*wanted);
  if (!model::sees_all_tokens(me.role)) {
    if (user_id && *user_id != me.id) {
      return error_response(403, error_codes::kForbidden, "You can list only your own tokens.", "user_id");
    }
    user_id = me.id;
  }
  auto tokens = deps.store.list_tokens(ctx.company_id(), user_id, *page);
  if (!tokens) return error_response(tokens.error());
  const TimePoint now = deps.clock.now();
  return json_response(
      200, page_response<model::ApiToken>(
               *tokens, [now](const model::ApiToken& t) { return json::value(token_json(t, now)); },
               [](const model::ApiToken& t) { return t.id; }));
}

// POST /tokens: a new user token, for yourself or (owners, admins) for
// another user of the company; the token text is in this answer only.
Response create_token(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_json_body(ctx.request, json::object{});
  if (!body) return body.error();
  if (!body->is_object())
    return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
  const auto& obj = body->get_object();
  if (auto bad = reject_unknown_fields(obj, {"user_id", "expires_at", "expires_in"})) return *bad;
  const model::User& me = *ctx.principal->user;
  model::User target = me;
  if (const json::value* v = obj.if_contains("user_id"); v && !v->is_null()) {
    if (!v->is_string())
      return error_response(422, error_codes::kInvalidType, "user_id must be a string.", "user_id");
    const std::string wanted(v->get_string());
    if (wanted != me.id) {
      auto user = deps.store.get_user(ctx.company_id(), wanted);
      if (!user) {
        if (user.error().code == ErrorCode::kNotFound) {
          return error_response(404, error_codes::kNotFound, "No such user.", "user_id");
        }
        return error_response(user.error());
      }
      target = std::move(*user);
    }
  }
  auto expires_at = parse_expiry(obj, "expires_at", "expires_in", deps.clock.now());
  if (!expires_at) return expires_at.error();
  if (!model::can_create_token_for(me.role, me.id, target.role, target.id)) {
    return error_response(403, error_codes::kForbidden,
                          "Owners make tokens for anyone; admins for managers "
                          "and agents; others only for "
                          "themselves.",
                          "user_id");
  }
  if (target.deactivated_at) {
    return error_response(409, error_codes::kUserDeactivated, "The user is deactivated.", "user_id");
  }
  auto token = create_user_token(deps.store, deps.clock, ctx.company_id(), target.id, *expires_at);
  if (!token) {
    if (token.error().code == ErrorCode::kConflict) {
      return error_response(409, error_codes::kUserDeactivated, "The user is deactivated.", "user_id");
    }
    return error_response(token.error());
  }
  json::object out = token_json(token->record, deps.clock.now());
  out["token"] = token->text;
  return json_response(201, json::serialize(out));
}

// DELETE /tokens/{id}: revoke. A token the caller may not even list is 404,
// one they see but may not revoke (an admin and an owner's token) is 403.
Response revoke_token(const ApiDeps& deps, RequestContext& ctx) {
  const model::User& me = *ctx.principal->user;
  auto token = deps.store.get_token(ctx.company_id(), ctx.params.at(0));
  if (!token) {
    if (token.error().code == ErrorCode::kNotFound)
      return error_response(404, error_codes::kNotFound, "No such token.");
    return error_response(token.error());
  }
  const bool own = token->user_id == me.id;
  if (!own && !model::sees_all_tokens(me.role))
    return error_response(404, error_codes::kNotFound, "No such token.");
  std::optional<model::Role> owner_role;
  if (token->user_id && !own) {
    auto owner = deps.store.get_user(ctx.company_id(), *token->user_id);
    if (!owner && owner.error().code != ErrorCode::kNotFound) return error_response(owner.error());
    if (owner) owner_role = owner->role;
  }
  if (!model::can_revoke_token(me.role, me.id, token->user_id, owner_role)) {
    return error_response(403, error_codes::kForbidden,
                          "Only an owner can revoke the tokens of owners and admins.");
  }
  auto revoked = deps.store.revoke_token(ctx.company_id(), token->id, deps.clock.now());
  if (!revoked) return error_response(revoked.error());
  return json_response(200, json::serialize(token_json(*revoked, deps.clock.now())));
}

// POST /users/{id}/deactivate: the user can no longer sign in; every token of
// theirs is revoked in the same transaction. Idempotent.
Response deactivate_user(const ApiDeps& deps, RequestContext& ctx) {
  const model::User& me = *ctx.principal->user;
  auto target = deps.store.get_user(ctx.company_id(), ctx.params.at(0));
  if (!target) {
    if (target.error().code == ErrorCode::kNotFound)
      return error_response(404, error_codes::kNotFound, "No such user.");
    return error_response(target.error());
  }
  switch (model::check_deactivation(me.role, me.id, target->role, target->id)) {
    case model::DeactivationCheck::kSelf:
      return error_response(409, error_codes::kCannotDeactivateSelf, "You cannot deactivate yourself.");
    case model::DeactivationCheck::kForbidden:
      return error_response(403, error_codes::kForbidden, "Only an owner can deactivate owners and admins.");
    case model::DeactivationCheck::kAllowed:
      break;
  }
  auto done = deps.store.deactivate_user(ctx.company_id(), target->id, deps.clock.now());
  if (!done) {
    if (done.error().code == ErrorCode::kConflict) {
      return error_response(409, error_codes::kLastOwner,
                            "The company's last active owner cannot be deactivated.");
    }
    return error_response(done.error());
  }
  return json_response(200, json::serialize(user_json(*done)));
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

  router.add({"POST", "/api/v2/users/{id}/deactivate", model::Action::kDeactivateUser,
              [&deps](RequestContext& ctx) { return deactivate_user(deps, ctx); }});

  router.add({"GET", "/api/v2/tokens", model::Action::kListTokens,
              [&deps](RequestContext& ctx) { return list_tokens(deps, ctx); }});
  router.add({"POST", "/api/v2/tokens", model::Action::kCreateToken,
              [&deps](RequestContext& ctx) { return create_token(deps, ctx); }});
  router.add({"DELETE", "/api/v2/tokens/{id}", model::Action::kRevokeToken,
              [&deps](RequestContext& ctx) { return revoke_token(deps, ctx); }});

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
           return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
         const auto& obj = body->get_object();
         if (auto bad = reject_unknown_fields(obj, {"managers_can_manage_webhooks"})) return *bad;
         const json::value* v = obj.if_contains("managers_can_manage_webhooks");
         if (!v) {
           return error_response(422, error_codes::kRequired, "managers_can_manage_webhooks is required.",
                                 "managers_can_manage_webhooks");
         }
         if (!v->is_bool()) {
           return error_response(422, error_codes::kInvalidType,
                                 "managers_can_manage_webhooks must be true or false.",
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
           return error_response(400, error_codes::kInvalidBody, "The body must be a JSON object.");
         if (auto bad = reject_unknown_fields(body->get_object(), {"expires_at", "expires_in"})) return *bad;
         auto expires_at = parse_expiry(body->get_object(), "expires_at", "expires_in", deps.clock.now());
         if (!expires_at) return expires_at.error();
         auto token = create_ingest_token(deps.store, deps.clock, ctx.company_id(), *expires_at);
         if (!token) return error_response(token.error());
         json::object out = token_json(token->record, deps.clock.now());
         out["token"] = token->text;
         return json_response(201, json::serialize(out));
       }});
}

}  // namespace switchboard::api
