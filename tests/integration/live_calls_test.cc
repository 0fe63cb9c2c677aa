// The live call stream (GET /api/v2/live/calls) through real HTTP: the
// snapshot first, each published call state streamed as it is stored, the
// filters, the roles, bad filters, and a server stop that ends open streams.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/identity_service.h"
#include "model/limits.h"
#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// A blocking SSE client on a raw socket: reads the response head, then one
// event at a time (each read waits at most `timeout`).
class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target, const std::string& token) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" +
                          "Authorization: Bearer " + token + "\r\n\r\n";
    (void)::send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
    auto end = read_until("\r\n\r\n");
    if (end == std::string::npos) return;
    head_ = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
  }
  ~SseClient() {
    if (fd_ >= 0) ::close(fd_);
  }

  const std::string& head() const { return head_; }
  // The body after the head up to `marker` (a refusal's JSON: "}}"), or "".
  std::string body_until(const std::string& marker) {
    auto end = read_until(marker);
    return end == std::string::npos ? "" : buffer_.substr(0, end + marker.size());
  }
  int status() const { return head_.size() > 12 ? std::stoi(head_.substr(9, 3)) : 0; }

  struct Event {
    std::string name;  // "" when the stream ended
    json::value data;
  };
  // The next event (comments such as ": ping" are skipped).
  Event next() {
    while (true) {
      auto end = read_until("\n\n");
      if (end == std::string::npos) return {};
      std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      Event event;
      std::string data;
      std::size_t start = 0;
      while (start <= block.size()) {
        auto stop = block.find('\n', start);
        std::string line = block.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
        if (line.starts_with("event: ")) event.name = line.substr(7);
        if (line.starts_with("data: ")) data += line.substr(6);
        if (stop == std::string::npos) break;
        start = stop + 1;
      }
      if (event.name.empty()) continue;  // a comment
      event.data = json::parse(data);
      return event;
    }
  }
  // True when the server closed the stream (within the read timeout).
  bool closed_by_server() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  std::size_t read_until(const std::string& marker) {
    while (true) {
      if (auto at = buffer_.find(marker); at != std::string::npos) return at;
      char chunk[4096];
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::string::npos;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
  std::string head_;
  std::string buffer_;
};

class LiveCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
    ASSERT_EQ(server_->post("/api/v2/departments", owner_, R"({"id":"dep_support","name":"Support"})").status,
              201);
    ASSERT_EQ(server_
                  ->post("/api/v2/agents", owner_,
                         R"({"id":"agt_1","name":"Rahul Nair","department_id":"dep_support"})")
                  .status,
              201);
  }

  std::string user_token(const std::string& role) {
    static int n = 0;
    auto body = json::serialize(
        json::object{{"name", role}, {"email", role + std::to_string(++n) + "@live.test"}, {"role", role}});
    auto r = server_->post("/api/v2/users", owner_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("token").as_string());
  }

  // One call event of the lifecycle, valid for its type's schema.
  static std::string call_event(const std::string& type, const std::string& call_id,
                                const std::string& to = "+918040000102") {
    const std::string started = "2026-11-22T10:24:22.283Z";
    json::object customer{{"number", "+918588123517"}, {"role", "customer"}, {"started_at", started}};
    json::object agent{{"number", "+919876500021"},
                       {"role", "agent"},
                       {"started_at", "2026-11-22T10:24:30.000Z"},
                       {"agent_id", "agt_1"}};
    json::object data{{"call_id", call_id}, {"direction", "inbound"}, {"from", "+918588123517"},
                      {"to", to},           {"started_at", started},  {"department_id", "dep_support"}};
    if (type == "call.initiated") {
      data["status"] = "initiated";
      customer["state"] = "answered";
      data["legs"] = json::array{customer};
    } else if (type == "call.dial_begin") {
      data["status"] = "ringing";
      customer["state"] = "answered";
      agent["state"] = "ringing";
      data["legs"] = json::array{customer, agent};
    } else if (type == "call.answered") {
      data["status"] = "in_progress";
      data["answered_at"] = "2026-11-22T10:24:40.000Z";
      customer["state"] = "answered";
      agent["state"] = "answered";
      agent["answered_at"] = "2026-11-22T10:24:40.000Z";
      data["legs"] = json::array{customer, agent};
    } else {  // call.end
      data["status"] = "completed";
      data["answered_at"] = "2026-11-22T10:24:40.000Z";
      data["ended_at"] = "2026-11-22T10:29:01.347Z";
      data["duration_sec"] = 279;
      customer["state"] = "completed";
      customer["ended_at"] = "2026-11-22T10:29:01.347Z";
      agent["state"] = "completed";
      agent["answered_at"] = "2026-11-22T10:24:40.000Z";
      agent["ended_at"] = "2026-11-22T10:29:01.347Z";
      data["legs"] = json::array{customer, agent};
    }
    return json::serialize(json::object{{"type", type}, {"data", std::move(data)}});
  }

  void publish(const std::string& body) {
    auto r = server_->post("/api/v2/events", owner_, body);
    ASSERT_EQ(r.status, 202) << r.body;
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(LiveCallsTest, SnapshotThenEachStateOfACallAsItIsPublished) {
  publish(call_event("call.initiated", "call_before"));
  SseClient client(server_->port(), "/api/v2/live/calls", owner_);
  ASSERT_EQ(client.status(), 200) << client.head();
  EXPECT_NE(client.head().find("text/event-stream"), std::string::npos);

  auto snapshot = client.next();
  ASSERT_EQ(snapshot.name, "call");
  EXPECT_EQ(snapshot.data.at("call_id"), "call_before");
  EXPECT_EQ(snapshot.data.at("state"), "ringing");
  auto ready = client.next();
  ASSERT_EQ(ready.name, "ready");
  EXPECT_EQ(ready.data.at("calls"), 1);

  const std::vector<std::pair<std::string, std::string>> lifecycle = {
      {"call.dial_begin", "ringing"}, {"call.answered", "connected"}, {"call.end", "disconnected"}};
  for (const auto& [type, state] : lifecycle) {
    publish(call_event(type, "call_live"));
    auto event = client.next();
    ASSERT_EQ(event.name, "call") << type;
    EXPECT_EQ(event.data.at("call_id"), "call_live");
    EXPECT_EQ(event.data.at("state"), json::value(state)) << type;
    EXPECT_EQ(event.data.at("from"), "+918588123517");
    EXPECT_EQ(event.data.at("direction"), "inbound");
    EXPECT_EQ(event.data.at("agent"), (json::object{{"id", "agt_1"}, {"name", "Rahul Nair"}})) << type;
    EXPECT_EQ(event.data.at("department"), (json::object{{"id", "dep_support"}, {"name", "Support"}}));
  }

  // The ended call is not in a new watcher's snapshot; the ringing one still is.
  SseClient later(server_->port(), "/api/v2/live/calls", owner_);
  auto first = later.next();
  EXPECT_EQ(first.data.at("call_id"), "call_before");
  EXPECT_EQ(later.next().data.at("calls"), 1);
}

TEST_F(LiveCallsTest, ARestartedServerStillShowsTheCallsInProgress) {
  publish(call_event("call.initiated", "call_ringing"));
  publish(call_event("call.initiated", "call_talking"));
  publish(call_event("call.answered", "call_talking"));
  publish(call_event("call.initiated", "call_over"));
  publish(call_event("call.end", "call_over"));
  server_->stop();
  server_ = std::make_unique<TestServer>(dir_.path());

  SseClient client(server_->port(), "/api/v2/live/calls", owner_);
  ASSERT_EQ(client.status(), 200) << client.head();
  std::map<std::string, std::string> states;
  for (;;) {
    auto event = client.next();
    if (event.name != "call") {
      ASSERT_EQ(event.name, "ready");
      EXPECT_EQ(event.data.at("calls"), 2);
      break;
    }
    const std::string call_id(event.data.at("call_id").as_string());
    states[call_id] = std::string(event.data.at("state").as_string());
    if (call_id == "call_talking") {  // named from the directory again
      EXPECT_EQ(event.data.at("agent"), (json::object{{"id", "agt_1"}, {"name", "Rahul Nair"}}));
    }
  }
  EXPECT_EQ(states,
            (std::map<std::string, std::string>{{"call_ringing", "ringing"}, {"call_talking", "connected"}}));
}

TEST_F(LiveCallsTest, NumberAndDepartmentFiltersChooseTheCalls) {
  SseClient by_number(server_->port(), "/api/v2/live/calls?numbers=%2B918040000999", owner_);
  SseClient by_department(server_->port(), "/api/v2/live/calls?department_ids=dep_sales", owner_);
  ASSERT_EQ(by_number.next().name, "ready");
  ASSERT_EQ(by_department.next().name, "ready");
  publish(call_event("call.initiated", "call_other"));
  publish(call_event("call.initiated", "call_mine", "+918040000999"));
  auto event = by_number.next();
  EXPECT_EQ(event.data.at("call_id"), "call_mine");  // call_other went to another number
  // Nothing matches dep_sales: the department watcher gets no call before the server ends it.
  server_->stop();
  EXPECT_EQ(by_department.next().name, "");
}

TEST_F(LiveCallsTest, EveryRoleOfTheCompanyMayWatchAndOthersMayNot) {
  for (const std::string role : {"agent", "manager", "admin"}) {
    SseClient client(server_->port(), "/api/v2/live/calls", user_token(role));
    EXPECT_EQ(client.status(), 200) << role;
    EXPECT_EQ(client.next().name, "ready") << role;
  }
  auto anonymous = server_->get("/api/v2/live/calls", std::nullopt);
  EXPECT_EQ(anonymous.status, 401);
  auto ingest = server_->post("/api/v2/ingest-tokens", owner_);
  ASSERT_EQ(ingest.status, 201) << ingest.body;
  auto by_ingest = server_->get("/api/v2/live/calls", std::string(ingest.json().at("token").as_string()));
  EXPECT_EQ(by_ingest.status, 403);
}

TEST_F(LiveCallsTest, BadFiltersAreRejectedWithTheField) {
  struct Case {
    std::string query;
    std::string field;
  };
  for (const auto& c : std::vector<Case>{{"numbers=12345", "numbers"},
                                         {"numbers=%2B91abc", "numbers"},
                                         {"department_ids=%3Cscript%3E", "department_ids"}}) {
    auto r = server_->get("/api/v2/live/calls?" + c.query, owner_);
    EXPECT_EQ(r.status, 400) << c.query;
    EXPECT_EQ(r.json().at("error").at("field"), json::value(c.field)) << r.body;
  }
}

TEST_F(LiveCallsTest, AnotherCompanysCallsNeverReachTheStream) {
  SystemClock clock;
  auto other =
      api::create_company_with_owner(server_->service().store(), clock, "Other", "O", "o@other.test");
  ASSERT_TRUE(other.has_value());
  const std::string other_owner = other->owner_token;
  SseClient mine(server_->port(), "/api/v2/live/calls", owner_);
  ASSERT_EQ(mine.next().name, "ready");
  auto r = server_->post("/api/v2/events", other_owner, call_event("call.initiated", "call_theirs"));
  ASSERT_EQ(r.status, 202);
  publish(call_event("call.initiated", "call_ours"));
  EXPECT_EQ(mine.next().data.at("call_id"), "call_ours");
}

TEST_F(LiveCallsTest, StoppingTheServerEndsOpenStreamsPromptly) {
  SseClient client(server_->port(), "/api/v2/live/calls", owner_);
  ASSERT_EQ(client.next().name, "ready");
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);  // not the 10 s drain deadline
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(LiveCallsTest, TenThousandCallsInProgressStreamWholeThenLiveUpdatesFollow) {
  constexpr std::size_t kCalls = model::limits::kMaxLiveCallsPerCompany;
  static_assert(kCalls == 10000);
  for (std::size_t batch = 0; batch < kCalls / 1000; ++batch) {
    json::array events;
    for (std::size_t i = 0; i < 1000; ++i) {
      events.push_back(json::parse(call_event("call.initiated", "call_" + std::to_string(batch * 1000 + i))));
    }
    auto r = server_->post("/api/v2/events/batch", owner_, json::serialize(json::object{{"events", events}}));
    ASSERT_EQ(r.status, 202) << r.body.substr(0, 300);
  }
  SseClient client(server_->port(), "/api/v2/live/calls", owner_);
  ASSERT_EQ(client.status(), 200) << client.head();
  std::size_t snapshot = 0;
  for (;;) {
    auto event = client.next();
    ASSERT_NE(event.name, "") << "the stream ended after " << snapshot << " snapshot entries";
    if (event.name == "ready") {
      EXPECT_EQ(event.data.at("calls"), kCalls);
      break;
    }
    ++snapshot;
  }
  EXPECT_EQ(snapshot, kCalls);
  publish(call_event("call.answered", "call_42"));
  auto update = client.next();
  ASSERT_EQ(update.name, "call");
  EXPECT_EQ(update.data.at("call_id"), "call_42");
  EXPECT_EQ(update.data.at("state"), "connected");
}

TEST_F(LiveCallsTest, StreamsBeyondTheUserOrCompanyBoundGet429AndAClosedStreamFreesItsSlotAtOnce) {
  const std::size_t per_user = model::limits::kMaxLiveStreamsPerUser;
  const std::size_t per_company = model::limits::kMaxLiveStreamsPerCompany;
  auto open = [&](const std::string& token) {
    return std::make_unique<SseClient>(server_->port(), "/api/v2/live/calls", token);
  };
  auto expect_refused = [](SseClient& client, const std::string& says) {
    EXPECT_EQ(client.status(), 429) << client.head();
    EXPECT_NE(client.head().find("Retry-After: "), std::string::npos) << client.head();
    const std::string body = client.body_until("}}");
    EXPECT_NE(body.find("too_many_streams"), std::string::npos) << body;
    EXPECT_NE(body.find(says), std::string::npos) << body;
  };
  std::vector<std::unique_ptr<SseClient>> streams;
  for (std::size_t i = 0; i < per_user; ++i) {
    streams.push_back(open(owner_));
    ASSERT_EQ(streams.back()->status(), 200);
    ASSERT_EQ(streams.back()->next().name, "ready");
  }
  // One user cannot hold more, however many the company has left.
  expect_refused(*open(owner_), "You already have");

  // A stream the client closes frees its slot for the very next request (not
  // at the next 15 s ping); the server learns of the close when it reads it,
  // so allow it that moment.
  streams.pop_back();
  auto reopened = open(owner_);
  for (auto deadline = std::chrono::steady_clock::now() + 2s;
       reopened->status() == 429 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(10ms);
    reopened = open(owner_);
  }
  ASSERT_EQ(reopened->status(), 200) << reopened->head();
  EXPECT_EQ(reopened->next().name, "ready");
  streams.push_back(std::move(reopened));

  // Other users fill the company's bound; then anyone of the company is refused.
  while (streams.size() < per_company) {
    const std::string agent = user_token("agent");
    for (std::size_t i = 0; i < per_user && streams.size() < per_company; ++i) {
      streams.push_back(open(agent));
      ASSERT_EQ(streams.back()->status(), 200) << streams.size();
      ASSERT_EQ(streams.back()->next().name, "ready");
    }
  }
  const std::string newcomer = user_token("agent");
  expect_refused(*open(newcomer), "This company already has");

  // Any stream that closes lets the next watcher of the company in at once.
  streams.pop_back();
  auto admitted = open(newcomer);
  for (auto deadline = std::chrono::steady_clock::now() + 2s;
       admitted->status() == 429 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(10ms);
    admitted = open(newcomer);
  }
  ASSERT_EQ(admitted->status(), 200) << admitted->head();
  EXPECT_EQ(admitted->next().name, "ready");
}

}  // namespace
}  // namespace switchboard::testing
