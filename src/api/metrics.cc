#include "api/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <mutex>

namespace switchboard::api {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("switchboard_http_requests_total")
          .Help("HTTP requests answered, by method, route pattern and status")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("switchboard_http_request_duration_seconds")
          .Help("Time to answer an HTTP request, by route pattern")
          .Register(*registry);
  // Totals kept by the engine; exposed as counters (they only grow).
  prometheus::Family<prometheus::Counter>& attempts =
      prometheus::BuildCounter()
          .Name("switchboard_delivery_attempts_total")
          .Help("Delivery attempts made by this node and recorded, by result")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& claimed =
      prometheus::BuildCounter()
          .Name("switchboard_deliveries_claimed_total")
          .Help("Deliveries this node claimed from the store (with a lease)")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& relay =
      prometheus::BuildCounter()
          .Name("switchboard_live_relay_messages_total")
          .Help("Live call updates relayed between cluster nodes (PostgreSQL NOTIFY), by outcome")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& relay_reconnects =
      prometheus::BuildCounter()
          .Name("switchboard_live_relay_reconnects_total")
          .Help("Times the live call relay reconnected to PostgreSQL")
          .Register(*registry);
  std::mutex totals_mutex;
  std::vector<std::function<void()>> render_hooks;  // set before serving
};

namespace {

// A counter that mirrors a running total kept elsewhere (it only grows).
void advance(prometheus::Counter& counter, std::uint64_t total) {
  const double value = static_cast<double>(total);
  if (value > counter.Value()) counter.Increment(value - counter.Value());
}

}  // namespace

std::string_view method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (auto known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

std::string status_label(int status) {
  static constexpr std::array<int, 20> kSent = {200, 201, 202, 204, 400, 401, 403, 404, 405, 409,
                                                413, 415, 422, 429, 431, 500, 501, 502, 503, 504};
  if (std::find(kSent.begin(), kSent.end(), status) != kSent.end()) return std::to_string(status);
  if (status >= 100 && status <= 599) return std::to_string(status / 100) + "xx";
  return "other";
}

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observe_request(std::string_view method, std::string_view route, int status, double seconds) {
  // Family::Add is internally synchronized and returns the same child for the same labels.
  impl_->requests
      .Add({{"method", std::string(method_label(method))},
            {"route", std::string(route)},
            {"status", status_label(status)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                0.025,  0.05,  0.1,    0.25,  1.0};
  impl_->latency.Add({{"route", std::string(route)}}, kBuckets).Observe(seconds);
}

void Metrics::set_delivery_totals(std::uint64_t delivered, std::uint64_t failed, std::uint64_t claimed) {
  std::lock_guard lock(impl_->totals_mutex);
  advance(impl_->attempts.Add({{"result", "delivered"}}), delivered);
  advance(impl_->attempts.Add({{"result", "failed"}}), failed);
  advance(impl_->claimed.Add({}), claimed);
}

void Metrics::set_live_relay_totals(std::uint64_t sent, std::uint64_t received, std::uint64_t dropped,
                                    std::uint64_t reconnects) {
  std::lock_guard lock(impl_->totals_mutex);
  advance(impl_->relay.Add({{"outcome", "sent"}}), sent);
  advance(impl_->relay.Add({{"outcome", "received"}}), received);
  advance(impl_->relay.Add({{"outcome", "dropped"}}), dropped);
  advance(impl_->relay_reconnects.Add({}), reconnects);
}

void Metrics::add_render_hook(std::function<void()> hook) { impl_->render_hooks.push_back(std::move(hook)); }

std::string Metrics::render() const {
  for (const auto& hook : impl_->render_hooks) hook();
  prometheus::TextSerializer serializer;
  return serializer.Serialize(impl_->registry->Collect());
}

prometheus::Registry& Metrics::registry() { return *impl_->registry; }

}  // namespace switchboard::api
