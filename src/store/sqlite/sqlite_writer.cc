#include "store/sqlite/sqlite_writer.h"

#include <algorithm>
#include <cassert>
#include <exception>
#include <future>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace switchboard::store::sqlite {

Writer::Writer(std::unique_ptr<Connection> connection, int max_batch)
    : connection_(std::move(connection)),
      max_batch_(static_cast<std::size_t>(std::max(1, max_batch))),
      thread_([this] { run(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

GroupCommitWait group_commit_wait(std::size_t last_batch, std::chrono::microseconds last_commit,
                                  std::size_t max_batch) {
  const std::size_t writes = std::min(last_batch, max_batch);
  if (writes <= 1 || last_commit <= std::chrono::microseconds::zero()) return {};
  return {writes, std::min(last_commit, kMaxGroupCommitWait)};
}

Result<void> Writer::write(WriteFn fn) {
  assert(std::this_thread::get_id() != thread_.get_id() && "write() called from the writer thread");
  std::promise<Result<void>> promise;
  std::future<Result<void>> outcome = promise.get_future();
  submit(std::move(fn), [&promise](Result<void> result) { promise.set_value(std::move(result)); });
  return outcome.get();
}

void Writer::submit(WriteFn fn, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(fn), std::move(done)});
      // Notified under the lock: once unlocked, this thread no longer touches
      // the Writer, so it may be destroyed as soon as the write is answered.
      if (queue_.size() >= wake_at_) wake_.notify_one();
      return;
    }
  }
  done(make_error(ErrorCode::kUnavailable, "the store is closing"));
}

WriterStats Writer::stats() const {
  std::lock_guard lock(mutex_);
  WriterStats stats = stats_;
  stats.queued = queue_.size();
  return stats;
}

void Writer::run() {
  std::vector<Pending> batch;
  GroupCommitWait wait;  // before the first transaction: none
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been answered
      if (queue_.size() < wait.writes && !stopping_) {
        wake_at_ = wait.writes;  // woken once, when they are all there (or at the deadline)
        wake_.wait_for(lock, wait.at_most, [&] { return stopping_ || queue_.size() >= wait.writes; });
        wake_at_ = 1;
      }
      std::size_t count = std::min(queue_.size(), max_batch_);
      for (std::size_t i = 0; i < count; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const auto started = std::chrono::steady_clock::now();
    commit_batch(batch);
    wait = group_commit_wait(
        batch.size(),
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started),
        max_batch_);
    batch.clear();
  }
}

namespace {

// Runs one parameterless statement through the connection's statement cache.
Result<void> run_cached(Connection& connection, std::string_view sql) {
  auto statement = connection.prepare(sql);
  if (!statement) return forward_error(statement);
  return statement->run();
}

}  // namespace

void Writer::count_batch(std::size_t writes) {
  std::lock_guard lock(mutex_);
  stats_.batches += 1;
  stats_.writes += writes;
}

Result<void> Writer::run_guarded(const WriteFn& fn) {
  try {
    return fn(*connection_);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("write threw: ") + e.what());
  }
}

Result<void> Writer::run_in_savepoint(const WriteFn& fn) {
  // A failing savepoint statement would leave the batch in an unknown state:
  // roll the whole transaction back so that commit_batch() abandons it.
  auto abandon = [this](const Result<void>& failed) {
    connection_->rollback();
    return failed;
  };
  if (auto opened = run_cached(*connection_, "SAVEPOINT write"); !opened) return abandon(opened);
  Result<void> outcome = run_guarded(fn);
  if (!connection_->in_transaction()) return outcome;  // SQLite already rolled everything back
  if (outcome) {
    if (auto released = run_cached(*connection_, "RELEASE write"); !released) return abandon(released);
    return outcome;
  }
  // Undo this write only; the savepoint must then be released to pop it.
  if (auto undone = run_cached(*connection_, "ROLLBACK TO write"); !undone) return abandon(undone);
  if (auto released = run_cached(*connection_, "RELEASE write"); !released) return abandon(released);
  return outcome;
}

void Writer::commit_batch(std::vector<Pending>& batch) {
  std::vector<Result<void>> outcomes;
  outcomes.reserve(batch.size());
  auto answer_all_unavailable = [&](const std::string& why) {
    for (Pending& pending : batch) pending.done(make_error(ErrorCode::kUnavailable, why));
  };

  if (auto begun = connection_->begin_immediate(); !begun) {
    answer_all_unavailable("starting the write transaction: " + begun.error().message);
    return;
  }
  // A lone write needs no savepoint: if it fails, the whole transaction is
  // rolled back, which undoes it alone. Its statements then journal only
  // their own pages: inside a savepoint, each statement's release truncates
  // SQLite's in-memory sub-journal by walking it from its first 1 KB chunk,
  // so one large write (a batch of results or events) cost time quadratic
  // in the pages it had touched (a third of the writer's CPU in a drain).
  if (batch.size() == 1) {
    Result<void> outcome = run_guarded(batch.front().fn);
    if (!outcome) {
      if (connection_->in_transaction()) connection_->rollback();
      count_batch(1);
      batch.front().done(std::move(outcome));
      return;
    }
    outcomes.push_back(std::move(outcome));
  } else {
    for (Pending& pending : batch) {
      outcomes.push_back(run_in_savepoint(pending.fn));
      // Some errors (SQLITE_FULL, I/O errors, a failed savepoint statement)
      // abort the whole transaction: nothing of this batch can be committed.
      if (!connection_->in_transaction()) {
        answer_all_unavailable(
            "the write transaction was aborted: " +
            (outcomes.back() ? std::string("unknown cause") : outcomes.back().error().message));
        return;
      }
    }
  }
  count_batch(batch.size());
  if (auto committed = connection_->commit(); !committed) {
    connection_->rollback();
    answer_all_unavailable("committing the write transaction: " + committed.error().message);
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(outcomes[i]));
}

}  // namespace switchboard::store::sqlite
