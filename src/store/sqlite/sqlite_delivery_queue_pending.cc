// SqliteStore: the single-node queue's reads (issue 14): every pending
// delivery as compact rows at start (no payloads), and the rows and payloads
// of the deliveries about to be sent, in one query per batch. Reads only: on
// a single node no lease is written (DeliveryQueue::scan_pending/load_pending).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_delivery_queue.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

// The ids as a JSON array for json_each (ids are [A-Za-z0-9_] only).
std::string json_ids(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (const std::string& id : ids) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : id) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += ']';
  return out;
}

}  // namespace

Result<void> SqliteStore::scan_pending(const std::string& webhook_id, const PendingChunk& chunk) {
  constexpr std::size_t kChunk = 4096;
  return read([&](Connection& connection) -> Result<void> {
    // Walks the deliveries_pending index (state = 'pending'), one snapshot.
    auto query = connection.query(
        "SELECT id, company_id, webhook_id, ordering_key, coalesce(sequence, 0), next_attempt_at, paused "
        "FROM deliveries INDEXED BY deliveries_pending WHERE state = 'pending' "
        "AND (?1 = '' OR webhook_id = ?1) ORDER BY webhook_id, ordering_key, sequence, id",
        webhook_id);
    if (!query) return forward_error(query);
    std::vector<PendingDelivery> rows;
    rows.reserve(kChunk);
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found || rows.size() == kChunk) {
        if (!rows.empty()) chunk(rows);
        rows.clear();
        if (!*found) return {};
      }
      rows.push_back(PendingDelivery{query->text(0), query->text(1), query->text(2), query->text(3),
                                     query->integer(4), query->time(5), query->boolean(6)});
    }
  });
}

Result<std::vector<DueDelivery>> SqliteStore::load_pending(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<DueDelivery>{};
  return read([&](Connection& connection) -> Result<std::vector<DueDelivery>> {
    static const std::string kLoad = "SELECT " + std::string(kDeliveryColumns) +
                                     ", e.payload FROM json_each(?1) j JOIN deliveries d ON d.id = j.value "
                                     "JOIN events e ON e.id = d.event_id WHERE d.state = 'pending'";
    auto query = connection.query(kLoad, json_ids(ids));
    if (!query) return forward_error(query);
    std::vector<DueDelivery> out;
    out.reserve(ids.size());
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      auto delivery = delivery_from_row(*query);
      if (!delivery) return forward_error(delivery);
      out.push_back(DueDelivery{std::move(*delivery), query->text(kDeliveryColumnCount)});
    }
  });
}

}  // namespace switchboard::store::sqlite
