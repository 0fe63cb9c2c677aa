#include "alerts/mailer.h"

#include <spdlog/spdlog.h>

#include "model/limits.h"

namespace switchboard::alerts {

Mailer::Mailer(store::AlertStore& store, const Clock& clock, const MonotonicClock& monotonic, Options options)
    : store_(store), clock_(clock), monotonic_(monotonic), options_(std::move(options)) {
  if (!options_.send) {
    options_.send = [smtp = options_.smtp](const store::SmtpSettings& settings, const std::string& message) {
      return send_email(settings, message, smtp);
    };
  }
}

void Mailer::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void Mailer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Mailer::send(MailJob job) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < model::limits::kMaxQueuedAlertEmails) {
      queue_.push_back(std::move(job));
      cv_.notify_one();
      return true;
    }
  }
  spdlog::error("event=alert_email_dropped channel={} reason=outbox_full", job.channel_id);
  (void)store_.record_alert_outcome(job.company_id, job.channel_id, "e-mail outbox full: alert dropped",
                                    clock_.now());
  return false;
}

Result<void> Mailer::deliver(const MailJob& job) {
  auto pause = options_.backoff;
  for (int attempt = 1;; ++attempt) {
    auto sent = options_.send(job.smtp, job.message);
    if (sent || attempt >= model::limits::kAlertEmailTries) return sent;
    spdlog::warn("event=alert_email_retry channel={} attempt={} error=\"{}\"", job.channel_id, attempt,
                 sent.error().message);
    std::unique_lock lock(mutex_);
    if (monotonic_.wait_until(lock, cv_, monotonic_.now() + pause, [&] { return stopping_; })) return sent;
    pause *= 2;
  }
}

void Mailer::loop() {
  for (;;) {
    MailJob job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    auto sent = deliver(job);
    const std::string error = sent ? std::string() : sent.error().message;
    if (!sent) spdlog::error("event=alert_email_failed channel={} error=\"{}\"", job.channel_id, error);
    if (auto recorded = store_.record_alert_outcome(job.company_id, job.channel_id, error, clock_.now());
        !recorded) {
      spdlog::warn("event=alert_outcome_not_recorded channel={} error=\"{}\"", job.channel_id,
                   recorded.error().message);
    }
  }
}

}  // namespace switchboard::alerts
