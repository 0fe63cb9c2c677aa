// RecoverRunner: see recover_runner.h.
#include "api/recover_runner.h"

#include <spdlog/spdlog.h>

#include "model/limits.h"

namespace switchboard::api {

namespace {
// Running jobs resumed at start, at most (each is one transaction).
constexpr int kMaxResumedJobs = 1000;
}  // namespace

RecoverRunner::RecoverRunner(store::RecoverJobs& jobs, const Clock& clock, std::function<void()> queued)
    : jobs_(jobs), clock_(clock), queued_(std::move(queued)), thread_([this] { run(); }) {}

RecoverRunner::~RecoverRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RecoverRunner::submit(std::string company_id, std::string job_id) {
  {
    std::lock_guard lock(mutex_);
    pending_.emplace_back(std::move(company_id), std::move(job_id));
  }
  wake_.notify_one();
}

void RecoverRunner::resume() {
  auto running = jobs_.list_running_recover_jobs(kMaxResumedJobs);
  if (!running) {
    spdlog::warn("event=recover_resume_failed error=\"{}\"", running.error().message);
    return;
  }
  for (const model::RecoverJob& job : *running) submit(job.company_id, job.id);
  if (!running->empty()) spdlog::info("event=recover_resumed jobs={}", running->size());
}

void RecoverRunner::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return (pending_.empty() && !busy_) || stopping_; });
}

void RecoverRunner::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;  // what is left stays running in the store: resumed at the next start
    auto [company_id, job_id] = std::move(pending_.front());
    pending_.pop_front();
    busy_ = true;
    lock.unlock();
    auto job = jobs_.run_recover_job(company_id, job_id, clock_.now(), model::limits::kMaxRecoverDeliveries);
    if (!job) {
      // Left running in the store: the next start runs it again.
      spdlog::error("event=recover_failed job_id={} error=\"{}\"", job_id, job.error().message);
    } else {
      spdlog::info("event=recover_done job_id={} webhook_id={} status={} queued={} total={}", job->id,
                   job->webhook_id, model::to_string(job->status), job->queued, job->total);
      if (job->queued > 0 && queued_) queued_();
    }
    lock.lock();
    busy_ = false;
    if (pending_.empty()) idle_.notify_all();
  }
}

}  // namespace switchboard::api
