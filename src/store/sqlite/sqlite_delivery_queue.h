// The delivery queue's building blocks shared by the SqliteStore subject
// files: the deliveries columns it selects, how a pending delivery enters the queue
// (its place in its ordering chain), and per-item savepoints for writes that
// must let one item fail alone. Private to src/store/sqlite.
//
// Queue rules (see migrations/002_events_deliveries.sql): only the head of each
// (webhook_id, ordering_key) chain is unblocked; only unblocked, unpaused
// pending deliveries are in the ready index that claiming walks.
//
// Thread-safety: the write helpers run on the writer thread, the row readers
// on whichever thread holds the connection.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "model/delivery.h"
#include "store/common/rows.h"
#include "store/sqlite/sqlite_connection.h"

namespace switchboard::store::sqlite {

// SELECT list for a deliveries row aliased `d`, kDeliveryColumnCount columns
// that store::delivery_from_row (store/common/rows.h) reads.
inline constexpr std::string_view kDeliveryColumns =
    "d.id, d.company_id, d.webhook_id, d.event_id, d.event_type, d.ordering_key, d.sequence, d.state, "
    "d.attempts, d.event_time, d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, "
    "d.updated_at";

// The claim query: kDeliveryColumns then the event's payload, for deliveries
// claimable at ?1 (unix ms), in claim order, at most ?2. It walks the ready
// index only (sqlite_store_test checks its plan).
std::string claim_query_sql();
// The earliest time a delivery may next be claimed (no parameters).
std::string next_due_query_sql();
// The pending deliveries after a chain's head, in chain order: kDeliveryColumns,
// the payload, then lease_until. ?1 webhook_id, ?2 ordering_key, ?3/?4 the
// head's sequence and id, ?5 the most rows. Walks the deliveries_pending index.
std::string followers_query_sql();

// Inserts `delivery` (state pending; next_attempt_at set) into the queue.
// Unordered deliveries (empty ordering_key) are independent. In a chain, the
// delivery is blocked behind the chain's pending deliveries, except when it
// sorts before all of them (a redelivery or replay of an earlier event) and
// the current head is not leased at `now`: then it becomes the head instead.
// `paused` must be true when the webhook is not active.
Result<void> insert_pending_delivery(Connection& connection, const model::Delivery& delivery, bool paused,
                                     TimePoint now);

// Called when the unblocked head `head_id` of a chain failed and now waits for
// its retry: if a delivery that sorts before it joined the chain while it was
// in flight (a redelivery or replay of an earlier event), that one becomes
// the head, so the chain goes out in sequence order again.
Result<void> yield_chain_head(Connection& connection, const std::string& head_id,
                              const std::string& webhook_id, const std::string& ordering_key);

// The statements of one named SAVEPOINT level.
struct Savepoint {
  std::string_view open, release, undo;
};
// Inside a write's own savepoint (the writer's "write"): the whole batch of a
// write, and one item of it.
inline constexpr Savepoint kBatchSavepoint{"SAVEPOINT batch", "RELEASE batch", "ROLLBACK TO batch"};
inline constexpr Savepoint kItemSavepoint{"SAVEPOINT item", "RELEASE item", "ROLLBACK TO item"};

// Runs `fn()` (returning Result<T>) inside `savepoint`. On failure only fn's
// changes are undone and its error is returned. If SQLite aborted the whole
// transaction meanwhile, connection.in_transaction() is false afterwards and
// the caller must stop and fail its write: anything it ran next would execute
// outside the group transaction.
template <typename Fn>
auto in_savepoint(Connection& connection, const Savepoint& savepoint, Fn&& fn) -> decltype(fn()) {
  auto run = [&](std::string_view sql) -> Result<void> {
    auto statement = connection.prepare(sql);
    if (!statement) return forward_error(statement);
    return statement->run();
  };
  if (auto opened = run(savepoint.open); !opened) return forward_error(opened);
  auto outcome = std::forward<Fn>(fn)();
  if (!connection.in_transaction()) return outcome;
  // Any failure of the savepoint statements themselves leaves the transaction
  // in an unknown state: abandon it (the writer then fails the whole batch).
  if (outcome) {
    if (auto released = run(savepoint.release); !released) {
      connection.rollback();
      return forward_error(released);
    }
    return outcome;
  }
  if (auto undone = run(savepoint.undo); !undone) {
    connection.rollback();
    return forward_error(undone);
  }
  if (auto released = run(savepoint.release); !released) {
    connection.rollback();
    return forward_error(released);
  }
  return outcome;
}

// The error a write reports when SQLite aborted its transaction under it.
inline Error transaction_aborted(const Error& cause) {
  return Error{ErrorCode::kUnavailable, "the write transaction was aborted: " + cause.message};
}

}  // namespace switchboard::store::sqlite
