#include "receiver/receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "receiver/test_client.h"
#include "receiver/test_support.h"
#include "receiver/tls_identity.h"

namespace switchboard::receiver {
namespace {

using namespace std::chrono_literals;
using test_support::ClientResponse;
using test_support::delivery_headers;
using test_support::envelope;
using test_support::TestClient;
using ::testing::Contains;
using ::testing::HasSubstr;

const std::string kSecret = "whsec_" + crypto::base64_encode(std::string(32, '\x33'));
using Clock = std::chrono::steady_clock;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ReceiverOptions test_options() {
  ReceiverOptions options;
  options.listen = "127.0.0.1:0";
  options.secrets = {kSecret};
  return options;
}

std::unique_ptr<Receiver> start(const ReceiverOptions& options) {
  auto receiver = Receiver::start(options);
  EXPECT_TRUE(receiver) << receiver.error().message;
  return receiver ? std::move(*receiver) : nullptr;
}

// Posts one signed delivery of `event_id` on `client`.
ClientResponse deliver(TestClient& client, const std::string& event_id, const std::string& secret = kSecret,
                       std::chrono::milliseconds timeout = 5s, int attempt = 1) {
  const std::string body = envelope(event_id);
  return client.post(body, delivery_headers({secret}, event_id, attempt, unix_now(), body), timeout);
}

// Posts one delivery on a new connection.
ClientResponse deliver_once(const Receiver& receiver, const std::string& event_id,
                            std::chrono::milliseconds timeout = 5s) {
  TestClient client(receiver.port(), receiver.cert_pem());
  return deliver(client, event_id, kSecret, timeout);
}

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("sb-receiver-test-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  return dir;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ReceiverTest, CountsAndVerifiesSignedDeliveriesOnOneConnection) {
  auto receiver = start(test_options());
  ASSERT_TRUE(receiver);
  TestClient client(receiver->port(), receiver->cert_pem());
  ASSERT_FALSE(client.connect()) << "TLS handshake with the generated certificate";
  for (int i = 1; i <= 3; ++i) {
    const auto response = deliver(client, "evt_" + std::to_string(i), kSecret, 5s, i);
    ASSERT_FALSE(response.error) << response.error.message();
    EXPECT_EQ(response.status, 200);
    EXPECT_THAT(response.body, HasSubstr(R"("verified":true)"));
  }
  EXPECT_EQ(receiver->count(), 3u);
  EXPECT_EQ(receiver->verified(), 3u);
  const auto events = receiver->events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event_id, "evt_1");
  EXPECT_EQ(events[0].event_type, "call.answered");
  EXPECT_EQ(events[2].attempt, 3);
  EXPECT_EQ(events[0].sequence, 3);
  EXPECT_EQ(events[0].call_id, "call_78e3c7");
  EXPECT_EQ(events[0].status, 200);
  EXPECT_TRUE(events[0].signatures_ok);
  EXPECT_TRUE(events[0].signatures_checked);
  EXPECT_EQ(events[0].body, envelope("evt_1"));
  EXPECT_THAT(events[0].headers, Contains(std::pair<std::string, std::string>("X-MO-Event-Id", "evt_1")));
}

TEST(ReceiverTest, BadSignatureIsRecordedAsFailed) {
  auto receiver = start(test_options());
  ASSERT_TRUE(receiver);
  TestClient client(receiver->port(), receiver->cert_pem());
  const auto response = deliver(client, "evt_bad", "whsec_" + crypto::base64_encode(std::string(32, 'x')));
  ASSERT_FALSE(response.error) << response.error.message();
  EXPECT_EQ(response.status, 200);  // the answer is what --status says; the verdict is reported
  EXPECT_THAT(response.body, HasSubstr(R"("verified":false)"));
  ASSERT_EQ(receiver->count(), 1u);
  EXPECT_EQ(receiver->verified(), 0u);
  const auto event = receiver->events().at(0);
  EXPECT_FALSE(event.signatures_ok);
  EXPECT_THAT(event.signature_errors, Contains("webhook-signature does not match"));
  EXPECT_THAT(event.signature_errors, Contains("X-MyOperator-Signature does not match"));
}

TEST(ReceiverTest, WithoutSecretsSignaturesAreUnchecked) {
  auto options = test_options();
  options.secrets.clear();
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  EXPECT_EQ(deliver_once(*receiver, "evt_1").status, 200);
  const auto event = receiver->events().at(0);
  EXPECT_TRUE(event.signatures_ok);
  EXPECT_FALSE(event.signatures_checked);
}

TEST(ReceiverTest, AnswersTheConfiguredStatus) {
  auto options = test_options();
  options.status = 503;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  EXPECT_EQ(deliver_once(*receiver, "evt_1").status, 503);
  EXPECT_EQ(receiver->events().at(0).status, 503);
}

TEST(ReceiverTest, FailFirstCountsAcrossConnections) {
  auto options = test_options();
  options.fail_first = 2;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  std::vector<int> statuses;
  statuses.reserve(4);
  for (int i = 0; i < 4; ++i) statuses.push_back(deliver_once(*receiver, "evt_" + std::to_string(i)).status);
  EXPECT_EQ(statuses, (std::vector<int>{500, 500, 200, 200}));
}

TEST(ReceiverTest, FailFirstIsExactUnderConcurrency) {
  auto options = test_options();
  options.fail_first = 5;
  options.io_threads = 4;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  std::vector<std::future<int>> results;
  results.reserve(12);
  for (int i = 0; i < 12; ++i) {
    results.push_back(std::async(
        std::launch::async, [&, i] { return deliver_once(*receiver, "evt_" + std::to_string(i)).status; }));
  }
  int failures = 0, successes = 0;
  for (auto& result : results) {
    const int status = result.get();
    failures += status == 500;
    successes += status == 200;
  }
  EXPECT_EQ(failures, 5);
  EXPECT_EQ(successes, 7);
}

// With one I/O thread, five delayed answers still overlap: the delay is a timer.
TEST(ReceiverTest, DelayDoesNotBlockOtherConnections) {
  auto options = test_options();
  options.delay_ms = 1000;
  options.io_threads = 1;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  const auto started = Clock::now();
  std::vector<std::future<std::pair<int, Clock::duration>>> results;
  results.reserve(5);
  for (int i = 0; i < 5; ++i) {
    results.push_back(std::async(std::launch::async, [&, i] {
      const auto begin = Clock::now();
      const int status = deliver_once(*receiver, "evt_" + std::to_string(i), 30s).status;
      return std::pair{status, Clock::now() - begin};
    }));
  }
  for (auto& result : results) {
    const auto [status, took] = result.get();
    EXPECT_EQ(status, 200);
    EXPECT_GE(took, 1000ms);
  }
  EXPECT_LT(Clock::now() - started, 4000ms) << "delays were served one after another";
  EXPECT_EQ(receiver->max_open(), 5u);  // all five were open at once
}

// delay_first: only the first N deliveries wait; max_open counts the open ones.
TEST(ReceiverTest, DelayFirstDelaysOnlyTheFirstDeliveries) {
  auto options = test_options();
  options.delay_ms = 1000;
  options.delay_first = 1;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  TestClient client(receiver->port(), receiver->cert_pem());
  auto begin = Clock::now();
  EXPECT_EQ(deliver(client, "evt_slow", kSecret, 30s).status, 200);
  EXPECT_GE(Clock::now() - begin, 1000ms);
  begin = Clock::now();
  EXPECT_EQ(deliver(client, "evt_fast", kSecret, 30s).status, 200);
  EXPECT_LT(Clock::now() - begin, 900ms);
  EXPECT_EQ(receiver->max_open(), 1u);  // one after the other on one connection
}

TEST(ReceiverTest, HangTimesOutWhileOtherRequestsAreServed) {
  auto options = test_options();
  options.hang = true;
  options.io_threads = 1;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  auto hung = std::async(std::launch::async, [&] { return deliver_once(*receiver, "evt_hang", 1500ms); });
  ASSERT_TRUE(receiver->wait_for(1, 10s));

  TestClient probe(receiver->port(), receiver->cert_pem());
  const auto served = probe.request(boost::beast::http::verb::get, "", {});
  ASSERT_FALSE(served.error) << served.error.message();
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.body, R"({"received":1,"verified":1,"failed":0})");

  const auto timed_out = hung.get();
  EXPECT_EQ(timed_out.error, boost::beast::error::timeout);
  EXPECT_EQ(receiver->events().at(0).status, 0);
}

TEST(ReceiverTest, StopWithHangingConnectionReturnsPromptly) {
  auto options = test_options();
  options.hang = true;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  auto hung = std::async(std::launch::async, [&] { return deliver_once(*receiver, "evt_hang", 30s); });
  ASSERT_TRUE(receiver->wait_for(1, 10s));
  const auto begin = Clock::now();
  receiver->stop();
  EXPECT_LT(Clock::now() - begin, 2s);
  ASSERT_EQ(hung.wait_for(10s), std::future_status::ready) << "the hung client was not disconnected";
  const auto result = hung.get();
  EXPECT_TRUE(result.error);
  EXPECT_NE(result.error, boost::beast::error::timeout);
  receiver->stop();  // idempotent
}

TEST(ReceiverTest, RejectsBodiesOverOneMebibyte) {
  auto receiver = start(test_options());
  ASSERT_TRUE(receiver);
  TestClient client(receiver->port(), receiver->cert_pem());
  const auto response =
      client.post(std::string(1024 * 1024 + 1, 'x'), {{"Content-Type", "application/json"}});
  ASSERT_FALSE(response.error) << response.error.message();
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(receiver->count(), 0u);
}

TEST(ReceiverTest, OtherMethodsAreNotDeliveries) {
  auto receiver = start(test_options());
  ASSERT_TRUE(receiver);
  TestClient client(receiver->port(), receiver->cert_pem());
  EXPECT_EQ(client.request(boost::beast::http::verb::put, "{}", {}).status, 405);
  EXPECT_EQ(receiver->count(), 0u);
}

TEST(ReceiverTest, CertificateCoversTheLoopbackAddressAndIsWrittenToCertOut) {
  const auto dir = temp_dir();
  auto options = test_options();
  options.cert_out = dir / "receiver.pem";
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  EXPECT_THAT(receiver->cert_pem(), HasSubstr("-----BEGIN CERTIFICATE-----"));
  EXPECT_EQ(read_file(options.cert_out), receiver->cert_pem());
  TestClient by_ip(receiver->port(), receiver->cert_pem(), "127.0.0.1");
  EXPECT_FALSE(by_ip.connect());
  TestClient wrong_name(receiver->port(), receiver->cert_pem(), "example.com");
  EXPECT_TRUE(wrong_name.connect());
  std::filesystem::remove_all(dir);
}

TEST(ReceiverTest, LoadsCertificateAndKeyFromFiles) {
  const auto dir = temp_dir();
  const auto identity = generate_self_signed_identity();
  ASSERT_TRUE(identity);
  ASSERT_TRUE(write_pem_file(dir / "cert.pem", identity->cert_pem));
  ASSERT_TRUE(write_pem_file(dir / "key.pem", identity->key_pem));
  auto options = test_options();
  options.cert = dir / "cert.pem";
  options.key = dir / "key.pem";
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  EXPECT_EQ(receiver->cert_pem(), identity->cert_pem);
  EXPECT_EQ(deliver_once(*receiver, "evt_1").status, 200);

  const auto other = generate_self_signed_identity();
  ASSERT_TRUE(write_pem_file(dir / "other_key.pem", other->key_pem));
  options.key = dir / "other_key.pem";
  const auto mismatched = Receiver::start(options);
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error().code, ErrorCode::kInvalidArgument);
  options.cert = dir / "missing.pem";
  EXPECT_FALSE(Receiver::start(options));
  std::filesystem::remove_all(dir);
}

TEST(ReceiverTest, RejectsInvalidOptions) {
  const auto invalid = [](auto change) {
    auto options = test_options();
    change(options);
    const auto receiver = Receiver::start(options);
    return !receiver && receiver.error().code == ErrorCode::kInvalidArgument;
  };
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.listen = "nowhere"; }));
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.listen = "127.0.0.1:70000"; }));
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.status = 99; }));
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.fail_first = -1; }));
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.delay_ms = -5; }));
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.delay_first = -1; }));
  EXPECT_TRUE(invalid([](ReceiverOptions& o) { o.cert = "only-cert.pem"; }));
}

TEST(ReceiverTest, PlainHttpForTests) {
  auto options = test_options();
  options.plain_http = true;
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  EXPECT_EQ(receiver->url(), "http://127.0.0.1:" + std::to_string(receiver->port()));
  EXPECT_EQ(receiver->cert_pem(), "");
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), receiver->port()});
  const std::string body = envelope("evt_plain");
  http::request<http::string_body> request(http::verb::post, "/", 11);
  for (const auto& [name, value] : delivery_headers({kSecret}, "evt_plain", 1, unix_now(), body))
    request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(receiver->verified(), 1u);
}

TEST(ReceiverTest, KeepsOnlyTheMostRecentEvents) {
  auto options = test_options();
  options.max_kept_events = 2;
  std::atomic<int> callbacks{0};
  options.on_event = [&](const ReceivedEvent&) { ++callbacks; };
  auto receiver = start(options);
  ASSERT_TRUE(receiver);
  TestClient client(receiver->port(), receiver->cert_pem());
  for (int i = 0; i < 3; ++i) deliver(client, "evt_" + std::to_string(i));
  EXPECT_EQ(receiver->count(), 3u);
  EXPECT_EQ(callbacks, 3);
  const auto events = receiver->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event_id, "evt_1");
}

// A port that was free a moment ago, for run_receiver, which prints its port
// only on stdout.
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(RunReceiverTest, PrintsEachDeliveryAndACountOnSigterm) {
  const std::uint16_t port = free_port();
  auto options = test_options();
  options.listen = "127.0.0.1:" + std::to_string(port);
  const auto dir = temp_dir();
  options.cert_out = dir / "cert.pem";
  ::testing::internal::CaptureStdout();
  auto running = std::async(std::launch::async, [&] { return run_receiver(options); });
  // The certificate file appears just before the port is bound; wait for a GET to be answered.
  ClientResponse probe;
  for (int i = 0; i < 500; ++i) {
    if (std::filesystem::exists(options.cert_out)) {
      TestClient client(port, read_file(options.cert_out));
      probe = client.request(boost::beast::http::verb::get, "", {});
      if (!probe.error) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(probe.status, 200);
  TestClient client(port, read_file(options.cert_out));
  EXPECT_EQ(deliver(client, "evt_cli").status, 200);
  EXPECT_EQ(deliver(client, "evt_cli", kSecret, 5s, 2).status, 200);
  ::kill(::getpid(), SIGTERM);
  ASSERT_EQ(running.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(running.get(), 0);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, HasSubstr("Receiving on https://127.0.0.1:" + std::to_string(port) + "\n"));
  EXPECT_THAT(out, HasSubstr(R"({"event_id":"evt_cli","event_type":"call.answered","attempt":1,"sequence":3,)"
                             R"("call_id":"call_78e3c7","signatures":"ok","errors":[],"status":200,)"
                             R"("duplicate":false,)"));
  EXPECT_THAT(out, HasSubstr(R"("attempt":2,)"));
  EXPECT_THAT(out, HasSubstr(R"("duplicate":true,)"));
  EXPECT_THAT(out, HasSubstr("received 2, verified 2, failed 0\n"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace switchboard::receiver
