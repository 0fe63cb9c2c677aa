// SqliteStore: the delivery queue (claim, leases, next due time), delivery
// logs, and manual redelivery.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_delivery_queue.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

// Reads rows of `query` (kDeliveryColumns first) until done or `limit` rows;
// sets `has_more` when a row beyond `limit` exists.
Result<std::vector<model::Delivery>> collect(Statement& query, std::size_t limit, bool* has_more) {
  std::vector<model::Delivery> out;
  for (;;) {
    auto found = query.step();
    if (!found) return forward_error(found);
    if (!*found) return out;
    if (out.size() == limit) {
      if (has_more != nullptr) *has_more = true;
      return out;
    }
    auto delivery = delivery_from_row(query);
    if (!delivery) return forward_error(delivery);
    out.push_back(std::move(*delivery));
  }
}

}  // namespace

Result<std::vector<DueDelivery>> SqliteStore::claim_due_deliveries(TimePoint now, int limit,
                                                                   TimePoint lease_until, int chain_depth) {
  if (auto valid = check_claim(now, limit, lease_until, chain_depth); !valid) return forward_error(valid);
  std::vector<DueDelivery> claimed;
  auto written = write([&](Connection& connection) -> Result<void> {
    claimed.clear();
    std::vector<DueDelivery> heads;
    {
      static const std::string kClaim = claim_query_sql();
      auto query = connection.query(kClaim, now, static_cast<std::int64_t>(limit));
      if (!query) return forward_error(query);
      for (;;) {
        auto found = query->step();
        if (!found) return forward_error(found);
        if (!*found) break;
        auto delivery = delivery_from_row(*query);
        if (!delivery) return forward_error(delivery);
        heads.push_back(DueDelivery{std::move(*delivery), query->text(kDeliveryColumnCount)});
      }
    }
    // Each head, in claim order, then its followers: the room `limit` leaves
    // after the heads is shared evenly among them.
    const std::size_t room = static_cast<std::size_t>(limit) - heads.size();
    const std::size_t share = heads.empty() ? 0 : room / heads.size();
    const std::size_t extra = heads.empty() ? 0 : room % heads.size();
    for (std::size_t i = 0; i < heads.size(); ++i) {
      const model::Delivery head_delivery = heads[i].delivery;
      claimed.push_back(std::move(heads[i]));
      const std::size_t want =
          std::min<std::size_t>(share + (i < extra ? 1 : 0), static_cast<std::size_t>(chain_depth - 1));
      if (want == 0 || head_delivery.ordering_key.empty()) continue;
      static const std::string kFollowers = followers_query_sql();
      auto query = connection.query(kFollowers, head_delivery.webhook_id, head_delivery.ordering_key,
                                    head_delivery.sequence.value_or(0), head_delivery.id,
                                    static_cast<std::int64_t>(want));
      if (!query) return forward_error(query);
      for (;;) {
        auto found = query->step();
        if (!found) return forward_error(found);
        if (!*found) break;
        auto delivery = delivery_from_row(*query);
        if (!delivery) return forward_error(delivery);
        // Chain order may not skip: stop at the first one not due or held by another claim.
        if (!delivery->next_attempt_at || *delivery->next_attempt_at > now) break;
        if (query->integer(kDeliveryColumnCount + 1) > to_unix_ms(now)) break;
        claimed.push_back(DueDelivery{std::move(*delivery), query->text(kDeliveryColumnCount), true});
      }
    }
    for (const DueDelivery& due : claimed) {
      auto lease = connection.query("UPDATE deliveries SET lease_until = ? WHERE id = ?", lease_until,
                                    due.delivery.id);
      if (!lease) return forward_error(lease);
      if (auto done = lease->run(); !done) return done;
    }
    return {};
  });
  if (!written) return forward_error(written);
  return claimed;
}

Result<void> SqliteStore::release_leases(const std::vector<LeaseRelease>& leases) {
  if (leases.empty()) return {};
  return write([&](Connection& connection) -> Result<void> {
    for (const LeaseRelease& lease : leases) {
      auto release =
          connection.query("UPDATE deliveries SET lease_until = 0 WHERE id = ? AND lease_until = ?",
                           lease.delivery_id, lease.lease_until);
      if (!release) return forward_error(release);
      if (auto done = release->run(); !done) return done;
    }
    return {};
  });
}

Result<void> SqliteStore::release_all_leases() {
  return write([](Connection& connection) -> Result<void> {
    auto release = connection.prepare("UPDATE deliveries SET lease_until = 0 WHERE lease_until != 0");
    if (!release) return forward_error(release);
    return release->run();
  });
}

Result<std::optional<TimePoint>> SqliteStore::next_due_time() {
  return read([](Connection& connection) -> Result<std::optional<TimePoint>> {
    static const std::string kNextDue = next_due_query_sql();
    auto query = connection.prepare(kNextDue);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return std::optional<TimePoint>();
    return std::optional<TimePoint>(query->time(0));
  });
}

Result<Page<model::Delivery>> SqliteStore::list_deliveries(const std::string& company_id,
                                                           const std::string& webhook_id,
                                                           std::optional<model::DeliveryState> state,
                                                           const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  std::optional<std::string> state_column;
  if (state) state_column = std::string(delivery_state_column(*state));
  Page<model::Delivery> result;
  auto items = read([&](Connection& connection) -> Result<std::vector<model::Delivery>> {
    // Newest first; the cursor is the last id seen, so the next page is below it.
    std::string sql = "SELECT " + std::string(kDeliveryColumns) +
                      " FROM deliveries d WHERE d.company_id = ?1 AND d.webhook_id = ?2 "
                      "AND (?3 IS NULL OR d.state = ?3) ";
    if (!page.after_id.empty()) sql += "AND d.id < ?5 ";
    sql += "ORDER BY d.id DESC LIMIT ?4";
    auto query = connection.prepare(sql);
    if (!query) return forward_error(query);
    query->bind(1, company_id);
    query->bind(2, webhook_id);
    query->bind(3, state_column);
    query->bind(4, static_cast<std::int64_t>(page.limit) + 1);
    if (!page.after_id.empty()) query->bind(5, page.after_id);
    return collect(*query, static_cast<std::size_t>(page.limit), &result.has_more);
  });
  if (!items) return forward_error(items);
  result.items = std::move(*items);
  return result;
}

Result<model::Delivery> SqliteStore::get_delivery(const std::string& company_id,
                                                  const std::string& delivery_id) {
  return read([&](Connection& connection) -> Result<model::Delivery> {
    auto query = connection.query(
        "SELECT " + std::string(kDeliveryColumns) + " FROM deliveries d WHERE d.id = ? AND d.company_id = ?",
        delivery_id, company_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "delivery not found");
    return delivery_from_row(*query);
  });
}

Result<std::vector<model::Delivery>> SqliteStore::list_event_deliveries(const std::string& company_id,
                                                                        const std::string& event_id) {
  return read([&](Connection& connection) -> Result<std::vector<model::Delivery>> {
    auto query =
        connection.query("SELECT " + std::string(kDeliveryColumns) +
                             " FROM deliveries d WHERE d.event_id = ? AND d.company_id = ? ORDER BY d.id",
                         event_id, company_id);
    if (!query) return forward_error(query);
    return collect(*query, SIZE_MAX, nullptr);
  });
}

Result<model::Delivery> SqliteStore::redeliver(const std::string& company_id, const std::string& delivery_id,
                                               const std::string& new_delivery_id, TimePoint now) {
  model::Delivery created;
  auto written = write([&](Connection& connection) -> Result<void> {
    auto original =
        connection.query("SELECT " + std::string(kDeliveryColumns) +
                             ", w.status FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                             "JOIN events e ON e.id = d.event_id WHERE d.id = ? AND d.company_id = ?",
                         delivery_id, company_id);
    if (!original) return forward_error(original);
    auto found = original->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "delivery not found");
    auto delivery = delivery_from_row(*original);
    if (!delivery) return forward_error(delivery);
    const bool paused = original->text(kDeliveryColumnCount) != "active";

    created = model::redelivery_of(*delivery, new_delivery_id, now);
    return insert_pending_delivery(connection, created, paused, now);
  });
  if (!written) return forward_error(written);
  return created;
}

}  // namespace switchboard::store::sqlite
