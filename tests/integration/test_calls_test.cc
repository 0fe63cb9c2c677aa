// "Send test event" (POST /api/v2/webhooks/{id}/test) against a receiver that
// never answers, through the real server: a test call waiting on a receiver
// holds no HTTP worker (its answer is deferred and written when the attempt
// ends), so health and ingest keep answering in milliseconds while 200 of
// them hang; and tests in flight are bounded per webhook and per company
// (429 too_many_tests with Retry-After).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "api/identity_service.h"
#include "model/limits.h"
#include "model/sample_events.h"
#include "receiver/receiver.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
namespace limits = model::limits;
using namespace std::chrono_literals;

// A request on its own connection, sent now and answered whenever the server
// answers (Connection: close, so the answer ends at EOF).
class RawRequest {
 public:
  RawRequest(std::uint16_t port, const std::string& method, const std::string& target,
             const std::string& token, const std::string& body, std::chrono::milliseconds read_timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(read_timeout.count() / 1000),
               static_cast<suseconds_t>(read_timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty()) {
      request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "\r\n" + body;
    (void)::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
  }
  ~RawRequest() { close(); }
  RawRequest(const RawRequest&) = delete;
  RawRequest& operator=(const RawRequest&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // The whole answer (status line, headers, body), or nullopt when it did not
  // come within the read timeout.
  std::optional<std::string> answer() {
    std::string out;
    char chunk[4096];
    for (;;) {
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return out;
      if (n < 0) return std::nullopt;
      out.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
};

int status_of(const std::string& answer) { return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0; }

class TestCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver::ReceiverOptions options;
    options.listen = "127.0.0.1:0";
    options.quiet = true;
    options.hang = true;  // accepts, reads the delivery, never answers
    auto started = receiver::Receiver::start(options);
    ASSERT_TRUE(started.has_value()) << started.error().message;
    receiver_ = std::move(*started);
    const auto ca_file = dir_.path() / "ca.pem";
    std::ofstream(ca_file) << receiver_->cert_pem();
    server::ServeConfig config;
    config.run_delivery = true;
    config.allow_private_networks = true;
    config.ca_file = ca_file;
    // Ends a hanging test by itself if the receiver is not stopped first.
    config.delivery_timeout = 20s;
    config.rate_limit = 0;  // hundreds of requests with one token
    server_ = std::make_unique<TestServer>(dir_.path() / "data", config);
    owner_ = *server_->owner_token();
  }

  void TearDown() override {
    // The receiver first: the tests still hanging then end at once, so the
    // server's stop does not wait for them.
    if (receiver_) receiver_->stop();
    if (server_) server_->stop();
  }

  // A company of its own (its owner's token), with no webhook yet.
  std::string new_company(const std::string& name) {
    SystemClock clock;
    auto created = api::create_company_with_owner(server_->service().store(), clock, name, "Owner",
                                                  "owner@" + name + ".test");
    EXPECT_TRUE(created.has_value());
    return created ? created->owner_token : "";
  }

  std::string hanging_webhook(const std::string& token) {
    json::object body{{"name", "Hangs"},
                      {"url", receiver_->url() + "/hooks"},
                      {"events", json::array{"call"}},
                      {"secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}};
    auto created = server_->post("/api/v2/webhooks", token, json::serialize(body));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? std::string(created.json().at("id").as_string()) : "";
  }

  std::unique_ptr<RawRequest> start_test(const std::string& token, const std::string& webhook_id,
                                         std::chrono::milliseconds read_timeout = 30s) {
    return std::make_unique<RawRequest>(server_->port(), "POST", "/api/v2/webhooks/" + webhook_id + "/test",
                                        token, "{}", read_timeout);
  }

  // Latencies of `count` requests, one at a time, each on a new connection;
  // stops early (with the rest counted as the timeout) when the server does
  // not answer within 1 s, so that a stalled server fails the test quickly.
  std::vector<double> latencies_ms(int count, const std::string& method, const std::string& target,
                                   const std::string& token, const std::string& body, int expected_status) {
    std::vector<double> out;
    for (int i = 0; i < count; ++i) {
      const auto started = std::chrono::steady_clock::now();
      RawRequest request(server_->port(), method, target, token, body, 1s);
      auto answer = request.answer();
      const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
      if (!answer) {
        out.resize(static_cast<std::size_t>(count), 1000.0);
        ADD_FAILURE() << method << " " << target << " got no answer within 1 s (request " << i << ")";
        break;
      }
      EXPECT_EQ(status_of(*answer), expected_status) << *answer;
      out.push_back(took.count());
    }
    return out;
  }

  static double p99(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[(values.size() * 99 + 99) / 100 - 1];
  }

  TempDir dir_;
  std::unique_ptr<receiver::Receiver> receiver_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(TestCallsTest, TwoHundredHangingTestCallsLeaveHealthAndIngestAnsweringInMilliseconds) {
  // 200 tests within the bounds: 10 companies, 4 webhooks each, 5 tests per webhook.
  constexpr int kCompanies = 10;
  constexpr int kWebhooksPerCompany =
      limits::kMaxTestsInFlightPerCompany / limits::kMaxTestsInFlightPerWebhook;
  constexpr int kTests = kCompanies * limits::kMaxTestsInFlightPerCompany;
  static_assert(kTests == 200);
  std::vector<std::pair<std::string, std::string>> webhooks;  // (owner token, webhook id)
  for (int c = 0; c < kCompanies; ++c) {
    const std::string token = new_company("hang" + std::to_string(c));
    for (int w = 0; w < kWebhooksPerCompany; ++w) webhooks.emplace_back(token, hanging_webhook(token));
  }
  std::vector<std::unique_ptr<RawRequest>> tests;
  for (const auto& [token, id] : webhooks) {
    for (int t = 0; t < limits::kMaxTestsInFlightPerWebhook; ++t) tests.push_back(start_test(token, id));
  }
  ASSERT_EQ(tests.size(), static_cast<std::size_t>(kTests));
  // Every one of them reached the receiver and waits there.
  EXPECT_TRUE(receiver_->wait_for(kTests, 20s)) << "received " << receiver_->count() << " of " << kTests;

  const auto health = latencies_ms(200, "GET", "/api/health", "", "", 200);
  json::object data = model::sample_event_data("call.answered");
  data.erase("test");
  const std::string event = json::serialize(json::object{{"type", "call.answered"}, {"data", data}});
  const auto ingest = latencies_ms(200, "POST", "/api/v2/events", owner_, event, 202);
  RecordProperty("health_p99_ms", std::to_string(p99(health)));
  RecordProperty("ingest_p99_ms", std::to_string(p99(ingest)));
  EXPECT_LT(p99(health), 50.0) << "health p99 with 200 hanging test calls";
  EXPECT_LT(p99(ingest), 50.0) << "single-event ingest p99 with 200 hanging test calls";

  // A client that leaves before its answer costs nothing but its slot.
  for (int i = 0; i < 10; ++i) tests[static_cast<std::size_t>(i)]->close();
  // When the receiver goes, every test ends, and each waiting client gets its answer.
  receiver_->stop();
  for (std::size_t i = 10; i < tests.size(); ++i) {
    auto answer = tests[i]->answer();
    ASSERT_TRUE(answer.has_value()) << "test call " << i << " got no answer";
    ASSERT_EQ(status_of(*answer), 200) << *answer;
    EXPECT_NE(answer->find(R"("delivered":false)"), std::string::npos) << *answer;
  }
  EXPECT_EQ(server_->get("/api/health", std::nullopt).status, 200);
}

TEST_F(TestCallsTest, TestsBeyondTheWebhookOrCompanyBoundGet429WithRetryAfter) {
  const std::string token = new_company("bounded");
  std::vector<std::string> webhooks;
  for (int w = 0; w <= limits::kMaxTestsInFlightPerCompany / limits::kMaxTestsInFlightPerWebhook; ++w) {
    webhooks.push_back(hanging_webhook(token));
  }
  std::vector<std::unique_ptr<RawRequest>> tests;
  for (int t = 0; t < limits::kMaxTestsInFlightPerWebhook; ++t)
    tests.push_back(start_test(token, webhooks[0]));
  ASSERT_TRUE(receiver_->wait_for(tests.size(), 20s));

  auto refused = server_->post("/api/v2/webhooks/" + webhooks[0] + "/test", token, "{}");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.json().at("error").at("code"), "too_many_tests");
  ASSERT_TRUE(refused.headers.contains("retry-after"));
  const int retry_after = std::stoi(refused.headers["retry-after"]);
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 21);  // the delivery timeout (20 s) at most, rounded up

  // The company's other webhooks fill its bound; then any of its webhooks is refused.
  for (std::size_t w = 1; w + 1 < webhooks.size(); ++w) {
    for (int t = 0; t < limits::kMaxTestsInFlightPerWebhook; ++t)
      tests.push_back(start_test(token, webhooks[w]));
  }
  ASSERT_TRUE(receiver_->wait_for(static_cast<std::size_t>(limits::kMaxTestsInFlightPerCompany), 20s));
  refused = server_->post("/api/v2/webhooks/" + webhooks.back() + "/test", token, "{}");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.json().at("error").at("code"), "too_many_tests");
  EXPECT_NE(refused.json().at("error").at("message").as_string().find("company"), std::string::npos);

  // Another company is not affected.
  const std::string other = new_company("other");
  auto allowed = start_test(other, hanging_webhook(other));
  EXPECT_TRUE(receiver_->wait_for(static_cast<std::size_t>(limits::kMaxTestsInFlightPerCompany) + 1, 20s));

  // When the tests end, their slots are free again.
  receiver_->stop();
  for (auto& test : tests) {
    auto answer = test->answer();
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(status_of(*answer), 200) << *answer;
  }
  auto again = start_test(token, webhooks.back(), 10s);
  auto answer = again->answer();  // the receiver is gone: refused at once, but admitted
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(status_of(*answer), 200) << *answer;
}

}  // namespace
}  // namespace switchboard::testing
