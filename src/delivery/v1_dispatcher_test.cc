#include "delivery/v1_dispatcher.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>

#include "common/test_clock.h"
#include "delivery/test_fake_http_client.h"
#include "delivery/test_support.h"

namespace switchboard::delivery {
namespace {

namespace json = boost::json;

store::V1DueDelivery due(model::V1Method method, std::vector<std::string> fields) {
  store::V1DueDelivery d;
  d.delivery.id = "v1dlv_1";
  d.delivery.event_type = "call.end";
  d.spec.type = model::V1Type::kAfterCall;
  d.spec.url = "https://example.com/hook?fixed=1";
  d.spec.method = method;
  d.spec.fields = std::move(fields);
  d.spec.headers = {{"X-Token", "t"}};
  d.spec.query = {{"api key", "a&b"}};
  d.payload =
      R"({"event_id":"evt_1","event_type":"call.end","company_id":"cmp_1","data":{"call_id":"c 1","direction":"inbound","from":"+911","legs":[{"number":"+9122","role":"agent"}]}})";
  return d;
}

TEST(BuildV1Request, PostCarriesTheLegacyBodyHeadersAndQuery) {
  auto request = build_v1_request(due(model::V1Method::kPost, {"uid", "users"}), "UA/1");
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_FALSE(request->get);
  EXPECT_EQ(request->url, "https://example.com/hook?fixed=1&api%20key=a%26b");
  EXPECT_EQ(json::parse(request->body), json::parse(R"({"myoperator":{"uid":"c 1","users":["9122"]}})"));
  EXPECT_EQ(request->headers,
            (std::vector<HttpHeader>{
                {"Content-Type", "application/json"}, {"User-Agent", "UA/1"}, {"X-Token", "t"}}));
}

TEST(BuildV1Request, GetPutsTheFieldsInTheQueryString) {
  auto request = build_v1_request(due(model::V1Method::kGet, {"uid", "event", "clid"}), "UA/1");
  ASSERT_TRUE(request.has_value()) << request.error().message;
  EXPECT_TRUE(request->get);
  EXPECT_TRUE(request->body.empty());
  EXPECT_EQ(request->url, "https://example.com/hook?fixed=1&api%20key=a%26b&uid=c%201&event=2&clid=%2B911");
  EXPECT_EQ(request->headers, (std::vector<HttpHeader>{{"User-Agent", "UA/1"}, {"X-Token", "t"}}));
}

TEST(BuildV1Request, MalformedEnvelopeIsAnError) {
  auto d = due(model::V1Method::kPost, {});
  d.payload = "not json";
  EXPECT_FALSE(build_v1_request(d, "UA").has_value());
}

// One v1 delivery in memory, following the V1Queue contract for it.
class OneV1Delivery final : public store::V1Queue {
 public:
  explicit OneV1Delivery(store::V1DueDelivery due) : due_(std::move(due)) {}
  Result<std::vector<store::V1DueDelivery>> claim_due_v1_deliveries(TimePoint now, int limit,
                                                                    TimePoint lease_until) override {
    std::lock_guard lock(mutex_);
    std::vector<store::V1DueDelivery> out;
    const auto& d = due_.delivery;
    if (limit > 0 && d.state == model::V1DeliveryState::kPending && d.next_attempt_at <= now &&
        lease_until_ <= now) {
      lease_until_ = lease_until;
      out.push_back(due_);
    }
    return out;
  }
  Result<std::optional<TimePoint>> next_v1_due_time() override {
    std::lock_guard lock(mutex_);
    if (due_.delivery.state != model::V1DeliveryState::kPending) return std::optional<TimePoint>();
    return std::optional<TimePoint>(std::max(due_.delivery.next_attempt_at, lease_until_));
  }
  Result<void> record_v1_attempts(const std::vector<store::V1AttemptOutcome>& outcomes) override {
    std::lock_guard lock(mutex_);
    for (const auto& o : outcomes) {
      auto& d = due_.delivery;
      ++d.attempts;
      lease_until_ = TimePoint{};
      if (o.delivered) {
        d.state = model::V1DeliveryState::kDelivered;
      } else if (o.next_attempt_at) {
        d.next_attempt_at = *o.next_attempt_at;
      } else {
        d.state = model::V1DeliveryState::kDropped;
      }
      outcomes_.push_back(o);
    }
    return {};
  }
  std::vector<store::V1AttemptOutcome> outcomes() const {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }

 private:
  mutable std::mutex mutex_;
  store::V1DueDelivery due_;
  TimePoint lease_until_{};
  std::vector<store::V1AttemptOutcome> outcomes_;
};

TEST(V1DispatcherTest, RetriesThreeTimesThirtySecondsApartThenDrops) {
  switchboard::testing::ManualTime time;
  auto item = due(model::V1Method::kPost, {"uid"});
  item.delivery.created_at = item.delivery.next_attempt_at = time.wall().now();
  OneV1Delivery queue(item);
  auto client = std::make_unique<testing::ScriptedHttpClient>(
      [](const HttpRequest&) { return testing::http_status(503, "busy"); });
  testing::ScriptedHttpClient& http = *client;
  auto dispatcher = V1Dispatcher::create(queue, time.wall(), time.monotonic(), std::move(client), {});
  dispatcher->start();
  const TimePoint start = time.wall().now();
  for (std::size_t n = 1; n <= 4; ++n) {
    ASSERT_TRUE(testing::wait_until([&] { return queue.outcomes().size() == n; })) << n;
    if (n < 4) {
      ASSERT_TRUE(queue.outcomes().back().next_attempt_at.has_value());
      EXPECT_EQ(*queue.outcomes().back().next_attempt_at, start + std::chrono::seconds(30) * n);
      time.advance(std::chrono::seconds(30));
    }
  }
  dispatcher->stop();
  const auto outcomes = queue.outcomes();
  EXPECT_FALSE(outcomes.back().next_attempt_at.has_value());  // retries spent: dropped
  EXPECT_EQ(outcomes.back().status_code, 503);
  EXPECT_EQ(http.request_count(), 4u);
}

}  // namespace
}  // namespace switchboard::delivery
