// ConsoleReads: the store role behind the dashboard console's true states
// (issue 17 item 5) and per-delivery timeline (item 8): read-only, indexed,
// bounded queries. Both backends implement it in their own files
// (sqlite/sqlite_store_search.cc, postgres/postgres_store_search.cc); the API
// finds it on its store with dynamic_cast, so that the Store interface and
// its fakes stay as they are (an Api over a fake store simply shows less).
//
// Thread-safety: as Store (any thread). Object-level authorization: every
// method takes the company id; another company's object reads as missing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/delivery.h"

namespace switchboard::store {

// How far failing_since() looks back: the newest attempts and deliveries of
// the webhook it reads, so that a webhook failing for days costs two bounded
// index scans. A run of failures longer than this reads as starting at the
// oldest failure looked at ("failing since at least …").
inline constexpr int kFailingSinceLookback = 2000;
// Search (issue 17 item 9): phone numbers are looked for in the company's
// newest this-many events (a bounded scan of events_company_created; events
// keep numbers only inside their payload); call ids through an index.
inline constexpr int kSearchNumberScan = 5000;
// At most this many attempts of one delivery in its timeline (26 is the v2
// schedule; redeliveries are their own deliveries).
inline constexpr int kMaxDeliveryAttempts = 100;

// One event found by search: what names it, without its payload.
struct EventHit {
  std::string id;  // evt_…
  std::string type;
  std::string sequence_key;  // the call / conversation id; "" when none
  TimePoint created_at{};
};

// A live call event without its payload (GET /api/v2/calls orders a window's
// calls by these, then reads the payloads of one page's calls only).
struct CallEventRef {
  std::string id;            // evt_…
  std::string sequence_key;  // "call:<call_id>"; "" when none
  TimePoint occurred_at{};
};

class ConsoleReads {
 public:
  virtual ~ConsoleReads() = default;

  // For each of `delivery_ids` (deliveries of `webhook_id`) that is pending
  // behind an earlier pending delivery of its chain (same call, lower
  // sequence), the id of the delivery it waits for: the chain's head. Ids
  // that are not waiting are absent from the answer.
  virtual Result<std::map<std::string, std::string>> chain_heads(
      const std::string& company_id, const std::string& webhook_id,
      const std::vector<std::string>& delivery_ids) = 0;

  // When the webhook's current run of failed attempts began: the first failed
  // attempt after its last delivered delivery, or nullopt when its newest
  // outcome is not a failure (or it has none). Bounded by
  // kFailingSinceLookback.
  virtual Result<std::optional<TimePoint>> failing_since(const std::string& company_id,
                                                         const std::string& webhook_id) = 0;

  // The failed attempts of one delivery, oldest first (the attempt log keeps
  // failures only; a success is the delivery's own state). kNotFound when
  // the delivery is not the company's.
  virtual Result<std::vector<model::Attempt>> list_delivery_attempts(const std::string& company_id,
                                                                     const std::string& delivery_id) = 0;

  // The company's events of one call or conversation (`sequence_key`),
  // newest first, at most `limit` (index events_sequence_key).
  virtual Result<std::vector<EventHit>> find_events_by_call(const std::string& company_id,
                                                            const std::string& call_id, int limit) = 0;
  // The company's events whose payload contains `number` (a phone number,
  // already normalized by the caller), newest first, at most `limit`,
  // among its newest kSearchNumberScan events.
  virtual Result<std::vector<EventHit>> find_events_by_number(const std::string& company_id,
                                                              const std::string& number, int limit) = 0;

  // Exactly the events of EventStore::list_recent_call_events(company_id,
  // since, max) (the newest `max` live call events accepted at or after
  // `since`), newest first, without their payloads: a range of the
  // (company_id, created_at) index that copies three short columns a row.
  virtual Result<std::vector<CallEventRef>> list_recent_call_event_refs(const std::string& company_id,
                                                                        TimePoint since, int max) = 0;
  // The company's events among `ids` (another company's and unknown ids are
  // absent), oldest first (created_at, then id), with their payloads.
  virtual Result<std::vector<model::Event>> get_events(const std::string& company_id,
                                                       const std::vector<std::string>& ids) = 0;
  // How many events the company accepted at or after `since`: a COUNT over
  // the (company_id, created_at) index (Home's "events today").
  virtual Result<std::int64_t> count_events_since(const std::string& company_id, TimePoint since) = 0;
};

}  // namespace switchboard::store
