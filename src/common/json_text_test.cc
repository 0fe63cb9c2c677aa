#include "common/json_text.h"

#include <gtest/gtest.h>

namespace switchboard {
namespace {

TEST(AppendJsonString, EscapesAsJsonStringify) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string("\x00\x01\x1f", 3), R"("\u0000\u0001\u001f")"},
      {"\x7f", "\"\x7f\""},  // DEL is not a control character for JSON
      {"caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\""},  // UTF-8 as it is
  };
  for (const auto& c : cases) {
    std::string out = "x";
    append_json_string(out, c.in);
    EXPECT_EQ(out, "x" + c.out) << c.in;
  }
}

}  // namespace
}  // namespace switchboard
