#include "store/sqlite/sqlite_delivery_queue.h"

#include <optional>
#include <tuple>

#include "common/result.h"
#include "store/common/column_codec.h"

namespace switchboard::store::sqlite {

namespace {

// The ready index is keyed on this expression; queries must spell it alike.
constexpr std::string_view kReadyAt = "max(d.next_attempt_at, d.lease_until)";
// The webhook join is a guard: `paused` already keeps inactive webhooks' deliveries out.
constexpr std::string_view kClaimableWhere =
    "WHERE d.state = 'pending' AND d.blocked = 0 AND d.paused = 0 AND w.status = 'active' ";

}  // namespace

std::string claim_query_sql() {
  return "SELECT " + std::string(kDeliveryColumns) +
         ", e.payload FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = "
         "d.event_id " +
         std::string(kClaimableWhere) + "AND " + std::string(kReadyAt) + " <= ?1 ORDER BY " +
         std::string(kReadyAt) + " LIMIT ?2";
}

std::string next_due_query_sql() {
  return "SELECT " + std::string(kReadyAt) + " FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id " +
         std::string(kClaimableWhere) + "ORDER BY " + std::string(kReadyAt) + " LIMIT 1";
}

std::string followers_query_sql() {
  return "SELECT " + std::string(kDeliveryColumns) +
         ", e.payload, d.lease_until FROM deliveries d JOIN events e ON e.id = d.event_id "
         "WHERE d.webhook_id = ?1 AND d.ordering_key = ?2 AND d.state = 'pending' "
         "AND (d.sequence, d.id) > (?3, ?4) ORDER BY d.sequence, d.id LIMIT ?5";
}

namespace {

struct ChainMember {
  std::string id;
  std::int64_t sequence = 0;
  std::int64_t lease_until = 0;
};

// The pending delivery of the chain that sorts first, by (sequence, id).
Result<std::optional<ChainMember>> lowest_pending(Connection& connection, const std::string& webhook_id,
                                                  const std::string& ordering_key) {
  auto query = connection.query(
      "SELECT id, sequence, lease_until FROM deliveries "
      "WHERE webhook_id = ? AND ordering_key = ? AND state = 'pending' ORDER BY sequence, id LIMIT 1",
      webhook_id, ordering_key);
  if (!query) return forward_error(query);
  auto found = query->step();
  if (!found) return forward_error(found);
  if (!*found) return std::optional<ChainMember>();
  return std::optional<ChainMember>(ChainMember{query->text(0), query->integer(1), query->integer(2)});
}

// The chain's unblocked head. Only reached when a delivery sorts before the
// whole chain (redelivery, replay), so a scan of the chain is fine here.
Result<std::optional<ChainMember>> chain_head(Connection& connection, const model::Delivery& delivery) {
  auto query = connection.query(
      "SELECT id, sequence, lease_until FROM deliveries "
      "WHERE webhook_id = ? AND ordering_key = ? AND state = 'pending' AND blocked = 0 LIMIT 1",
      delivery.webhook_id, delivery.ordering_key);
  if (!query) return forward_error(query);
  auto found = query->step();
  if (!found) return forward_error(found);
  if (!*found) return std::optional<ChainMember>();
  return std::optional<ChainMember>(ChainMember{query->text(0), query->integer(1), query->integer(2)});
}

// Whether the new delivery waits behind the chain (and, when it does not,
// blocks the current head in its place).
Result<bool> joins_blocked(Connection& connection, const model::Delivery& delivery, TimePoint now) {
  if (delivery.ordering_key.empty()) return false;
  auto lowest = lowest_pending(connection, delivery.webhook_id, delivery.ordering_key);
  if (!lowest) return forward_error(lowest);
  if (!*lowest) return false;  // the chain is empty: this one is its head
  const std::int64_t sequence = delivery.sequence.value_or(0);
  // Ingest always lands here: sequences grow, so a new event sorts last.
  if (std::tie((*lowest)->sequence, (*lowest)->id) < std::tie(sequence, delivery.id)) return true;

  auto head = chain_head(connection, delivery);
  if (!head) return forward_error(head);
  if (!*head) return false;  // defensive: a chain without a head gets one
  // The head is being delivered right now: one in flight per chain.
  if ((*head)->lease_until > to_unix_ms(now)) return true;
  auto demote = connection.query("UPDATE deliveries SET blocked = 1 WHERE id = ?", (*head)->id);
  if (!demote) return forward_error(demote);
  if (auto done = demote->run(); !done) return forward_error(done);
  return false;
}

}  // namespace

Result<void> insert_pending_delivery(Connection& connection, const model::Delivery& delivery, bool paused,
                                     TimePoint now) {
  auto blocked = joins_blocked(connection, delivery, now);
  if (!blocked) return forward_error(blocked);
  auto insert = connection.query(
      "INSERT INTO deliveries (id, company_id, webhook_id, event_id, event_type, ordering_key, sequence, "
      "state, attempts, event_time, next_attempt_at, lease_until, blocked, paused, last_status_code, "
      "last_error, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
      delivery.id, delivery.company_id, delivery.webhook_id, delivery.event_id, delivery.event_type,
      delivery.ordering_key, delivery.sequence, delivery.attempts, delivery.event_time,
      delivery.next_attempt_at, *blocked, paused, delivery.last_status_code, delivery.last_error,
      delivery.created_at, delivery.updated_at);
  if (!insert) return forward_error(insert);
  if (auto done = insert->run(); !done) {
    Error error = done.error();
    if (error.code == ErrorCode::kConflict) error.message = "a delivery with id " + delivery.id + " exists";
    if (error.code == ErrorCode::kNotFound) error.message = "the delivery's webhook or event does not exist";
    return tl::unexpected(std::move(error));
  }
  return {};
}

Result<void> yield_chain_head(Connection& connection, const std::string& head_id,
                              const std::string& webhook_id, const std::string& ordering_key) {
  if (ordering_key.empty()) return {};
  auto lowest = lowest_pending(connection, webhook_id, ordering_key);
  if (!lowest) return forward_error(lowest);
  if (!*lowest || (*lowest)->id == head_id) return {};
  auto swap = connection.query("UPDATE deliveries SET blocked = (id != ?) WHERE id IN (?, ?)", (*lowest)->id,
                               (*lowest)->id, head_id);
  if (!swap) return forward_error(swap);
  return swap->run();
}

}  // namespace switchboard::store::sqlite
