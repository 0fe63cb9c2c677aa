#include "model/identity.h"

#include <gtest/gtest.h>

namespace switchboard::model {
namespace {

struct RoleCase {
  Role role;
  std::string_view text;
};

constexpr RoleCase kRoles[] = {
    {Role::kOwner, "owner"},
    {Role::kAdmin, "admin"},
    {Role::kManager, "manager"},
    {Role::kAgent, "agent"},
};

TEST(RoleTest, ToStringAndParseRoundTrip) {
  for (const RoleCase& c : kRoles) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(to_string(c.role), c.text);
    EXPECT_EQ(parse_role(c.text), c.role);
  }
}

TEST(RoleTest, ParseRejectsAnythingElse) {
  for (std::string_view text :
       {"", "Owner", "ADMIN", " agent", "agent ", "ingest", "user", "superuser", "own"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_role(text), std::nullopt);
  }
}

TEST(TokenKindTest, ToString) {
  EXPECT_EQ(to_string(TokenKind::kUser), "user");
  EXPECT_EQ(to_string(TokenKind::kIngest), "ingest");
}

TEST(IdentityDefaultsTest, SafeDefaults) {
  EXPECT_FALSE(Company{}.managers_can_manage_webhooks);
  EXPECT_EQ(User{}.role, Role::kAgent);  // least privilege
  EXPECT_EQ(ApiToken{}.kind, TokenKind::kUser);
  EXPECT_EQ(User{}.deactivated_at, std::nullopt);
}

TimePoint at_s(long long seconds) { return TimePoint(std::chrono::seconds(seconds)); }

struct StatusCase {
  const char* name;
  std::optional<TimePoint> revoked_at;
  std::optional<TimePoint> expires_at;
  TimePoint now;
  TokenStatus expected;
};

const StatusCase kStatusCases[] = {
    {"no expiry, not revoked", std::nullopt, std::nullopt, at_s(1000), TokenStatus::kActive},
    {"expires later", std::nullopt, at_s(2000), at_s(1000), TokenStatus::kActive},
    {"one ms before expiry", std::nullopt, at_s(2000), at_s(2000) - std::chrono::milliseconds(1),
     TokenStatus::kActive},
    {"at expiry exactly", std::nullopt, at_s(2000), at_s(2000), TokenStatus::kExpired},
    {"after expiry", std::nullopt, at_s(2000), at_s(3000), TokenStatus::kExpired},
    {"revoked", at_s(500), std::nullopt, at_s(1000), TokenStatus::kRevoked},
    {"revoked in the future still revoked", at_s(5000), std::nullopt, at_s(1000), TokenStatus::kRevoked},
    {"revoked and expired: revoked", at_s(500), at_s(600), at_s(1000), TokenStatus::kRevoked},
};

TEST(TokenStatusTest, Table) {
  for (const StatusCase& c : kStatusCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(token_status(c.revoked_at, c.expires_at, c.now), c.expected);
    ApiToken token;
    token.revoked_at = c.revoked_at;
    token.expires_at = c.expires_at;
    EXPECT_EQ(token_status(token, c.now), c.expected);
    Principal principal;
    principal.revoked_at = c.revoked_at;
    principal.expires_at = c.expires_at;
    EXPECT_EQ(principal_status(principal, c.now), c.expected);
  }
}

TEST(TokenStatusTest, DeactivatedUsersTokenIsRevoked) {
  Principal principal;
  principal.user = User{};
  EXPECT_EQ(principal_status(principal, at_s(1000)), TokenStatus::kActive);
  principal.user->deactivated_at = at_s(900);
  EXPECT_EQ(principal_status(principal, at_s(1000)), TokenStatus::kRevoked);
}

TEST(TokenStatusTest, Names) {
  EXPECT_EQ(to_string(TokenStatus::kActive), "active");
  EXPECT_EQ(to_string(TokenStatus::kExpired), "expired");
  EXPECT_EQ(to_string(TokenStatus::kRevoked), "revoked");
}

struct ExpiryCase {
  const char* name;
  std::chrono::milliseconds from_now;
  bool ok;
};

const ExpiryCase kExpiryCases[] = {
    {"in the past", -std::chrono::hours(1), false},
    {"now", std::chrono::milliseconds(0), false},
    {"one ms ahead", std::chrono::milliseconds(1), true},
    {"30 days", std::chrono::hours(24 * 30), true},
    {"365 days exactly", std::chrono::hours(24 * 365), true},
    {"365 days and one ms", std::chrono::hours(24 * 365) + std::chrono::milliseconds(1), false},
    {"ten years", std::chrono::hours(24 * 3650), false},
};

TEST(TokenExpiryTest, BoundsTable) {
  const TimePoint now = at_s(1'700'000'000);
  for (const ExpiryCase& c : kExpiryCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(!check_token_expiry(now + c.from_now, now).has_value(), c.ok);
  }
}

struct DurationCase {
  std::string_view text;
  std::optional<long long> seconds;
};

const DurationCase kDurations[] = {
    {"30d", 30 * 86400},
    {"12h", 12 * 3600},
    {"15m", 900},
    {"90s", 90},
    {"2w", 14 * 86400},
    {"365d", 365 * 86400},
    {"1s", 1},
    // malformed
    {"", std::nullopt},
    {"d", std::nullopt},
    {"30", std::nullopt},
    {"0d", std::nullopt},
    {"-1d", std::nullopt},
    {"+1d", std::nullopt},
    {"1.5d", std::nullopt},
    {"30D", std::nullopt},
    {"30 d", std::nullopt},
    {"30dd", std::nullopt},
    {"1y", std::nullopt},
    {"99999999999999999999d", std::nullopt},
    {"40000d", std::nullopt},
};

TEST(DurationTest, ParseTable) {
  for (const DurationCase& c : kDurations) {
    SCOPED_TRACE(std::string(c.text));
    auto parsed = parse_duration(c.text);
    if (c.seconds) {
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(parsed->count(), *c.seconds);
    } else {
      EXPECT_EQ(parsed, std::nullopt);
    }
  }
}

}  // namespace
}  // namespace switchboard::model
