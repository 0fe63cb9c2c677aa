// RetentionStore: the store's part of data retention (issue 15): each
// company's retention setting, and the purge of expired events in small
// batches (model/retention.h says which events; deleting an event deletes its
// deliveries, their attempts and their request, and its v1 deliveries).
// Both backends implement it beside Store; reach it with dynamic_cast from a
// Store (as AsyncEventIngest), so that Store's test fakes need not stub it.
//
// Thread-safety: as Store. purge_expired_events() is one short write
// transaction per call; the caller (store/common/retention_purger.h) pauses
// between calls so ingest's writes are never held behind a long purge.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/retention.h"

namespace switchboard::store {

struct PurgeRequest {
  std::string company_id;
  model::RetentionCutoffs cutoffs;
  int max_events = 500;  // at most this many events (and what hangs off them) in one transaction
};

// A company and its own retention (nullopt: the server default).
struct CompanyRetention {
  std::string company_id;
  std::optional<std::chrono::seconds> retention;
};

class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // The company's own retention; nullopt when it follows the server default.
  // kNotFound when there is no such company.
  virtual Result<std::optional<std::chrono::seconds>> get_retention(const std::string& company_id) = 0;
  // Sets (or, with nullopt, clears) the company's retention. The caller has
  // checked the range (model::retention_in_range). kNotFound when no company.
  virtual Result<void> set_retention(const std::string& company_id,
                                     const std::optional<std::chrono::seconds>& retention) = 0;

  // Every company with its own retention, ordered by id (what a purge walks).
  virtual Result<std::vector<CompanyRetention>> list_retentions() = 0;

  // Deletes, oldest first, at most `max_events` of the company's events that
  // model::event_purgeable allows, with their deliveries, attempts and v1
  // deliveries, in one transaction. Returns how many events it deleted (fewer
  // than max_events: nothing more is due now).
  virtual Result<int> purge_expired_events(const PurgeRequest& request) = 0;

  // Gives freed space back to the file system, a bounded step at a time
  // (SQLite: PRAGMA incremental_vacuum(pages)); a no-op where the database
  // does it itself (PostgreSQL: autovacuum follows the batched deletes).
  virtual Result<void> reclaim_space(int pages) = 0;
};

}  // namespace switchboard::store
