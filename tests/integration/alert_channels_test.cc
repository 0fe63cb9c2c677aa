// Alert channels under failure, and the operational events not covered by
// alerts_test.cc, end to end (issue 16 items 1-2): real HTTPS receivers and a
// real SMTP server (aiosmtpd) on loopback, the real Service delivering.
//  - An alert webhook whose endpoint fails never raises alerts about itself
//    (neither to itself nor by e-mail) while the customer's webhook still
//    alerts; its failures show on the channel and in the log.
//  - An alert webhook that hangs never slows the customer's deliveries.
//  - E-mail over implicit TLS (smtps): the test alert and an episode's e-mail.
//  - webhook.disabled (410) reaches the channels subscribed to it once per
//    episode, and again after an enable (a new episode), in the documented
//    shape; the opt-in delivery.exhausted only the channels that ask for it.
// Policy time runs 3600x faster (the 24 h window in 24 s) except where a test
// says; every wait is on a condition, except the short quiet spells that show
// nothing more comes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "alerts_fixture.h"
#include "receiver/verify.h"
#include "store/alert_store.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

receiver::ReceiverOptions answering(int status) {
  receiver::ReceiverOptions options;
  options.status = status;
  options.timestamp_tolerance.reset();
  return options;
}

// The alert events a receiver got, one per event id (a retried event counts
// once), as their parsed envelopes, in arrival order.
std::vector<json::object> alert_envelopes(const receiver::Receiver& r) {
  std::vector<json::object> out;
  std::set<std::string> seen;
  for (const auto& event : r.events()) {
    if (!seen.insert(event.event_id).second) continue;
    out.push_back(json::parse(event.body).as_object());
  }
  return out;
}

std::set<std::string> keys_of(const json::object& object) {
  std::set<std::string> out;
  for (const auto& member : object) out.emplace(member.key());
  return out;
}

class AlertsChannelsTest : public AlertsFixture {
 protected:
  // The server stops before logs_ puts the previous default logger back.
  void TearDown() override { server_.reset(); }

  std::string company_id() { return std::string(get_json("/api/v2/me").at("company").at("id").as_string()); }
  store::AlertStore& alert_store() { return dynamic_cast<store::AlertStore&>(server_->service().store()); }
  // The hidden webhook ("wha_…") that carries an alert webhook channel.
  model::Webhook carrier_of(const std::string& channel_id) {
    const std::string company = company_id();
    auto channel = alert_store().get_alert_channel(company, channel_id);
    EXPECT_TRUE(channel.has_value());
    auto webhook = server_->service().store().get_webhook(company, channel ? channel->webhook_id : "");
    EXPECT_TRUE(webhook.has_value());
    return webhook ? *webhook : model::Webhook{};
  }
  json::object channel(const std::string& id) { return get_json("/api/v2/alert-channels/" + id).as_object(); }

  void publish_batch(int count, const std::string& call_prefix, int calls) {
    json::array batch;
    for (int i = 0; i < count; ++i) {
      json::object data = model::sample_event_data("call.answered");
      data.erase("test");
      data["call_id"] = call_prefix + std::to_string(i % calls);
      batch.push_back(json::object{{"type", "call.answered"}, {"data", data}});
    }
    auto r = server_->post("/api/v2/events/batch", owner_, json::serialize(json::object{{"events", batch}}));
    ASSERT_EQ(r.status, 202) << r.body.substr(0, 300);
  }

  LogCapture logs_;
};

const json::array kAllEvents{"webhook.failed", "webhook.disabled", "webhook.degraded", "webhook.recovered",
                             "delivery.exhausted"};

// Item 1, "never alerting about itself": the customer's webhook (500) turns
// degraded, then failed, and its deliveries exhaust; every alert about it goes
// to the alert webhook, whose endpoint answers 500 too, so those deliveries
// fail, exhaust and turn the carrier webhook `failed` itself. Nothing is ever
// raised about the carrier: no e-mail and no alert delivery names it, and it
// has no episodes; its failures are on its channel and in the log.
TEST_F(AlertsChannelsTest, FailingAlertWebhookNeverAlertsAboutItself) {
  make_smtp_cert();
  SmtpSink smtp(dir_.path(), "starttls", cert_, key_, "alerts:s3cret-pass");
  ASSERT_GT(smtp.port(), 0);
  auto& bad = add_receiver(answering(500));
  auto& pager = add_receiver(answering(500));
  start_server(config_with_smtp_ca(3600.0));

  const std::string mail_id(
      create_channel(email_channel(smtp.port(), "starttls", "127.0.0.1", &kAllEvents)).at("id").as_string());
  const std::string hook_id(create_alert_webhook(pager, kAllEvents).at("id").as_string());
  const std::string id = create_webhook("CRM", bad);
  const model::Webhook carrier = carrier_of(hook_id);
  ASSERT_TRUE(carrier.id.starts_with("wha_")) << carrier.id;

  publish("call.answered", "c1");
  publish("call.answered", "c2");
  publish("call.answered", "c3");
  ASSERT_TRUE(wait_until([&] { return get_json("/api/v2/webhooks/" + id).at("status") == "failed"; }, 180s));
  // The alerts about it exhaust at the failing pager: three in a row turn the
  // carrier `failed` (what would raise webhook.failed about a customer's webhook).
  ASSERT_TRUE(wait_until([&] { return carrier_of(hook_id).status == model::WebhookStatus::kFailed; }, 180s))
      << "the carrier webhook did not fail; pager got " << pager.count() << " requests";
  ASSERT_TRUE(wait_until([&] { return smtp.messages().size() >= 3; }, 60s)) << smtp.messages().size();
  // Sweeps run every 200 ms at this scale, looks at most every 3 ms: 3 s is
  // ~15 sweeps (3 h of policy time) for anything about the carrier to show.
  std::this_thread::sleep_for(3s);

  // The customer's webhook alerted, by e-mail and to the pager ...
  const auto messages = smtp.messages();
  std::set<std::string> subjects;
  for (const auto& message : messages) {
    SCOPED_TRACE(message.substr(0, 400));
    EXPECT_NE(message.find("(" + id + ")"),
              std::string::npos);  // every e-mail is about the customer's webhook
    EXPECT_EQ(message.find("wha_"), std::string::npos);
    EXPECT_EQ(message.find("Alert channel: "), std::string::npos);  // the carrier's name
    std::smatch subject;
    if (std::regex_search(message, subject, std::regex("Subject: ([^\r\n]*)")))
      subjects.insert(subject[1].str());
  }
  EXPECT_TRUE(subjects.contains("[Switchboard] Webhook \"CRM\" has failed")) << messages.size();
  EXPECT_TRUE(std::any_of(subjects.begin(), subjects.end(),
                          [](const std::string& s) { return s.find("is degraded") != std::string::npos; }));
  EXPECT_TRUE(std::any_of(subjects.begin(), subjects.end(), [](const std::string& s) {
    return s.find("deliveries to webhook \"CRM\" gave up") != std::string::npos;
  }));
  std::set<std::string> types;
  for (const auto& envelope : alert_envelopes(pager)) {
    types.emplace(envelope.at("event_type").as_string());
    EXPECT_EQ(envelope.at("data").at("webhook").at("id"), id.c_str()) << json::serialize(envelope);
  }
  EXPECT_TRUE(types.contains("webhook.failed"));
  EXPECT_TRUE(types.contains("webhook.degraded"));
  // ... and nothing was ever decided about the carrier.
  auto episodes = alert_store().get_episodes(company_id(), carrier.id);
  ASSERT_TRUE(episodes.has_value());
  EXPECT_EQ(episodes->version, 0) << "episodes were stored for the carrier webhook";
  EXPECT_TRUE(logs_.lines_with({"event=alert ", "webhook=" + carrier.id}).empty());
  EXPECT_FALSE(logs_.lines_with({"event=alert ", "type=webhook.failed", "webhook=" + id}).empty());

  // Its failures are on its channel and in the log; the e-mail channel is fine.
  const json::object pager_channel = channel(hook_id);
  ASSERT_TRUE(pager_channel.at("last_error").is_string()) << json::serialize(pager_channel);
  EXPECT_NE(std::string(pager_channel.at("last_error").as_string()).find("http_status 500"),
            std::string::npos);
  EXPECT_FALSE(pager_channel.at("last_failure_at").is_null());
  EXPECT_TRUE(pager_channel.at("last_success_at").is_null());
  EXPECT_FALSE(
      logs_.lines_with({"event=alert_webhook_failed", "channel=" + hook_id, "http_status 500"}).empty());
  const json::object mail_channel = channel(mail_id);
  EXPECT_TRUE(mail_channel.at("last_error").is_null()) << json::serialize(mail_channel);
  EXPECT_FALSE(mail_channel.at("last_success_at").is_null());
  // PATCH {"enabled": true} starts the stopped alert webhook again.
  ASSERT_EQ(server_->patch("/api/v2/alert-channels/" + hook_id, owner_, R"({"enabled":true})").status, 200);
  EXPECT_EQ(carrier_of(hook_id).status, model::WebhookStatus::kActive);
  EXPECT_EQ(carrier_of(hook_id).consecutive_exhausted, 0);
}

// Item 1, "never slows deliveries": the alert webhook's endpoint hangs; while
// its requests hang, 100 deliveries to a healthy webhook arrive at the pace
// they had before any alert; the hung attempts end as timeouts, shown on the
// channel and logged.
TEST_F(AlertsChannelsTest, HangingAlertWebhookNeverSlowsDeliveries) {
  receiver::ReceiverOptions hanging = answering(200);
  hanging.hang = true;
  auto& pager = add_receiver(hanging);
  auto& healthy = add_receiver(answering(200));
  auto& gone = add_receiver(answering(410));
  server::ServeConfig config = delivery_config(3600.0);
  constexpr auto kTimeout = 20s;  // how long the pager's requests hang before they time out
  config.delivery_timeout = kTimeout;
  start_server(config);

  const std::string hook_id(create_alert_webhook(pager).at("id").as_string());
  create_webhook("CRM", healthy);
  // Before any alert: the pace of 100 deliveries (10 calls).
  auto started = Clock::now();
  publish_batch(100, "before-", 10);
  ASSERT_TRUE(healthy.wait_for(100, 60s));
  const auto before = Clock::now() - started;

  // Three webhooks whose receiver says 410: three webhook.disabled alerts,
  // whose requests to the pager hang.
  for (int i = 0; i < 3; ++i) create_webhook("Gone " + std::to_string(i), gone);
  publish("call.answered", "g1");
  ASSERT_TRUE(pager.wait_for(3, 30s)) << pager.count() << " alert requests";
  const auto hanging_since = Clock::now();
  ASSERT_TRUE(healthy.wait_for(101, 30s));

  started = Clock::now();
  publish_batch(100, "during-", 10);
  ASSERT_TRUE(healthy.wait_for(201, 60s));
  const auto during = Clock::now() - started;
  // Still hanging: no alert attempt has ended yet (it would show on the channel).
  EXPECT_TRUE(channel(hook_id).at("last_error").is_null()) << "the deliveries took longer than the hang";
  EXPECT_LT(Clock::now() - hanging_since, kTimeout);
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "100 deliveries: " << ms(before) << " ms before, " << ms(during)
            << " ms while 3 alert requests hang\n";
  EXPECT_LT(during, 2 * before + 2s);
  for (const auto& e : healthy.events()) EXPECT_EQ(e.attempt, 1) << e.event_id;

  // The hung attempts time out: the channel shows it, the log says it.
  ASSERT_TRUE(wait_until([&] { return channel(hook_id).at("last_error").is_string(); }, 60s));
  const json::object pager_channel = channel(hook_id);
  EXPECT_NE(std::string(pager_channel.at("last_error").as_string()).find("timeout"), std::string::npos)
      << json::serialize(pager_channel);
  EXPECT_FALSE(pager_channel.at("last_failure_at").is_null());
  EXPECT_FALSE(logs_.lines_with({"event=alert_webhook_failed", "channel=" + hook_id, "timeout"}).empty());
  // Deliveries still go on meanwhile.
  publish("call.answered", "after");
  EXPECT_TRUE(healthy.wait_for(202, 30s));
}

// Implicit TLS (smtps): the channel's test alert and an episode's e-mail go
// over a TLS connection from the first byte, with the login.
TEST_F(AlertsChannelsTest, ImplicitTlsSmtpSendsTheTestAlertAndEpisodeEmails) {
  make_smtp_cert();
  SmtpSink smtp(dir_.path(), "implicit", cert_, key_, "alerts:s3cret-pass");
  ASSERT_GT(smtp.port(), 0);
  auto& gone = add_receiver(answering(410));
  start_server(config_with_smtp_ca(3600.0));

  const json::object created = create_channel(email_channel(smtp.port(), "implicit"));
  ASSERT_EQ(created.at("smtp").at("tls"), "implicit");
  const std::string mail_id(created.at("id").as_string());
  auto test = server_->post("/api/v2/alert-channels/" + mail_id + "/test", owner_);
  ASSERT_EQ(test.status, 202) << test.body;
  ASSERT_TRUE(wait_until([&] { return smtp.messages().size() >= 1; }, 60s))
      << json::serialize(channel(mail_id));
  EXPECT_NE(smtp.messages()[0].find("Subject: [Switchboard test]"), std::string::npos) << smtp.messages()[0];
  EXPECT_EQ(smtp.users()[0], "alerts");
  ASSERT_TRUE(wait_until([&] { return channel(mail_id).at("last_success_at").is_string(); }));
  EXPECT_TRUE(channel(mail_id).at("last_error").is_null());

  const std::string id = create_webhook("Gone", gone);
  publish("call.answered", "i1");
  ASSERT_TRUE(wait_until([&] { return smtp.messages().size() >= 2; }, 60s));
  const std::string message = smtp.messages()[1];
  EXPECT_NE(message.find("Subject: [Switchboard] Webhook \"Gone\" was disabled (410 Gone)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("(" + id + ")"), std::string::npos);
  EXPECT_NE(message.find("http_status 410"), std::string::npos);
  EXPECT_EQ(smtp.users()[1], "alerts");
}

// The envelope and `data` members of an alert (README "Failure alerts").
void expect_documented_shape(const json::object& envelope, const std::set<std::string>& data_keys) {
  SCOPED_TRACE(json::serialize(envelope));
  EXPECT_EQ(keys_of(envelope),
            (std::set<std::string>{"event_id", "event_type", "created_at", "company_id", "data"}));
  const json::object& data = envelope.at("data").as_object();
  EXPECT_EQ(keys_of(data), data_keys);
  EXPECT_EQ(keys_of(data.at("webhook").as_object()), (std::set<std::string>{"id", "name", "url", "status"}));
  EXPECT_TRUE(data.at("at").is_string());
}

std::vector<std::string> subjects_of(const std::vector<std::string>& messages) {
  std::vector<std::string> out;
  for (const auto& message : messages) {
    std::smatch subject;
    out.push_back(std::regex_search(message, subject, std::regex("Subject: ([^\r\n]*)")) ? subject[1].str()
                                                                                         : std::string());
  }
  return out;
}

// Item 2, webhook.disabled: a receiver's 410s (two in flight) give one alert
// per episode to both kinds of subscribed channel, in the README's shape. An
// admin enables the webhook while the receiver still says 410: the next event
// disables it again within a second, before any sweep (every 60 s at this
// scale) could see it active; the enable still ends the episode
// (webhook.recovered) and the new 410 opens the next (webhook.disabled again).
TEST_F(AlertsChannelsTest, DisabledGoesOutOncePerEpisodeAndAgainAfterAnEnable) {
  make_smtp_cert();
  SmtpSink smtp(dir_.path(), "starttls", cert_, key_, "alerts:s3cret-pass");
  ASSERT_GT(smtp.port(), 0);
  auto& gone = add_receiver(answering(410));
  auto& pager = add_receiver(answering(200));
  start_server(config_with_smtp_ca(1.0));  // real time: the sweep runs every 60 s

  const json::array events{"webhook.disabled", "webhook.recovered"};
  const std::string mail_id(
      create_channel(email_channel(smtp.port(), "starttls", "127.0.0.1", &events)).at("id").as_string());
  const json::object hook = create_alert_webhook(pager, events);
  const std::string secret(hook.at("secret").as_string());
  const std::string gone_id = create_webhook("Gone", gone);

  // Episode 1: two calls' events, both answered 410 (the second one in flight already or not).
  publish_batch(2, "x", 2);
  ASSERT_TRUE(wait_until([&] { return get_json("/api/v2/webhooks/" + gone_id).at("status") == "inactive"; }));
  ASSERT_TRUE(wait_until([&] { return pager.count() >= 1 && smtp.messages().size() >= 1; }, 30s));
  // Enabled; the next event gets 410 again: episode 2.
  ASSERT_EQ(server_->post("/api/v2/webhooks/" + gone_id + "/enable", owner_).status, 200);
  publish("call.answered", "x9");
  ASSERT_TRUE(wait_until([&] { return gone.count() >= 3; }, 30s));
  ASSERT_TRUE(wait_until([&] { return get_json("/api/v2/webhooks/" + gone_id).at("status") == "inactive"; }));
  ASSERT_TRUE(
      wait_until([&] { return alert_envelopes(pager).size() >= 3 && smtp.messages().size() >= 3; }, 30s))
      << alert_envelopes(pager).size() << " alerts, " << smtp.messages().size() << " e-mails";
  std::this_thread::sleep_for(2s);  // nothing more comes

  const auto envelopes = alert_envelopes(pager);
  std::vector<std::string> types;
  for (const auto& envelope : envelopes) types.emplace_back(envelope.at("event_type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"webhook.disabled", "webhook.recovered", "webhook.disabled"}));
  for (const auto& envelope : envelopes) {
    SCOPED_TRACE(json::serialize(envelope));
    const json::object& data = envelope.at("data").as_object();
    EXPECT_EQ(data.at("webhook").at("id"), gone_id.c_str());
    EXPECT_EQ(data.at("webhook").at("name"), "Gone");
    EXPECT_EQ(data.at("webhook").at("url"), url_of(gone).c_str());
    if (envelope.at("event_type") == "webhook.disabled") {
      expect_documented_shape(envelope, {"webhook", "at", "last_errors"});
      EXPECT_EQ(data.at("webhook").at("status"), "inactive");
      ASSERT_FALSE(data.at("last_errors").as_array().empty());
      const json::object& error = data.at("last_errors").at(0).as_object();
      EXPECT_TRUE(std::string(error.at("error").as_string()).starts_with("http_status 410")) << error;
      EXPECT_EQ(error.at("event_type"), "call.answered");
      EXPECT_TRUE(error.at("at").is_string());
    } else {
      expect_documented_shape(envelope, {"webhook", "at", "window"});
      EXPECT_EQ(data.at("webhook").at("status"), "active");
    }
  }
  receiver::VerifyOptions verify;
  verify.secrets = {secret};
  verify.timestamp_tolerance.reset();
  for (const auto& event : pager.events()) {
    EXPECT_TRUE(receiver::verify_delivery(event.headers, event.body, verify, 0).ok()) << event.event_type;
  }

  // The e-mail channel: the same, in words.
  const auto messages = smtp.messages();
  EXPECT_EQ(subjects_of(messages), (std::vector<std::string>{
                                       "[Switchboard] Webhook \"Gone\" was disabled (410 Gone)",
                                       "[Switchboard] Webhook \"Gone\" has recovered",
                                       "[Switchboard] Webhook \"Gone\" was disabled (410 Gone)",
                                   }));
  for (const auto& message : messages) {
    if (message.find("was disabled") == std::string::npos) continue;
    EXPECT_NE(message.find("Status: inactive"), std::string::npos) << message;
    EXPECT_NE(message.find("http_status 410"), std::string::npos) << message;
    EXPECT_NE(message.find("update the URL"), std::string::npos) << message;  // what to do
  }
  EXPECT_TRUE(channel(mail_id).at("last_error").is_null());
}

// Item 2, delivery.exhausted (opt-in): three deliveries that exhaust their
// 24 h window (24 s here) reach the channels that asked for them, in reports
// whose counts add up to 3, in the README's shape; an alert webhook with the
// default subscription gets the webhook's other events but not these.
TEST_F(AlertsChannelsTest, ExhaustedGoesOnlyToChannelsThatAskForIt) {
  make_smtp_cert();
  SmtpSink smtp(dir_.path(), "starttls", cert_, key_, "alerts:s3cret-pass");
  ASSERT_GT(smtp.port(), 0);
  auto& flaky = add_receiver(answering(500));
  auto& pager = add_receiver(answering(200));
  auto& defaults = add_receiver(answering(200));
  start_server(config_with_smtp_ca(3600.0));

  const json::array events{"delivery.exhausted"};
  create_channel(email_channel(smtp.port(), "starttls", "127.0.0.1", &events));
  create_alert_webhook(pager, events);
  const json::object by_default = create_alert_webhook(defaults);
  EXPECT_EQ(by_default.at("events"),
            (json::array{"webhook.failed", "webhook.disabled", "webhook.degraded", "webhook.recovered"}));
  const std::string flaky_id = create_webhook("Flaky", flaky);

  publish_batch(3, "e", 3);
  const auto exhausted_reported = [&] {
    long long total = 0;
    for (const auto& envelope : alert_envelopes(pager))
      total += envelope.at("data").at("exhausted").as_int64();
    return total;
  };
  ASSERT_TRUE(wait_until([&] { return exhausted_reported() >= 3; }, 120s)) << exhausted_reported();
  ASSERT_TRUE(wait_until([&] { return get_json("/api/v2/webhooks/" + flaky_id).at("status") == "failed"; }));
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& envelope : alert_envelopes(defaults))
          if (envelope.at("event_type") == "webhook.failed") return true;
        return false;
      },
      60s));
  std::this_thread::sleep_for(3s);  // ~15 sweeps: nothing more comes

  long long exhausted = 0;
  const auto envelopes = alert_envelopes(pager);
  for (const auto& envelope : envelopes) {
    SCOPED_TRACE(json::serialize(envelope));
    EXPECT_EQ(envelope.at("event_type"), "delivery.exhausted");
    expect_documented_shape(envelope, {"webhook", "at", "exhausted"});
    EXPECT_EQ(envelope.at("data").at("webhook").at("id"), flaky_id.c_str());
    EXPECT_GE(envelope.at("data").at("exhausted").as_int64(), 1);
    exhausted += envelope.at("data").at("exhausted").as_int64();
  }
  EXPECT_EQ(exhausted, 3);
  EXPECT_GE(envelopes.size(), 1u);
  EXPECT_LE(envelopes.size(), 3u);
  for (const auto& envelope : alert_envelopes(defaults))
    EXPECT_NE(envelope.at("event_type"), "delivery.exhausted") << "not subscribed by default";

  long long mailed = 0;
  for (const auto& message : smtp.messages()) {
    SCOPED_TRACE(message.substr(0, 600));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        message, m,
        std::regex("Subject: \\[Switchboard\\] ([0-9]+) deliveries to webhook \"Flaky\" gave up")));
    mailed += std::stoll(m[1].str());
    EXPECT_NE(message.find("Recover"), std::string::npos);  // what to do
  }
  EXPECT_EQ(mailed, 3);
}

}  // namespace
}  // namespace switchboard::testing
