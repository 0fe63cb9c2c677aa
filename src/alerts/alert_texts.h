// What an alert says: the `data` of an operational event sent to alert
// webhooks, and the short plain-text e-mail that tells the admin what to do
// (after the seeds' troubleshooting table). Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "alerts/operational_events.h"
#include "common/clock.h"
#include "model/webhook.h"
#include "store/alert_store.h"

namespace switchboard::alerts {

// One recent failure of the webhook, as the alert shows it.
struct RecentError {
  TimePoint at{};
  std::string event_type;
  std::string error;  // "http_status 500", "timeout", …
};

struct Alert {
  OperationalEvent event = OperationalEvent::kWebhookFailed;
  std::string company_id;
  std::string webhook_id;
  std::string webhook_name;
  std::string webhook_url;
  model::WebhookStatus status = model::WebhookStatus::kActive;
  TimePoint at{};
  std::vector<RecentError> last_errors;  // newest first, at most a few
  // degraded / recovered from degraded: the window's counts and threshold.
  int attempts = 0;
  int succeeded = 0;
  store::DegradedThreshold threshold;
  int exhausted = 0;  // delivery.exhausted: deliveries exhausted since the last report
  bool test = false;  // POST /alert-channels/{id}/test
};

// The event's `data` object in to_js_json form (model/envelope.h), e.g.
// {"webhook":{"id":…,"name":…,"url":…,"status":"failed"},"last_errors":[…]}.
std::string alert_data_json(const Alert& alert);

struct Email {
  std::string subject;
  std::string body;  // plain text, CRLF line ends
};
Email alert_email(const Alert& alert);

// The complete RFC 5322 message libcurl sends (Date, From, To, Subject,
// Message-ID, plain-text UTF-8 body, dot-stuffing left to libcurl).
std::string email_message(const Email& email, const std::string& from, const std::vector<std::string>& to,
                          TimePoint date, const std::string& message_id);

}  // namespace switchboard::alerts
