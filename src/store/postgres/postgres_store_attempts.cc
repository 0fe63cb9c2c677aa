// PostgresStore: recording attempt results (delivery state, failure log,
// subscription health) and reading the failure log.
//
// record_attempts() is one transaction for the batch and a fixed number of
// statements whatever its size: lock the deliveries, lock the webhooks whose
// health changes, then one set-based INSERT (failures) and one UPDATE per
// table, fed with arrays (unnest).
//
// Across nodes: the deliveries are locked FOR UPDATE (in id order) and read
// with `state = 'pending'`, so of two nodes reporting the same delivery (an
// expired lease made it go out twice) the second sees it settled and skips
// it. A delivery leased to another node (this one was declared stale and its
// leases were taken over: postgres_store_nodes.cc) is skipped the same way.
// A webhook's consecutive_exhausted is read under FOR NO KEY UPDATE, so
// concurrent batches count every exhausted delivery.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/retry_policy.h"
#include "store/common/attempt_codec.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/postgres/postgres_store_stats.h"

namespace switchboard::store::postgres {
namespace {

// What recording needs of a pending delivery, read under its row lock (the
// row is authoritative for company, webhook and event).
struct Target {
  std::string company_id, webhook_id, event_id, event_type, ordering_key;
  std::int64_t consecutive_exhausted = 0;
};

// A webhook's health as this batch changes it.
struct Health {
  std::string status;
  std::int64_t consecutive_exhausted = 0;
  bool changed = false;
  bool gone = false;  // a 410 disabled it (disabled_reason 'gone')
};

// The final state of a delivery after the batch, one row of the UPDATE.
struct DeliveryUpdate {
  std::string id, state, last_error;
  std::int64_t attempts = 0;
  std::optional<std::int64_t> status_code, next_attempt_at;
  std::int64_t updated_at = 0;
};

// Columns of the failure log, one vector per column, for unnest(): only what
// is particular to each attempt (attempt_codec.h). request_body goes in as
// sent and is stored NULL when it is the event's payload (compared in SQL).
struct FailureRows {
  std::vector<std::string> id, webhook_id, delivery_id, event_id, request_headers, request_body,
      response_headers, response_body;
  std::vector<std::optional<std::string>> request_url, error_message;
  std::vector<std::int64_t> attempt, at, error, latency_us;
  std::vector<std::optional<std::int64_t>> status_code;
  std::vector<const model::Attempt*> pending;  // added, not yet compacted

  void add(const model::Attempt& a, const Target& target) {
    id.push_back(a.id);
    webhook_id.push_back(target.webhook_id);
    delivery_id.push_back(a.delivery_id);
    event_id.push_back(target.event_id);
    attempt.push_back(a.attempt);
    at.push_back(to_ms(a.at));
    status_code.push_back(a.status_code ? std::optional<std::int64_t>(*a.status_code) : std::nullopt);
    error.push_back(attempt_error_code(a.error));
    error_message.push_back(compact_error_message(a.error, a.status_code, a.error_message));
    latency_us.push_back(latency_column(a.latency_ms));
    request_body.push_back(a.request_body);
    response_headers.push_back(a.response_headers);
    response_body.push_back(a.response_body);
    pending.push_back(&a);
  }
};

// Each delivery's request as its first failed attempt sent it: written by
// that attempt (the first of the batch when none is stored), then every
// failure of the batch is kept as what differs from it.
void compact_requests(pqxx::work& tx, FailureRows& failures) {
  std::vector<std::string> ids, urls, headers;
  std::map<std::string, bool> seen;
  for (const model::Attempt* a : failures.pending) {
    if (!seen.emplace(a->delivery_id, true).second) continue;
    ids.push_back(a->delivery_id);
    urls.push_back(a->request_url);
    headers.push_back(a->request_headers);
  }
  tx.exec_params(
      "INSERT INTO delivery_requests (delivery_id, url, headers) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING",
      text_array(ids), text_array(urls), text_array(headers));
  std::map<std::string, std::pair<std::string, std::string>> shared;
  for (const pqxx::row& row : tx.exec_params(
           "SELECT delivery_id, url, headers FROM delivery_requests WHERE delivery_id = ANY($1::text[])",
           text_array(ids))) {
    shared[text(row[0])] = {text(row[1]), text(row[2])};
  }
  for (const model::Attempt* a : failures.pending) {
    const auto& [url, request_headers] = shared[a->delivery_id];
    StoredRequest request = compact_request(url, request_headers, a->request_url, a->request_headers);
    failures.request_url.push_back(std::move(request.url));
    failures.request_headers.push_back(std::move(request.headers));
  }
}

Result<void> record_batch(pqxx::work& tx, const std::vector<AttemptOutcome>& outcomes,
                          const std::string& node_id) {
  // 1. Lock the pending deliveries of the batch, in id order (two batches
  //    sharing deliveries then queue instead of deadlocking).
  std::vector<std::string> ids;
  for (const AttemptOutcome& o : outcomes) ids.push_back(o.attempt.delivery_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  pqxx::result locked = tx.exec_params(
      "SELECT d.id, d.company_id, d.webhook_id, d.event_id, d.event_type, d.ordering_key, "
      "w.consecutive_exhausted "
      "FROM deliveries d JOIN webhooks w ON w.company_id = d.company_id AND w.id = d.webhook_id "
      "WHERE d.id = ANY($1::text[]) AND d.state = 'pending' "
      "AND (d.lease_owner IS NULL OR d.lease_owner = $2) ORDER BY d.id FOR UPDATE OF d",
      text_array(ids), node_id);
  // Deleted meanwhile (with its webhook), already settled by an earlier
  // report of the same delivery (at-least-once), or leased to another node
  // since this node was thought dead (that node's attempt decides; recording
  // ours could let the chain advance under its attempt): not found here,
  // skipped. A lease released and not yet claimed again is recorded.
  std::unordered_map<std::string, Target> targets;
  for (const pqxx::row& row : locked) {
    targets.emplace(text(row[0]), Target{text(row[1]), text(row[2]), text(row[3]), text(row[4]), text(row[5]),
                                         integer(row[6])});
  }
  if (targets.empty()) return {};
  record_health_rollup(tx, outcomes, node_id);  // before the states change (postgres_store_stats.h)

  // 2. Lock the webhooks whose health this batch may change: any exhausted
  //    delivery, or a success while the count is not 0 (the common case, a
  //    success on a healthy webhook, locks nothing).
  std::vector<std::string> health_ids;
  for (const AttemptOutcome& o : outcomes) {
    auto it = targets.find(o.attempt.delivery_id);
    if (it == targets.end()) continue;
    const bool counted_exhaustion = !o.attempt.success && !o.next_attempt_at && o.counts_toward_failure;
    if (counted_exhaustion || o.disables_webhook ||
        (o.attempt.success && it->second.consecutive_exhausted != 0)) {
      health_ids.push_back(it->second.webhook_id);
    }
  }
  std::sort(health_ids.begin(), health_ids.end());
  health_ids.erase(std::unique(health_ids.begin(), health_ids.end()), health_ids.end());
  std::map<std::string, Health> health;
  if (!health_ids.empty()) {
    pqxx::result rows = tx.exec_params(
        "SELECT id, status, consecutive_exhausted FROM webhooks WHERE id = ANY($1::text[]) ORDER BY id "
        "FOR NO KEY UPDATE",
        text_array(health_ids));
    for (const pqxx::row& row : rows) health[text(row[0])] = Health{text(row[1]), integer(row[2]), false};
  }

  // 3. Apply the outcomes in order, as the SQLite store does one by one.
  std::map<std::string, DeliveryUpdate> updates;  // by delivery id
  FailureRows failures;
  for (const AttemptOutcome& o : outcomes) {
    const model::Attempt& a = o.attempt;
    auto target = targets.find(a.delivery_id);
    if (target == targets.end()) continue;
    auto previous = updates.find(a.delivery_id);
    if (previous != updates.end() && previous->second.state != "pending")
      continue;  // settled earlier in the batch
    DeliveryUpdate u;
    u.id = a.delivery_id;
    u.attempts = a.attempt;
    if (a.status_code) u.status_code = *a.status_code;
    u.updated_at = to_ms(a.at);
    auto webhook = health.find(target->second.webhook_id);
    if (a.success) {
      u.state = "delivered";
      if (webhook != health.end() && webhook->second.consecutive_exhausted != 0) {
        webhook->second.consecutive_exhausted = 0;
        webhook->second.changed = true;
      }
    } else {
      failures.add(a, target->second);
      u.last_error = std::string(attempt_error_column(a.error));
      if (o.disables_webhook && webhook != health.end()) {
        // 410 Gone: out of service at once (the status trigger pauses its queue).
        webhook->second.status = "inactive";
        webhook->second.gone = true;
        webhook->second.changed = true;
      }
      if (o.next_attempt_at) {
        u.state = "pending";
        u.next_attempt_at = to_ms(*o.next_attempt_at);
      } else {
        u.state = "exhausted";
        // Health (spec §4): failed once model::should_mark_failed says so,
        // only from active; the status trigger then pauses its queue. A
        // delivery that did not have its whole schedule leaves the count as it is.
        if (webhook != health.end() && o.counts_toward_failure) {
          Health& h = webhook->second;
          h.consecutive_exhausted += 1;
          h.changed = true;
          if (model::should_mark_failed(static_cast<int>(h.consecutive_exhausted)) && h.status == "active") {
            h.status = "failed";
          }
        }
      }
    }
    updates[a.delivery_id] = std::move(u);
  }

  // 4. The failure log.
  if (!failures.id.empty()) {
    compact_requests(tx, failures);
    try {
      tx.exec_params(
          "INSERT INTO attempts (id, webhook_id, delivery_id, attempt, at, status_code, error, "
          "error_message, "
          "latency_us, request_url, request_headers, request_body, response_headers, response_body) "
          "SELECT u.id, u.webhook_id, u.delivery_id, u.attempt, u.at, u.status_code, u.error, "
          "u.error_message, "
          "u.latency_us, u.request_url, u.request_headers, "
          "CASE WHEN u.request_body = e.payload THEN NULL ELSE u.request_body END, u.response_headers, "
          "u.response_body "
          "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::int[], "
          "$8::smallint[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[], "
          "$15::text[]) AS u(id, webhook_id, delivery_id, event_id, attempt, at, status_code, error, "
          "error_message, latency_us, request_url, request_headers, request_body, response_headers, "
          "response_body) LEFT JOIN events e ON e.id = u.event_id",
          text_array(failures.id), text_array(failures.webhook_id), text_array(failures.delivery_id),
          text_array(failures.event_id), number_array(failures.attempt), number_array(failures.at),
          number_array(failures.status_code), number_array(failures.error),
          optional_text_array(failures.error_message), number_array(failures.latency_us),
          optional_text_array(failures.request_url), text_array(failures.request_headers),
          text_array(failures.request_body), text_array(failures.response_headers),
          text_array(failures.response_body));
    } catch (const pqxx::unique_violation& e) {
      // All or nothing: a reused attempt id fails the batch, whose deliveries
      // are then retried when their leases expire.
      return make_error(ErrorCode::kConflict, std::string("an attempt id of the batch exists: ") + e.what());
    }
  }

  // 5. Deliveries: their new state, and their leases cleared.
  std::vector<std::string> u_id, u_state, u_error;
  std::vector<std::int64_t> u_attempts, u_updated;
  std::vector<std::optional<std::int64_t>> u_status, u_next;
  for (const auto& [id, u] : updates) {
    u_id.push_back(u.id);
    u_state.push_back(u.state);
    u_error.push_back(u.last_error);
    u_attempts.push_back(u.attempts);
    u_updated.push_back(u.updated_at);
    u_status.push_back(u.status_code);
    u_next.push_back(u.next_attempt_at);
  }
  tx.exec_params(
      "UPDATE deliveries d SET state = u.state, attempts = u.attempts, last_status_code = u.status_code, "
      "last_error = u.last_error, next_attempt_at = u.next_attempt_at, lease_until = 0, lease_owner = NULL, "
      "updated_at = "
      "u.updated_at "
      "FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::bigint[], $7::bigint[]) "
      "AS u(id, state, attempts, status_code, last_error, next_attempt_at, updated_at) WHERE d.id = u.id",
      text_array(u_id), text_array(u_state), number_array(u_attempts), number_array(u_status),
      text_array(u_error), number_array(u_next), number_array(u_updated));

  // 6. Chains whose head left `pending`: the next one becomes their head
  //    (under the chain's lock, taken after the delivery locks).
  std::vector<Chain> settled;
  for (const auto& [id, u] : updates) {
    if (u.state == "pending") continue;
    const Target& target = targets.at(id);
    if (!target.ordering_key.empty())
      settled.push_back(Chain{target.company_id, target.webhook_id, target.ordering_key});
  }
  normalize_chains(tx, std::move(settled));

  // 7. Webhook health.
  std::vector<std::string> h_id, h_status;
  std::vector<std::int64_t> h_count, h_gone;
  for (const auto& [id, h] : health) {
    if (!h.changed) continue;
    h_id.push_back(id);
    h_status.push_back(h.status);
    h_count.push_back(h.consecutive_exhausted);
    h_gone.push_back(h.gone ? 1 : 0);
  }
  if (!h_id.empty()) {
    tx.exec_params(
        "UPDATE webhooks w SET consecutive_exhausted = u.consecutive_exhausted, status = u.status, "
        "disabled_reason = CASE WHEN u.gone = 1 THEN $5 ELSE w.disabled_reason END "
        "FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS u(id, status, consecutive_exhausted, "
        "gone) WHERE w.id = u.id",
        text_array(h_id), text_array(h_status), number_array(h_count), number_array(h_gone),
        std::string(model::to_string(model::DisabledReason::kGone)));
  }
  return {};
}

}  // namespace

Result<void> PostgresStore::record_attempts(const std::vector<AttemptOutcome>& outcomes) {
  for (const AttemptOutcome& outcome : outcomes) {
    if (auto valid = check_outcome(outcome); !valid) return valid;
  }
  if (outcomes.empty()) return {};
  const std::string& node = node_id(outcomes.front().attempt.at);
  return transact([&](pqxx::work& tx) -> Result<void> { return record_batch(tx, outcomes, node); });
}

Result<Page<model::Attempt>> PostgresStore::list_failed_attempts(const AttemptQuery& q) {
  if (auto valid = check_page(q.page); !valid) return forward_error(valid);
  std::optional<std::int64_t> error_class;
  if (q.error) error_class = attempt_error_code(*q.error);
  return read([&](pqxx::work& tx) -> Result<Page<model::Attempt>> {
    // Newest first; the cursor is the last id seen, so the next page is below it.
    pqxx::result rows = tx.exec_params(
        "SELECT " + std::string(kAttemptListColumns) + std::string(kAttemptFrom) +
            "WHERE d.company_id = $1 AND a.webhook_id = $2 "
            "AND ($3::bigint IS NULL OR a.at >= $3::bigint) AND ($4::bigint IS NULL OR a.at < $4::bigint) "
            "AND ($5::text IS NULL OR d.event_type = $5::text) AND ($6::int IS NULL OR a.status_code = "
            "$6::int) "
            "AND ($7::smallint IS NULL OR a.error = $7::smallint) AND ($8 = '' OR a.id < $8) "
            "ORDER BY a.id DESC LIMIT $9",
        q.company_id, q.webhook_id, to_ms(q.since), to_ms(q.until), q.event_type, q.status_code, error_class,
        q.page.after_id, static_cast<std::int64_t>(q.page.limit) + 1);
    Page<model::Attempt> out;
    for (const pqxx::row& row : rows) {
      if (out.items.size() == static_cast<std::size_t>(q.page.limit)) {
        out.has_more = true;
        break;
      }
      auto attempt = attempt_from_row(PgRow(row));
      if (!attempt) return forward_error(attempt);
      out.items.push_back(std::move(*attempt));
    }
    return out;
  });
}

Result<model::Attempt> PostgresStore::get_attempt(const std::string& company_id,
                                                  const std::string& webhook_id,
                                                  const std::string& attempt_id) {
  return read([&](pqxx::work& tx) -> Result<model::Attempt> {
    pqxx::result rows = tx.exec_params("SELECT " + std::string(kAttemptColumns) + std::string(kAttemptFrom) +
                                           "WHERE a.id = $1 AND d.company_id = $2 AND a.webhook_id = $3",
                                       attempt_id, company_id, webhook_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, "attempt not found");
    return attempt_from_row(PgRow(rows[0]));
  });
}

}  // namespace switchboard::store::postgres
