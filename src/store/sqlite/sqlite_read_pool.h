// ReadPool: a fixed set of read-only connections handed out one caller at a
// time. In WAL mode readers never block the writer nor each other; a reader
// sees everything committed before its statement started.
//
// Thread-safety: acquire() may be called from any thread; it blocks while
// every connection is leased. A Lease must not outlive the pool.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_connection.h"

namespace switchboard::store::sqlite {

class ReadPool {
 public:
  // Returns its connection to the pool when destroyed.
  class Lease {
   public:
    Lease(ReadPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    ReadPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  explicit ReadPool(std::vector<std::unique_ptr<Connection>> connections);
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  Lease acquire();

 private:
  void release(std::unique_ptr<Connection> connection);

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace switchboard::store::sqlite
