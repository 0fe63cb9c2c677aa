// Mutual TLS (issue 16 item 5): the HttpClient presents a request's client
// certificate to a real TLS receiver (test_tls_server.h) that requires or asks
// for one, and never lets one identity's connection or TLS session serve a
// request with another identity or with none. Loopback only.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "delivery/http_client.h"
#include "delivery/test_support.h"
#include "delivery/test_tls_server.h"
#include "model/client_certificate.h"
#include "model/test_certificates.h"

namespace switchboard::delivery {
namespace {

using model::AttemptError;
using std::chrono::milliseconds;
using testing::TempDir;
using testing::TestClientAuth;
using testing::TestTlsServer;

TimePoint wall_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// A client certificate issued by `ca`, as the API would have stored it.
std::shared_ptr<const model::ClientCertificate> identity(const model::testing::TestPem& ca,
                                                         const std::string& common_name) {
  const auto pem = model::testing::make_certificate({.common_name = common_name, .issuer = &ca});
  auto parsed = model::parse_client_certificate(pem.cert_pem + ca.cert_pem, pem.key_pem, wall_now());
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return std::make_shared<const model::ClientCertificate>(std::move(*parsed));
}

std::unique_ptr<HttpClient> trusting_client(const TempDir& dir, const TestTlsServer& server) {
  HttpClientOptions options;
  options.allow_private_networks = true;
  options.ca_file = dir.write("ca-" + std::to_string(server.port()) + ".pem", server.cert_pem());
  auto client = HttpClient::create(std::move(options));
  EXPECT_TRUE(client.has_value());
  return client ? std::move(*client) : nullptr;
}

HttpResponse send(HttpClient& client, const std::string& url,
                  std::shared_ptr<const model::ClientCertificate> certificate) {
  HttpRequest request{url, {{"Content-Type", "application/json"}}, "{}", milliseconds(10000)};
  request.client_certificate = std::move(certificate);
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  client.submit(std::move(request),
                [promise](HttpResponse response) { promise->set_value(std::move(response)); });
  return future.get();
}

TEST(HttpClientMtlsTest, ReceiverRequiringACertificateGetsIt) {
  const auto ca = model::testing::make_ca();
  TestTlsServer server({}, testing::make_test_certificate(), TestClientAuth{ca.cert_pem, true});
  TempDir dir;
  auto client = trusting_client(dir, server);
  const auto response = send(*client, server.url(), identity(ca, "acme-client"));
  EXPECT_EQ(response.error, AttemptError::kNone) << response.error_message;
  EXPECT_EQ(response.status_code, 200);
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].client_subject, "CN=acme-client,O=Switchboard Tests");
}

TEST(HttpClientMtlsTest, WithoutACertificateTheAttemptIsATlsFailure) {
  const auto ca = model::testing::make_ca();
  const auto other_ca = model::testing::make_ca("another-ca");
  TestTlsServer server({}, testing::make_test_certificate(), TestClientAuth{ca.cert_pem, true});
  TempDir dir;
  auto client = trusting_client(dir, server);
  struct Case {
    const char* name;
    std::shared_ptr<const model::ClientCertificate> certificate;
  };
  const std::vector<Case> cases = {
      {"no certificate", nullptr},
      {"a certificate the receiver does not trust", identity(other_ca, "stranger")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto response = send(*client, server.url(), c.certificate);
    EXPECT_EQ(response.error, AttemptError::kTls) << response.error_message;
    EXPECT_FALSE(response.status_code.has_value());
    EXPECT_FALSE(response.error_message.empty());
  }
  EXPECT_EQ(server.request_count(), 0u);
  // And the same client then delivers with the right certificate.
  EXPECT_EQ(send(*client, server.url(), identity(ca, "acme-client")).error, AttemptError::kNone);
}

// Pooled easy handles, kept-alive connections and the shared TLS session cache
// all serve every webhook of a loop: each request must reach the receiver with
// exactly its own identity, even right after another identity's request.
TEST(HttpClientMtlsTest, ClientIdentitiesNeverShareAConnection) {
  const auto ca = model::testing::make_ca();
  TestTlsServer server({}, testing::make_test_certificate(), TestClientAuth{ca.cert_pem, false});
  TempDir dir;
  auto client = trusting_client(dir, server);
  const auto a = identity(ca, "client-a");
  const auto b = identity(ca, "client-b");
  const std::vector<std::shared_ptr<const model::ClientCertificate>> order = {a, nullptr, b, a,
                                                                              b, nullptr, a, a};
  for (const auto& certificate : order) {
    const auto response = send(*client, server.url(), certificate);
    ASSERT_EQ(response.error, AttemptError::kNone) << response.error_message;
  }
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string want =
        order[i] ? "CN=" + std::string(order[i] == a ? "client-a" : "client-b") + ",O=Switchboard Tests" : "";
    EXPECT_EQ(requests[i].client_subject, want) << "request " << i;
  }
  // Still kept alive per identity: one connection each, not one per request.
  EXPECT_LE(server.connections(), 4);
}

}  // namespace
}  // namespace switchboard::delivery
