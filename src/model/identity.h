// Tenancy and identity: companies, users, roles, API tokens.
// Plain value types; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace switchboard::model {

enum class Role { kOwner, kAdmin, kManager, kAgent };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);  // "owner", "admin", "manager", "agent"

struct Company {
  std::string id;  // cmp_…
  std::string name;
  bool managers_can_manage_webhooks = false;
  TimePoint created_at{};
};

struct User {
  std::string id;  // usr_…
  std::string company_id;
  std::string name;
  std::string email;
  Role role = Role::kAgent;
  TimePoint created_at{};
};

// A user token acts with its user's role; an ingest token may only publish events.
enum class TokenKind { kUser, kIngest };

std::string_view to_string(TokenKind kind);

// A stored token. The token text itself is never stored, only its hash.
struct ApiToken {
  std::string id;  // tok_…
  std::string company_id;
  std::optional<std::string> user_id;  // set for kUser tokens
  TokenKind kind = TokenKind::kUser;
  std::string token_hash;  // hex SHA-256 of the token text
  TimePoint created_at{};
};

// Who is making a request: resolved from a bearer token.
struct Principal {
  std::string company_id;
  std::string token_id;
  TokenKind kind = TokenKind::kUser;
  std::optional<User> user;  // set for kUser tokens
};

}  // namespace switchboard::model
