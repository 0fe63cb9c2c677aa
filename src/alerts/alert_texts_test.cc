// The alert texts: short, plain, no header injection, and the webhook payload shape.
#include "alerts/alert_texts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace switchboard::alerts {
namespace {

Alert failed_alert() {
  Alert alert;
  alert.event = OperationalEvent::kWebhookFailed;
  alert.company_id = "co_1";
  alert.webhook_id = "wh_1";
  alert.webhook_name = "CRM\r\nBcc: evil@example.com";
  alert.webhook_url = "https://crm.example.com/hook";
  alert.status = model::WebhookStatus::kFailed;
  alert.at = TimePoint(std::chrono::milliseconds(1'800'000'000'000));
  alert.last_errors = {{alert.at, "call.started", "http_status 500"}};
  return alert;
}

TEST(AlertTexts, EmailSaysWhatToDoAndCannotInjectHeaders) {
  const Email email = alert_email(failed_alert());
  EXPECT_EQ(email.subject.find('\n'), std::string::npos);
  EXPECT_NE(email.subject.find("has failed"), std::string::npos);
  EXPECT_NE(email.body.find("What to do"), std::string::npos);
  EXPECT_NE(email.body.find("http_status 500"), std::string::npos);
  const std::string message =
      email_message(email, "a@example.com", {"b@example.com"}, failed_alert().at, "m@x");
  EXPECT_EQ(message.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(message.find("Subject: [Switchboard] Webhook"), std::string::npos);
}

TEST(AlertTexts, WebhookDataByEvent) {
  Alert alert = failed_alert();
  auto data = boost::json::parse(alert_data_json(alert)).as_object();
  EXPECT_EQ(data["webhook"].as_object()["status"], "failed");
  EXPECT_EQ(data["last_errors"].as_array().size(), 1u);
  EXPECT_FALSE(data.contains("window"));
  alert.event = OperationalEvent::kWebhookDisabled;
  alert.status = model::WebhookStatus::kInactive;
  alert.last_errors = {{alert.at, "call.started", "http_status 410"}};
  data = boost::json::parse(alert_data_json(alert)).as_object();
  EXPECT_EQ(data["webhook"].as_object()["status"], "inactive");
  EXPECT_EQ(data["last_errors"].as_array().at(0).as_object()["error"], "http_status 410");
  EXPECT_NE(alert_email(alert).body.find("http_status 410"), std::string::npos);  // the e-mail says the same
  alert.event = OperationalEvent::kDeliveryExhausted;
  alert.exhausted = 7;
  data = boost::json::parse(alert_data_json(alert)).as_object();
  EXPECT_EQ(data["exhausted"], 7);
  EXPECT_FALSE(data.contains("last_errors"));
}

}  // namespace
}  // namespace switchboard::alerts
