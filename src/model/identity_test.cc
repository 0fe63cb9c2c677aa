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
}

}  // namespace
}  // namespace switchboard::model
