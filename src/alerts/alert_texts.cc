#include "alerts/alert_texts.h"

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

#include "common/time_format.h"
#include "model/envelope.h"

namespace switchboard::alerts {
namespace json = boost::json;

namespace {

std::string percent(int succeeded, int attempts) {
  if (attempts <= 0) return "n/a";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f %%", 100.0 * succeeded / attempts);
  return text;
}

// What the admin should do, by event (the seeds' troubleshooting table).
std::string advice(const Alert& alert) {
  switch (alert.event) {
    case OperationalEvent::kWebhookFailed:
      return "What to do:\r\n"
             "- Check that the URL is reachable from the internet and answers 2xx to a POST with a JSON "
             "body.\r\n"
             "- Check the authentication (Basic or API key) and the signature check on your side.\r\n"
             "- Look at the failure log in the dashboard (Webhooks > Logs) for the status and response.\r\n"
             "- When fixed, set the webhook back to active and use Recover to resend what was missed.\r\n";
    case OperationalEvent::kWebhookDisabled:
      return "Your endpoint answered 410 Gone, so Switchboard stopped sending to it.\r\n"
             "What to do: if the endpoint moved, update the URL; then set the webhook back to active.\r\n";
    case OperationalEvent::kWebhookDegraded:
      return "Deliveries still go out and are retried, but many fail.\r\n"
             "What to do: look at the failure log (Webhooks > Logs) for the status codes and errors, and\r\n"
             "check your endpoint's capacity, timeouts and authentication.\r\n";
    case OperationalEvent::kWebhookRecovered:
      return "No action needed.\r\n";
    case OperationalEvent::kDeliveryExhausted:
      return "These events were not delivered within their 24 h retry window.\r\n"
             "What to do: fix the endpoint, then use Recover on the webhook to resend them.\r\n";
  }
  return "";
}

std::string headline(const Alert& alert) {
  const std::string name = alert.webhook_name.empty() ? alert.webhook_id : alert.webhook_name;
  switch (alert.event) {
    case OperationalEvent::kWebhookFailed:
      return "Webhook \"" + name + "\" has failed";
    case OperationalEvent::kWebhookDisabled:
      return "Webhook \"" + name + "\" was disabled (410 Gone)";
    case OperationalEvent::kWebhookDegraded:
      return "Webhook \"" + name + "\" is degraded (" + percent(alert.succeeded, alert.attempts) +
             " delivered)";
    case OperationalEvent::kWebhookRecovered:
      return "Webhook \"" + name + "\" has recovered";
    case OperationalEvent::kDeliveryExhausted:
      return std::to_string(alert.exhausted) + " deliveries to webhook \"" + name + "\" gave up";
  }
  return "";
}

// Header values come from users (webhook names): no CR/LF may reach the header.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\r' || c == '\n') c = ' ';
  return text;
}

std::string rfc5322_date(TimePoint at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

}  // namespace

std::string alert_data_json(const Alert& alert) {
  json::object webhook{{"id", alert.webhook_id},
                       {"name", alert.webhook_name},
                       {"url", alert.webhook_url},
                       {"status", model::to_string(alert.status)}};
  json::object data{{"webhook", std::move(webhook)}, {"at", format_rfc3339(alert.at)}};
  // The last failed attempts, as the e-mail lists them (a 410 for webhook.disabled).
  if (alert.event == OperationalEvent::kWebhookFailed || alert.event == OperationalEvent::kWebhookDegraded ||
      alert.event == OperationalEvent::kWebhookDisabled) {
    json::array errors;
    for (const auto& error : alert.last_errors) {
      errors.push_back(json::object{
          {"at", format_rfc3339(error.at)}, {"event_type", error.event_type}, {"error", error.error}});
    }
    data["last_errors"] = std::move(errors);
  }
  if (alert.event == OperationalEvent::kWebhookDegraded ||
      alert.event == OperationalEvent::kWebhookRecovered) {
    data["window"] = json::object{{"minutes", alert.threshold.window.count()},
                                  {"attempts", alert.attempts},
                                  {"succeeded", alert.succeeded},
                                  {"threshold_percent", alert.threshold.below_percent}};
  }
  if (alert.event == OperationalEvent::kDeliveryExhausted) data["exhausted"] = alert.exhausted;
  if (alert.test) data["test"] = true;
  return model::to_js_json(data);
}

Email alert_email(const Alert& alert) {
  Email email;
  email.subject = one_line((alert.test ? "[Switchboard test] " : "[Switchboard] ") + headline(alert));
  std::string& body = email.body;
  if (alert.test) body += "This is a test alert: your alert channel works.\r\n\r\n";
  body += one_line(headline(alert)) + ".\r\n\r\n";
  body += "Webhook: " + one_line(alert.webhook_name) + " (" + alert.webhook_id + ")\r\n";
  body += "URL: " + one_line(alert.webhook_url) + "\r\n";
  body += "Status: " + std::string(model::to_string(alert.status)) + "\r\n";
  body += "When: " + format_rfc3339(alert.at) + "\r\n";
  if (alert.event == OperationalEvent::kWebhookDegraded ||
      alert.event == OperationalEvent::kWebhookRecovered) {
    body += "Last " + std::to_string(alert.threshold.window.count()) +
            " min: " + std::to_string(alert.succeeded) + " of " + std::to_string(alert.attempts) +
            " attempts delivered (" + percent(alert.succeeded, alert.attempts) + "; alert below " +
            std::to_string(alert.threshold.below_percent) + " %)\r\n";
  }
  if (!alert.last_errors.empty()) {
    body += "\r\nLast errors:\r\n";
    for (const auto& error : alert.last_errors) {
      body += "- " + format_rfc3339(error.at) + " " + one_line(error.event_type) + ": " +
              one_line(error.error) + "\r\n";
    }
  }
  body += "\r\n" + advice(alert);
  return email;
}

std::string email_message(const Email& email, const std::string& from, const std::vector<std::string>& to,
                          TimePoint date, const std::string& message_id) {
  std::string recipients;
  for (const auto& address : to) recipients += (recipients.empty() ? "" : ", ") + address;
  return "Date: " + rfc5322_date(date) + "\r\nFrom: " + one_line(from) + "\r\nTo: " + one_line(recipients) +
         "\r\nSubject: " + email.subject + "\r\nMessage-ID: <" + message_id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
         "8bit\r\n\r\n" +
         email.body;
}

}  // namespace switchboard::alerts
