#include "delivery/header_block.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace switchboard::delivery {
namespace {

TEST(HeaderBlockTest, SpellsEachHeaderAsLibcurlExpects) {
  struct Case {
    const char* name;
    std::vector<HttpHeader> headers;
    std::vector<std::string_view> extra;
    std::vector<std::string_view> want;
  };
  const std::vector<Case> cases = {
      {"nothing", {}, {}, {}},
      {"one header", {{"Content-Type", "application/json"}}, {}, {"Content-Type: application/json"}},
      {"an empty value is sent, not removed", {{"X-Empty", ""}}, {}, {"X-Empty;"}},
      {"extra lines come last, verbatim", {{"A", "1"}, {"B", "2"}}, {"Expect:"}, {"A: 1", "B: 2", "Expect:"}},
      {"only extra lines", {}, {"Expect:"}, {"Expect:"}},
  };
  for (const auto& c : cases) {
    HeaderBlock block;
    if (c.extra.empty()) {
      block.assign(c.headers);
    } else {
      block.assign(c.headers, {c.extra.front()});
    }
    EXPECT_EQ(block.lines(), c.want) << c.name;
    std::vector<std::string_view> walked;
    for (curl_slist* node = block.list(); node != nullptr; node = node->next) walked.emplace_back(node->data);
    EXPECT_EQ(walked, c.want) << c.name << ": the list links every line in order";
  }
}

TEST(HeaderBlockTest, ReassigningReplacesTheLines) {
  HeaderBlock block;
  block.assign({{"A", std::string(1000, 'a')}, {"B", "b"}}, {"Expect:"});
  block.assign({{"C", "c"}});
  EXPECT_EQ(block.lines(), (std::vector<std::string_view>{"C: c"}));
  EXPECT_EQ(block.list()->next, nullptr);
}

}  // namespace
}  // namespace switchboard::delivery
