#include "store/sqlite/sqlite_read_pool.h"

#include <cassert>
#include <utility>

namespace switchboard::store::sqlite {

ReadPool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

ReadPool::ReadPool(std::vector<std::unique_ptr<Connection>> connections) : idle_(std::move(connections)) {
  assert(!idle_.empty());
}

ReadPool::Lease ReadPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !idle_.empty(); });
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(connection));
}

void ReadPool::release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

}  // namespace switchboard::store::sqlite
