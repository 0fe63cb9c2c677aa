#include "model/identity.h"

namespace switchboard::model {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kManager:
      return "manager";
    case Role::kAgent:
      return "agent";
  }
  return "agent";  // unreachable: every enumerator is handled above
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::kOwner, Role::kAdmin, Role::kManager, Role::kAgent}) {
    if (to_string(role) == text) return role;
  }
  return std::nullopt;
}

std::string_view to_string(TokenKind kind) {
  switch (kind) {
    case TokenKind::kUser:
      return "user";
    case TokenKind::kIngest:
      return "ingest";
  }
  return "user";  // unreachable
}

}  // namespace switchboard::model
