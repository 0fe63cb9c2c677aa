// Writer: the single thread that owns the SQLite write connection and
// group-commits.
//
// Callers hand write() a function that performs one logical write on the
// connection and block until its outcome is durable. The writer thread drains
// up to `max_batch` pending writes, opens one IMMEDIATE transaction, runs each
// write inside its own SAVEPOINT (a failed write is rolled back to its
// savepoint and reports its own error while the others still commit), COMMITs
// once, and only then answers every caller. If the transaction cannot be
// committed, every write of the batch gets kUnavailable.
//
// Group commit under a steady load: the callers answered by one COMMIT come
// back with their next write while the writer is already in the next
// transaction, so without care the batches alternate (1 write, then 31, then
// 1…) and each COMMIT's fsync is shared by half the callers. So before a
// transaction the writer may wait, briefly, for as many writes as the last
// COMMIT answered (group_commit_wait(): never longer than that COMMIT took,
// nor than kMaxGroupCommitWait; not at all after a lone write).
//
// Thread-safety: write() and submit() may be called from any thread; write()
// not from the writer thread itself (that would deadlock). The destructor drains the queue, then
// stops the thread; write() calls that arrive after that get kUnavailable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_connection.h"

namespace switchboard::store::sqlite {

// How long the writer may wait for more writes before it starts a
// transaction, given the last one: for `writes` queued writes, at most
// `at_most`. Pure.
struct GroupCommitWait {
  std::size_t writes = 0;  // 0 or 1: start at once
  std::chrono::microseconds at_most{0};
};
inline constexpr std::chrono::microseconds kMaxGroupCommitWait{1000};
GroupCommitWait group_commit_wait(std::size_t last_batch, std::chrono::microseconds last_commit,
                                  std::size_t max_batch);

struct WriterStats {
  std::uint64_t batches = 0;  // transactions committed (or attempted)
  std::uint64_t writes = 0;   // writes executed
  std::size_t queued = 0;     // writes waiting for the writer thread right now
};

class Writer {
 public:
  // Runs on the writer thread with the write connection, inside a SAVEPOINT
  // of the group transaction. Must not begin, commit or roll back itself.
  using WriteFn = std::function<Result<void>(Connection&)>;

  Writer(std::unique_ptr<Connection> connection, int max_batch);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Blocks until `fn` has run and its transaction has committed (or failed).
  Result<void> write(WriteFn fn);
  // The same without blocking: `done` is called once with the outcome, after
  // COMMIT, on the writer thread (keep it short: hand the answer on), or at
  // once on this thread when the writer is stopping (kUnavailable).
  using Done = std::function<void(Result<void>)>;
  void submit(WriteFn fn, Done done);

  WriterStats stats() const;

 private:
  struct Pending {
    WriteFn fn;
    Done done;
  };

  void run();
  void commit_batch(std::vector<Pending>& batch);
  Result<void> run_in_savepoint(const WriteFn& fn);
  // `fn` on the write connection; an exception it throws is an error.
  Result<void> run_guarded(const WriteFn& fn);
  void count_batch(std::size_t writes);

  std::unique_ptr<Connection> connection_;  // touched only by the writer thread
  const std::size_t max_batch_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  std::size_t wake_at_ = 1;  // queue length at which a new write wakes the writer
  bool stopping_ = false;
  WriterStats stats_;

  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace switchboard::store::sqlite
