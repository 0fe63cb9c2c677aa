// What the API shows of a webhook and of a logged attempt: every secret
// value masked by the one rule (model::kMaskedSecret,
// model::is_public_request_header), names in clear.
#include "api/webhook_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/delivery_json.h"

namespace switchboard::api {
namespace {

namespace json = boost::json;

TEST(WebhookJsonTest, EverySecretValueIsMaskedAndNamesStayVisible) {
  model::Webhook webhook;
  webhook.id = "wh_1";
  webhook.spec.url = "https://crm.example.com/hooks";
  webhook.spec.auth.type = model::AuthType::kApiKey;
  webhook.spec.auth.keys = {{"X-Api-Key", "api-key-secret-1"}};
  webhook.spec.headers = {{"Authorization", "Bearer header-secret-2"}, {"X-Source", "header-secret-3"}};
  webhook.secret = "whsec_signing-secret-4";
  const std::string text = json::serialize(webhook_json(webhook));
  for (const char* secret : {"api-key-secret-1", "header-secret-2", "header-secret-3", "signing-secret-4"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " shown in " << text;
  }
  const json::value shown = json::parse(text);
  const json::array& headers = shown.at("headers").as_array();
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], (json::object{{"key", "Authorization"}, {"value", "********"}}));
  EXPECT_EQ(headers[1], (json::object{{"key", "X-Source"}, {"value", "********"}}));
}

TEST(DeliveryJsonTest, FailureInspectMasksEveryRequestHeaderButSwitchboardsOwn) {
  model::Attempt attempt;
  attempt.id = "att_1";
  // As an attempt logged before custom header values were masked stored them.
  attempt.request_headers = json::serialize(json::array{
      json::array{"Content-Type", "application/json"},
      json::array{"X-MO-Event-Id", "evt_1"},
      json::array{"webhook-signature", "********"},
      json::array{"Authorization", "Bearer logged-secret-5"},
      json::array{"x-source", "logged-secret-6"},
  });
  attempt.response_headers = json::serialize(json::array{json::array{"X-Receiver", "shown-as-received"}});
  const json::object detail = attempt_json(attempt, /*detail=*/true);
  const std::string text = json::serialize(detail);
  EXPECT_EQ(text.find("logged-secret"), std::string::npos) << text;
  const json::array& headers = detail.at("request").at("headers").as_array();
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[0].at("value"), "application/json");
  EXPECT_EQ(headers[1].at("value"), "evt_1");
  EXPECT_EQ(headers[3], (json::object{{"name", "Authorization"}, {"value", "********"}}));
  EXPECT_EQ(headers[4], (json::object{{"name", "x-source"}, {"value", "********"}}));
  // The receiver's answer is shown as it came.
  EXPECT_EQ(detail.at("response").at("headers").at(0).at("value"), "shown-as-received");
}

}  // namespace
}  // namespace switchboard::api
