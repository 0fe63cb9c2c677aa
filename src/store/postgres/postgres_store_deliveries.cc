// PostgresStore: the delivery queue (claim, leases, next due time), delivery
// logs, and manual redelivery.
//
// Why per-call ordering holds across nodes
// ----------------------------------------
// Rule: a pending delivery may be claimed only when it is the head of its
// chain (webhook_id, ordering_key): no other PENDING delivery of the chain
// sorts before it by (sequence, id), leased or not, and no other delivery of
// the chain is leased (in flight). The claim statement checks exactly that
// against the chain itself, with NOT EXISTS subqueries; the `blocked` flag
// (migration 002) only keeps non-heads out of the ready index so that the
// claim does not walk them, and is never what ordering relies on.
//
//  1. Snapshot check. The claim is one statement in READ COMMITTED. Its
//     NOT EXISTS subqueries read that statement's MVCC snapshot and take no
//     locks, so a row that another node has locked for its own claim, or is
//     updating right now, still counts in its last committed state: pending.
//     A node never skips over an earlier delivery whose settled state it
//     cannot see yet.
//  2. Lock and re-check. Candidates are locked FOR UPDATE SKIP LOCKED. A row
//     another node holds is skipped (that node is claiming or recording it);
//     a row another node changed and committed after our snapshot is
//     re-read at its newest version and the row's own conditions are checked
//     again (pending, not blocked, due, lease_until <= now): a head that
//     another node has just leased is dropped. So two nodes never lease the
//     same delivery, and the claimed sets are disjoint.
//  3. Success of seq 1 racing a claim of seq 2. Node A records seq 1
//     delivered; node B claims. B's snapshot either predates A's COMMIT -
//     then seq 1 is pending in it and seq 2 is not a head - or includes it.
//     B can take seq 2 only once seq 1's delivered state is committed. While
//     seq 1 is leased (in flight) or waits for a retry it is pending, so
//     seq 2 waits, whatever node holds seq 1.
//  4. New events cannot overtake. Ingest numbers a call's events under the
//     call_sequences row lock held until its transaction commits, so the
//     delivery of seq N is committed before the transaction creating seq N+1
//     can get its number: every snapshot that sees seq N+1 sees seq N.
//  5. Followers (chain_depth > 1) are read after their head in the same
//     transaction, in chain order, and leased in it before it commits; they
//     stop at the first one not due or leased. Nobody else can take them
//     meanwhile: each sorts after our locked, pending head, so it is no head
//     in any other node's snapshot.
//  6. Redelivery and replay may queue an EARLIER event of a chain. Under the
//     chain's lock they make it the chain's only unblocked delivery and
//     block the others; blocking the current head waits for a claim in
//     progress on it (it holds the row), and a claim that locks the head
//     afterwards re-checks the new row version, sees it blocked and drops it.
//     The earlier delivery itself waits while any delivery of the chain is
//     leased (rule above), so one delivery per chain is in flight.
//  7. A lease that expires (a node died) leaves the delivery pending; the
//     next claim by any node takes it again (at-least-once). The chain stays
//     behind it until then.
//  8. Leases belong to nodes (migration 007): a claim renews the claiming
//     node's heartbeat row first and leases under its id (lease_owner). A
//     node whose heartbeat went stale loses its row and all its leases at
//     once (lease_until = 0: postgres_store_nodes.cc), which is rule 7 sooner:
//     a released head is pending and due, its followers are behind it. The
//     claim's row lock on the node's heartbeat row orders it against such a
//     takeover, so no claim leases under an id whose leases were already
//     released. A stalled node's late results for deliveries another node
//     has claimed since are refused (postgres_store_attempts.cc).
// The blocked flags stay exact because every change of a chain's pending set
// holds the chain's lock (the call_sequences row of the call): ingest through
// its sequence upsert, recording, redelivery and replay through
// lock_chains(), and each leaves exactly the lowest pending delivery of the
// chain unblocked (normalize_chains()).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

// Every condition that makes delivery `d` a claimable-in-principle chain head,
// except time and lease. $1 is now (unix ms).
constexpr std::string_view kHeadOfChain =
    "(d.ordering_key = '' OR ("
    "NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.webhook_id = d.webhook_id "
    "AND p.ordering_key = d.ordering_key AND p.state = 'pending' AND (p.sequence, p.id) < (d.sequence, "
    "d.id)) "
    "AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.webhook_id = d.webhook_id "
    "AND p.ordering_key = d.ordering_key AND p.state = 'pending' AND p.lease_until <> 0 "
    "AND p.lease_until > $1 AND p.id <> d.id)))";

// The claim: heads in the order they became claimable, locked, leased until
// $3, at most $2. Walks deliveries_ready ((greatest(next_attempt_at,
// lease_until)) WHERE pending AND NOT paused).
std::string claim_heads_sql() {
  return "WITH picked AS ("
         "SELECT d.id, greatest(d.next_attempt_at, d.lease_until) AS ready_at FROM deliveries d "
         "WHERE d.state = 'pending' AND NOT d.blocked AND NOT d.paused "
         "AND greatest(d.next_attempt_at, d.lease_until) <= $1 "
         "AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.status = 'active') AND " +
         std::string(kHeadOfChain) +
         " ORDER BY greatest(d.next_attempt_at, d.lease_until) LIMIT $2 FOR UPDATE OF d SKIP LOCKED) "
         "UPDATE deliveries d SET lease_until = $3, lease_owner = $4 FROM picked, events e "
         "WHERE d.id = picked.id AND e.id = d.event_id "
         "RETURNING " +
         delivery_columns("d") + ", e.payload, picked.ready_at";
}

// The pending deliveries after each given head in its chain, in chain order,
// at most `want` per head: delivery columns, payload, lease_until, then the
// head's position. $1 head ids, $2 how many each.
std::string followers_sql() {
  return "SELECT " + delivery_columns("f") +
         ", e.payload, f.lease_until, h.ord FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS h(id, "
         "want, ord) "
         "JOIN deliveries hd ON hd.id = h.id "
         "CROSS JOIN LATERAL (SELECT * FROM deliveries x WHERE x.webhook_id = hd.webhook_id "
         "AND x.ordering_key = hd.ordering_key AND x.state = 'pending' AND (x.sequence, x.id) > "
         "(hd.sequence, hd.id) "
         "ORDER BY x.sequence, x.id LIMIT h.want) f "
         "JOIN events e ON e.id = f.event_id ORDER BY h.ord, f.sequence, f.id";
}

// Reads rows (delivery columns first) of a listing, at most `limit`; sets
// `has_more` when a row beyond it exists.
Result<std::vector<model::Delivery>> collect(const pqxx::result& rows, std::size_t limit, bool* has_more) {
  std::vector<model::Delivery> out;
  for (const pqxx::row& row : rows) {
    if (out.size() == limit) {
      if (has_more != nullptr) *has_more = true;
      break;
    }
    auto delivery = delivery_from_row(PgRow(row));
    if (!delivery) return forward_error(delivery);
    out.push_back(std::move(*delivery));
  }
  return out;
}

}  // namespace

Result<std::vector<DueDelivery>> PostgresStore::claim_due_deliveries(TimePoint now, int limit,
                                                                     TimePoint lease_until, int chain_depth) {
  if (auto valid = check_claim(now, limit, lease_until, chain_depth); !valid) return forward_error(valid);
  const std::string& owner = node_id(now);
  auto claimed = transact([&](pqxx::work& tx) -> Result<std::vector<DueDelivery>> {
    if (renew_membership(tx, now)) {
      spdlog::warn(
          "event=node_rejoined node_id={} reason=\"its heartbeat went stale and other nodes took "
          "its leases\"",
          owner);
    }
    static const std::string kClaim = claim_heads_sql();
    pqxx::result rows = tx.exec_params(kClaim, to_ms(now), limit, to_ms(lease_until), owner);
    struct Head {
      DueDelivery due;
      std::int64_t ready_at;
    };
    std::vector<Head> heads;
    heads.reserve(rows.size());
    for (const pqxx::row& row : rows) {
      auto delivery = delivery_from_row(PgRow(row));
      if (!delivery) return forward_error(delivery);
      heads.push_back(Head{DueDelivery{std::move(*delivery), text(row[kDeliveryColumnCount])},
                           integer(row[kDeliveryColumnCount + 1])});
    }
    // UPDATE … RETURNING has no order: restore the claim order.
    std::sort(heads.begin(), heads.end(), [](const Head& a, const Head& b) {
      return std::tie(a.ready_at, a.due.delivery.id) < std::tie(b.ready_at, b.due.delivery.id);
    });

    // The room `limit` leaves after the heads is shared evenly among them, in
    // claim order (as the SQLite store does).
    const std::size_t room = static_cast<std::size_t>(limit) - heads.size();
    const std::size_t share = heads.empty() ? 0 : room / heads.size();
    const std::size_t extra = heads.empty() ? 0 : room % heads.size();
    std::vector<std::string> asking_ids;
    std::vector<std::int64_t> asking_wants;
    std::vector<std::size_t> asking_head;  // position in `heads` of each asking head
    for (std::size_t i = 0; i < heads.size(); ++i) {
      const std::size_t want =
          std::min<std::size_t>(share + (i < extra ? 1 : 0), static_cast<std::size_t>(chain_depth - 1));
      if (want == 0 || heads[i].due.delivery.ordering_key.empty()) continue;
      asking_ids.push_back(heads[i].due.delivery.id);
      asking_wants.push_back(static_cast<std::int64_t>(want));
      asking_head.push_back(i);
    }
    std::vector<std::vector<DueDelivery>> followers(heads.size());
    if (!asking_ids.empty()) {
      static const std::string kFollowers = followers_sql();
      pqxx::result found = tx.exec_params(kFollowers, text_array(asking_ids), number_array(asking_wants));
      std::vector<bool> stopped(heads.size(), false);
      const std::int64_t now_ms = to_ms(now);
      for (const pqxx::row& row : found) {
        const std::size_t head =
            asking_head[static_cast<std::size_t>(integer(row[kDeliveryColumnCount + 2]) - 1)];
        if (stopped[head]) continue;
        auto delivery = delivery_from_row(PgRow(row));
        if (!delivery) return forward_error(delivery);
        // Chain order may not skip: stop at the first one not due or held by another claim.
        if (!delivery->next_attempt_at || to_ms(*delivery->next_attempt_at) > now_ms ||
            integer(row[kDeliveryColumnCount + 1]) > now_ms) {
          stopped[head] = true;
          continue;
        }
        followers[head].push_back(DueDelivery{std::move(*delivery), text(row[kDeliveryColumnCount]), true});
      }
    }
    std::vector<std::string> follower_ids;
    for (const auto& chain : followers) {
      for (const DueDelivery& due : chain) follower_ids.push_back(due.delivery.id);
    }
    if (!follower_ids.empty()) {
      // Lease them in this transaction. The conditions are checked again on
      // the newest row versions: should one have been settled meanwhile (a
      // late report of an expired lease), its chain is cut there.
      pqxx::result leased = tx.exec_params(
          "UPDATE deliveries SET lease_until = $2, lease_owner = $4 WHERE id = ANY($1::text[]) "
          "AND state = 'pending' AND lease_until <= $3 RETURNING id",
          text_array(follower_ids), to_ms(lease_until), to_ms(now), owner);
      if (leased.size() != follower_ids.size()) {
        std::unordered_set<std::string> ok;
        for (const pqxx::row& row : leased) ok.insert(text(row[0]));
        std::vector<std::string> give_back;
        for (auto& chain : followers) {
          auto cut = std::find_if(chain.begin(), chain.end(),
                                  [&](const DueDelivery& due) { return ok.count(due.delivery.id) == 0; });
          for (auto it = cut; it != chain.end(); ++it) {
            if (ok.count(it->delivery.id) != 0) give_back.push_back(it->delivery.id);
          }
          chain.erase(cut, chain.end());
        }
        if (!give_back.empty()) {
          tx.exec_params(
              "UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE id = ANY($1::text[])",
              text_array(give_back));
        }
      }
    }

    std::vector<DueDelivery> claimed;
    claimed.reserve(heads.size() + follower_ids.size());
    for (std::size_t i = 0; i < heads.size(); ++i) {
      claimed.push_back(std::move(heads[i].due));
      for (DueDelivery& due : followers[i]) claimed.push_back(std::move(due));
    }
    return claimed;
  });
  if (claimed) joined_.store(true);
  return claimed;
}

Result<void> PostgresStore::release_leases(const std::vector<LeaseRelease>& leases) {
  if (leases.empty()) return {};
  std::vector<std::string> ids;
  std::vector<std::int64_t> until;
  for (const LeaseRelease& lease : leases) {
    ids.push_back(lease.delivery_id);
    until.push_back(to_ms(lease.lease_until));
  }
  return transact([&](pqxx::work& tx) -> Result<void> {
    // Only a lease that is still ours: one that lapsed, or was released when
    // this node was thought dead, may be another node's now.
    tx.exec_params(
        "UPDATE deliveries d SET lease_until = 0, lease_owner = NULL "
        "FROM unnest($1::text[], $2::bigint[]) AS r(id, until) "
        "WHERE d.id = r.id AND d.lease_until = r.until AND (d.lease_owner IS NULL OR d.lease_owner = $3)",
        text_array(ids), number_array(until), node_id(TimePoint{}));
    return {};
  });
}

Result<void> PostgresStore::release_all_leases() {
  return transact([](pqxx::work& tx) -> Result<void> {
    tx.exec0("UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE lease_until <> 0");
    return {};
  });
}

Result<std::optional<TimePoint>> PostgresStore::next_due_time() {
  return read([](pqxx::work& tx) -> Result<std::optional<TimePoint>> {
    // The earliest time a chain head may next be claimed. A head that waits
    // for a redelivered earlier event's lease counts from its own time: the
    // engine then finds nothing yet and sleeps until a result wakes it.
    static const std::string kNextDue =
        "SELECT greatest(d.next_attempt_at, d.lease_until) FROM deliveries d "
        "WHERE d.state = 'pending' AND NOT d.blocked AND NOT d.paused "
        "AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.status = 'active') "
        "AND (d.ordering_key = '' OR NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.webhook_id = "
        "d.webhook_id "
        "AND p.ordering_key = d.ordering_key AND p.state = 'pending' AND (p.sequence, p.id) < (d.sequence, "
        "d.id))) "
        "ORDER BY greatest(d.next_attempt_at, d.lease_until) LIMIT 1";
    pqxx::result r = tx.exec(kNextDue);
    if (r.empty()) return std::optional<TimePoint>();
    return std::optional<TimePoint>(time(r[0][0]));
  });
}

Result<Page<model::Delivery>> PostgresStore::list_deliveries(const std::string& company_id,
                                                             const std::string& webhook_id,
                                                             std::optional<model::DeliveryState> state,
                                                             const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  std::optional<std::string> state_column;
  if (state) state_column = std::string(delivery_state_column(*state));
  return read([&](pqxx::work& tx) -> Result<Page<model::Delivery>> {
    // Newest first; the cursor is the last id seen, so the next page is below it.
    pqxx::result rows = tx.exec_params(
        "SELECT " + delivery_columns("d") +
            " FROM deliveries d WHERE d.company_id = $1 AND d.webhook_id = $2 "
            "AND ($3::text IS NULL OR d.state = $3::text) AND ($4 = '' OR d.id < $4) "
            "ORDER BY d.id DESC LIMIT $5",
        company_id, webhook_id, state_column, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    Page<model::Delivery> out;
    auto items = collect(rows, static_cast<std::size_t>(page.limit), &out.has_more);
    if (!items) return forward_error(items);
    out.items = std::move(*items);
    return out;
  });
}

Result<model::Delivery> PostgresStore::get_delivery(const std::string& company_id,
                                                    const std::string& delivery_id) {
  return read([&](pqxx::work& tx) -> Result<model::Delivery> {
    pqxx::result rows = tx.exec_params(
        "SELECT " + delivery_columns("d") + " FROM deliveries d WHERE d.id = $1 AND d.company_id = $2",
        delivery_id, company_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, "delivery not found");
    return delivery_from_row(PgRow(rows[0]));
  });
}

Result<std::vector<model::Delivery>> PostgresStore::list_event_deliveries(const std::string& company_id,
                                                                          const std::string& event_id) {
  return read([&](pqxx::work& tx) -> Result<std::vector<model::Delivery>> {
    pqxx::result rows = tx.exec_params("SELECT " + delivery_columns("d") +
                                           " FROM deliveries d WHERE d.event_id = $1 AND d.company_id = $2 "
                                           "ORDER BY d.id",
                                       event_id, company_id);
    return collect(rows, SIZE_MAX, nullptr);
  });
}

Result<model::Delivery> PostgresStore::redeliver(const std::string& company_id,
                                                 const std::string& delivery_id,
                                                 const std::string& new_delivery_id, TimePoint now) {
  return transact([&](pqxx::work& tx) -> Result<model::Delivery> {
    // FOR SHARE OF w: a concurrent status change waits for this transaction,
    // so its trigger sees (and pauses or resumes) the new delivery.
    pqxx::result original = tx.exec_params("SELECT " + delivery_columns("d") +
                                               ", w.status FROM deliveries d JOIN webhooks w ON w.company_id "
                                               "= d.company_id AND w.id = d.webhook_id "
                                               "WHERE d.id = $1 AND d.company_id = $2 FOR SHARE OF w",
                                           delivery_id, company_id);
    if (original.empty()) return make_error(ErrorCode::kNotFound, "delivery not found");
    auto delivery = delivery_from_row(PgRow(original[0]));
    if (!delivery) return forward_error(delivery);
    const bool paused = text(original[0][kDeliveryColumnCount]) != "active";

    model::Delivery created = model::redelivery_of(*delivery, new_delivery_id, now);
    // An earlier event's redelivery sorts before the chain's pending
    // deliveries: under the chain's lock it becomes the one unblocked head.
    const std::vector<Chain> chain{{created.company_id, created.webhook_id, created.ordering_key}};
    lock_chains(tx, chain);
    try {
      insert_pending(tx, {created}, paused);
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, "a delivery with id " + new_delivery_id + " exists");
    }
    normalize_chains(tx, chain);
    return created;
  });
}

}  // namespace switchboard::store::postgres
