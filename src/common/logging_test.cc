// The log line formats (text and json) and the per-thread request context.
#include "common/logging.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace switchboard {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(LoggingTest, ParsesLogfmtMessages) {
  struct Case {
    std::string message;
    std::optional<Fields> fields;
  };
  const std::vector<Case> cases = {
      {"event=listening url=http://127.0.0.1:1 store=sqlite",
       Fields{{"event", "listening"}, {"url", "http://127.0.0.1:1"}, {"store", "sqlite"}}},
      {R"(event=claim_failed error="database is locked")",
       Fields{{"event", "claim_failed"}, {"error", "database is locked"}}},
      // A quoted value may hold quotes: it ends at a quote followed by the end or " key=".
      {R"(event=x error="relation "t" missing" count=2)",
       Fields{{"event", "x"}, {"error", R"(relation "t" missing)"}, {"count", "2"}}},
      {R"(event=x error="")", Fields{{"event", "x"}, {"error", ""}}},
      {"event=x  count=2 ", Fields{{"event", "x"}, {"count", "2"}}},
      {"event=x empty=", Fields{{"event", "x"}, {"empty", ""}}},
      {"switchboard is starting", std::nullopt},         // a word without '='
      {R"(event=x error="unterminated)", std::nullopt},  // an open quote
      {"=value", std::nullopt},                          // no key
      {"", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_logfmt(c.message), c.fields) << c.message;
}

TEST(LoggingTest, RendersTextAndJsonLines) {
  struct Case {
    LogFormat format;
    std::string message;
    LogContext context;
    std::string line;
  };
  const std::string t = "2026-12-02T10:00:00.000Z";
  const std::vector<Case> cases = {
      {LogFormat::kText, "event=a n=1", {}, t + " level=info event=a n=1"},
      {LogFormat::kText,
       "event=a",
       {"req_1", "co_1"},
       t + " level=info event=a request_id=req_1 company_id=co_1"},
      {LogFormat::kText,
       "event=a company_id=co_2",
       {"req_1", "co_1"},
       t + " level=info event=a company_id=co_2 request_id=req_1"},
      {LogFormat::kJson, "event=a n=1", {}, R"({"time":")" + t + R"(","level":"info","event":"a","n":"1"})"},
      {LogFormat::kJson,
       R"(event=a error="say \"hi\"	now")",
       {"req_1", ""},
       R"({"time":")" + t +
           R"(","level":"info","event":"a","error":"say \\\"hi\\\"\tnow","request_id":"req_1"})"},
      {LogFormat::kJson,
       "plain words",
       {"req_1", "co_1"},
       R"({"time":")" + t +
           R"(","level":"info","message":"plain words","request_id":"req_1","company_id":"co_1"})"},
      // The message's own field wins over the context's; time and level are the line's.
      {LogFormat::kJson,
       "event=a company_id=co_2 level=x",
       {"req_1", "co_1"},
       R"({"time":")" + t + R"(","level":"info","event":"a","company_id":"co_2","request_id":"req_1"})"},
      {LogFormat::kJson,
       std::string("event=a b=\x01"),
       {},
       R"({"time":")" + t + R"(","level":"info","event":"a","b":"\u0001"})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(render_log_line(c.format, t, "info", c.message, c.context), c.line) << c.message;
  }
}

TEST(LoggingTest, ParsesTheLogFormatOption) {
  EXPECT_EQ(parse_log_format("text"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format("JSON"), std::nullopt);
  EXPECT_EQ(parse_log_format(""), std::nullopt);
}

TEST(LoggingTest, ContextIsPerThreadAndScoped) {
  EXPECT_TRUE(current_log_context().request_id.empty());
  set_log_company("co_ignored");  // outside a request: nothing to name
  EXPECT_TRUE(current_log_context().company_id.empty());
  {
    ScopedLogContext outer("req_outer");
    set_log_company("co_1");
    {
      ScopedLogContext inner("req_inner");
      EXPECT_EQ(current_log_context().request_id, "req_inner");
      EXPECT_TRUE(current_log_context().company_id.empty());
    }
    EXPECT_EQ(current_log_context().request_id, "req_outer");
    EXPECT_EQ(current_log_context().company_id, "co_1");
    std::string other;
    std::thread([&] { other = current_log_context().request_id; }).join();
    EXPECT_TRUE(other.empty());
  }
  EXPECT_TRUE(current_log_context().request_id.empty());
  EXPECT_TRUE(current_log_context().company_id.empty());
}

}  // namespace
}  // namespace switchboard
