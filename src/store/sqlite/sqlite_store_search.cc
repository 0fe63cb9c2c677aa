// SqliteStore: the ConsoleReads role (store/console_reads.h): which pending
// deliveries wait behind their chain's head, since when a webhook fails, one
// delivery's attempts, and the events search finds. Reads only, each an indexed, bounded query.
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "model/live_call.h"
#include "store/common/rows.h"
#include "store/console_reads.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {

Result<std::map<std::string, std::string>> SqliteStore::chain_heads(
    const std::string& company_id, const std::string& webhook_id,
    const std::vector<std::string>& delivery_ids) {
  return read([&](Connection& connection) -> Result<std::map<std::string, std::string>> {
    std::map<std::string, std::string> heads;
    for (const auto& id : delivery_ids) {
      // A blocked delivery waits for the unblocked pending one of its chain
      // (deliveries_pending index; the schema's triggers keep one such head).
      auto query = connection.query(
          "SELECT h.id FROM deliveries d JOIN deliveries h ON h.webhook_id = d.webhook_id "
          "AND h.ordering_key = d.ordering_key AND h.state = 'pending' AND h.blocked = 0 AND h.id != d.id "
          "WHERE d.id = ? AND d.company_id = ? AND d.webhook_id = ? AND d.state = 'pending' AND d.blocked = "
          "1 "
          "AND d.ordering_key != '' ORDER BY h.sequence, h.id LIMIT 1",
          id, company_id, webhook_id);
      if (!query) return forward_error(query);
      auto found = query->step();
      if (!found) return forward_error(found);
      if (*found) heads.emplace(id, query->text(0));
    }
    return heads;
  });
}

Result<std::optional<TimePoint>> SqliteStore::failing_since(const std::string& company_id,
                                                            const std::string& webhook_id) {
  return read([&](Connection& connection) -> Result<std::optional<TimePoint>> {
    const auto lookback = static_cast<std::int64_t>(kFailingSinceLookback);
    auto newest = connection.query(
        "SELECT at FROM attempts WHERE webhook_id = ?2 AND EXISTS (SELECT 1 FROM webhooks WHERE id = ?2 AND "
        "company_id = ?1) ORDER BY id DESC LIMIT 1",
        company_id, webhook_id);
    if (!newest) return forward_error(newest);
    auto found = newest->step();
    if (!found) return forward_error(found);
    if (!*found) return std::optional<TimePoint>();
    const TimePoint newest_failure = newest->time(0);
    auto success = connection.query(
        "SELECT max(updated_at) FROM (SELECT state, updated_at FROM deliveries WHERE company_id = ? AND "
        "webhook_id = ? ORDER BY id DESC LIMIT ?) WHERE state = 'delivered'",
        company_id, webhook_id, lookback);
    if (!success) return forward_error(success);
    if (auto row = success->step(); !row) return forward_error(row);
    const std::optional<TimePoint> last_success = success->optional_time(0);
    if (last_success && *last_success >= newest_failure) return std::optional<TimePoint>();
    auto first = connection.query(
        "SELECT min(at) FROM (SELECT at FROM attempts WHERE webhook_id = ?2 AND EXISTS (SELECT 1 FROM "
        "webhooks WHERE id = ?2 AND company_id = ?1) "
        "ORDER BY id DESC LIMIT ?3) WHERE at > ?4",
        company_id, webhook_id, lookback, last_success.value_or(TimePoint{}));
    if (!first) return forward_error(first);
    if (auto row = first->step(); !row) return forward_error(row);
    return first->optional_time(0);
  });
}

Result<std::vector<model::Attempt>> SqliteStore::list_delivery_attempts(const std::string& company_id,
                                                                        const std::string& delivery_id) {
  return read([&](Connection& connection) -> Result<std::vector<model::Attempt>> {
    auto owned =
        connection.query("SELECT 1 FROM deliveries WHERE id = ? AND company_id = ?", delivery_id, company_id);
    if (!owned) return forward_error(owned);
    auto found = owned->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "delivery not found");
    auto query = connection.query("SELECT " + std::string(kAttemptColumns) + std::string(kAttemptFrom) +
                                      "WHERE a.delivery_id = ? AND d.company_id = ? "
                                      "ORDER BY a.attempt, a.id LIMIT ?",
                                  delivery_id, company_id, static_cast<std::int64_t>(kMaxDeliveryAttempts));
    if (!query) return forward_error(query);
    std::vector<model::Attempt> out;
    for (;;) {
      auto row = query->step();
      if (!row) return forward_error(row);
      if (!*row) return out;
      auto attempt = attempt_from_row(*query);
      if (!attempt) return forward_error(attempt);
      out.push_back(std::move(*attempt));
    }
  });
}

namespace {

Result<std::vector<EventHit>> collect_hits(Statement& query) {
  std::vector<EventHit> out;
  for (;;) {
    auto row = query.step();
    if (!row) return forward_error(row);
    if (!*row) return out;
    out.push_back({query.text(0), query.text(1), query.text(2), query.time(3)});
  }
}

}  // namespace

Result<std::vector<EventHit>> SqliteStore::find_events_by_call(const std::string& company_id,
                                                               const std::string& call_id, int limit) {
  return read([&](Connection& connection) -> Result<std::vector<EventHit>> {
    auto query = connection.query(
        "SELECT id, type, sequence_key, created_at FROM events WHERE company_id = ? AND sequence_key = ? "
        "AND sequence_key != '' ORDER BY created_at DESC, id DESC LIMIT ?",
        company_id, call_id, static_cast<std::int64_t>(limit));
    if (!query) return forward_error(query);
    return collect_hits(*query);
  });
}

Result<std::vector<EventHit>> SqliteStore::find_events_by_number(const std::string& company_id,
                                                                 const std::string& number, int limit) {
  return read([&](Connection& connection) -> Result<std::vector<EventHit>> {
    auto query = connection.query(
        "SELECT id, type, sequence_key, created_at FROM (SELECT id, type, sequence_key, created_at, payload "
        "FROM events WHERE company_id = ? ORDER BY created_at DESC LIMIT ?) WHERE instr(payload, ?) > 0 "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        company_id, static_cast<std::int64_t>(kSearchNumberScan), number, static_cast<std::int64_t>(limit));
    if (!query) return forward_error(query);
    return collect_hits(*query);
  });
}

Result<std::vector<CallEventRef>> SqliteStore::list_recent_call_event_refs(const std::string& company_id,
                                                                           TimePoint since, int max) {
  return read([&](Connection& connection) -> Result<std::vector<CallEventRef>> {
    // The rows of list_recent_call_events, only their references.
    auto query =
        query_recent_call_events(connection, "id, sequence_key, occurred_at", company_id, since, max);
    if (!query) return forward_error(query);
    return read_all<CallEventRef>(*query, [](const Statement& row) {
      return CallEventRef{row.text(0), row.text(1), row.time(2)};
    });
  });
}

Result<std::vector<model::Event>> SqliteStore::get_events(const std::string& company_id,
                                                          const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<model::Event>{};
  boost::json::array list;
  for (const auto& id : ids) list.emplace_back(id);
  const std::string json_ids = boost::json::serialize(list);
  return read([&](Connection& connection) -> Result<std::vector<model::Event>> {
    auto query = connection.query(
        "SELECT e.id, e.company_id, e.type, e.sequence, e.sequence_key, e.occurred_at, e.created_at, "
        "e.idempotency_key, e.payload FROM json_each(?) j JOIN events e ON e.id = j.value "
        "WHERE e.company_id = ? ORDER BY e.created_at, e.id",
        json_ids, company_id);
    if (!query) return forward_error(query);
    return read_all<model::Event>(*query, [](const Statement& row) { return event_from_row(row); });
  });
}

Result<std::int64_t> SqliteStore::count_events_since(const std::string& company_id, TimePoint since) {
  return read([&](Connection& connection) -> Result<std::int64_t> {
    auto query = connection.query("SELECT count(*) FROM events WHERE company_id = ? AND created_at >= ?",
                                  company_id, since);
    if (!query) return forward_error(query);
    auto row = query->step();
    if (!row) return forward_error(row);
    return query->integer(0);
  });
}

}  // namespace switchboard::store::sqlite
