#include "model/webhook.h"

#include <gtest/gtest.h>

namespace switchboard::model {
namespace {

TEST(WebhookEnumsTest, AuthTypeNames) {
  EXPECT_EQ(to_string(AuthType::kNone), "none");
  EXPECT_EQ(to_string(AuthType::kBasic), "basic");
  EXPECT_EQ(to_string(AuthType::kApiKey), "api_key");
}

TEST(WebhookEnumsTest, ApiKeyLocationNames) {
  EXPECT_EQ(to_string(ApiKeyLocation::kHeader), "header");
  EXPECT_EQ(to_string(ApiKeyLocation::kQuery), "query");
}

struct StatusCase {
  WebhookStatus status;
  std::string_view text;
};

constexpr StatusCase kStatuses[] = {
    {WebhookStatus::kActive, "active"},
    {WebhookStatus::kInactive, "inactive"},
    {WebhookStatus::kFailed, "failed"},
};

TEST(WebhookEnumsTest, StatusRoundTrip) {
  for (const StatusCase& c : kStatuses) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(to_string(c.status), c.text);
    EXPECT_EQ(parse_webhook_status(c.text), c.status);
  }
}

TEST(WebhookEnumsTest, StatusParseRejectsAnythingElse) {
  for (std::string_view text : {"", "Active", "ACTIVE", "disabled", "enabled", "fail", "active "}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_webhook_status(text), std::nullopt);
  }
}

TEST(WebhookSpecTest, EqualityCoversEveryField) {
  const WebhookSpec base{
      "n", "d", "https://a.example", {}, {{"X-A", "1"}}, {"call.end"}, {{"inbound"}, {}, {}}};
  std::vector<WebhookSpec> variants(7, base);
  variants[0].name = "other";
  variants[1].description = "other";
  variants[2].url = "https://b.example";
  variants[3].auth.type = AuthType::kBasic;
  variants[4].headers[0].value = "2";
  variants[5].events.push_back("call.summary");
  variants[6].filters.agent_ids.push_back("a1");
  EXPECT_EQ(base, WebhookSpec(base));
  for (std::size_t i = 0; i < variants.size(); ++i) EXPECT_NE(base, variants[i]) << "variant " << i;
}

}  // namespace
}  // namespace switchboard::model

// What the attempt log shows as sent: Switchboard's own headers, signatures
// included (issue 17 item 8: a ready cURL command); credentials never.
TEST(PublicRequestHeaderTest, SignaturesShownCredentialsMasked) {
  struct Case {
    const char* name;
    bool shown;
  };
  const Case cases[] = {
      {"Content-Type", true},
      {"user-agent", true},
      {"X-MO-Event-Id", true},
      {"X-MO-Timestamp", true},
      {"webhook-id", true},
      {"webhook-timestamp", true},
      {"X-MO-Signature", true},
      {"x-mo-signature", true},
      {"webhook-signature", true},
      {"X-MyOperator-Signature", true},
      {"Authorization", false},
      {"X-Api-Key", false},
      {"X-Custom", false},
      {"", false},
      {"X-MO-Signature-Secret", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(switchboard::model::is_public_request_header(c.name), c.shown) << c.name;
}
