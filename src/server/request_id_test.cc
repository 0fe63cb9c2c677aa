// Which client request ids are kept, and the ones the server makes.
#include "server/request_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "model/limits.h"

namespace switchboard::server {
namespace {

TEST(RequestIdTest, KeepsOnlyBoundedSafeIds) {
  struct Case {
    std::string id;
    bool kept;
  };
  const std::string longest(model::limits::kMaxRequestIdLength, 'a');
  const std::vector<Case> cases = {
      {"abc-123", true},
      {"9f1c2d3e-aaaa-bbbb-cccc-0123456789ab", true},
      {"trace.id:span_1", true},
      {longest, true},
      {longest + "a", false},  // too long
      {"", false},
      {"has space", false},
      {"quote\"d", false},
      {"new\nline", false},
      {"key=value", false},  // could forge a logfmt field
      {"{json}", false},
      {"caf\xc3\xa9", false},  // non-ASCII
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_acceptable_request_id(c.id), c.kept) << c.id;
    const std::string chosen = choose_request_id(c.id);
    if (c.kept) {
      EXPECT_EQ(chosen, c.id);
    } else {
      EXPECT_NE(chosen, c.id);
      EXPECT_TRUE(chosen.starts_with("req_")) << chosen;
    }
  }
}

TEST(RequestIdTest, MadeIdsAreAcceptableAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = choose_request_id(std::nullopt);
    EXPECT_TRUE(is_acceptable_request_id(id)) << id;
    EXPECT_EQ(id.size(), 24u);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace switchboard::server
