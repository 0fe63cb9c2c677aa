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
// Thread-safety: write() may be called from any thread except the writer
// thread itself (that would deadlock). The destructor drains the queue, then
// stops the thread; write() calls that arrive after that get kUnavailable.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_connection.h"

namespace switchboard::store::sqlite {

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

  WriterStats stats() const;

 private:
  struct Pending {
    WriteFn fn;
    std::promise<Result<void>> outcome;
  };

  void run();
  void commit_batch(std::vector<Pending>& batch);
  Result<void> run_in_savepoint(const WriteFn& fn);

  std::unique_ptr<Connection> connection_;  // touched only by the writer thread
  const std::size_t max_batch_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  WriterStats stats_;

  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace switchboard::store::sqlite
