#include "model/rbac.h"

namespace switchboard::model {
namespace {

// What every signed-in user may do, whatever the role.
bool is_everyday_action(Action action) {
  return action == Action::kReadIdentity || action == Action::kReadDirectory ||
         action == Action::kWatchLiveCalls || action == Action::kListTokens ||
         action == Action::kCreateToken || action == Action::kRevokeToken;
}

}  // namespace

bool is_allowed(std::optional<Role> role, bool managers_can_manage_webhooks, Action action) {
  if (!role) {
    // An ingest token publishes events and may ask who it is; nothing else.
    return action == Action::kPublishEvents || action == Action::kReadIdentity;
  }
  switch (*role) {
    case Role::kOwner:
      return true;
    case Role::kAdmin:
      return action != Action::kSetPermissions;  // the webhook grant is the owner's switch
    case Role::kManager:
      return is_everyday_action(action) ||
             (action == Action::kManageWebhooks && managers_can_manage_webhooks);
    case Role::kAgent:
      return is_everyday_action(action);
  }
  return false;  // unreachable: every role is handled above
}

bool can_create_user(Role creator, Role target) {
  switch (creator) {
    case Role::kOwner:
      return true;
    case Role::kAdmin:
      return target == Role::kManager || target == Role::kAgent;
    case Role::kManager:
    case Role::kAgent:
      return false;
  }
  return false;  // unreachable
}

bool can_manage_user(Role actor, Role target) { return can_create_user(actor, target); }

bool sees_all_tokens(Role actor) { return actor == Role::kOwner || actor == Role::kAdmin; }

bool can_revoke_token(Role actor, std::string_view actor_id, const std::optional<std::string>& token_user_id,
                      std::optional<Role> token_user_role) {
  if (token_user_id && *token_user_id == actor_id) return true;
  if (!token_user_id) return sees_all_tokens(actor);  // an ingest token
  return token_user_role && can_manage_user(actor, *token_user_role);
}

bool can_create_token_for(Role actor, std::string_view actor_id, Role target, std::string_view target_id) {
  return actor_id == target_id || can_manage_user(actor, target);
}

DeactivationCheck check_deactivation(Role actor, std::string_view actor_id, Role target,
                                     std::string_view target_id) {
  if (actor_id == target_id) return DeactivationCheck::kSelf;
  if (!can_manage_user(actor, target)) return DeactivationCheck::kForbidden;
  return DeactivationCheck::kAllowed;
}

}  // namespace switchboard::model
