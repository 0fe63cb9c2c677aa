// ConnectionPool: a fixed set of PostgreSQL connections shared by the
// threads of one PostgresStore. acquire() blocks until a slot is free and
// returns a Lease that gives the slot back when destroyed. A slot whose
// connection broke (mark_broken()) reconnects lazily, the next time a lease
// asks for its connection, so a restarted server costs one failed attempt
// per slot, not a restart of the node.
//
// Thread-safety: acquire() and Lease destruction may run on any thread; one
// Lease is used by one thread at a time.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "common/result.h"

namespace switchboard::store::postgres {

class ConnectionPool {
 public:
  // Connects `size` connections to `url` (a libpq URI or key=value string) up
  // front, so that a wrong URL fails at start-up. kUnavailable when the server
  // cannot be reached; kInvalidArgument when size < 1.
  static Result<std::unique_ptr<ConnectionPool>> open(std::string url, int size);

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) { other.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    // The slot's connection, (re)connecting first when it has none.
    // Throws pqxx::broken_connection when the server cannot be reached.
    pqxx::connection& connection();
    // Drops the slot's connection: the next user reconnects.
    void mark_broken();

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::size_t slot) : pool_(pool), slot_(slot) {}
    ConnectionPool* pool_;
    std::size_t slot_;
  };

  Lease acquire();
  int size() const { return static_cast<int>(slots_.size()); }
  const std::string& url() const { return url_; }

 private:
  ConnectionPool(std::string url, std::vector<std::unique_ptr<pqxx::connection>> slots);
  void release(std::size_t slot);

  const std::string url_;
  std::vector<std::unique_ptr<pqxx::connection>> slots_;  // null = reconnect on next use
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::size_t> free_;  // guarded by mutex_
};

}  // namespace switchboard::store::postgres
