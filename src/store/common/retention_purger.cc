#include "store/common/retention_purger.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

namespace switchboard::store {

RetentionPurger::RetentionPurger(RetentionStore& store, const Clock& clock, const MonotonicClock& monotonic,
                                 PurgerOptions options)
    : store_(store), clock_(clock), monotonic_(monotonic), options_(options) {}

RetentionPurger::~RetentionPurger() { stop(); }

bool RetentionPurger::pause(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  const MonotonicTime deadline = monotonic_.now() + duration;
  monotonic_.wait_until(lock, wake_, deadline, [&] { return stopping_; });
  return !stopping_;
}

Result<std::int64_t> RetentionPurger::purge_company(const CompanyRetention& company, TimePoint now,
                                                    int& batches) {
  const std::chrono::seconds retention = company.retention.value_or(options_.default_retention);
  PurgeRequest request{company.company_id,
                       model::retention_cutoffs(now, retention, options_.window, options_.time_scale),
                       options_.batch_events};
  std::int64_t total = 0;
  for (;;) {
    auto deleted = store_.purge_expired_events(request);
    if (!deleted) return forward_error(deleted);
    ++batches;
    total += *deleted;
    if (*deleted > 0) {
      if (auto reclaimed = store_.reclaim_space(options_.reclaim_pages); !reclaimed)
        return forward_error(reclaimed);
    }
    if (*deleted < options_.batch_events) return total;
    if (!pause(options_.pause)) return total;  // stopping
  }
}

Result<PurgeTotals> RetentionPurger::run_once() {
  auto companies = store_.list_retentions();
  if (!companies) return forward_error(companies);
  // One `now` for the pass: what expired when it began.
  const TimePoint now = clock_.now();
  PurgeTotals totals;
  for (const CompanyRetention& company : *companies) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    auto events = purge_company(company, now, totals.batches);
    if (!events) return forward_error(events);
    ++totals.companies;
    totals.events += *events;
  }
  return totals;
}

void RetentionPurger::start() {
  thread_ = std::thread([this] {
    do {
      auto totals = run_once();
      if (!totals) {
        spdlog::warn("retention purge: {}", totals.error().message);
      } else if (totals->events > 0) {
        spdlog::info("retention purge: {} expired events deleted in {} batches", totals->events,
                     totals->batches);
      }
    } while (pause(options_.interval));
  });
}

void RetentionPurger::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace switchboard::store
