// PostgresStore: cluster membership (NodeMembership, issue 14 item 4). Each
// node that claims deliveries keeps a row in `nodes` (migration 007), renewed
// by its heartbeat thread and by each claim; the deliveries it claims carry
// its id in lease_owner. A beat removes the nodes whose heartbeat is stale
// (model::NodeLiveness) and releases their leases in the same transaction,
// so their claimed work can be claimed again at once, keeping the chain rules
// of postgres_store_deliveries.cc (a released head is pending and claimable;
// its followers wait behind it).
//
// Two survivors beating at once: the first DELETE takes the stale row, the
// second waits on it, re-checks it after COMMIT (gone) and releases nothing.
// A stalled node that comes back: its next claim or beat waits on any takeover
// of its row in progress, then recreates the row (reported as `rejoined`);
// its late results for deliveries that another node has claimed since are
// refused by record_attempts (lease_owner differs). A node that stops
// gracefully leaves: its leases are released and its row removed at once.
#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {

const std::string& PostgresStore::node_id(TimePoint now) {
  std::call_once(node_id_once_, [&] { node_id_ = new_id("node", now); });
  return node_id_;
}

bool PostgresStore::renew_membership(pqxx::work& tx, TimePoint now) {
  // (xmax = 0): the row was inserted, not updated: it did not exist.
  pqxx::result row = tx.exec_params(
      "INSERT INTO nodes (id, heartbeat_at, joined_at) VALUES ($1, $2, $2) "
      "ON CONFLICT (id) DO UPDATE SET heartbeat_at = greatest(nodes.heartbeat_at, EXCLUDED.heartbeat_at) "
      "RETURNING (xmax = 0)",
      node_id(now), to_ms(now));
  return row[0][0].as<bool>() && joined_.load();
}

Result<NodeMembership::Beat> PostgresStore::heartbeat(TimePoint now, const model::NodeLiveness& rule) {
  auto beat = transact([&](pqxx::work& tx) -> Result<Beat> {
    Beat out;
    out.node_id = node_id(now);
    out.rejoined = renew_membership(tx, now);
    pqxx::result stale = tx.exec_params("DELETE FROM nodes WHERE heartbeat_at < $1 AND id <> $2 RETURNING id",
                                        to_ms(rule.stale_cutoff(now)), out.node_id);
    if (stale.empty()) return out;
    for (const pqxx::row& row : stale) out.stale_nodes.push_back(text(row[0]));
    // Locked in id order, as recording locks its rows, so that a stalled node's
    // late report racing its takeover queues behind it rather than deadlocking.
    pqxx::result released = tx.exec_params(
        "UPDATE deliveries d SET lease_until = 0, lease_owner = NULL FROM (SELECT id FROM deliveries "
        "WHERE lease_owner = ANY($1::text[]) ORDER BY id FOR UPDATE) AS mine WHERE d.id = mine.id",
        text_array(out.stale_nodes));
    out.released = static_cast<std::int64_t>(released.affected_rows());
    return out;
  });
  if (beat) joined_.store(true);
  return beat;
}

Result<std::int64_t> PostgresStore::leave(TimePoint now) {
  return transact([&](pqxx::work& tx) -> Result<std::int64_t> {
    const std::string& id = node_id(now);
    // Locked in id order, as a takeover and recording lock them.
    pqxx::result released = tx.exec_params(
        "UPDATE deliveries d SET lease_until = 0, lease_owner = NULL FROM (SELECT id FROM deliveries "
        "WHERE lease_owner = $1 ORDER BY id FOR UPDATE) AS mine WHERE d.id = mine.id",
        id);
    tx.exec_params("DELETE FROM nodes WHERE id = $1", id);
    return static_cast<std::int64_t>(released.affected_rows());
  });
}

}  // namespace switchboard::store::postgres
