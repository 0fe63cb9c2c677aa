// The HTTP/1.1 front door over raw TCP sockets to the real server: request
// smuggling is refused (RFC 9112 §6), HEAD has no body, 405 says Allow, the
// 413 names the real limit, and client-chosen methods and paths cannot grow
// the metrics.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <string>
#include <vector>

#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace http = boost::beast::http;

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Exchange {
  std::vector<Answer> answers;
  std::string trailing;  // bytes after the last complete answer
  bool closed = false;   // the server closed the connection (EOF before the read timeout)
};

// Splits what the server sent into answers. `heads`: the requests sent were
// HEAD (their answers have no body whatever Content-Length says), in order.
Exchange parse_answers(std::string_view bytes, std::vector<bool> heads = {}) {
  Exchange out;
  while (!bytes.empty()) {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 << 20);
    if (out.answers.size() < heads.size() && heads[out.answers.size()]) parser.skip(true);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (!parser.is_done()) {
      used += parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
      if (ec || used == bytes.size()) break;
    }
    if (!parser.is_done()) break;
    Answer answer;
    answer.status = parser.get().result_int();
    for (const auto& field : parser.get()) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      answer.headers[name] = std::string(field.value());
    }
    answer.body = parser.get().body();
    out.answers.push_back(std::move(answer));
    bytes.remove_prefix(used);
  }
  out.trailing = std::string(bytes);
  return out;
}

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{10, 0};  // a hung server fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "cannot connect";
    }
  }
  ~RawConnection() { ::close(fd_); }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may close before reading all of it
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads until the server closes (closed = true) or nothing comes for 10 s.
  Exchange read_all(std::vector<bool> heads = {}) {
    std::string bytes;
    bool closed = false;
    char chunk[16384];
    while (true) {
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) {
        closed = true;
        break;
      }
      if (n < 0) break;  // timeout (or reset: not a clean close)
      bytes.append(chunk, static_cast<std::size_t>(n));
    }
    auto exchange = parse_answers(bytes, std::move(heads));
    exchange.closed = closed;
    return exchange;
  }

  // Reads exactly one answer (keep-alive).
  Answer read_one(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(64 << 20);
    if (head) parser.skip(true);
    while (true) {
      if (!buffer_.empty()) {
        boost::beast::error_code ec;
        const auto used = parser.put(boost::asio::buffer(buffer_), ec);
        buffer_.erase(0, used);
        if (parser.is_done()) break;
        if (ec && ec != http::error::need_more) {
          ADD_FAILURE() << "bad answer: " << ec.message();
          return {};
        }
        if (used > 0) continue;
      }
      char chunk[16384];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) {
        ADD_FAILURE() << "the connection ended before a whole answer";
        return {};
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    Answer answer;
    answer.status = parser.get().result_int();
    answer.body = parser.get().body();
    return answer;
  }

 private:
  int fd_ = -1;
  std::string buffer_;
};

// A complete second request, hidden as the body of the first.
const std::string kSmuggled = "GET /api/v2/event-types HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

std::string with_length(const std::string& body) { return "Content-Length: " + std::to_string(body.size()); }

class HttpProtocolTest : public ::testing::Test {
 protected:
  TempDir dir_;
  TestServer server_{dir_.path()};
};

TEST_F(HttpProtocolTest, SmugglingPayloadsGetOne400AndACloseAndTheHiddenRequestIsNeverRun) {
  const std::string chunked_smuggled = "0\r\n\r\n" + kSmuggled;
  struct Case {
    std::string name;
    std::string headers;  // after the request line, before the blank line
    std::string body;
  };
  const std::vector<Case> cases = {
      {"gzip", "Host: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n", kSmuggled},
      {"xchunked", "Host: 127.0.0.1\r\nTransfer-Encoding: xchunked\r\n", kSmuggled},
      {"identity", "Host: 127.0.0.1\r\nTransfer-Encoding: identity\r\n", kSmuggled},
      {"chunked, identity", "Host: 127.0.0.1\r\nTransfer-Encoding: chunked, identity\r\n", kSmuggled},
      {"gzip, chunked", "Host: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n", chunked_smuggled},
      {"identity then chunked fields",
       "Host: 127.0.0.1\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n", chunked_smuggled},
      {"chunked then gzip fields",
       "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", chunked_smuggled},
      {"gzip and content-length 0", "Host: 127.0.0.1\r\nTransfer-Encoding: gzip\r\nContent-Length: 0\r\n",
       kSmuggled},
      {"chunked and content-length",
       "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n" + with_length(chunked_smuggled) + "\r\n",
       chunked_smuggled},
      {"content-length and chunked",
       "Host: 127.0.0.1\r\n" + with_length(chunked_smuggled) + "\r\nTransfer-Encoding: chunked\r\n",
       chunked_smuggled},
      {"no host", "Content-Length: 0\r\n", kSmuggled},
      {"two hosts", "Host: 127.0.0.1\r\nHost: evil.example\r\nContent-Length: 0\r\n", kSmuggled},
      {"http/1.0 chunked", "Transfer-Encoding: chunked\r\n", chunked_smuggled},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RawConnection connection(server_.port());
    const std::string version = c.name.starts_with("http/1.0") ? "HTTP/1.0" : "HTTP/1.1";
    connection.send("POST /api/health " + version + "\r\n" + c.headers + "\r\n" + c.body);
    const auto exchange = connection.read_all();
    EXPECT_EQ(exchange.answers.size(), 1u) << "answers: " << exchange.answers.size();
    if (exchange.answers.empty()) continue;
    EXPECT_EQ(exchange.answers[0].status, 400);
    EXPECT_NE(exchange.answers[0].body.find("\"bad_request\""), std::string::npos)
        << exchange.answers[0].body;
    if (version == "HTTP/1.1") {
      EXPECT_EQ(exchange.answers[0].header("connection"), "close");
    }
    EXPECT_TRUE(exchange.closed) << "the connection must be closed";
    EXPECT_EQ(exchange.trailing, "");
  }
  // The server is still healthy, and the hidden requests were never answered
  // (each would have counted a request on its route).
  const auto metrics = server_.get("/metrics", std::nullopt);
  EXPECT_EQ(metrics.body.find("route=\"/api/v2/event-types\""), std::string::npos);
}

TEST_F(HttpProtocolTest, TrailerFieldsAreRefusedNotMergedIntoTheHeader) {
  // Fields sent after a chunked body reach no proxy's header checks; merged
  // into the header they would authenticate, add a Host or close the
  // connection. Each gets one 400 and a close, and none acts.
  const std::string token = *server_.owner_token();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"authorization", "Authorization: Bearer " + token + "\r\n"},
      {"second host", "Host: evil.example\r\n"},
      {"content-length", "Content-Length: 99\r\n"},
      {"connection", "Connection: close\r\n"},
  };
  for (const auto& [name, trailer] : cases) {
    SCOPED_TRACE(name);
    RawConnection connection(server_.port());
    connection.send(
        "GET /api/v2/webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n" +
        trailer + "\r\n" + kSmuggled);
    const auto exchange = connection.read_all();
    ASSERT_EQ(exchange.answers.size(), 1u) << "answers: " << exchange.answers.size();
    EXPECT_EQ(exchange.answers[0].status, 400) << exchange.answers[0].body;
    EXPECT_NE(exchange.answers[0].body.find("\"bad_request\""), std::string::npos)
        << exchange.answers[0].body;
    EXPECT_TRUE(exchange.closed);
  }
  const auto metrics = server_.get("/metrics", std::nullopt);
  EXPECT_EQ(metrics.body.find("route=\"/api/v2/event-types\""), std::string::npos);
  EXPECT_EQ(metrics.body.find("route=\"/api/v2/webhooks\""), std::string::npos);
}

TEST_F(HttpProtocolTest, WellFramedRequestsStillWork) {
  // Chunked alone, and Content-Length, followed by a pipelined request.
  RawConnection connection(server_.port());
  connection.send(
      "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n"
      "GET /api/health HTTP/1.1\r\nhost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
      "GET /api/health HTTP/1.0\r\n\r\n");
  const auto exchange = connection.read_all();
  ASSERT_EQ(exchange.answers.size(), 3u);
  for (const auto& answer : exchange.answers) EXPECT_EQ(answer.status, 200);
  EXPECT_TRUE(exchange.closed);  // HTTP/1.0 without keep-alive
}

TEST_F(HttpProtocolTest, AContentLengthOverTheLimitNamesTheRealLimit) {
  const server::ServeConfig defaults;
  for (const std::string& length :
       {std::to_string(defaults.max_body_bytes + 1), std::string("1000000000000")}) {
    SCOPED_TRACE(length);
    RawConnection connection(server_.port());
    connection.send(
        "POST /api/v2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        length + "\r\n\r\n{}");
    const auto exchange = connection.read_all();
    ASSERT_EQ(exchange.answers.size(), 1u);
    EXPECT_EQ(exchange.answers[0].status, 413);
    EXPECT_NE(exchange.answers[0].body.find("exceeds " + std::to_string(defaults.max_body_bytes) + " bytes"),
              std::string::npos)
        << exchange.answers[0].body;
  }
}

TEST_F(HttpProtocolTest, HeadAnswersLikeGetWithoutABody) {
  const auto get = server_.get("/api/v2/webhooks", server_.owner_token());
  ASSERT_EQ(get.status, 200);
  const auto health = server_.get("/api/health", std::nullopt);
  struct Case {
    std::string target;
    bool token;
    int status;
    std::string content_length;  // of what GET sends; empty: do not check
  };
  const std::vector<Case> cases = {
      {"/api/health", false, 200, std::to_string(health.body.size())},
      {"/api/v2/webhooks", true, 200, std::to_string(get.body.size())},
      {"/api/v2/webhooks", false, 401, ""},
      {"/api/v2/live/calls", true, 200, "0"},  // a stream: never opened for HEAD
      {"/api/openapi.json", false, 200, ""},
      {"/api/v2/events", true, 405, ""},  // POST only
      {"/no/such/route", false, 404, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    RawConnection connection(server_.port());
    std::string request = "HEAD " + c.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (c.token) request += "Authorization: Bearer " + *server_.owner_token() + "\r\n";
    connection.send(request + "\r\n");
    const auto exchange = connection.read_all({true});
    ASSERT_EQ(exchange.answers.size(), 1u);
    EXPECT_EQ(exchange.answers[0].status, c.status);
    EXPECT_EQ(exchange.trailing, "") << "a HEAD answer has no body";
    EXPECT_TRUE(exchange.closed);
    if (!c.content_length.empty()) {
      EXPECT_EQ(exchange.answers[0].header("content-length"), c.content_length);
    }
    if (c.status == 405) {
      EXPECT_EQ(exchange.answers[0].header("allow"), "POST");
    }
  }

  // Keep-alive: the next request on the connection is read right after the
  // HEAD answer's header (no body bytes in between).
  RawConnection connection(server_.port());
  connection.send("HEAD /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(connection.read_one(/*head=*/true).status, 200);
  connection.send("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const auto after = connection.read_one();
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.body, health.body);
}

TEST_F(HttpProtocolTest, Every405SaysWhichMethodsThePathAccepts) {
  struct Case {
    std::string method;
    std::string target;
    std::string allow;
  };
  const std::vector<Case> cases = {
      {"DELETE", "/api/v2/webhooks", "GET, HEAD, POST"},
      {"PUT", "/api/health", "GET, HEAD"},
      {"POST", "/api/v2/webhooks/wh_x", "GET, HEAD, PATCH, DELETE"},
      {"GET", "/api/v2/events", "POST"},
      {"BREW", "/api/v2/webhooks/wh_x/enable", "POST"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target);
    RawConnection connection(server_.port());
    connection.send(c.method + " " + c.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const auto exchange = connection.read_all();
    ASSERT_EQ(exchange.answers.size(), 1u);
    EXPECT_EQ(exchange.answers[0].status, 405);
    EXPECT_EQ(exchange.answers[0].header("allow"), c.allow);
    EXPECT_NE(exchange.answers[0].body.find("method_not_allowed"), std::string::npos);
  }
}

std::size_t count_series(const std::string& metrics) {
  std::size_t series = 0;
  std::size_t start = 0;
  while (start < metrics.size()) {
    auto end = metrics.find('\n', start);
    if (end == std::string::npos) end = metrics.size();
    if (end > start && metrics[start] != '#') ++series;
    start = end + 1;
  }
  return series;
}

TEST_F(HttpProtocolTest, ClientChosenMethodsAndPathsDoNotGrowTheMetrics) {
  std::mt19937 random(12);  // fixed: the same requests on every run
  auto token = [&random](std::size_t min, std::size_t max) {
    static const std::string kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out(std::uniform_int_distribution<std::size_t>(min, max)(random), 'x');
    for (auto& c : out) c = kChars[std::uniform_int_distribution<std::size_t>(0, kChars.size() - 1)(random)];
    return out;
  };
  auto send_random = [&](int requests) {
    RawConnection connection(server_.port());
    for (int i = 0; i < requests; ++i) {
      std::string target;
      switch (i % 4) {
        case 0:
          target = "/" + token(1, 12) + "/" + token(1, 12);
          break;  // no route: 404
        case 1:
          target = "/api/v2/webhooks/wh_" + token(5, 20);
          break;  // a route: 401 or 405
        case 2:
          target = "/api/health";
          break;  // 405 for any other method
        case 3:
          target = "/api/v2/" + token(1, 30);
          break;  // 404
      }
      const std::string method = "X" + token(2, 10);
      connection.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const auto answer = connection.read_one();
      ASSERT_TRUE(answer.status == 404 || answer.status == 405)
          << method << " " << target << " " << answer.status;
    }
  };
  send_random(40);                              // every label the random requests can produce, once
  (void)server_.get("/metrics", std::nullopt);  // and the series of GET /metrics itself
  const auto before = server_.get("/metrics", std::nullopt).body;
  send_random(2000);
  const auto after = server_.get("/metrics", std::nullopt).body;
  EXPECT_EQ(count_series(after), count_series(before))
      << "series before: " << count_series(before) << ", after: " << count_series(after)
      << ", bytes before: " << before.size() << ", after: " << after.size();
  EXPECT_NE(after.find("method=\"other\""), std::string::npos);
  EXPECT_NE(after.find("route=\"unmatched\""), std::string::npos);
}

}  // namespace
}  // namespace switchboard::testing
