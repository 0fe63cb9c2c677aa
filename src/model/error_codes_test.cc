#include "model/error_codes.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

namespace switchboard::model::error_codes {
namespace {

bool is_snake_case(std::string_view code) {
  if (code.empty() || code.front() == '_' || code.back() == '_') return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '_' ? code[i - 1] == '_' : (c < 'a' || c > 'z')) return false;
  }
  return true;
}

TEST(ErrorCodesTest, SnakeCaseRecognisesOnlyLowercaseWordsJoinedByOneUnderscore) {
  for (std::string_view good : {"not_found", "required", "occurred_at_out_of_range"}) {
    EXPECT_TRUE(is_snake_case(good)) << good;
  }
  for (std::string_view bad : {"", "NotFound", "not__found", "_x", "x_", "not-found", "too_long2"}) {
    EXPECT_FALSE(is_snake_case(bad)) << bad;
  }
}

TEST(ErrorCodesTest, EveryCodeIsSnakeCaseAndListedOnce) {
  std::set<std::string_view> seen;
  for (std::string_view code : kAllErrorCodes) {
    EXPECT_TRUE(is_snake_case(code)) << code;
    EXPECT_TRUE(seen.insert(code).second) << code << " is listed twice";
  }
  EXPECT_EQ(seen.size(), kAllErrorCodes.size());
}

}  // namespace
}  // namespace switchboard::model::error_codes
