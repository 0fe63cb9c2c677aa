#include "store/postgres/postgres_channel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_test_support.h"

// LISTEN/NOTIFY between "nodes" (two channels) on the real test server.
namespace switchboard::store::postgres {
namespace {

using namespace std::chrono_literals;

class Heard {
 public:
  void operator()(const std::string& payload) {
    std::lock_guard lock(mutex_);
    payloads_.push_back(payload);
  }
  std::vector<std::string> payloads() const {
    std::lock_guard lock(mutex_);
    return payloads_;
  }
  // Waits (real time: this is I/O with a server) until `count` arrived.
  bool wait_for(std::size_t count, std::chrono::seconds limit = 20s) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (payloads().size() >= count) return true;
      std::this_thread::sleep_for(5ms);
    }
    return payloads().size() >= count;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> payloads_;
};

class PostgresChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::postgres_tests_disabled()) GTEST_SKIP() << "SWITCHBOARD_TEST_PG=off";
    schema_ = testing::TestPostgresSchema::create();
    ASSERT_NE(schema_, nullptr);
  }

  std::unique_ptr<PostgresChannel> open(const testing::TestPostgresSchema& schema, Heard& heard) {
    auto channel = PostgresChannel::open(schema.url(), "switchboard_live",
                                         [&heard](const std::string& payload) { heard(payload); });
    EXPECT_TRUE(channel.has_value()) << (channel ? "" : channel.error().message);
    if (!channel) return nullptr;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (!(*channel)->listening() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(5ms);
    EXPECT_TRUE((*channel)->listening());
    return std::move(*channel);
  }

  std::unique_ptr<testing::TestPostgresSchema> schema_;
};

TEST_F(PostgresChannelTest, EveryNodeHearsEveryMessageInOrderItsOwnIncluded) {
  Heard heard_a, heard_b;
  auto a = open(*schema_, heard_a);
  auto b = open(*schema_, heard_b);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->channel(), "switchboard_live:" + schema_->name());

  std::vector<std::string> sent;
  for (int i = 0; i < 600; ++i) {  // more than one batch
    sent.push_back(R"({"n":)" + std::to_string(i) + R"(,"quote":"it's"})");
    ASSERT_TRUE(a->send(sent.back()));
  }
  ASSERT_TRUE(heard_a.wait_for(sent.size()));
  ASSERT_TRUE(heard_b.wait_for(sent.size()));
  EXPECT_EQ(heard_a.payloads(), sent);
  EXPECT_EQ(heard_b.payloads(), sent);
  EXPECT_EQ(a->stats().sent, sent.size());
  EXPECT_EQ(a->stats().dropped, 0u);
  EXPECT_EQ(b->stats().received, sent.size());
}

TEST_F(PostgresChannelTest, ClustersInDifferentSchemasDoNotHearEachOther) {
  auto other_schema = testing::TestPostgresSchema::create();
  ASSERT_NE(other_schema, nullptr);
  Heard heard_here, heard_other;
  auto here = open(*schema_, heard_here);
  auto other = open(*other_schema, heard_other);
  ASSERT_TRUE(here && other);
  ASSERT_TRUE(other->send("other cluster"));
  ASSERT_TRUE(here->send("this cluster"));
  ASSERT_TRUE(heard_here.wait_for(1));
  ASSERT_TRUE(heard_other.wait_for(1));
  // "other cluster" was committed (its node heard it) before the marker was
  // sent; notifications come in commit order, so a stray copy would come first.
  ASSERT_TRUE(here->send("marker"));
  ASSERT_TRUE(heard_here.wait_for(2));
  EXPECT_EQ(heard_here.payloads(), (std::vector<std::string>{"this cluster", "marker"}));
  EXPECT_EQ(heard_other.payloads(), std::vector<std::string>{"other cluster"});
}

TEST_F(PostgresChannelTest, RefusesWhatPostgresWouldRefuseAndStopsCleanly) {
  Heard heard;
  auto channel = open(*schema_, heard);
  ASSERT_TRUE(channel);
  EXPECT_FALSE(channel->send(std::string(PostgresChannel::kMaxPayloadBytes + 1, 'x')));
  EXPECT_TRUE(channel->send(std::string(PostgresChannel::kMaxPayloadBytes, 'x')));
  ASSERT_TRUE(heard.wait_for(1));
  EXPECT_EQ(heard.payloads()[0].size(), PostgresChannel::kMaxPayloadBytes);
  channel->stop();
  EXPECT_FALSE(channel->send("after stop"));
  channel->stop();  // idempotent
}

TEST(PostgresChannelOpen, AnUnreachableServerIsReportedAtOpen) {
  auto channel = PostgresChannel::open("postgresql://127.0.0.1:1/none?connect_timeout=2", "switchboard_live",
                                       [](const std::string&) {});
  ASSERT_FALSE(channel.has_value());
  EXPECT_EQ(channel.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace switchboard::store::postgres
