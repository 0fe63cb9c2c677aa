#include "delivery/http_client.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "delivery/test_support.h"
#include "delivery/test_tls_server.h"

// Every server here listens on 127.0.0.1; no test sends a packet anywhere else.
namespace switchboard::delivery {
namespace {

using model::AttemptError;
using std::chrono::milliseconds;
using testing::RecordedRequest;
using testing::TempDir;
using testing::TestReply;
using testing::TestTlsServer;

std::unique_ptr<HttpClient> make_client(HttpClientOptions options) {
  auto client = HttpClient::create(std::move(options));
  EXPECT_TRUE(client.has_value()) << (client ? "" : client.error().message);
  return client ? std::move(*client) : nullptr;
}

// A client that trusts `server`'s certificate and may connect to loopback.
std::unique_ptr<HttpClient> trusting_client(const TempDir& dir, const TestTlsServer& server,
                                            HttpClientOptions options = {}) {
  options.allow_private_networks = true;
  options.ca_file = dir.write("ca-" + std::to_string(server.port()) + ".pem", server.cert_pem());
  return make_client(std::move(options));
}

HttpRequest post(std::string url, milliseconds timeout = milliseconds(5000)) {
  return HttpRequest{std::move(url),
                     {{"Content-Type", "application/json"}, {"X-Test", "yes"}, {"X-Empty", ""}},
                     R"({"hello":"world"})",
                     timeout};
}

HttpResponse send(HttpClient& client, HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  client.submit(std::move(request),
                [promise](HttpResponse response) { promise->set_value(std::move(response)); });
  return future.get();
}

// Which ends of a transfer keep the status received (the rest are failures
// classified by their libcurl code).
TEST(ResponseStandsTest, Table) {
  struct Row {
    const char* name;
    CURLcode code;
    long status;
    bool cut_off;
    bool stands;
  };
  const Row rows[] = {
      {"completed", CURLE_OK, 200, false, true},
      {"completed with an error status", CURLE_OK, 500, false, true},
      {"body cut off after the status", CURLE_WRITE_ERROR, 200, true, true},
      {"write error before any status", CURLE_WRITE_ERROR, 0, true, false},
      {"write error that was not our cut", CURLE_WRITE_ERROR, 200, false, false},
      {"h2: whole answer, then the stream reset", CURLE_HTTP2_STREAM, 200, false, true},
      {"h2: final 4xx, then the stream reset", CURLE_HTTP2_STREAM, 429, false, true},
      {"h2: reset before any final status", CURLE_HTTP2_STREAM, 0, false, false},
      {"h2: reset after an interim 100", CURLE_HTTP2_STREAM, 100, false, false},
      {"h2 framing error", CURLE_HTTP2, 200, false, false},
      {"timeout after the status", CURLE_OPERATION_TIMEDOUT, 200, false, false},
      {"connection reset while receiving", CURLE_RECV_ERROR, 200, false, false},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(response_stands(row.code, row.status, row.cut_off), row.stands) << row.name;
  }
}

TEST(HttpClientTest, PostsTheBodyAndHeadersAndCapturesTheResponse) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{201, {{"X-Reply", "r1"}}, "created"}; });
  TempDir dir;
  auto client = trusting_client(dir, server);
  const auto response = send(*client, post(server.url("/in?a=1")));
  EXPECT_EQ(response.error, AttemptError::kNone) << response.error_message;
  EXPECT_TRUE(response.success());
  EXPECT_EQ(response.status_code, 201);
  EXPECT_EQ(response.body, "created");
  EXPECT_FALSE(response.body_truncated);
  EXPECT_GT(response.latency_ms, 0);
  bool saw_reply_header = false;
  for (const auto& h : response.headers) saw_reply_header |= (h.name == "X-Reply" && h.value == "r1");
  EXPECT_TRUE(saw_reply_header);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/in?a=1");
  EXPECT_EQ(requests[0].body, R"({"hello":"world"})");
  EXPECT_EQ(requests[0].header("X-Test"), "yes");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[0].header("Expect"), "");
  bool saw_empty = false;
  for (const auto& [name, value] : requests[0].headers) saw_empty |= (name == "X-Empty" && value.empty());
  EXPECT_TRUE(saw_empty) << "a header with an empty value is sent, not dropped";
}

TEST(HttpClientTest, StatusCodesAreClassified) {
  struct Case {
    int status;
    AttemptError want;
  };
  const std::vector<Case> cases = {
      {200, AttemptError::kNone},       {204, AttemptError::kNone},       {299, AttemptError::kNone},
      {301, AttemptError::kRedirect},   {302, AttemptError::kRedirect},   {307, AttemptError::kRedirect},
      {400, AttemptError::kHttpStatus}, {404, AttemptError::kHttpStatus}, {429, AttemptError::kHttpStatus},
      {500, AttemptError::kHttpStatus}, {503, AttemptError::kHttpStatus},
  };
  TestTlsServer server;
  TempDir dir;
  auto client = trusting_client(dir, server);
  for (const auto& c : cases) {
    // A 204 carries no body.
    const std::string body = c.status == 204 ? "" : "body " + std::to_string(c.status);
    server.set_handler([&](const RecordedRequest&) {
      return TestReply{c.status, {{"Location", server.url("/elsewhere")}}, body};
    });
    const auto response = send(*client, post(server.url()));
    EXPECT_EQ(response.error, c.want) << c.status << " " << response.error_message;
    EXPECT_EQ(response.status_code, c.status);
    EXPECT_EQ(response.body, body);
  }
}

TEST(HttpClientTest, RedirectIsNotFollowed) {
  TestTlsServer server;
  server.set_handler([&](const RecordedRequest& request) {
    if (request.target == "/elsewhere") return TestReply{200, {}, "followed"};
    return TestReply{302, {{"Location", server.url("/elsewhere")}}, ""};
  });
  TempDir dir;
  auto client = trusting_client(dir, server);
  const auto response = send(*client, post(server.url("/start")));
  EXPECT_EQ(response.error, AttemptError::kRedirect);
  EXPECT_EQ(response.status_code, 302);
  EXPECT_NE(response.error_message.find("302"), std::string::npos);
  ASSERT_EQ(server.request_count(), 1u);
}

TEST(HttpClientTest, TimeoutIsClassified) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{.hang = true}; });
  TempDir dir;
  auto client = trusting_client(dir, server);
  const auto response = send(*client, post(server.url(), milliseconds(300)));
  EXPECT_EQ(response.error, AttemptError::kTimeout) << response.error_message;
  EXPECT_FALSE(response.status_code.has_value());
  EXPECT_GE(response.latency_ms, 250);
  EXPECT_LT(response.latency_ms, 5000);
}

TEST(HttpClientTest, LoopbackIsRefusedUnlessPrivateNetworksAreAllowed) {
  TestTlsServer server;
  TempDir dir;
  HttpClientOptions options;
  options.ca_file = dir.write("ca.pem", server.cert_pem());
  options.allow_private_networks = false;
  auto client = make_client(options);
  // Loopback spellings only: nothing here may leave the machine.
  for (const std::string host : {"127.0.0.1", "localhost", "[::1]"}) {
    const auto response = send(*client, post(server.url("/hook", host)));
    EXPECT_EQ(response.error, AttemptError::kRefused) << host << ": " << response.error_message;
    EXPECT_NE(response.error_message.find("loopback"), std::string::npos) << response.error_message;
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClientTest, UntrustedCertificateIsATlsFailure) {
  TestTlsServer server;
  TempDir dir;
  // Trusts the system bundle only.
  auto system_only = make_client(HttpClientOptions{.allow_private_networks = true});
  auto response = send(*system_only, post(server.url()));
  EXPECT_EQ(response.error, AttemptError::kTls) << response.error_message;
  // Trusts another self-signed certificate.
  auto other = testing::make_test_certificate("someone-else");
  auto wrong_ca = make_client(
      HttpClientOptions{.allow_private_networks = true, .ca_file = dir.write("other.pem", other.cert_pem)});
  response = send(*wrong_ca, post(server.url()));
  EXPECT_EQ(response.error, AttemptError::kTls) << response.error_message;
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(HttpClientTest, ExtraCaIsTrustedInAdditionToTheSystemBundle) {
  TestTlsServer system_server;  // stands for a site with a publicly trusted certificate
  TestTlsServer extra_server;
  TempDir dir;
  HttpClientOptions options;
  options.allow_private_networks = true;
  options.system_ca_file = dir.write("system.pem", system_server.cert_pem());
  auto system_only = make_client(options);
  EXPECT_EQ(send(*system_only, post(system_server.url())).error, AttemptError::kNone);
  EXPECT_EQ(send(*system_only, post(extra_server.url())).error, AttemptError::kTls);

  options.ca_file = dir.write("extra.pem", extra_server.cert_pem());
  auto both = make_client(options);
  EXPECT_EQ(send(*both, post(system_server.url())).error, AttemptError::kNone);
  EXPECT_EQ(send(*both, post(extra_server.url())).error, AttemptError::kNone);
}

TEST(HttpClientTest, CombinedCaBundle) {
  TempDir dir;
  const auto system = dir.write("system.pem", "SYSTEM");
  const auto extra = dir.write("extra.pem", "EXTRA\n");
  EXPECT_EQ(combined_ca_bundle(system, extra).value(), "SYSTEM\nEXTRA\n");
  EXPECT_EQ(combined_ca_bundle(dir.path() / "missing-system.pem", extra).value(), "EXTRA\n");
  EXPECT_EQ(combined_ca_bundle("", extra).value(), "EXTRA\n");
  EXPECT_FALSE(combined_ca_bundle(system, dir.path() / "missing.pem").has_value());
  EXPECT_FALSE(HttpClient::create(HttpClientOptions{.ca_file = dir.path() / "missing.pem"}).has_value());
}

TEST(HttpClientTest, SequentialRequestsReuseTheConnection) {
  TestTlsServer server;
  TempDir dir;
  auto client = trusting_client(dir, server);
  constexpr int kRequests = 20;
  for (int i = 0; i < kRequests; ++i) ASSERT_EQ(send(*client, post(server.url())).error, AttemptError::kNone);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kRequests));
  EXPECT_GE(server.connections(), 1);
  EXPECT_LE(server.connections(), 2);
}

TEST(HttpClientTest, ConcurrentRequestsRunInParallel) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{.delay = milliseconds(300)}; });
  TempDir dir;
  auto client = trusting_client(dir, server);
  constexpr int kRequests = 20;
  std::vector<std::future<HttpResponse>> futures;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRequests; ++i) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    futures.push_back(promise->get_future());
    client->submit(post(server.url()), [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  }
  for (auto& f : futures) EXPECT_EQ(f.get().error, AttemptError::kNone);
  // Serially this would take 20 × 300 ms = 6 s.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(client->in_flight(), 0u);
}

TEST(HttpClientTest, ResponseBodyIsCappedAndTheStatusStands) {
  TestTlsServer server;
  TempDir dir;
  auto client = trusting_client(dir, server, HttpClientOptions{.max_response_bytes = 1000});
  server.set_handler([](const RecordedRequest&) { return TestReply{500, {}, std::string(100'000, 'x')}; });
  auto response = send(*client, post(server.url()));
  EXPECT_EQ(response.error, AttemptError::kHttpStatus);
  EXPECT_EQ(response.status_code, 500);
  EXPECT_EQ(response.body, std::string(1000, 'x'));
  EXPECT_TRUE(response.body_truncated);
  // Beyond the discard limit the transfer is cut off; the 200 still counts.
  server.set_handler([](const RecordedRequest&) {
    return TestReply{200, {}, std::string(kMaxDiscardedResponseBytes + 200'000, 'y')};
  });
  response = send(*client, post(server.url()));
  EXPECT_EQ(response.error, AttemptError::kNone) << response.error_message;
  EXPECT_EQ(response.status_code, 200);
  EXPECT_EQ(response.body.size(), 1000u);
  EXPECT_TRUE(response.body_truncated);
}

TEST(HttpClientTest, ResponseHeadersAreBounded) {
  TestTlsServer server([](const RecordedRequest&) {
    TestReply reply;
    for (int i = 0; i < 50; ++i) reply.headers.emplace_back("X-H" + std::to_string(i), std::string(100, 'h'));
    return reply;
  });
  TempDir dir;
  auto client = trusting_client(dir, server, HttpClientOptions{.max_response_header_bytes = 1024});
  const auto response = send(*client, post(server.url()));
  ASSERT_EQ(response.error, AttemptError::kNone);
  std::size_t bytes = 0;
  for (const auto& h : response.headers) bytes += h.name.size() + 2 + h.value.size();
  EXPECT_LE(bytes, 1024u);
  EXPECT_FALSE(response.headers.empty());
}

TEST(HttpClientTest, PlainHttpIsRefusedUnlessAllowed) {
  TestTlsServer server;
  TempDir dir;
  auto client = trusting_client(dir, server);
  const auto response = send(*client, post("http://127.0.0.1:" + std::to_string(server.port()) + "/hook"));
  EXPECT_EQ(response.error, AttemptError::kOther);
  EXPECT_FALSE(response.error_message.empty());
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClientTest, DestroyingTheClientEndsTransfersInFlight) {
  TestTlsServer server([](const RecordedRequest&) { return TestReply{.hang = true}; });
  TempDir dir;
  auto client = trusting_client(dir, server);
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  client->submit(post(server.url(), milliseconds(60000)),
                 [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  ASSERT_TRUE(testing::wait_until([&] { return server.request_count() == 1; }));
  client.reset();
  const auto response = future.get();
  EXPECT_EQ(response.error, AttemptError::kOther);
  EXPECT_EQ(response.error_message, "client stopped");
}

}  // namespace
}  // namespace switchboard::delivery
