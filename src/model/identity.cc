#include "model/identity.h"

#include <charconv>

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

std::string_view to_string(TokenStatus status) {
  switch (status) {
    case TokenStatus::kActive:
      return "active";
    case TokenStatus::kExpired:
      return "expired";
    case TokenStatus::kRevoked:
      return "revoked";
  }
  return "revoked";  // unreachable
}

TokenStatus token_status(const std::optional<TimePoint>& revoked_at,
                         const std::optional<TimePoint>& expires_at, TimePoint now) {
  if (revoked_at) return TokenStatus::kRevoked;
  if (expires_at && now >= *expires_at) return TokenStatus::kExpired;
  return TokenStatus::kActive;
}

TokenStatus token_status(const ApiToken& token, TimePoint now) {
  return token_status(token.revoked_at, token.expires_at, now);
}

TokenStatus principal_status(const Principal& principal, TimePoint now) {
  if (principal.user && principal.user->deactivated_at) return TokenStatus::kRevoked;
  return token_status(principal.revoked_at, principal.expires_at, now);
}

std::optional<std::string> check_token_expiry(TimePoint expires_at, TimePoint now) {
  if (expires_at <= now) return "The expiry must be in the future.";
  if (expires_at - now > kMaxTokenLifetime) return "A token can live at most 365 days.";
  return std::nullopt;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  text.remove_suffix(1);
  long long count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count <= 0) return std::nullopt;
  long long seconds_per_unit = 0;
  switch (unit) {
    case 's':
      seconds_per_unit = 1;
      break;
    case 'm':
      seconds_per_unit = 60;
      break;
    case 'h':
      seconds_per_unit = 3600;
      break;
    case 'd':
      seconds_per_unit = 86400;
      break;
    case 'w':
      seconds_per_unit = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  // Far beyond any allowed lifetime, and nowhere near overflow.
  if (count > 100LL * 365 * 86400 / seconds_per_unit) return std::nullopt;
  return std::chrono::seconds(count * seconds_per_unit);
}

}  // namespace switchboard::model
