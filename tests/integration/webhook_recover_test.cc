// Recover end to end (issue 16 item 7): deliveries exhausted against a failing
// receiver are resent by POST /api/v2/webhooks/{id}/recover, in per-call
// order, to the receiver the webhook points at now; the job's status is
// readable; an inactive webhook is refused. Real Service, real TLS receivers;
// the 24 h window runs 3600x faster; waits are on conditions.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "api/identity_service.h"
#include "common/time_format.h"
#include "model/sample_events.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class WebhookRecoverTest : public ReceiverFixture {
 protected:
  json::value get_json(const std::string& path) {
    auto r = server_->get(path, owner_);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.status == 200 ? r.json() : json::value();
  }
  void publish(const std::string& type, const std::string& call_id) {
    json::object data = model::sample_event_data(type);  // schema-valid
    data.erase("test");
    data["call_id"] = call_id;
    auto r = server_->post("/api/v2/events", owner_,
                           json::serialize(json::object{{"type", type}, {"data", data}}));
    EXPECT_EQ(r.status, 202) << r.body;
  }
  static std::string body_since(std::chrono::hours ago) {
    return R"({"since":")" + format_rfc3339(SystemClock().now() - ago) + R"("})";
  }
  static constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
};

TEST_F(WebhookRecoverTest, ResendsTheExhaustedInCallOrderAsABackgroundJob) {
  receiver::ReceiverOptions failing;
  failing.status = 500;
  failing.secrets = {kSecret};
  failing.timestamp_tolerance.reset();
  auto& bad = add_receiver(failing);
  receiver::ReceiverOptions healthy;
  healthy.secrets = {kSecret};
  healthy.timestamp_tolerance.reset();
  auto& good = add_receiver(healthy);
  start_server(3600.0);  // the 24 h window in 24 s
  json::object body{{"url", url_of(bad)}, {"events", json::array{"call"}}, {"secret", kSecret}};
  auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());
  const std::string base = "/api/v2/webhooks/" + id;

  publish("call.answered", "c1");
  publish("call.end", "c1");
  ASSERT_TRUE(wait_until(
      [&] { return get_json(base + "/deliveries?state=exhausted").at("data").as_array().size() == 2; },
      120s));
  // The receiver is fixed (moved): recover everything of the last hour.
  auto moved =
      server_->patch(base, owner_, json::serialize(json::object{{"url", url_of(good)}, {"secret", "keep"}}));
  ASSERT_EQ(moved.status, 200) << moved.body;

  auto started = server_->post(base + "/recover", owner_, body_since(1h));
  ASSERT_EQ(started.status, 202) << started.body;
  const auto job = started.json();
  EXPECT_EQ(job.at("status"), "running");
  EXPECT_EQ(job.at("limit"), 10000);
  const std::string job_id(job.at("id").as_string());
  EXPECT_TRUE(job_id.starts_with("rcv_"));
  ASSERT_TRUE(wait_until([&] { return get_json(base + "/recover/" + job_id).at("status") == "done"; }));
  const auto done = get_json(base + "/recover/" + job_id);
  EXPECT_EQ(done.at("queued"), 2);
  EXPECT_EQ(done.at("total"), 2);
  EXPECT_EQ(done.at("capped"), false);
  EXPECT_TRUE(done.at("error").is_null());

  ASSERT_TRUE(wait_until([&] { return good.count() >= 2; }));
  auto events = good.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].signatures_ok);
  EXPECT_EQ(json::parse(events[0].body).at("event_type"), "call.answered");
  EXPECT_EQ(json::parse(events[1].body).at("event_type"), "call.end");

  // Refusals: bad since, another company's webhook or job, an inactive webhook.
  auto future = server_->post(base + "/recover", owner_, R"({"since":"2999-01-01T00:00:00Z"})");
  EXPECT_EQ(future.status, 400) << future.body;
  EXPECT_EQ(future.json().at("error").at("field"), "since");
  EXPECT_EQ(server_->post(base + "/recover", owner_, body_since(24h * 400)).status, 400);
  EXPECT_EQ(server_->post(base + "/recover", owner_, R"({"since":"yesterday"})").status, 400);
  EXPECT_EQ(server_->post(base + "/recover", owner_, R"({})").status, 400);
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(server_->post(base + "/recover", other->owner_token, body_since(1h)).status, 404);
  EXPECT_EQ(server_->get(base + "/recover/" + job_id, other->owner_token).status, 404);
  EXPECT_EQ(server_->get(base + "/recover/rcv_nope", owner_).status, 404);
  ASSERT_EQ(server_->post(base + "/disable", owner_).status, 200);
  auto refused = server_->post(base + "/recover", owner_, body_since(1h));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json().at("error").at("code"), "webhook_not_active");
}

// `since` may go back as far as the company keeps its data: its own retention
// when it set one (PATCH /api/v2/retention), else the server default (30 days).
TEST_F(WebhookRecoverTest, SinceMayGoBackAsFarAsTheCompanysRetention) {
  auto& receiver = add_receiver();
  start_server();
  json::object body{{"url", url_of(receiver)}, {"events", json::array{"call"}}, {"secret", kSecret}};
  auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string recover =
      "/api/v2/webhooks/" + std::string(created.json().at("id").as_string()) + "/recover";
  auto set_retention = [&](const std::string& seconds) {
    auto r = server_->patch("/api/v2/retention", owner_, R"({"retention_seconds":)" + seconds + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  };
  struct Case {
    std::string retention;  // "null": the server default
    std::chrono::hours since_ago;
    int status;
  };
  const std::vector<Case> cases = {
      {"null", 24h * 29, 202},    {"null", 24h * 31, 400},      // the default, 30 days
      {"7200", 1h, 202},          {"7200", 3h, 400},            // 2 hours
      {"8640000", 24h * 60, 202}, {"8640000", 24h * 101, 400},  // 100 days
  };
  for (const Case& c : cases) {
    set_retention(c.retention);
    if (HasFatalFailure()) return;
    auto r = server_->post(recover, owner_, body_since(c.since_ago));
    EXPECT_EQ(r.status, c.status) << c.retention << " / " << c.since_ago.count() << " h: " << r.body;
    if (r.status == 400) {
      EXPECT_EQ(r.json().at("error").at("field"), "since");
      EXPECT_NE(std::string(r.json().at("error").at("message").as_string()).find("retention"),
                std::string::npos)
          << r.body;
    }
  }
}

}  // namespace
}  // namespace switchboard::testing
