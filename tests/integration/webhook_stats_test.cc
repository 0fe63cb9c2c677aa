// Health statistics end to end (issue 16 item 6): the real Service delivers
// over TLS to a real receiver that fails the first requests, and
// GET /api/v2/webhooks/{id}/stats shows the attempts, classes and latency in
// the window's buckets. Retries run faster (--time-scale); the test waits for
// conditions with generous deadlines.
#include <gtest/gtest.h>

#include "api/identity_service.h"
#include "model/sample_events.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

class WebhookStatsTest : public ReceiverFixture {
 protected:
  std::string create_webhook(const receiver::Receiver& r) {
    json::object body{{"url", url_of(r)}, {"events", json::array{"call"}}, {"secret", kSecret}};
    auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.json().at("id").as_string());
  }
  void publish(const std::string& call_id) {
    json::object data = model::sample_event_data("call.answered");  // schema-valid
    data.erase("test");
    data["call_id"] = call_id;
    auto r = server_->post("/api/v2/events", owner_,
                           json::serialize(json::object{{"type", "call.answered"}, {"data", data}}));
    EXPECT_EQ(r.status, 202) << r.body;
  }
  json::value stats(const std::string& id, const std::string& query = "") {
    auto r = server_->get("/api/v2/webhooks/" + id + "/stats" + query, owner_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.json() : json::value();
  }
  static constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
};

TEST_F(WebhookStatsTest, CountsEveryAttemptInTheWindowsBuckets) {
  receiver::ReceiverOptions options;
  options.secrets = {kSecret};
  options.fail_first = 2;  // two 500s, then 200s
  options.timestamp_tolerance.reset();
  auto& sink = add_receiver(options);
  start_server(1000.0);  // the 30 s retry in 30 ms
  const std::string id = create_webhook(sink);

  // Nothing yet: every bucket there, zeros and nulls.
  auto empty = stats(id);
  EXPECT_EQ(empty.at("window"), "24h");
  EXPECT_EQ(empty.at("bucket_seconds"), 900);
  EXPECT_EQ(empty.at("buckets").as_array().size(), 96u);
  EXPECT_EQ(empty.at("totals").at("attempts"), 0);
  EXPECT_TRUE(empty.at("totals").at("success_rate").is_null());
  EXPECT_TRUE(empty.at("totals").at("latency_ms").at("p50").is_null());

  for (const char* call : {"c1", "c2", "c3"}) publish(call);
  ASSERT_TRUE(wait_until([&] { return stats(id, "?window=1h").at("totals").at("succeeded") == 3; }));

  auto hour = stats(id, "?window=1h");
  EXPECT_EQ(hour.at("bucket_seconds"), 60);
  const auto& totals = hour.at("totals");
  EXPECT_EQ(totals.at("attempts"), 5);
  EXPECT_EQ(totals.at("failed"), 2);
  EXPECT_EQ(totals.at("success_rate"), 0.6);
  EXPECT_EQ(totals.at("status_classes"), json::parse(R"({"2xx":3,"3xx":0,"4xx":0,"5xx":2,"network":0})"));
  EXPECT_TRUE(totals.at("latency_ms").at("p50").is_double());
  EXPECT_TRUE(totals.at("latency_ms").at("p95").is_double());
  const auto& buckets = hour.at("buckets").as_array();
  ASSERT_EQ(buckets.size(), 60u);
  std::int64_t attempts = 0;
  for (const auto& b : buckets) attempts += b.at("attempts").as_int64();
  EXPECT_EQ(attempts, 5);
  EXPECT_GT(buckets.back().at("attempts").as_int64() + buckets[58].at("attempts").as_int64(), 0);
  EXPECT_TRUE(std::string(buckets.front().at("start").as_string()).ends_with(":00.000Z"));

  auto week = stats(id, "?window=7d");
  EXPECT_EQ(week.at("bucket_seconds"), 3600);
  EXPECT_EQ(week.at("buckets").as_array().size(), 168u);
  EXPECT_EQ(week.at("totals").at("attempts"), 5);
}

TEST_F(WebhookStatsTest, BadWindowAndOtherCompanies) {
  auto& sink = add_receiver();
  start_server();
  const std::string id = create_webhook(sink);
  auto bad = server_->get("/api/v2/webhooks/" + id + "/stats?window=2h", owner_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.json().at("error").at("code"), "invalid_value");
  EXPECT_EQ(bad.json().at("error").at("field"), "window");

  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(server_->get("/api/v2/webhooks/" + id + "/stats", other->owner_token).status, 404);
  EXPECT_EQ(server_->get("/api/v2/webhooks/wh_nope/stats", owner_).status, 404);
}

}  // namespace
}  // namespace switchboard::testing
