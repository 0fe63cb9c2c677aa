// Mailer: the e-mail outbox of alert channels, on a thread of its own, so an
// SMTP server that is slow or refuses never slows deliveries or the API.
// Bounded (model::limits::kMaxQueuedAlertEmails; beyond it a message is
// dropped and the channel's last_error says so). Each message is tried
// kAlertEmailTries times with growing pauses (`backoff`, doubling); the final
// outcome goes to the channel (AlertStore::record_alert_outcome: last_error
// and last_failure_at, or last_success_at) and to the log, never with the
// password.
//
// Thread-safety: send() from any thread; start()/stop() from the owner's.
// stop() abandons what is still queued (alerts are at most once).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "alerts/smtp_client.h"
#include "common/clock.h"
#include "common/thread_annotations.h"
#include "store/alert_store.h"

namespace switchboard::alerts {

struct MailJob {
  std::string company_id;
  std::string channel_id;
  store::SmtpSettings smtp;
  std::string message;  // complete RFC 5322 text
};

class Mailer {
 public:
  // Sends one message; send_email by default, replaced in tests.
  using SendFn = std::function<Result<void>(const store::SmtpSettings&, const std::string&)>;

  struct Options {
    SmtpOptions smtp;
    std::chrono::milliseconds backoff{2000};  // the first pause; doubles per try
    SendFn send;                              // empty: send_email(…, smtp)
  };

  Mailer(store::AlertStore& store, const Clock& clock, const MonotonicClock& monotonic, Options options);
  ~Mailer() { stop(); }
  Mailer(const Mailer&) = delete;
  Mailer& operator=(const Mailer&) = delete;

  void start();
  void stop();

  // Whether SMTP hosts on private networks are allowed (serve --allow-private-networks).
  bool allows_private_networks() const { return options_.smtp.allow_private_networks; }

  // Queues a message; false (with the channel's last_error set) when the outbox is full.
  bool send(MailJob job) EXCLUDES(mutex_);

 private:
  void loop();
  Result<void> deliver(const MailJob& job);

  store::AlertStore& store_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<MailJob> queue_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace switchboard::alerts
