#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

namespace switchboard {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return make_error(ErrorCode::kInvalidArgument, "not positive: " + std::to_string(n));
  return n;
}

// A step whose result type differs from the caller's: the early return.
Result<std::string> describe(int n) {
  auto positive = parse_positive(n);
  if (!positive) return forward_error(positive);
  return "positive " + std::to_string(*positive);
}

TEST(ForwardErrorTest, ReturnsTheFailedStepsErrorUnchanged) {
  auto failed = describe(-3);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(failed.error().message, "not positive: -3");
  EXPECT_EQ(describe(2).value(), "positive 2");
}

TEST(ForwardErrorTest, CopiesFromAnLvalueAndMovesFromAnRvalue) {
  Result<void> failed = make_error(ErrorCode::kUnavailable, std::string(100, 'x'));
  Result<int> copied = forward_error(failed);
  EXPECT_EQ(copied.error().message, std::string(100, 'x'));
  EXPECT_EQ(failed.error().message, std::string(100, 'x'));  // the source keeps its error

  Result<int> moved = forward_error(std::move(failed));
  EXPECT_EQ(moved.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(moved.error().message, std::string(100, 'x'));
}

TEST(ForwardErrorTest, WorksForAnyErrorType) {
  tl::expected<int, std::unique_ptr<int>> failed = tl::unexpected(std::make_unique<int>(7));
  tl::expected<std::string, std::unique_ptr<int>> forwarded = forward_error(std::move(failed));
  ASSERT_FALSE(forwarded);
  EXPECT_EQ(*forwarded.error(), 7);  // a move-only error moves through
}

}  // namespace
}  // namespace switchboard
