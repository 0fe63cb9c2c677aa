// Tenancy and identity: companies, users, roles, API tokens.
// Plain value types; no I/O.
#pragma once

#include <chrono>
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
  // Set once the user is deactivated: every token of theirs is revoked with
  // it, and no new token can be made for them. Users are never deleted.
  std::optional<TimePoint> deactivated_at;
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
  std::string hint;  // the first characters of the token text (not secret), to recognise it: "sbt_Ab3x"
  std::optional<TimePoint> expires_at;    // refused from then on; none = does not expire
  std::optional<TimePoint> last_used_at;  // recorded at most once a minute (kLastUsedResolution)
  std::optional<TimePoint> revoked_at;    // refused from then on; a revocation is final
};

// Who is making a request: resolved from a bearer token.
struct Principal {
  std::string company_id;
  std::string token_id;
  TokenKind kind = TokenKind::kUser;
  std::optional<User> user;  // set for kUser tokens
  // The token's lifecycle, as stored (see token_status).
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> last_used_at;
  std::optional<TimePoint> revoked_at;
};

// --- token lifecycle ---------------------------------------------------------

enum class TokenStatus { kActive, kExpired, kRevoked };

std::string_view to_string(TokenStatus status);

// Revoked wins over expired; a token expires at expires_at exactly.
TokenStatus token_status(const std::optional<TimePoint>& revoked_at,
                         const std::optional<TimePoint>& expires_at, TimePoint now);
TokenStatus token_status(const ApiToken& token, TimePoint now);
// Whether a request with this principal is let in: the token's status, and a
// user token of a deactivated user counts as revoked (its revocation and the
// deactivation are one transaction, this is a second lock on the same door).
TokenStatus principal_status(const Principal& principal, TimePoint now);

// How long a token may live: at most a year from its creation.
inline constexpr std::chrono::seconds kMaxTokenLifetime = std::chrono::hours(24 * 365);
// last_used_at is written at most this often per token (not on every request).
inline constexpr std::chrono::seconds kLastUsedResolution = std::chrono::minutes(1);

// Why a requested expiry is refused, or nullopt when it is fine: it must be
// after `now` and at most kMaxTokenLifetime after it.
std::optional<std::string> check_token_expiry(TimePoint expires_at, TimePoint now);

// "30d", "12h", "15m", "90s", "2w" (one positive integer and a unit) for the
// CLI's --expires-in; nullopt when malformed or absurdly large.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace switchboard::model
