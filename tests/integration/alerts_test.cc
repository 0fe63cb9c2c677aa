// Failure alerts end to end (issue 16 items 1-2): a real SMTP server
// (aiosmtpd, tests/integration/smtp_sink.py, STARTTLS with a self-signed
// certificate made here with openssl) and real HTTPS receivers on free
// loopback ports, started and stopped by the tests. A webhook against a
// failing receiver turns degraded, then failed -> each event once per episode
// to each channel subscribed to it (e-mail: the defaults; the alert webhook:
// failed and recovered only), not repeated; an SMTP host that refuses shows
// on the channel (last_error) and deliveries go on; bad input gets field
// errors; members get 403 and another company 404. The 24 h window runs 3600x
// faster; every wait is on a condition.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "alerts_fixture.h"
#include "api/identity_service.h"
#include "receiver/verify.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class AlertsTest : public AlertsFixture {};

TEST_F(AlertsTest, FailingWebhookSendsEachEpisodeOnceByEmailAndBySignedAlertWebhook) {
  make_smtp_cert();
  SmtpSink smtp(dir_.path(), "starttls", cert_, key_, "alerts:s3cret-pass");
  ASSERT_GT(smtp.port(), 0);
  receiver::ReceiverOptions failing;
  failing.status = 500;
  failing.timestamp_tolerance.reset();
  auto& bad = add_receiver(failing);
  receiver::ReceiverOptions alerts_in;
  alerts_in.timestamp_tolerance.reset();
  auto& alert_receiver = add_receiver(alerts_in);
  start_server(config_with_smtp_ca(3600.0));  // the 24 h window in 24 s

  auto mail = server_->post("/api/v2/alert-channels", owner_, email_channel(smtp.port(), "starttls"));
  ASSERT_EQ(mail.status, 201) << mail.body;
  EXPECT_EQ(mail.json().at("smtp").at("password"), "********");
  EXPECT_EQ(mail.body.find("s3cret-pass"), std::string::npos);
  const std::string mail_id(mail.json().at("id").as_string());
  auto hook = server_->post(
      "/api/v2/alert-channels", owner_,
      json::serialize(json::object{{"name", "Pager"},
                                   {"kind", "webhook"},
                                   {"url", url_of(alert_receiver, "/alerts")},
                                   {"events", json::array{"webhook.failed", "webhook.recovered"}}}));
  ASSERT_EQ(hook.status, 201) << hook.body;
  const std::string secret(hook.json().at("secret").as_string());
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_FALSE(get_json("/api/v2/alert-channels/" + std::string(hook.json().at("id").as_string()), owner_)
                   .as_object()
                   .contains("secret"));  // shown once

  auto created = server_->post(
      "/api/v2/webhooks", owner_,
      json::serialize(json::object{{"name", "CRM"}, {"url", url_of(bad)}, {"events", json::array{"call"}}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());
  // The alert webhook is not in the webhook list.
  EXPECT_EQ(get_json("/api/v2/webhooks", owner_).at("data").as_array().size(), 1u);

  // Three calls' deliveries exhaust -> the webhook turns failed.
  publish("call.answered", "c1");
  publish("call.answered", "c2");
  publish("call.answered", "c3");
  ASSERT_TRUE(
      wait_until([&] { return get_json("/api/v2/webhooks/" + id, owner_).at("status") == "failed"; }, 180s));

  // Each half waited for on its own, so a failure says which one is missing.
  ASSERT_TRUE(wait_until([&] { return alert_receiver.count() >= 1; }, 60s)) << "no alert webhook delivery";
  ASSERT_TRUE(wait_until([&] { return smtp.messages().size() >= 2; }, 60s))
      << smtp.messages().size() << " e-mails";
  // Several sweeps later (200 ms each at this time scale) nothing is repeated.
  std::this_thread::sleep_for(3s);
  auto messages = smtp.messages();
  // The e-mail channel has the default subscription: on the way to failed the
  // success rate fell under 90 % of at least 20 attempts first.
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[0].find("Subject: [Switchboard] Webhook \"CRM\" is degraded"), std::string::npos)
      << messages[0];
  EXPECT_NE(messages[1].find("Subject: [Switchboard] Webhook \"CRM\" has failed"), std::string::npos)
      << messages[1];
  EXPECT_NE(messages[1].find("What to do"), std::string::npos);
  EXPECT_NE(messages[1].find("http_status"), std::string::npos);
  auto events = alert_receiver.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_type, "webhook.failed");
  receiver::VerifyOptions verify;
  verify.secrets = {secret};
  verify.timestamp_tolerance.reset();
  auto checked = receiver::verify_delivery(
      events[0].headers, events[0].body, verify,
      std::chrono::duration_cast<std::chrono::seconds>(SystemClock().now().time_since_epoch()).count());
  EXPECT_TRUE(checked.signatures_checked);
  EXPECT_TRUE(checked.ok()) << (checked.errors.empty() ? "" : checked.errors[0]);
  auto data = json::parse(events[0].body).at("data");
  EXPECT_EQ(data.at("webhook").at("id"), id.c_str());
  EXPECT_EQ(data.at("webhook").at("status"), "failed");
  EXPECT_FALSE(data.at("last_errors").as_array().empty());

  // The e-mail channel shows its success.
  ASSERT_TRUE(wait_until([&] {
    return !get_json("/api/v2/alert-channels/" + mail_id, owner_).at("last_success_at").is_null();
  }));

  // Re-enabled: one webhook.recovered to the alert webhook.
  ASSERT_EQ(server_->post("/api/v2/webhooks/" + id + "/enable", owner_).status, 200);
  ASSERT_TRUE(wait_until([&] { return alert_receiver.count() >= 2; }, 60s));
  EXPECT_EQ(alert_receiver.events()[1].event_type, "webhook.recovered");
  ASSERT_TRUE(wait_until([&] { return smtp.messages().size() >= 3; }, 60s));
  EXPECT_NE(smtp.messages()[2].find("recovered"), std::string::npos) << smtp.messages()[2];
}

TEST_F(AlertsTest, RefusingSmtpHostShowsOnTheChannelAndDeliveriesGoOn) {
  receiver::ReceiverOptions healthy;
  healthy.timestamp_tolerance.reset();
  auto& good = add_receiver(healthy);
  start_server(3600.0);
  // A port nobody listens on: the connection is refused.
  int closed_port = 0;
  {
    SmtpSink gone(dir_.path(), "none", {}, {});
    closed_port = gone.port();
  }
  auto mail = server_->post("/api/v2/alert-channels", owner_, email_channel(closed_port, "none"));
  ASSERT_EQ(mail.status, 201) << mail.body;
  const std::string mail_id(mail.json().at("id").as_string());
  auto created = server_->post(
      "/api/v2/webhooks", owner_,
      json::serialize(json::object{{"name", "CRM"}, {"url", url_of(good)}, {"events", json::array{"call"}}}));
  ASSERT_EQ(created.status, 201) << created.body;

  auto test = server_->post("/api/v2/alert-channels/" + mail_id + "/test", owner_);
  ASSERT_EQ(test.status, 202) << test.body;
  publish("call.answered", "c1");
  ASSERT_TRUE(wait_until([&] { return good.count() >= 1; }, 30s));  // not held behind the SMTP retries
  ASSERT_TRUE(wait_until(
      [&] { return !get_json("/api/v2/alert-channels/" + mail_id, owner_).at("last_error").is_null(); },
      60s));
  auto channel = get_json("/api/v2/alert-channels/" + mail_id, owner_);
  EXPECT_FALSE(channel.at("last_failure_at").is_null());
  const std::string error(channel.at("last_error").as_string());
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find("s3cret-pass"), std::string::npos);
}

// The SMTP host passes the SSRF guard of webhook URLs: without the operator's
// --allow-private-networks a loopback or private IP literal is a field error
// (a DNS name is checked on connecting; the refusal then shows in last_error).
TEST_F(AlertsTest, SmtpHostOnAPrivateNetworkIsAFieldErrorWithoutTheOverride) {
  server::ServeConfig config = delivery_config();
  config.allow_private_networks = false;
  start_server(config);
  for (const std::string host : {"127.0.0.1", "10.0.0.25", "[::1]"}) {
    SCOPED_TRACE(host);
    auto r = server_->post("/api/v2/alert-channels", owner_, email_channel(2525, "starttls", host));
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json().at("error").at("field"), "smtp.host") << r.body;
    EXPECT_EQ(r.json().at("error").at("code"), "not_allowed") << r.body;
    EXPECT_NE(r.body.find("--allow-private-networks"), std::string::npos) << r.body;
  }
  auto mail =
      server_->post("/api/v2/alert-channels", owner_, email_channel(2525, "starttls", "smtp.example.com"));
  ASSERT_EQ(mail.status, 201) << mail.body;
  // PATCH to a private address is refused the same way.
  auto patched = server_->patch("/api/v2/alert-channels/" + std::string(mail.json().at("id").as_string()),
                                owner_, R"({"smtp":{"host":"192.168.1.20"}})");
  EXPECT_EQ(patched.status, 422) << patched.body;
  EXPECT_EQ(patched.json().at("error").at("field"), "smtp.host") << patched.body;
}

TEST_F(AlertsTest, BadInputGetsFieldErrorsAndOnlyOwnersAndAdminsOfTheCompanyManage) {
  start_server();
  struct Bad {
    std::string path, method, body;
    int status;
    std::string field;
  };
  const std::vector<Bad> rows = {
      {"/api/v2/alert-channels", "POST",
       R"({"name":"x","kind":"email","smtp":{"host":"smtp.example.com","tls":"none","from":"a@b.test","recipients":["c@d.test"]}})",
       422, "smtp.tls"},
      {"/api/v2/alert-channels", "POST",
       R"({"name":"x","kind":"webhook","url":"http://alerts.example.com/"})", 422, "url"},
      {"/api/v2/alert-channels", "POST",
       R"({"name":"x","kind":"webhook","url":"https://a.example.com/","events":["call.answered"]})", 422,
       "events[0]"},
      {"/api/v2/alert-channels", "POST", R"({"name":"x","kind":"pigeon"})", 422, "kind"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_below_percent":0})", 400, "degraded_below_percent"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_window_minutes":100000})", 400,
       "degraded_window_minutes"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_below_percent":101})", 400, "degraded_below_percent"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_min_attempts":0})", 400, "degraded_min_attempts"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_min_attempts":100001})", 400,
       "degraded_min_attempts"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_window_minutes":0})", 400, "degraded_window_minutes"},
      {"/api/v2/alert-settings", "PATCH", R"({"degraded_window_minutes":"15"})", 400,
       "degraded_window_minutes"},
  };
  for (const Bad& row : rows) {
    SCOPED_TRACE(row.body);
    auto r = row.method == "POST" ? server_->post(row.path, owner_, row.body)
                                  : server_->patch(row.path, owner_, row.body);
    EXPECT_EQ(r.status, row.status) << r.body;
    EXPECT_EQ(r.json().at("error").at("field"), row.field.c_str()) << r.body;
  }
  // Nothing out of range was kept: the defaults hold.
  EXPECT_EQ(get_json("/api/v2/alert-settings", owner_),
            json::parse(
                R"({"degraded_below_percent":90,"degraded_min_attempts":20,"degraded_window_minutes":15})"));
  auto settings = server_->patch(
      "/api/v2/alert-settings", owner_,
      R"({"degraded_below_percent":95,"degraded_min_attempts":50,"degraded_window_minutes":30})");
  ASSERT_EQ(settings.status, 200) << settings.body;
  EXPECT_EQ(get_json("/api/v2/alert-settings", owner_).at("degraded_below_percent"), 95);

  auto mail = server_->post("/api/v2/alert-channels", owner_, email_channel(2525, "starttls"));
  ASSERT_EQ(mail.status, 201) << mail.body;
  const std::string path = "/api/v2/alert-channels/" + std::string(mail.json().at("id").as_string());
  // PATCH keeps a masked password; kind cannot change.
  auto patched = server_->patch(path, owner_, R"({"name":"Renamed","smtp":{"password":"********"}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("name"), "Renamed");
  EXPECT_EQ(server_->patch(path, owner_, R"({"kind":"webhook"})").status, 422);

  const std::string admin = create_user("admin");
  const std::string agent = create_user("agent");
  EXPECT_EQ(server_->get(path, admin).status, 200);
  EXPECT_EQ(server_->get(path, agent).status, 403);
  EXPECT_EQ(server_->get("/api/v2/alert-channels", agent).status, 403);
  EXPECT_EQ(server_->patch("/api/v2/alert-settings", agent, R"({"degraded_below_percent":50})").status, 403);
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(server_->get(path, other->owner_token).status, 404);
  EXPECT_EQ(server_->del(path, other->owner_token).status, 404);
  EXPECT_EQ(get_json("/api/v2/alert-channels", other->owner_token).at("data").as_array().size(), 0u);
  EXPECT_EQ(server_->del(path, owner_).status, 204);
  EXPECT_EQ(server_->get(path, owner_).status, 404);
}

}  // namespace
}  // namespace switchboard::testing
