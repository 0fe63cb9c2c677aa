#include "delivery/recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace switchboard::delivery {

void ResultRecorder::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void ResultRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ResultRecorder::record(store::AttemptOutcome outcome) {
  {
    std::lock_guard lock(mutex_);
    outcomes_.push_back(std::move(outcome));
  }
  cv_.notify_one();
}

void ResultRecorder::record(std::vector<store::AttemptOutcome> outcomes) {
  if (outcomes.empty()) return;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = outcomes_.empty() && releases_.empty();  // otherwise the loop is awake or about to look
    if (outcomes_.empty()) {
      outcomes_ = std::move(outcomes);
    } else {
      outcomes_.insert(outcomes_.end(), std::make_move_iterator(outcomes.begin()),
                       std::make_move_iterator(outcomes.end()));
    }
  }
  if (wake) cv_.notify_one();
}

void ResultRecorder::release(std::vector<store::LeaseRelease> leases) {
  if (leases.empty()) return;
  {
    std::lock_guard lock(mutex_);
    releases_.insert(releases_.end(), std::make_move_iterator(leases.begin()),
                     std::make_move_iterator(leases.end()));
  }
  cv_.notify_one();
}

void ResultRecorder::loop() {
  for (;;) {
    std::vector<store::AttemptOutcome> batch;
    std::vector<store::LeaseRelease> unlease;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return !outcomes_.empty() || !releases_.empty() || stopping_; });
      if (outcomes_.empty() && releases_.empty()) return;  // stopping, and everything is written
      const auto take = static_cast<std::ptrdiff_t>(std::min(outcomes_.size(), kMaxBatch));
      const auto end = outcomes_.begin() + take;
      batch.assign(std::make_move_iterator(outcomes_.begin()), std::make_move_iterator(end));
      outcomes_.erase(outcomes_.begin(), end);
      unlease.swap(releases_);
    }
    if (!batch.empty()) {
      const bool written = write(batch);
      if (on_batch_) on_batch_(batch, written);
      if (written && listener_) listener_->on_recorded(batch);
    }
    if (!unlease.empty()) {
      if (auto released = queue_.release_leases(unlease); !released) {
        spdlog::warn("event=release_leases_failed count={} error=\"{}\"", unlease.size(),
                     released.error().message);
      }
    }
    if (on_written_) on_written_();
  }
}

bool ResultRecorder::write(const std::vector<store::AttemptOutcome>& batch) {
  for (int attempt = 1;; ++attempt) {
    auto written = queue_.record_attempts(batch);
    if (written) {
      for (const auto& outcome : batch) (outcome.attempt.success ? delivered_ : failed_)++;
      return true;
    }
    if (attempt >= kTries || !is_retryable(written.error().code)) {
      spdlog::error("event=record_attempts_failed count={} error=\"{}\"", batch.size(),
                    written.error().message);
      return false;
    }
    clock_.sleep_until(clock_.now() + std::chrono::milliseconds(50) * attempt);
  }
}

}  // namespace switchboard::delivery
