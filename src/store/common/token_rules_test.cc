// The token shape rules, as tables.
#include "store/common/token_rules.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace switchboard::store {
namespace {

using model::TokenKind;

model::ApiToken token(std::string company_id, std::optional<std::string> user_id, TokenKind kind) {
  model::ApiToken t;
  t.id = "tok_1";
  t.company_id = std::move(company_id);
  t.user_id = std::move(user_id);
  t.kind = kind;
  return t;
}

struct ShapeCase {
  std::string name;
  std::optional<std::string> user_id;
  TokenKind kind;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const ShapeCase& c) { return out << c.name; }
};

class TokenShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(TokenShapeTest, Checks) {
  const ShapeCase& c = GetParam();
  Result<void> checked = check_token_shape(token("cmp_a", c.user_id, c.kind));
  EXPECT_EQ(checked.has_value(), c.ok);
  if (!c.ok) {
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, TokenShapeTest,
                         ::testing::ValuesIn(std::vector<ShapeCase>{
                             {"UserTokenWithUser", "usr_1", TokenKind::kUser, true},
                             {"IngestTokenWithoutUser", std::nullopt, TokenKind::kIngest, true},
                             {"UserTokenWithoutUser", std::nullopt, TokenKind::kUser, false},
                             {"IngestTokenWithUser", "usr_1", TokenKind::kIngest, false},
                         }),
                         [](const auto& info) { return info.param.name; });

struct NewCompanyCase {
  std::string name;
  std::string owner_company, token_company;
  std::optional<std::string> token_user;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const NewCompanyCase& c) { return out << c.name; }
};

class NewCompanyTest : public ::testing::TestWithParam<NewCompanyCase> {};

TEST_P(NewCompanyTest, Checks) {
  const NewCompanyCase& c = GetParam();
  model::Company company;
  company.id = "cmp_a";
  model::User owner;
  owner.id = "usr_1";
  owner.company_id = c.owner_company;
  Result<void> checked =
      check_new_company(company, owner, token(c.token_company, c.token_user, TokenKind::kUser));
  EXPECT_EQ(checked.has_value(), c.ok);
  if (!c.ok) {
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, NewCompanyTest,
                         ::testing::ValuesIn(std::vector<NewCompanyCase>{
                             {"AllOfTheCompany", "cmp_a", "cmp_a", "usr_1", true},
                             {"OwnerElsewhere", "cmp_b", "cmp_a", "usr_1", false},
                             {"TokenElsewhere", "cmp_a", "cmp_b", "usr_1", false},
                             {"TokenWithoutUser", "cmp_a", "cmp_a", std::nullopt, false},
                         }),
                         [](const auto& info) { return info.param.name; });

struct NewUserTokenCase {
  std::string name;
  std::string token_company;
  std::optional<std::string> token_user;
  TokenKind kind;
  bool ok;
  friend std::ostream& operator<<(std::ostream& out, const NewUserTokenCase& c) { return out << c.name; }
};

class NewUserTokenTest : public ::testing::TestWithParam<NewUserTokenCase> {};

TEST_P(NewUserTokenTest, Checks) {
  const NewUserTokenCase& c = GetParam();
  model::User user;
  user.id = "usr_1";
  user.company_id = "cmp_a";
  Result<void> checked = check_new_user_token(user, token(c.token_company, c.token_user, c.kind));
  EXPECT_EQ(checked.has_value(), c.ok);
  if (!c.ok) {
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, NewUserTokenTest,
                         ::testing::ValuesIn(std::vector<NewUserTokenCase>{
                             {"TheUsersToken", "cmp_a", "usr_1", TokenKind::kUser, true},
                             {"AnotherUsersToken", "cmp_a", "usr_2", TokenKind::kUser, false},
                             {"AnotherCompany", "cmp_b", "usr_1", TokenKind::kUser, false},
                             {"IngestToken", "cmp_a", std::nullopt, TokenKind::kIngest, false},
                         }),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace switchboard::store
