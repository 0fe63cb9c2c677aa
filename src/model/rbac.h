// Role-based access rules (spec §1) as pure functions. The API asks these
// before touching any object; object-level (company) checks are separate.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/identity.h"

namespace switchboard::model {

enum class Action {
  kReadIdentity,       // GET /me, GET /event-types
  kManageWebhooks,     // every webhook route, failure and delivery logs
  kListUsers,          // GET /users
  kCreateUser,         // POST /users (see can_create_user for the target role)
  kSetPermissions,     // PUT /permissions
  kCreateIngestToken,  // POST /ingest-tokens
  kPublishEvents,      // POST /events
  kManageDirectory,    // POST /agents, /departments
  kReadDirectory,      // GET /agents, /departments
  kWatchLiveCalls,     // GET /live/calls
  kListTokens,         // GET /tokens (owners and admins see the company's, others their own)
  kCreateToken,        // POST /tokens (for yourself; for someone else see can_manage_tokens_of)
  kRevokeToken,        // DELETE /tokens/{id} (see can_revoke_token)
  kDeactivateUser,     // POST /users/{id}/deactivate (see check_deactivation)
  kManageRetention,    // GET/PATCH /retention (owners and admins)
  kManageAlerts,       // /alert-channels, /alert-settings (owners and admins)
};

// The role of a principal: a user's role, or nullopt for an ingest token.
// managers_can_manage_webhooks is the company's owner-controlled switch.
bool is_allowed(std::optional<Role> role, bool managers_can_manage_webhooks, Action action);

// Whether `creator` may create a user with role `target`
// (owners create anyone; admins create managers and agents).
bool can_create_user(Role creator, Role target);

// Whether `actor` may act on another user's account or tokens (create a token
// for them, revoke their tokens, deactivate them): owners on anyone, admins on
// managers and agents, as for creating users. So an admin can never lock out
// or impersonate an owner or another admin.
bool can_manage_user(Role actor, Role target);

// Whether `actor` may see every token of the company (else only their own).
bool sees_all_tokens(Role actor);

// Whether the user `actor_id` with role `actor` may revoke a token that
// belongs to `token_user_id` (role `token_user_role`), or to no user (an
// ingest token: nullopt, nullopt). Everyone may revoke their own tokens;
// ingest tokens are the owners' and admins'; other users' tokens follow
// can_manage_user. Company scoping is checked before this (another
// company's token is 404).
bool can_revoke_token(Role actor, std::string_view actor_id, const std::optional<std::string>& token_user_id,
                      std::optional<Role> token_user_role);

// Whether `actor` may make a token for the user `target_id` (role `target`).
bool can_create_token_for(Role actor, std::string_view actor_id, Role target, std::string_view target_id);

enum class DeactivationCheck {
  kAllowed,
  kSelf,       // nobody deactivates themselves (it would lock them out mid-request)
  kForbidden,  // not can_manage_user
};

// The role rule for deactivating a user. That the company keeps at least one
// active owner is checked by the store, in the same transaction.
DeactivationCheck check_deactivation(Role actor, std::string_view actor_id, Role target,
                                     std::string_view target_id);

}  // namespace switchboard::model
