// Table tests of alert channel and threshold validation: each bad input
// names its field and code.
#include "alerts/channel_input.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "model/error_codes.h"

namespace switchboard::alerts {
namespace {

namespace json = boost::json;
namespace error_codes = model::error_codes;

constexpr const char* kEmail =
    R"({"name":"Ops","kind":"email","smtp":{"host":"smtp.example.com","from":"alerts@example.com",)"
    R"("recipients":["ops@example.com"],"username":"u","password":"p"}})";

TEST(ChannelInput, ValidEmailChannelTakesDefaults) {
  auto spec = parse_channel_create(json::parse(kEmail));
  ASSERT_TRUE(spec) << spec.error()[0].field;
  EXPECT_EQ(spec->kind, store::AlertChannelKind::kEmail);
  EXPECT_EQ(spec->smtp.tls, store::SmtpTls::kStartTls);
  EXPECT_EQ(spec->smtp.port, 587);
  EXPECT_EQ(spec->events, (std::vector<std::string>{"webhook.failed", "webhook.disabled", "webhook.degraded",
                                                    "webhook.recovered"}));
}

TEST(ChannelInput, ValidWebhookChannel) {
  auto spec = parse_channel_create(json::parse(
      R"({"name":"Pager","kind":"webhook","url":"https://alerts.example.com/in","events":["delivery.exhausted","webhook.failed"]})"));
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->url, "https://alerts.example.com/in");
  EXPECT_EQ(spec->events,
            (std::vector<std::string>{"webhook.failed", "delivery.exhausted"}));  // catalog order
}

struct Bad {
  std::string body;
  std::string field;
  std::string code;
};

TEST(ChannelInput, BadInputNamesTheField) {
  const std::vector<Bad> rows = {
      {R"({"kind":"email"})", "name", error_codes::kRequired},
      {R"({"name":"x"})", "kind", error_codes::kRequired},
      {R"({"name":"x","kind":"sms"})", "kind", error_codes::kInvalidValue},
      {R"({"name":"x","kind":"webhook"})", "url", error_codes::kRequired},
      {R"({"name":"x","kind":"webhook","url":"http://a.example.com/"})", "url", error_codes::kHttpsRequired},
      {R"({"name":"x","kind":"webhook","url":"https://a.example.com/","events":["call.started"]})",
       "events[0]", error_codes::kUnknownEvent},
      {R"({"name":"x","kind":"webhook","url":"https://a.example.com/","events":[]})", "events",
       error_codes::kTooFew},
      {R"({"name":"x","kind":"webhook","url":"https://a.example.com/","smtp":{}})", "smtp",
       error_codes::kNotAllowed},
      {R"({"name":"x","kind":"email","smtp":{"from":"a@b.c","recipients":["c@d.e"]}})", "smtp.host",
       error_codes::kRequired},
      {R"({"name":"x","kind":"email","smtp":{"host":"mail.example.com:25","from":"a@b.c","recipients":["c@d.e"]}})",
       "smtp.host", error_codes::kInvalidValue},
      {R"({"name":"x","kind":"email","smtp":{"host":"mail.example.com","tls":"none","from":"a@b.c","recipients":["c@d.e"]}})",
       "smtp.tls", error_codes::kNotAllowed},
      {R"({"name":"x","kind":"email","smtp":{"host":"h","tls":"ssl","from":"a@b.c","recipients":["c@d.e"]}})",
       "smtp.tls", error_codes::kInvalidValue},
      {R"({"name":"x","kind":"email","smtp":{"host":"h","port":70000,"from":"a@b.c","recipients":["c@d.e"]}})",
       "smtp.port", error_codes::kInvalidValue},
      {R"({"name":"x","kind":"email","smtp":{"host":"h","from":"a@b.c","recipients":[]}})", "smtp.recipients",
       error_codes::kTooFew},
      {R"({"name":"x","kind":"email","smtp":{"host":"h","from":"a@b.c","recipients":["not an address"]}})",
       "smtp.recipients[0]", error_codes::kInvalidValue},
      {R"({"name":"x","kind":"email","smtp":{"host":"h","from":"a@b.c\r\nBcc: x@y.z","recipients":["c@d.e"]}})",
       "smtp.from", error_codes::kInvalidValue},
      {R"({"name":"x","kind":"email","smtp":{"host":"h","from":"a@b.c","recipients":["c@d.e"],"password":"p"}})",
       "smtp.username", error_codes::kRequired},
      {R"({"name":"x","kind":"email","colour":"red","smtp":{"host":"h","from":"a@b.c","recipients":["c@d.e"]}})",
       "colour", error_codes::kUnknownField},
  };
  for (const Bad& row : rows) {
    SCOPED_TRACE(row.body);
    auto spec = parse_channel_create(json::parse(row.body));
    ASSERT_FALSE(spec);
    bool found = false;
    for (const auto& error : spec.error())
      found = found || (error.field == row.field && error.code == row.code);
    EXPECT_TRUE(found) << spec.error()[0].field << " " << spec.error()[0].code;
  }
}

TEST(ChannelInput, PatchKeepsAMaskedPasswordAndRefusesKind) {
  auto created = parse_channel_create(json::parse(kEmail));
  ASSERT_TRUE(created);
  auto patched =
      parse_channel_patch(json::parse(R"({"smtp":{"password":"********","port":2525}})"), *created);
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->smtp.password, "p");
  EXPECT_EQ(patched->smtp.port, 2525);
  auto kind = parse_channel_patch(json::parse(R"({"kind":"webhook"})"), *created);
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error()[0].code, error_codes::kImmutable);
}

TEST(ChannelInput, ThresholdRanges) {
  struct Row {
    std::string body;
    bool ok;
    std::string field;
  };
  const std::vector<Row> rows = {
      {R"({"degraded_below_percent":95})", true, ""},
      {R"({"degraded_below_percent":0})", false, "degraded_below_percent"},
      {R"({"degraded_below_percent":101})", false, "degraded_below_percent"},
      {R"({"degraded_min_attempts":0})", false, "degraded_min_attempts"},
      {R"({"degraded_window_minutes":1441})", false, "degraded_window_minutes"},
      {R"({"degraded_window_minutes":"15"})", false, "degraded_window_minutes"},
      {R"({"degraded_window_minutes":60,"degraded_min_attempts":5})", true, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.body);
    auto parsed = parse_threshold_patch(json::parse(row.body), store::DegradedThreshold{});
    EXPECT_EQ(parsed.has_value(), row.ok);
    if (!parsed) {
      EXPECT_EQ(parsed.error()[0].field, row.field);
    }
  }
}

TEST(ChannelInput, HostRules) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("127.evil.example.com/"));
  EXPECT_TRUE(is_valid_smtp_host("smtp.example.com"));
  EXPECT_TRUE(is_valid_smtp_host("2001:db8::1"));
  EXPECT_FALSE(is_valid_smtp_host("smtp://x"));
  EXPECT_FALSE(is_valid_smtp_host("x:25"));
}

}  // namespace
}  // namespace switchboard::alerts
