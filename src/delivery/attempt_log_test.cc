#include "delivery/attempt_log.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"

namespace switchboard::delivery {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint(milliseconds(1'790'000'000'000));

TEST(SanitizeUtf8Test, Table) {
  struct Case {
    std::string in;
    std::string want;
  };
  const std::string r = "\xEF\xBF\xBD";
  const std::vector<Case> cases = {
      {"", ""},
      {"plain ascii", "plain ascii"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"\xFF", r},
      {"a\x80z", "a" + r + "z"},
      {"\xC3", r},                          // truncated
      {"\xC0\xAF", r + r},                  // overlong '/'
      {"\xE0\x80\xAF", r + r + r},          // overlong
      {"\xED\xA0\x80", r + r + r},          // surrogate
      {"\xF4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\xEF\xBF\xBD", r},                  // U+FFFD itself is valid
      {std::string("nul\0ok", 6), std::string("nul\0ok", 6)},
  };
  for (const auto& c : cases) EXPECT_EQ(sanitize_utf8(c.in), c.want) << c.in;
}

struct Fixture {
  model::Delivery delivery;
  BuiltRequest request;
  HttpResponse response;
  std::string body = R"({"event_id":"evt_1"})";

  Fixture() {
    delivery.id = "dlv_1";
    delivery.company_id = "co_1";
    delivery.webhook_id = "wh_1";
    delivery.event_id = "evt_1";
    delivery.event_type = "call.answered";
    delivery.attempts = 2;
    delivery.event_time = kT0;
    request.url = "https://h.example/in?api_key=secret";
    request.masked_url = "https://h.example/in?api_key=********";
    request.headers = {{"Authorization", "Basic abc"}};
    request.masked_headers = {{"Authorization", "********"}};
  }

  store::AttemptOutcome make(TimePoint finished_at, double time_scale = 1.0) const {
    FinishedAttempt finished{&delivery, 3, finished_at - seconds(1), finished_at, &request, body, &response};
    return make_attempt_outcome(finished, model::RetryPolicy::v2(time_scale));
  }
};

TEST(AttemptLogTest, SuccessCarriesItsOutcomeButNothingToLogAndNoRetry) {
  Fixture f;
  f.response.error = model::AttemptError::kNone;
  f.response.status_code = 200;
  f.response.headers = {{"Server", "x"}};
  f.response.body = "ok";
  f.response.latency_ms = 12.5;
  const auto outcome = f.make(kT0 + seconds(10));
  const auto& a = outcome.attempt;
  EXPECT_TRUE(is_valid_id(a.id, "att"));
  EXPECT_EQ(a.company_id, "co_1");
  EXPECT_EQ(a.webhook_id, "wh_1");
  EXPECT_EQ(a.delivery_id, "dlv_1");
  EXPECT_EQ(a.event_id, "evt_1");
  EXPECT_EQ(a.event_type, "call.answered");
  EXPECT_EQ(a.attempt, 3);
  EXPECT_EQ(a.at, kT0 + seconds(9));
  EXPECT_TRUE(a.success);
  EXPECT_EQ(a.status_code, 200);
  EXPECT_EQ(a.error, model::AttemptError::kNone);
  EXPECT_DOUBLE_EQ(a.latency_ms, 12.5);
  // The stores log failures only: a success copies no request or response.
  EXPECT_EQ(a.request_url, "");
  EXPECT_EQ(a.request_body, "");
  EXPECT_EQ(a.response_body, "");
  EXPECT_FALSE(outcome.next_attempt_at.has_value());
}

TEST(AttemptLogTest, FailureIsLoggedWithMaskedRequest) {
  Fixture f;
  f.response.error = model::AttemptError::kHttpStatus;
  f.response.status_code = 500;
  f.response.headers = {{"Server", "x"}};
  f.response.body = "no";
  const auto& a = f.make(kT0 + seconds(10)).attempt;
  EXPECT_EQ(a.request_url, "https://h.example/in?api_key=********");
  EXPECT_EQ(a.request_headers, R"([["Authorization","********"]])");
  EXPECT_EQ(a.request_body, f.body);
  EXPECT_EQ(a.response_headers, R"([["Server","x"]])");
  EXPECT_EQ(a.response_body, "no");
}

TEST(AttemptLogTest, FailureSchedulesTheNextAttemptFromThePolicy) {
  Fixture f;
  f.response.error = model::AttemptError::kHttpStatus;
  f.response.status_code = 500;
  f.response.body = "bad \xFF bytes";
  const TimePoint finished = kT0 + std::chrono::minutes(5);
  auto outcome = f.make(finished);
  EXPECT_FALSE(outcome.attempt.success);
  EXPECT_EQ(outcome.attempt.error, model::AttemptError::kHttpStatus);
  EXPECT_EQ(outcome.attempt.response_body, "bad \xEF\xBF\xBD bytes");
  // After failed attempt 3 the wait is 2 minutes (spec §3).
  EXPECT_EQ(outcome.next_attempt_at, finished + std::chrono::minutes(2));
  // time_scale divides it (and the window: 86.4 s at 1000x).
  outcome = f.make(kT0 + seconds(10), 1000.0);
  EXPECT_EQ(outcome.next_attempt_at, kT0 + seconds(10) + milliseconds(120));
  // Past the 24 h window: exhausted.
  outcome = f.make(kT0 + std::chrono::hours(24));
  EXPECT_FALSE(outcome.next_attempt_at.has_value());
}

TEST(AttemptLogTest, ConnectionFailureHasNoStatus) {
  Fixture f;
  f.response.error = model::AttemptError::kTimeout;
  f.response.error_message = "Operation timed out";
  const auto outcome = f.make(kT0 + seconds(30));
  EXPECT_FALSE(outcome.attempt.status_code.has_value());
  EXPECT_EQ(outcome.attempt.error, model::AttemptError::kTimeout);
  EXPECT_EQ(outcome.attempt.error_message, "Operation timed out");
  EXPECT_EQ(outcome.attempt.response_headers, "[]");
  EXPECT_TRUE(outcome.next_attempt_at.has_value());
}

// Issue 12: an exhausted delivery queued too late into its window (a
// backdated event) does not count toward its webhook's failure.
TEST(AttemptLogTest, AnExhaustionCountsTowardFailureOnlyWithTheWholeSchedule) {
  struct Case {
    milliseconds queued_after_event;
    bool exhausted;
    bool counts;
  };
  const std::vector<Case> cases = {
      {milliseconds(0), true, true},     {seconds(6750), true, true},  // 1 h 52 min 30 s: the slack
      {seconds(6751), true, false},      {seconds(23 * 3600), true, false},
      {seconds(23 * 3600), false, true},  // not exhausted: nothing to count
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.queued_after_event.count());
    Fixture f;
    f.response.error = model::AttemptError::kHttpStatus;
    f.response.status_code = 500;
    f.delivery.created_at = kT0 + c.queued_after_event;
    // Exhausted: the next attempt would fall after the 24 h window.
    const TimePoint finished = c.exhausted ? kT0 + seconds(24 * 3600) : kT0 + seconds(23 * 3600 + 10);
    const auto outcome = f.make(finished);
    EXPECT_EQ(!outcome.next_attempt_at.has_value(), c.exhausted);
    EXPECT_EQ(outcome.counts_toward_failure, c.counts);
  }
}

// Receiver signals (issue 16 item 3): which answers move the next attempt
// and which disable the webhook. Attempt 3 fails 10 s after the event; the
// schedule's next is 2 min later.
struct SignalCase {
  std::string name;
  int status = 500;
  std::vector<HttpHeader> headers;
  std::optional<milliseconds> next_after_event;  // nullopt = exhausted
  bool disables = false;
  std::string message_has;  // "" = the message is just "HTTP <status>"
};

TEST(AttemptLogTest, ReceiverSignalsTable) {
  const milliseconds scheduled = seconds(10) + std::chrono::minutes(2);
  const std::vector<SignalCase> cases = {
      {"PlainServerError", 500, {}, scheduled, false, ""},
      {"RetryAfterOn500IsIgnored", 500, {{"Retry-After", "600"}}, scheduled, false, ""},
      {"TooManyRequestsWithout", 429, {}, scheduled, false, ""},
      {"TooManyRequestsSeconds", 429, {{"Retry-After", "600"}}, seconds(610), false, "; Retry-After: 600"},
      {"UnavailableLowerCaseName", 503, {{"retry-after", "5"}}, seconds(15), false, "; Retry-After: 5"},
      {"UnavailableHttpDate",
       503,
       {{"Retry-After", "Mon, 21 Sep 2026 14:14:00 GMT"}},
       std::nullopt,
       false,
       "; Retry-After: Mon,"},
      {"GarbageIsIgnored", 429, {{"Retry-After", "soon"}}, scheduled, false, "Retry-After ignored"},
      {"PastTheWindowIsTheWindowsEnd",
       429,
       {{"Retry-After", "999999"}},
       std::chrono::hours(24),
       false,
       "Retry-After: 999999"},
      {"GoneDisables", 410, {}, scheduled, true, ""},
      {"GoneWithRetryAfterStillDisables", 410, {{"Retry-After", "5"}}, scheduled, true, ""},
  };
  for (const SignalCase& c : cases) {
    SCOPED_TRACE(c.name);
    Fixture f;
    f.response.error = model::AttemptError::kHttpStatus;
    f.response.status_code = c.status;
    f.response.error_message = "HTTP " + std::to_string(c.status);
    f.response.headers = c.headers;
    const TimePoint finished_at = kT0 + seconds(10);
    if (c.name == "UnavailableHttpDate") {
      // 30 s after finished_at as an IMF-fixdate (kT0 + 10 s = 2026-09-21T14:13:30Z).
      const auto outcome = f.make(finished_at);
      ASSERT_TRUE(outcome.next_attempt_at.has_value());
      EXPECT_EQ(*outcome.next_attempt_at - kT0, seconds(40));
      EXPECT_NE(outcome.attempt.error_message.find(c.message_has), std::string::npos);
      continue;
    }
    const auto outcome = f.make(finished_at);
    EXPECT_FALSE(outcome.attempt.success);
    if (c.next_after_event) {
      ASSERT_TRUE(outcome.next_attempt_at.has_value());
      EXPECT_EQ(*outcome.next_attempt_at - kT0, *c.next_after_event);
    } else {
      EXPECT_FALSE(outcome.next_attempt_at.has_value());
    }
    EXPECT_EQ(outcome.disables_webhook, c.disables);
    if (c.message_has.empty()) {
      EXPECT_EQ(outcome.attempt.error_message, "HTTP " + std::to_string(c.status));
    } else {
      EXPECT_NE(outcome.attempt.error_message.find(c.message_has), std::string::npos)
          << outcome.attempt.error_message;
    }
    // The header is in the logged response either way.
    EXPECT_EQ(outcome.attempt.response_headers.find("Retry-After") != std::string::npos ||
                  outcome.attempt.response_headers.find("retry-after") != std::string::npos,
              !c.headers.empty());
  }
}

}  // namespace
}  // namespace switchboard::delivery
