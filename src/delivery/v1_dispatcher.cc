#include "delivery/v1_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "model/retry_policy.h"
#include "model/v1_webhook.h"

namespace switchboard::delivery {

namespace json = boost::json;

namespace {

// Percent-encodes all but RFC 3986 unreserved characters: receivers that decode
// the query as a form would read a bare '+' (in every phone number) as a space.
std::string query_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void append_param(boost::urls::url& target, std::string_view key, std::string_view value) {
  target.encoded_params().append(
      {boost::urls::pct_string_view(query_encode(key)), boost::urls::pct_string_view(query_encode(value))});
}

}  // namespace

Result<HttpRequest> build_v1_request(const store::V1DueDelivery& due, const std::string& user_agent) {
  boost::system::error_code ec;
  json::value envelope = json::parse(due.payload, ec);
  if (ec || !envelope.is_object()) return make_error(ErrorCode::kInvalidArgument, "malformed event envelope");
  const json::object& e = envelope.get_object();
  const json::value* data = e.if_contains("data");
  const json::value* company = e.if_contains("company_id");
  if (!data || !data->is_object() || !company || !company->is_string()) {
    return make_error(ErrorCode::kInvalidArgument, "event envelope without data or company_id");
  }
  auto url = boost::urls::parse_uri(due.spec.url);
  if (!url) return make_error(ErrorCode::kInvalidArgument, "malformed v1 webhook URL");
  boost::urls::url target(*url);
  for (const model::V1Param& p : due.spec.query) append_param(target, p.key, p.value);

  HttpRequest request;
  const std::string& type = due.delivery.event_type;
  if (due.spec.method == model::V1Method::kGet) {
    for (const auto& [name, value] :
         model::v1_query_fields(type, company->get_string(), data->get_object(), due.spec.fields)) {
      append_param(target, name, value);
    }
    request.get = true;
  } else {
    request.body = model::v1_payload_json(type, company->get_string(), data->get_object(), due.spec.fields);
    request.headers.push_back({"Content-Type", "application/json"});
  }
  request.url = std::string(target.buffer());
  request.headers.push_back({"User-Agent", user_agent});
  for (const model::V1Param& h : due.spec.headers) request.headers.push_back({h.key, h.value});
  return request;
}

namespace {

class V1DispatcherImpl final : public V1Dispatcher {
 public:
  V1DispatcherImpl(store::V1Queue& queue, const Clock& clock, const MonotonicClock& monotonic,
                   V1DispatcherOptions options, std::unique_ptr<HttpClient> http)
      : queue_(queue),
        clock_(clock),
        monotonic_(monotonic),
        options_(std::move(options)),
        policy_(model::RetryPolicy::v1(options_.time_scale)),
        http_(std::move(http)) {}

  ~V1DispatcherImpl() override {
    stop();
    http_.reset();  // transfers still running call back into us: before the members go
  }

  void start() override {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
  }

  void stop(std::chrono::milliseconds drain = std::chrono::seconds(10)) override {
    {
      std::lock_guard lock(mutex_);
      if (!thread_.joinable()) return;
      stopping_ = true;
      drain_deadline_ = monotonic_.now() + drain;
    }
    wake_.notify_all();
    thread_.join();
  }

  void notify() override {
    {
      std::lock_guard lock(mutex_);
      notified_ = true;
    }
    wake_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      record_finished(lock);
      if (stopping_) {
        if (in_flight_ == 0 || monotonic_.now() >= drain_deadline_) break;
        monotonic_.wait_until(lock, wake_, drain_deadline_);
        continue;
      }
      notified_ = false;
      const int room = options_.claim_batch - in_flight_;
      bool claimed_any = false;
      if (room > 0) {
        lock.unlock();
        claimed_any = claim_and_send(room);
        lock.lock();
      }
      if (claimed_any || notified_ || !finished_.empty()) continue;
      // Sleep until new work, a result, or the next due time (bounded, so
      // leases that expire are picked up too).
      auto deadline = monotonic_.now() + std::chrono::seconds(5);
      if (in_flight_ < options_.claim_batch) {
        lock.unlock();
        auto next = queue_.next_v1_due_time();
        lock.lock();
        if (next && *next) {
          auto wait = std::max(std::chrono::milliseconds(0),
                               std::chrono::duration_cast<std::chrono::milliseconds>(**next - clock_.now()));
          deadline = std::min(deadline, monotonic_.now() + wait);
        }
      }
      monotonic_.wait_until(lock, wake_, deadline,
                            [this] { return stopping_ || notified_ || !finished_.empty(); });
    }
    record_finished(lock);
  }

  // Records results collected from the HTTP client's thread.
  void record_finished(std::unique_lock<std::mutex>& lock) {
    if (finished_.empty()) return;
    std::vector<store::V1AttemptOutcome> batch;
    batch.swap(finished_);
    lock.unlock();
    if (auto recorded = queue_.record_v1_attempts(batch); !recorded) {
      // The lease expires and the attempt is made again: at-least-once.
      spdlog::error("event=v1_record_failed error={}", recorded.error().message);
    }
    lock.lock();
  }

  bool claim_and_send(int room) {
    const TimePoint now = clock_.now();
    auto due = queue_.claim_due_v1_deliveries(now, room, now + options_.lease);
    if (!due) {
      spdlog::error("event=v1_claim_failed error={}", due.error().message);
      return false;
    }
    for (store::V1DueDelivery& item : *due) send(std::move(item));
    return !due->empty();
  }

  void send(store::V1DueDelivery due) {
    auto request = build_v1_request(due, options_.user_agent);
    const int attempt = due.delivery.attempts + 1;
    if (!request) {
      finish(due, attempt, std::nullopt, request.error().message, /*delivered=*/false,
             /*was_in_flight=*/false);
      return;
    }
    request->timeout = options_.timeout;
    {
      std::lock_guard lock(mutex_);
      ++in_flight_;
    }
    http_->submit(std::move(*request), [this, due = std::move(due), attempt](HttpResponse response) {
      std::string error;
      if (!response.success()) {
        error = std::string(model::to_string(response.error));
        if (!response.error_message.empty()) error += ": " + response.error_message;
      }
      finish(due, attempt, response.status_code, error, response.success(), /*was_in_flight=*/true);
    });
  }

  // Hands the outcome to the dispatcher thread. The in-flight count drops in
  // the same critical section and before the notification: a stop() waiting
  // for in_flight_ == 0 on a clock that does not move (a test's) would
  // otherwise miss the decrement and wait for its whole drain time.
  void finish(const store::V1DueDelivery& due, int attempt, std::optional<int> status, std::string error,
              bool delivered, bool was_in_flight) {
    store::V1AttemptOutcome outcome;
    outcome.delivery_id = due.delivery.id;
    outcome.delivered = delivered;
    outcome.status_code = status;
    outcome.at = clock_.now();
    if (!delivered) {
      outcome.error = std::move(error);
      outcome.next_attempt_at = policy_.next_attempt_at(attempt, due.delivery.created_at, outcome.at);
      if (!outcome.next_attempt_at) {
        spdlog::warn(
            "event=v1_delivery_dropped delivery_id={} webhook_id={} event_id={} event_type={} attempts={} "
            "last_error=\"{}\"",
            due.delivery.id, due.delivery.webhook_id, due.delivery.event_id, due.delivery.event_type, attempt,
            outcome.error);
      }
    }
    {
      std::lock_guard lock(mutex_);
      finished_.push_back(std::move(outcome));
      if (was_in_flight) --in_flight_;
    }
    wake_.notify_all();
  }

  store::V1Queue& queue_;
  const Clock& clock_;
  const MonotonicClock& monotonic_;
  const V1DispatcherOptions options_;
  const model::RetryPolicy policy_;
  std::unique_ptr<HttpClient> http_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
  bool stopping_ = false;
  bool notified_ = false;
  int in_flight_ = 0;
  MonotonicTime drain_deadline_;
  std::vector<store::V1AttemptOutcome> finished_;
};

}  // namespace

Result<std::unique_ptr<V1Dispatcher>> V1Dispatcher::create(store::V1Queue& queue, const Clock& clock,
                                                           V1DispatcherOptions options) {
  HttpClientOptions http;
  http.allow_private_networks = options.allow_private_networks;
  http.ca_file = options.ca_file;
  auto client = HttpClient::create(std::move(http));
  if (!client) return forward_error(client);
  return create(queue, clock, SteadyMonotonicClock::instance(), std::move(*client), std::move(options));
}

std::unique_ptr<V1Dispatcher> V1Dispatcher::create(store::V1Queue& queue, const Clock& clock,
                                                   const MonotonicClock& monotonic,
                                                   std::unique_ptr<HttpClient> client,
                                                   V1DispatcherOptions options) {
  return std::make_unique<V1DispatcherImpl>(queue, clock, monotonic, std::move(options), std::move(client));
}

}  // namespace switchboard::delivery
