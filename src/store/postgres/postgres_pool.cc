#include "store/postgres/postgres_pool.h"

#include <pqxx/except>
#include <utility>

namespace switchboard::store::postgres {

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(std::string url, int size) {
  if (size < 1) return make_error(ErrorCode::kInvalidArgument, "PostgreSQL pool: connections must be >= 1");
  std::vector<std::unique_ptr<pqxx::connection>> slots;
  slots.reserve(static_cast<std::size_t>(size));
  try {
    for (int i = 0; i < size; ++i) slots.push_back(std::make_unique<pqxx::connection>(url));
  } catch (const pqxx::broken_connection& e) {
    return make_error(ErrorCode::kUnavailable, std::string("connecting to PostgreSQL: ") + e.what());
  } catch (const std::exception& e) {
    // A malformed URL or option is reported by libpq as a plain failure.
    return make_error(ErrorCode::kInvalidArgument, std::string("PostgreSQL connection string: ") + e.what());
  }
  return std::unique_ptr<ConnectionPool>(new ConnectionPool(std::move(url), std::move(slots)));
}

ConnectionPool::ConnectionPool(std::string url, std::vector<std::unique_ptr<pqxx::connection>> slots)
    : url_(std::move(url)), slots_(std::move(slots)) {
  free_.reserve(slots_.size());
  for (std::size_t i = slots_.size(); i > 0; --i) free_.push_back(i - 1);
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [&] { return !free_.empty(); });
  std::size_t slot = free_.back();
  free_.pop_back();
  return Lease(this, slot);
}

void ConnectionPool::release(std::size_t slot) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(slot);
  }
  freed_.notify_one();
}

ConnectionPool::Lease::~Lease() {
  if (pool_) pool_->release(slot_);
}

pqxx::connection& ConnectionPool::Lease::connection() {
  // Only this lease touches its slot, so no lock is needed here.
  std::unique_ptr<pqxx::connection>& slot = pool_->slots_[slot_];
  if (slot && !slot->is_open()) slot.reset();
  if (!slot) slot = std::make_unique<pqxx::connection>(pool_->url_);  // throws broken_connection
  return *slot;
}

void ConnectionPool::Lease::mark_broken() { pool_->slots_[slot_].reset(); }

}  // namespace switchboard::store::postgres
