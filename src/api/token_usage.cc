#include "api/token_usage.h"

#include <utility>

namespace switchboard::api {

TokenUsageRecorder::TokenUsageRecorder(Sink sink, std::chrono::milliseconds resolution)
    : sink_(std::move(sink)), resolution_(resolution), thread_([this] { run(); }) {}

TokenUsageRecorder::~TokenUsageRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void TokenUsageRecorder::used(const std::string& token_id, const std::optional<TimePoint>& stored,
                              TimePoint now) {
  // The common case, without a lock: the store already has a recent enough time.
  if (stored && now - *stored < resolution_) return;
  {
    std::lock_guard lock(mutex_);
    auto it = queued_at_.find(token_id);
    if (it != queued_at_.end() && now - it->second < resolution_) return;
    queued_at_[token_id] = now;
    if (pending_.empty()) ++batches_queued_;
    pending_.push_back({token_id, now});
  }
  wake_.notify_one();
}

void TokenUsageRecorder::flush() {
  std::unique_lock lock(mutex_);
  const long long target = batches_queued_;
  written_.wait(lock, [&] { return batches_written_ >= target; });
}

void TokenUsageRecorder::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    std::vector<store::Store::TokenUse> batch;
    batch.swap(pending_);
    const TimePoint newest = batch.back().at;
    lock.unlock();
    sink_(batch);
    lock.lock();
    ++batches_written_;
    // Forget tokens whose window has passed, so the map holds only recent ones.
    for (auto it = queued_at_.begin(); it != queued_at_.end();) {
      it = newest - it->second >= resolution_ ? queued_at_.erase(it) : std::next(it);
    }
    written_.notify_all();
  }
}

}  // namespace switchboard::api
