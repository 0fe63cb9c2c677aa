#include "model/rbac.h"

namespace switchboard::model {
namespace {

// What every signed-in user may do, whatever the role.
bool is_everyday_action(Action action) {
  return action == Action::kReadIdentity || action == Action::kReadDirectory ||
         action == Action::kWatchLiveCalls;
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

}  // namespace switchboard::model
