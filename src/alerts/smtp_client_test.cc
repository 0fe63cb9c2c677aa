// The SMTP client's SSRF guard (the rule of webhook URLs, delivery/ssrf.h):
// IP-literal hosts refused when a channel is saved, and at send time no
// connection to a loopback listener unless private networks are allowed.
#include "alerts/smtp_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

namespace switchboard::alerts {
namespace {

TEST(SmtpHostRefusal, IpLiteralsFollowTheWebhookRule) {
  struct Row {
    std::string host;
    bool allow_private;
    std::optional<std::string> refusal;
  };
  const std::vector<Row> rows = {
      {"smtp.example.com", false, std::nullopt},  // names: checked after DNS, on connect
      {"8.8.8.8", false, std::nullopt},
      {"127.0.0.1", false, "127.0.0.1 is not a public address (loopback)"},
      {"127.0.0.1", true, std::nullopt},
      {"[::1]", false, "::1 is not a public address (loopback)"},
      {"::1", true, std::nullopt},
      {"10.1.2.3", false, "10.1.2.3 is not a public address (private)"},
      {"192.168.0.10", true, std::nullopt},
      {"169.254.169.254", true,
       "169.254.169.254 is not a public address (metadata)"},  // never, override or not
      {"0.0.0.0", true, "0.0.0.0 is not a public address (unspecified)"},
      {"::ffff:10.0.0.1", false, "::ffff:10.0.0.1 is not a public address (private)"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.host + (row.allow_private ? " (private allowed)" : ""));
    EXPECT_EQ(smtp_host_refusal(row.host, row.allow_private), row.refusal);
  }
}

// A TCP listener on a free loopback port that never accepts: a connection
// attempt would sit in its backlog.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { ::close(fd_); }
  int port() const { return port_; }
  bool connection_pending() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

store::SmtpSettings loopback(int port) {
  store::SmtpSettings smtp;
  smtp.host = "127.0.0.1";
  smtp.port = port;
  smtp.tls = store::SmtpTls::kNone;
  smtp.from = "alerts@switchboard.test";
  smtp.recipients = {"ops@example.test"};
  return smtp;
}

TEST(SmtpClient, RefusesALoopbackHostWithoutTheOverrideBeforeConnecting) {
  Listener listener;
  SmtpOptions options;
  options.timeout = std::chrono::milliseconds(5000);
  auto sent = send_email(loopback(listener.port()), "Subject: x\r\n\r\nx\r\n", options);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  const std::string& message = sent.error().message;
  EXPECT_NE(message.find("refused to connect to 127.0.0.1 (loopback)"), std::string::npos) << message;
  EXPECT_NE(message.find("--allow-private-networks"), std::string::npos) << message;
  EXPECT_FALSE(listener.connection_pending());  // no packet reached it
}

TEST(SmtpClient, ConnectsToALoopbackHostWithTheOverride) {
  Listener listener;
  SmtpOptions options;
  options.allow_private_networks = true;
  options.timeout = std::chrono::milliseconds(300);  // the listener never greets: the send times out
  auto sent = send_email(loopback(listener.port()), "Subject: x\r\n\r\nx\r\n", options);
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().message.find("refused to connect"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(listener.connection_pending());  // it did connect
}

}  // namespace
}  // namespace switchboard::alerts
