// Per-token rate limits through real HTTP: 429 rate_limited with
// Retry-After and X-RateLimit-* once a token's bucket is empty, one bucket
// per token, and publishing and the rest of the API limited separately.
// Limits of 0.1 request/s (a bucket of 1 that refills in 10 s) keep these
// checks independent of how fast the machine is.
#include <gtest/gtest.h>

#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

const std::string kEvent =
    R"({"type":"call.answered","data":{"call_id":"rl-1","direction":"inbound","from":"+919800000001",)"
    R"("to":"+918000000002","status":"in_progress","started_at":"2026-11-22T10:03:40.000Z",)"
    R"("legs":[{"number":"+919800000009","role":"agent","state":"answered",)"
    R"("started_at":"2026-11-22T10:03:52.000Z","answered_at":"2026-11-22T10:03:59.000Z"}]}})";

class RateLimitTest : public ::testing::Test {
 protected:
  void start(double rate_limit, double ingest_rate_limit) {
    server::ServeConfig config;
    config.rate_limit = rate_limit;
    config.ingest_rate_limit = ingest_rate_limit;
    server_ = std::make_unique<TestServer>(dir_.path(), config);
    owner_ = *server_->owner_token();
  }

  static void expect_limited(const HttpResult& r, const std::string& limit) {
    EXPECT_EQ(r.status, 429) << r.body;
    auto body = r.json();
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body.at("error").at("code").as_string(), "rate_limited");
    EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("Retry after"), std::string::npos);
    ASSERT_TRUE(r.headers.contains("retry-after"));
    const int retry_after = std::stoi(r.headers.at("retry-after"));
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 10);
    EXPECT_EQ(r.headers.at("x-ratelimit-limit"), limit);
    EXPECT_EQ(r.headers.at("x-ratelimit-remaining"), "0");
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(RateLimitTest, ATokenOverItsLimitGets429WithRetryAfterAndOtherTokensDoNot) {
  start(/*rate_limit=*/0.1, /*ingest_rate_limit=*/0);
  // The owner's one request creates a second user's token (bucket of 1).
  auto user =
      server_->post("/api/v2/users", owner_, R"({"name":"Asha","email":"asha@limits.test","role":"admin"})");
  ASSERT_EQ(user.status, 201) << user.body;
  const std::string admin(user.json().at("token").as_string());

  expect_limited(server_->get("/api/v2/me", owner_), "1");
  expect_limited(server_->get("/api/v2/webhooks", owner_), "1");
  EXPECT_EQ(server_->get("/api/v2/me", admin).status, 200) << "another token has its own bucket";
  expect_limited(server_->get("/api/v2/me", admin), "1");

  // Publishing is limited apart (here: unlimited), so a limited token still publishes.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(server_->post("/api/v2/events", owner_, kEvent).status, 202);
  // Unauthenticated and public routes are not counted against anyone.
  EXPECT_EQ(server_->get("/api/health", std::nullopt).status, 200);
  EXPECT_EQ(server_->get("/api/v2/me", std::string("sbt_not-a-real-token")).status, 401);
}

TEST_F(RateLimitTest, PublishingHasItsOwnLimitAndLeavesTheRestOfTheApiAlone) {
  start(/*rate_limit=*/0, /*ingest_rate_limit=*/0.1);
  EXPECT_EQ(server_->post("/api/v2/events", owner_, kEvent).status, 202);
  expect_limited(server_->post("/api/v2/events", owner_, kEvent), "1");
  expect_limited(server_->post("/api/v2/events/batch", owner_, R"({"events":[)" + kEvent + "]}"), "1");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(server_->get("/api/v2/webhooks", owner_).status, 200);
}

TEST_F(RateLimitTest, ABucketHoldsABurstOfTwiceTheRate) {
  start(/*rate_limit=*/5, /*ingest_rate_limit=*/0);
  // A bucket of 10: ten quick requests pass, whatever the machine's speed
  // (the bucket only fills up over time, it is never emptied by waiting).
  for (int i = 0; i < 10; ++i) EXPECT_EQ(server_->get("/api/v2/me", owner_).status, 200) << i;
}

}  // namespace
}  // namespace switchboard::testing
