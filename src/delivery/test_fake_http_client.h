// Test only: an HttpClient that answers from a script instead of the network,
// for unit tests of the engine's scheduling, chains and recording.
//
// Each submitted request is kept (requests()) and passed to the script, which
// answers it at once (a response) or holds it (nullopt) until the test calls
// answer_held(); held requests model a slow or hanging endpoint. Like the
// real client, callbacks run on the client's own thread, one at a time, and
// requests still held when it is destroyed end with kOther ("client stopped").
// Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "delivery/http_client.h"

namespace switchboard::delivery::testing {

// A response with `status` (2xx: success, 3xx: redirect, else http_status).
inline HttpResponse http_status(int status, std::string body = "ok") {
  HttpResponse response;
  response.status_code = status;
  response.body = std::move(body);
  if (status >= 200 && status < 300) {
    response.error = model::AttemptError::kNone;
  } else {
    response.error =
        status >= 300 && status < 400 ? model::AttemptError::kRedirect : model::AttemptError::kHttpStatus;
    response.error_message = "HTTP " + std::to_string(status);
  }
  response.latency_ms = 1;
  return response;
}

// No HTTP response: `error` (timeout, tls, refused...).
inline HttpResponse transport_failure(model::AttemptError error, std::string message) {
  HttpResponse response;
  response.error = error;
  response.error_message = std::move(message);
  return response;
}

class ScriptedHttpClient final : public HttpClient {
 public:
  using Script = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  // Without a script every request is answered 200 "ok".
  explicit ScriptedHttpClient(Script script = {}) : script_(std::move(script)) {
    thread_ = std::thread([this] { run(); });
  }

  ~ScriptedHttpClient() override {
    {
      std::lock_guard lock(mutex_);
      for (auto& held : held_) {
        ready_.emplace_back(std::move(held.second),
                            transport_failure(model::AttemptError::kOther, "client stopped"));
      }
      held_.clear();
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void submit(HttpRequest request, Callback callback) override {
    // Recorded as sent: a body passed by reference is copied here, as the wire would carry it.
    if (request.shared_body != nullptr) {
      request.body = *request.shared_body;
      request.shared_body = nullptr;
    }
    std::optional<HttpResponse> answer = script_ ? script_(request) : std::optional(http_status(200));
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      ++in_flight_;
      if (answer) {
        ready_.emplace_back(std::move(callback), std::move(*answer));
      } else {
        held_.emplace_back(std::move(request), std::move(callback));
      }
    }
    cv_.notify_all();
  }

  std::size_t in_flight() const override {
    std::lock_guard lock(mutex_);
    return in_flight_;
  }

  // Every request submitted, in order.
  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  // Requests the script held, not answered yet.
  std::size_t held() const {
    std::lock_guard lock(mutex_);
    return held_.size();
  }

  // Answers every held request that `which` selects (all by default) with `response`; returns how many.
  std::size_t answer_held(const HttpResponse& response,
                          const std::function<bool(const HttpRequest&)>& which = {}) {
    std::size_t answered = 0;
    {
      std::lock_guard lock(mutex_);
      for (auto it = held_.begin(); it != held_.end();) {
        if (which && !which(it->first)) {
          ++it;
          continue;
        }
        ready_.emplace_back(std::move(it->second), response);
        it = held_.erase(it);
        ++answered;
      }
    }
    cv_.notify_all();
    return answered;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return !ready_.empty() || stopping_; });
      if (ready_.empty()) return;
      auto [callback, response] = std::move(ready_.front());
      ready_.pop_front();
      lock.unlock();
      callback(std::move(response));
      lock.lock();
      --in_flight_;
    }
  }

  const Script script_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<HttpRequest> requests_;
  std::deque<std::pair<HttpRequest, Callback>> held_;
  std::deque<std::pair<Callback, HttpResponse>> ready_;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace switchboard::delivery::testing
