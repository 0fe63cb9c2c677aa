// PostgresStore: the ConsoleReads role (store/console_reads.h): which pending
// deliveries wait behind their chain's head, since when a webhook fails, one
// delivery's attempts, and the events search finds. Reads only, each an indexed, bounded query.
#include <algorithm>
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
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {

Result<std::map<std::string, std::string>> PostgresStore::chain_heads(
    const std::string& company_id, const std::string& webhook_id,
    const std::vector<std::string>& delivery_ids) {
  return read([&](pqxx::work& tx) -> Result<std::map<std::string, std::string>> {
    std::map<std::string, std::string> heads;
    for (const auto& id : delivery_ids) {
      // A blocked delivery waits for the unblocked pending one of its chain
      // (deliveries_chain_unblocked index).
      pqxx::result rows = tx.exec_params(
          "SELECT h.id FROM deliveries d JOIN deliveries h ON h.webhook_id = d.webhook_id "
          "AND h.ordering_key = d.ordering_key AND h.state = 'pending' AND NOT h.blocked AND h.id <> d.id "
          "WHERE d.id = $1 AND d.company_id = $2 AND d.webhook_id = $3 AND d.state = 'pending' AND d.blocked "
          "AND d.ordering_key <> '' ORDER BY h.sequence, h.id LIMIT 1",
          id, company_id, webhook_id);
      if (!rows.empty()) heads.emplace(id, text(rows[0][0]));
    }
    return heads;
  });
}

Result<std::optional<TimePoint>> PostgresStore::failing_since(const std::string& company_id,
                                                              const std::string& webhook_id) {
  return read([&](pqxx::work& tx) -> Result<std::optional<TimePoint>> {
    const auto lookback = static_cast<std::int64_t>(kFailingSinceLookback);
    pqxx::result newest = tx.exec_params(
        "SELECT at FROM attempts WHERE webhook_id = $2 AND EXISTS (SELECT 1 FROM webhooks WHERE id = $2 AND "
        "company_id = $1) ORDER BY id DESC LIMIT 1",
        company_id, webhook_id);
    if (newest.empty()) return std::optional<TimePoint>();
    const TimePoint newest_failure = postgres::time(newest[0][0]);
    pqxx::result success = tx.exec_params(
        "SELECT max(r.updated_at) FROM (SELECT state, updated_at FROM deliveries WHERE company_id = $1 AND "
        "webhook_id = $2 ORDER BY id DESC LIMIT $3) r WHERE r.state = 'delivered'",
        company_id, webhook_id, lookback);
    const std::optional<TimePoint> last_success = optional_time(success[0][0]);
    if (last_success && *last_success >= newest_failure) return std::optional<TimePoint>();
    pqxx::result first = tx.exec_params(
        "SELECT min(r.at) FROM (SELECT at FROM attempts WHERE webhook_id = $2 AND EXISTS (SELECT 1 FROM "
        "webhooks WHERE id = $2 AND company_id = $1) "
        "ORDER BY id DESC LIMIT $3) r WHERE r.at > $4::bigint",
        company_id, webhook_id, lookback, to_ms(last_success.value_or(TimePoint{})));
    return optional_time(first[0][0]);
  });
}

Result<std::vector<model::Attempt>> PostgresStore::list_delivery_attempts(const std::string& company_id,
                                                                          const std::string& delivery_id) {
  return read([&](pqxx::work& tx) -> Result<std::vector<model::Attempt>> {
    pqxx::result owned =
        tx.exec_params("SELECT 1 FROM deliveries WHERE id = $1 AND company_id = $2", delivery_id, company_id);
    if (owned.empty()) return make_error(ErrorCode::kNotFound, "delivery not found");
    pqxx::result rows =
        tx.exec_params("SELECT " + std::string(kAttemptColumns) + std::string(kAttemptFrom) +
                           "WHERE a.delivery_id = $1 AND d.company_id = $2 "
                           "ORDER BY a.attempt, a.id LIMIT $3",
                       delivery_id, company_id, static_cast<std::int64_t>(kMaxDeliveryAttempts));
    std::vector<model::Attempt> out;
    for (const pqxx::row& row : rows) {
      auto attempt = attempt_from_row(PgRow(row));
      if (!attempt) return forward_error(attempt);
      out.push_back(std::move(*attempt));
    }
    return out;
  });
}

namespace {

std::vector<EventHit> hits(const pqxx::result& rows) {
  std::vector<EventHit> out;
  for (const pqxx::row& row : rows) {
    out.push_back({text(row[0]), text(row[1]), text(row[2]), postgres::time(row[3])});
  }
  return out;
}

}  // namespace

Result<std::vector<EventHit>> PostgresStore::find_events_by_call(const std::string& company_id,
                                                                 const std::string& call_id, int limit) {
  return read([&](pqxx::work& tx) -> Result<std::vector<EventHit>> {
    return hits(tx.exec_params(
        "SELECT id, type, sequence_key, created_at FROM events WHERE company_id = $1 AND sequence_key = $2 "
        "AND sequence_key <> '' ORDER BY created_at DESC, id DESC LIMIT $3",
        company_id, call_id, static_cast<std::int64_t>(limit)));
  });
}

Result<std::vector<EventHit>> PostgresStore::find_events_by_number(const std::string& company_id,
                                                                   const std::string& number, int limit) {
  return read([&](pqxx::work& tx) -> Result<std::vector<EventHit>> {
    return hits(tx.exec_params(
        "SELECT r.id, r.type, r.sequence_key, r.created_at FROM (SELECT id, type, sequence_key, created_at, "
        "payload FROM events WHERE company_id = $1 ORDER BY created_at DESC LIMIT $2) r "
        "WHERE strpos(r.payload, $3) > 0 ORDER BY r.created_at DESC, r.id DESC LIMIT $4",
        company_id, static_cast<std::int64_t>(kSearchNumberScan), number, static_cast<std::int64_t>(limit)));
  });
}

Result<std::vector<CallEventRef>> PostgresStore::list_recent_call_event_refs(const std::string& company_id,
                                                                             TimePoint since, int max) {
  return read([&](pqxx::work& tx) -> Result<std::vector<CallEventRef>> {
    // The WHERE and ORDER BY of list_recent_call_events, so the same rows.
    static const std::string sql = [] {
      std::string placeholders;
      for (std::size_t i = 0; i < model::kLiveCallEventTypes.size(); ++i) {
        placeholders += (i ? ", $" : "$") + std::to_string(i + 4);
      }
      return "SELECT id, sequence_key, occurred_at FROM events WHERE company_id = $1 AND created_at >= $2 "
             "AND "
             "type IN (" +
             placeholders + ") ORDER BY created_at DESC, id DESC LIMIT $3";
    }();
    pqxx::result rows = std::apply(
        [&](auto... types) {
          return tx.exec_params(sql, company_id, to_ms(since), std::max(0, max), std::string(types)...);
        },
        model::kLiveCallEventTypes);
    std::vector<CallEventRef> out;
    out.reserve(rows.size());
    for (const pqxx::row& row : rows) out.push_back({text(row[0]), text(row[1]), postgres::time(row[2])});
    return out;
  });
}

Result<std::vector<model::Event>> PostgresStore::get_events(const std::string& company_id,
                                                            const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<model::Event>{};
  return read([&](pqxx::work& tx) -> Result<std::vector<model::Event>> {
    pqxx::result rows = tx.exec_params(
        "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
        "payload "
        "FROM events WHERE id = ANY($1::text[]) AND company_id = $2 ORDER BY created_at, id",
        text_array(ids), company_id);
    std::vector<model::Event> out;
    out.reserve(rows.size());
    for (const pqxx::row& row : rows) out.push_back(event_from_row(PgRow(row)));
    return out;
  });
}

Result<std::int64_t> PostgresStore::count_events_since(const std::string& company_id, TimePoint since) {
  return read([&](pqxx::work& tx) -> Result<std::int64_t> {
    pqxx::result rows = tx.exec_params(
        "SELECT count(*) FROM events WHERE company_id = $1 AND created_at >= $2", company_id, to_ms(since));
    return rows[0][0].as<std::int64_t>();
  });
}

}  // namespace switchboard::store::postgres
