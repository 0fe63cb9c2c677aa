// RecoverRunner: runs recover jobs (store::RecoverJobs, POST
// /api/v2/webhooks/{id}/recover) off the request path, one at a time, on its
// own thread. The route creates the job (status running) and submits it; the
// runner has the store queue its deliveries and finish it in one transaction,
// then tells the delivery engine (`queued`). At start it resumes the jobs the
// store still has running (a crash or stop came between create and run), so a
// job is never lost, and never queues its deliveries twice (the store runs a
// job only while it is running).
//
// Thread-safety: submit() and resume() may be called from any thread. The
// destructor stops the thread after the job in progress.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/clock.h"
#include "store/store.h"

namespace switchboard::api {

class RecoverRunner {
 public:
  RecoverRunner(store::RecoverJobs& jobs, const Clock& clock, std::function<void()> queued);
  ~RecoverRunner();
  RecoverRunner(const RecoverRunner&) = delete;
  RecoverRunner& operator=(const RecoverRunner&) = delete;

  void submit(std::string company_id, std::string job_id);
  // Submits every job the store has running (at start).
  void resume();
  // Waits until every job submitted before the call has run (tests).
  void flush();

 private:
  void run();

  store::RecoverJobs& jobs_;
  const Clock& clock_;
  const std::function<void()> queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::pair<std::string, std::string>> pending_;  // company id, job id
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the rest is built
};

}  // namespace switchboard::api
