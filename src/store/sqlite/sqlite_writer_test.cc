// The group-commit writer, tested on its own against a scratch table.
#include "store/sqlite/sqlite_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store::sqlite {
namespace {

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto setup = open_connection();
    ASSERT_TRUE(setup->exec(
        "CREATE TABLE parents (id INTEGER PRIMARY KEY);"
        "CREATE TABLE items (value TEXT NOT NULL UNIQUE);"
        "CREATE TABLE children (parent INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);"));
  }

  std::unique_ptr<Connection> open_connection(ConnectionOptions options = {}) {
    auto connection = Connection::open(dir_.path() / "writer.db", options);
    EXPECT_TRUE(connection.has_value()) << connection.error().message;
    return std::move(*connection);
  }

  static Writer::WriteFn insert(std::string value) {
    return [value = std::move(value)](Connection& connection) -> Result<void> {
      auto statement = connection.query("INSERT INTO items (value) VALUES (?)", value);
      if (!statement) return forward_error(statement);
      return statement->run();
    };
  }

  std::vector<std::string> items() {
    auto reader = open_connection();
    auto query = reader->prepare("SELECT value FROM items ORDER BY value");
    std::vector<std::string> values;
    while (query && query->step().value_or(false)) values.push_back(query->text(0));
    return values;
  }

  static void wait_until_queued(const Writer& writer, std::size_t count) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (writer.stats().queued < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(writer.stats().queued, count);
  }

  testing::TempDir dir_;
};

// Holds the writer thread inside a first write until released, so that the
// test can queue up a known batch behind it.
class Gate {
 public:
  Writer::WriteFn write() {
    return [this](Connection&) -> Result<void> {
      entered_.set_value();
      release_future_.wait();
      return {};
    };
  }
  void wait_entered() { entered_.get_future().wait(); }
  void release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

// Queues `writes` from their own threads behind a gate, then releases it.
std::vector<Result<void>> run_behind_gate(Writer& writer, std::vector<Writer::WriteFn> writes,
                                          void (*wait_until_queued)(const Writer&, std::size_t)) {
  Gate gate;
  std::thread first([&] { EXPECT_TRUE(writer.write(gate.write())); });
  gate.wait_entered();
  std::vector<Result<void>> outcomes(writes.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < writes.size(); ++i) {
    threads.emplace_back([&, i] { outcomes[i] = writer.write(writes[i]); });
    wait_until_queued(writer, i + 1);  // one at a time: keeps the queue order known
  }
  gate.release();
  first.join();
  for (std::thread& thread : threads) thread.join();
  return outcomes;
}

TEST(GroupCommitWaitTest, WaitsForTheLastBatchAtMostItsCommitTime) {
  using std::chrono::microseconds;
  struct Case {
    const char* name;
    std::size_t last_batch;
    microseconds last_commit;
    std::size_t max_batch;
    std::size_t writes;
    microseconds at_most;
  };
  const std::vector<Case> cases = {
      {"nothing committed yet", 0, microseconds(0), 1024, 0, microseconds(0)},
      {"a lone write: start at once", 1, microseconds(3000), 1024, 0, microseconds(0)},
      {"32 callers, slow fsync: capped", 32, microseconds(3000), 1024, 32, kMaxGroupCommitWait},
      {"32 callers, fast commit: its time", 32, microseconds(200), 1024, 32, microseconds(200)},
      {"never more than max_batch", 50, microseconds(400), 10, 10, microseconds(400)},
      {"a commit that took no time: no wait", 8, microseconds(0), 1024, 0, microseconds(0)},
  };
  for (const Case& c : cases) {
    const GroupCommitWait wait = group_commit_wait(c.last_batch, c.last_commit, c.max_batch);
    EXPECT_EQ(wait.writes, c.writes) << c.name;
    EXPECT_EQ(wait.at_most, c.at_most) << c.name;
  }
}

TEST_F(WriterTest, SubmitAnswersAfterCommitWithoutBlocking) {
  Writer writer(open_connection(), 1024);
  std::promise<Result<void>> answered;
  writer.submit(insert("async"), [&](Result<void> outcome) { answered.set_value(std::move(outcome)); });
  EXPECT_TRUE(answered.get_future().get());
  EXPECT_EQ(items(), std::vector<std::string>{"async"});  // committed before the answer
}

TEST_F(WriterTest, GroupCommitsEverythingQueuedTogether) {
  Writer writer(open_connection(), 1024);
  std::vector<Writer::WriteFn> writes;
  writes.reserve(50);
  for (int i = 0; i < 50; ++i) writes.push_back(insert("v" + std::to_string(100 + i)));
  for (const Result<void>& outcome : run_behind_gate(writer, writes, wait_until_queued)) EXPECT_TRUE(outcome);
  EXPECT_EQ(writer.stats().batches, 2u);  // the gate's, then all 50 in one transaction
  EXPECT_EQ(writer.stats().writes, 51u);
  EXPECT_EQ(items().size(), 50u);
}

TEST_F(WriterTest, MaxBatchBoundsOneTransaction) {
  Writer writer(open_connection(), 10);
  std::vector<Writer::WriteFn> writes;
  writes.reserve(35);
  for (int i = 0; i < 35; ++i) writes.push_back(insert("v" + std::to_string(100 + i)));
  for (const Result<void>& outcome : run_behind_gate(writer, writes, wait_until_queued)) EXPECT_TRUE(outcome);
  EXPECT_EQ(writer.stats().batches, 1u + 4u);  // 10 + 10 + 10 + 5
  EXPECT_EQ(items().size(), 35u);
}

TEST_F(WriterTest, FailedWriteRollsBackOnlyItself) {
  Writer writer(open_connection(), 1024);
  auto half_then_fail = [](Connection& connection) -> Result<void> {
    auto statement = connection.query("INSERT INTO items (value) VALUES ('half')");
    if (!statement || !statement->run()) return make_error(ErrorCode::kInternal, "setup");
    return make_error(ErrorCode::kConflict, "changed my mind");
  };
  auto throws = [](Connection& connection) -> Result<void> {
    if (auto statement = connection.query("INSERT INTO items (value) VALUES ('thrown')"))
      (void)statement->run();
    throw std::runtime_error("boom");
  };
  auto outcomes = run_behind_gate(writer, {insert("a"), half_then_fail, insert("a"), throws, insert("b")},
                                  wait_until_queued);
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_TRUE(outcomes[0]);
  EXPECT_EQ(outcomes[1].error().code, ErrorCode::kConflict);
  EXPECT_EQ(outcomes[2].error().code, ErrorCode::kConflict);  // UNIQUE violated by the first "a"
  EXPECT_EQ(outcomes[3].error().code, ErrorCode::kInternal);
  EXPECT_TRUE(outcomes[4]);
  EXPECT_EQ(writer.stats().batches, 2u);
  EXPECT_EQ(items(), (std::vector<std::string>{"a", "b"}));
}

// A write alone in its transaction runs without a savepoint; failing or
// throwing, it still leaves nothing behind, and the writer carries on.
TEST_F(WriterTest, ALoneFailedWriteLeavesNothingBehind) {
  struct Case {
    const char* name;
    Writer::WriteFn write;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"fails after a write",
       [](Connection& connection) -> Result<void> {
         auto statement = connection.query("INSERT INTO items (value) VALUES ('half')");
         if (!statement || !statement->run()) return make_error(ErrorCode::kInternal, "setup");
         return make_error(ErrorCode::kConflict, "changed my mind");
       },
       ErrorCode::kConflict},
      {"throws after a write",
       [](Connection& connection) -> Result<void> {
         if (auto statement = connection.query("INSERT INTO items (value) VALUES ('thrown')"))
           (void)statement->run();
         throw std::runtime_error("boom");
       },
       ErrorCode::kInternal},
      {"a statement fails (UNIQUE)",
       [](Connection& connection) -> Result<void> {
         for (const char* value : {"dup", "dup"}) {
           auto statement = connection.query("INSERT INTO items (value) VALUES (?)", std::string(value));
           if (!statement) return forward_error(statement);
           if (auto ran = statement->run(); !ran) return ran;
         }
         return {};
       },
       ErrorCode::kConflict},
  };
  Writer writer(open_connection(), 1024);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto outcome = writer.write(c.write);
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().code, c.code);
    EXPECT_TRUE(items().empty());
  }
  EXPECT_TRUE(writer.write(insert("after")));
  EXPECT_EQ(items(), (std::vector<std::string>{"after"}));
  EXPECT_EQ(writer.stats().batches, cases.size() + 1);
}

TEST_F(WriterTest, CommitFailureFailsTheWholeBatch) {
  Writer writer(open_connection(), 1024);
  // A deferred foreign key is only checked at COMMIT, which therefore fails.
  auto orphan = [](Connection& connection) -> Result<void> {
    auto statement = connection.query("INSERT INTO children (parent) VALUES (42)");
    if (!statement) return forward_error(statement);
    return statement->run();
  };
  auto outcomes = run_behind_gate(writer, {insert("x"), orphan, insert("y")}, wait_until_queued);
  for (const Result<void>& outcome : outcomes) {
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable);
  }
  EXPECT_TRUE(items().empty());
  // The writer carries on with the next batch.
  EXPECT_TRUE(writer.write(insert("z")));
  EXPECT_EQ(items(), (std::vector<std::string>{"z"}));
}

TEST_F(WriterTest, RetriesBusyBeyondTheBusyTimeout) {
  ConnectionOptions impatient;
  impatient.busy_timeout_ms = 10;
  Writer writer(open_connection(impatient), 1024);
  auto other = open_connection();  // another process mid-transaction
  ASSERT_TRUE(other->begin_immediate());
  auto started = std::chrono::steady_clock::now();
  auto write = std::async(std::launch::async, [&] { return writer.write(insert("late")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(other->commit());
  EXPECT_TRUE(write.get());
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
  EXPECT_EQ(items(), (std::vector<std::string>{"late"}));
}

TEST_F(WriterTest, GivesUpOnALockHeldTooLong) {
  ConnectionOptions impatient;
  impatient.busy_timeout_ms = 10;
  impatient.busy_give_up_after = std::chrono::milliseconds(100);
  Writer writer(open_connection(impatient), 1024);
  auto other = open_connection();
  ASSERT_TRUE(other->begin_immediate());
  auto outcome = writer.write(insert("never"));
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable);
  other->rollback();
  EXPECT_TRUE(writer.write(insert("later")));
}

TEST_F(WriterTest, DestructorDrainsTheQueue) {
  auto writer = std::make_unique<Writer>(open_connection(), 1024);
  Gate gate;
  std::thread first([&] { EXPECT_TRUE(writer->write(gate.write())); });
  gate.wait_entered();
  std::vector<std::thread> threads;
  threads.reserve(5);
  std::vector<Result<void>> outcomes(5);
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = writer->write(insert("q" + std::to_string(i))); });
  }
  wait_until_queued(*writer, 5);
  std::thread destroyer([&] { writer.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the destructor start waiting
  gate.release();
  destroyer.join();
  first.join();
  for (std::thread& thread : threads) thread.join();
  for (const Result<void>& outcome : outcomes) EXPECT_TRUE(outcome);
  EXPECT_EQ(items().size(), 5u);
}

}  // namespace
}  // namespace switchboard::store::sqlite
