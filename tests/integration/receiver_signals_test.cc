// Receiver signals and per-webhook delivery controls end to end (issue 16
// items 3, 4): the real Service delivering over TLS to real `switchboard
// receive` receivers on loopback. A 429 with Retry-After moves the next
// attempt, a 410 disables the webhook with reason `gone`, max_rate paces a
// burst at the receiver without delaying another webhook or logging failures,
// max_in_flight bounds the requests open at the receiver at once, and
// timeout_ms ends a slow attempt as a timeout that is retried.
// Policy time runs faster (--time-scale); the rate is real time, so the rate
// test uses small numbers (200 events at 50/s, about 4 s).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "model/sample_events.h"
#include "receiver/receiver.h"
#include "receiver_fixture.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

json::object call_data(std::string_view type, const std::string& call_id) {
  json::object data = model::sample_event_data(type);
  data.erase("test");
  data["call_id"] = call_id;
  return data;
}

class ReceiverSignalsTest : public ReceiverFixture {
 protected:
  receiver::Receiver& add(receiver::ReceiverOptions options = {}) {
    options.secrets = {kSecret};
    options.timestamp_tolerance.reset();
    return ReceiverFixture::add_receiver(std::move(options));
  }

  std::string create_webhook(const receiver::Receiver& r, json::object extra = {}) {
    json::object body{{"url", url_of(r)}, {"events", json::array{"call"}}, {"secret", kSecret}};
    for (const auto& f : extra) body[f.key()] = f.value();
    auto created = server_->post("/api/v2/webhooks", owner_, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(created.json().at("id").as_string());
  }

  json::value get_json(const std::string& path) {
    auto r = server_->get(path, owner_);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }

  void publish(const std::string& call_id) {
    json::object event{{"type", "call.answered"}, {"data", call_data("call.answered", call_id)}};
    auto r = server_->post("/api/v2/events", owner_, json::serialize(event));
    ASSERT_EQ(r.status, 202) << r.body;
  }
};

// Retry-After: 300 (s) under --time-scale 100 is a 3 s wait, where the
// schedule's first retry would come after 0.3 s. The attempt is logged with
// the header's value.
TEST_F(ReceiverSignalsTest, RetryAfterMovesTheNextAttempt) {
  receiver::ReceiverOptions options;
  options.fail_first = 1;
  options.fail_status = 429;
  options.retry_after = "300";
  auto& sink = add(options);
  start_server(100.0);
  const std::string id = create_webhook(sink);
  publish("ra1");
  ASSERT_TRUE(sink.wait_for(2, 30s));
  const auto events = sink.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].status, 429);
  EXPECT_EQ(events[1].attempt, 2);
  const auto waited = events[1].received_at - events[0].received_at;
  EXPECT_GE(waited, 2900ms);
  EXPECT_LT(waited, 15s);
  auto failures = get_json("/api/v2/webhooks/" + id + "/failures").at("data").as_array();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].at("status_code"), 429);
  EXPECT_NE(std::string(failures[0].at("error_message").as_string()).find("Retry-After: 300"),
            std::string::npos)
      << json::serialize(failures[0]);
  ASSERT_TRUE(wait_until([&] {
    return get_json("/api/v2/webhooks/" + id + "/deliveries").at("data").at(0).at("state") == "delivered";
  }));
}

// 410 Gone: the webhook is inactive at once with disabled_reason `gone`;
// nothing more goes to it; enabling it clears the reason.
TEST_F(ReceiverSignalsTest, GoneDisablesTheWebhook) {
  receiver::ReceiverOptions options;
  options.status = 410;
  auto& gone = add(options);
  start_server(100.0);
  const std::string id = create_webhook(gone);
  EXPECT_TRUE(get_json("/api/v2/webhooks/" + id).at("disabled_reason").is_null());
  publish("g1");
  ASSERT_TRUE(wait_until([&] { return get_json("/api/v2/webhooks/" + id).at("status") == "inactive"; }));
  auto webhook = get_json("/api/v2/webhooks/" + id);
  EXPECT_EQ(webhook.at("disabled_reason"), "gone");
  EXPECT_EQ(get_json("/api/v2/webhooks").at("data").at(0).at("disabled_reason"), "gone");
  // The retry (0.3 s later under this scale) and new events wait while it is inactive.
  publish("g2");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(gone.count(), 1u);
  auto enabled = server_->post("/api/v2/webhooks/" + id + "/enable", owner_);
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.json().at("status"), "active");
  EXPECT_TRUE(enabled.json().at("disabled_reason").is_null());
}

// max_rate 50: 200 events over 20 calls arrive at <= 50/s, in per-call order;
// an unlimited webhook gets the same burst without waiting behind it; the
// wait is not a failure.
TEST_F(ReceiverSignalsTest, MaxRatePacesABurstAtTheReceiver) {
  auto& limited = add();
  auto& free = add();
  start_server(1.0);
  const std::string limited_id = create_webhook(limited, {{"max_rate", 50}});
  EXPECT_EQ(get_json("/api/v2/webhooks/" + limited_id).at("max_rate"), 50);
  create_webhook(free);
  json::array batch;
  for (int i = 0; i < 200; ++i) {
    batch.push_back(json::object{{"type", "call.answered"},
                                 {"data", call_data("call.answered", "r" + std::to_string(i % 20))}});
  }
  const auto published = Clock::now();
  auto r = server_->post("/api/v2/events/batch", owner_, json::serialize(json::object{{"events", batch}}));
  ASSERT_EQ(r.status, 202) << r.body.substr(0, 300);
  ASSERT_TRUE(free.wait_for(200, 30s));
  const auto free_done = Clock::now();
  ASSERT_TRUE(limited.wait_for(200, 60s));

  auto events = limited.events();
  ASSERT_EQ(events.size(), 200u);
  std::vector<Clock::time_point> arrivals;
  std::map<std::string, std::int64_t> last_sequence;
  for (const auto& e : events) {
    arrivals.push_back(e.received_at);
    ASSERT_TRUE(e.sequence.has_value());
    EXPECT_GT(*e.sequence, last_sequence[e.call_id]) << e.call_id;  // per-call order
    last_sequence[e.call_id] = *e.sequence;
    EXPECT_EQ(e.attempt, 1);
  }
  std::sort(arrivals.begin(), arrivals.end());
  // Starts are at most 51 in any second (a bucket of one token); arrivals are
  // timed at the receiver, after the network, TLS and a loaded machine's
  // scheduling, which bunch some (59 seen with the suite running on 2 cores):
  // allow 30 % over. A bucket that let a second's worth burst would show ~100
  // here, no limit 200; the span below bounds the mean rate.
  std::size_t most = 0, first = 0;
  for (std::size_t last = 0; last < arrivals.size(); ++last) {
    while (arrivals[last] - arrivals[first] >= 1s) ++first;
    most = std::max(most, last - first + 1);
  }
  EXPECT_LE(most, 65u);
  const double span_s = std::chrono::duration<double>(arrivals.back() - arrivals.front()).count();
  EXPECT_GE(span_s, 199.0 / 50 * 0.95);
  // The other webhook did not wait behind the limited one.
  EXPECT_LT(free_done - published, arrivals.back() - published - 1s);
  // Waiting for the bucket is not a failure.
  EXPECT_TRUE(get_json("/api/v2/webhooks/" + limited_id + "/failures").at("data").as_array().empty());
}

// max_in_flight 2: 40 events over 20 calls to a receiver that answers after
// 200 ms; it never has more than 2 of that webhook's requests open at once,
// while another webhook (default 32) gets the same events many at a time and
// is done first. Nothing waits as a failure.
TEST_F(ReceiverSignalsTest, MaxInFlightBoundsConcurrentRequestsAtTheReceiver) {
  receiver::ReceiverOptions slow;
  slow.delay_ms = 200;
  auto& limited = add(slow);
  auto& free = add(slow);
  start_server(1.0);
  const std::string limited_id = create_webhook(limited, {{"max_in_flight", 2}});
  EXPECT_EQ(get_json("/api/v2/webhooks/" + limited_id).at("max_in_flight"), 2);
  create_webhook(free);
  json::array batch;
  for (int i = 0; i < 40; ++i) {
    batch.push_back(json::object{{"type", "call.answered"},
                                 {"data", call_data("call.answered", "m" + std::to_string(i % 20))}});
  }
  const auto published = Clock::now();
  auto r = server_->post("/api/v2/events/batch", owner_, json::serialize(json::object{{"events", batch}}));
  ASSERT_EQ(r.status, 202) << r.body.substr(0, 300);
  ASSERT_TRUE(free.wait_for(40, 60s));
  const auto free_done = Clock::now();
  ASSERT_TRUE(limited.wait_for(40, 60s));
  // max_open is counted as requests arrive: final once all 40 are in.
  std::cout << "max open: limited " << limited.max_open() << ", free " << free.max_open() << "\n";
  EXPECT_EQ(limited.max_open(), 2u);  // the limit, and used
  EXPECT_GT(free.max_open(), 2u);     // the other webhook is not held to it
  // 40 answers of 200 ms, 2 at a time: at least 4 s.
  const auto events = limited.events();
  const auto span =
      std::max_element(events.begin(), events.end(),
                       [](const auto& a, const auto& b) { return a.received_at < b.received_at; })
          ->received_at -
      published;
  EXPECT_GE(span, 19 * 200ms);
  EXPECT_LT(free_done - published, span);
  std::map<std::string, std::int64_t> last_sequence;
  for (const auto& e : events) {
    EXPECT_EQ(e.attempt, 1);
    ASSERT_TRUE(e.sequence.has_value());
    EXPECT_GT(*e.sequence, last_sequence[e.call_id]) << e.call_id;  // per-call order
    last_sequence[e.call_id] = *e.sequence;
  }
  EXPECT_TRUE(get_json("/api/v2/webhooks/" + limited_id + "/failures").at("data").as_array().empty());
}

// timeout_ms 1000 against a receiver that answers its first request after
// 5 s: that attempt fails as a `timeout` after about 1 s (not 5, nor the
// engine's 30 s), is in the failure log with that error class, and is retried
// (0.3 s later at this scale), which succeeds.
TEST_F(ReceiverSignalsTest, TimeoutMsEndsASlowAttemptAsATimeoutAndRetriesIt) {
  receiver::ReceiverOptions slow_once;
  slow_once.delay_ms = 5000;
  slow_once.delay_first = 1;
  auto& sink = add(slow_once);
  start_server(100.0);
  const std::string id = create_webhook(sink, {{"timeout_ms", 1000}});
  EXPECT_EQ(get_json("/api/v2/webhooks/" + id).at("timeout_ms"), 1000);
  publish("t1");
  ASSERT_TRUE(sink.wait_for(2, 30s));
  const auto events = sink.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_EQ(events[1].attempt, 2);
  const auto waited = events[1].received_at - events[0].received_at;
  EXPECT_GE(waited, 1000ms);  // the timeout, then the first retry (0.3 s)
  EXPECT_LT(waited, 4000ms) << "the attempt waited for the slow answer";
  auto failures = get_json("/api/v2/webhooks/" + id + "/failures").at("data").as_array();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].at("error"), "timeout") << json::serialize(failures[0]);
  EXPECT_TRUE(failures[0].at("status_code").is_null());
  EXPECT_EQ(failures[0].at("attempt"), 1);
  const double latency = failures[0].at("latency_ms").to_number<double>();
  EXPECT_GE(latency, 950);
  EXPECT_LT(latency, 3000);
  ASSERT_TRUE(wait_until([&] {
    return get_json("/api/v2/webhooks/" + id + "/deliveries").at("data").at(0).at("state") == "delivered";
  }));
  EXPECT_EQ(get_json("/api/v2/webhooks/" + id + "/deliveries").at("data").at(0).at("attempts"), 2);
}

}  // namespace
}  // namespace switchboard::testing
