// SqliteStore: recording attempt results (delivery state, failure log,
// subscription health) and reading the failure log.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/retry_policy.h"
#include "store/common/attempt_codec.h"
#include "store/sqlite/sqlite_delivery_queue.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/sqlite/sqlite_store_stats.h"

namespace switchboard::store::sqlite {
namespace {

// What recording needs of the delivery and its webhook, read in the write
// transaction (the row is authoritative for company, webhook and event).
struct Target {
  std::string company_id, webhook_id, event_id, event_type, ordering_key;
  bool blocked = false;
  std::string webhook_status;
  std::int64_t consecutive_exhausted = 0;
};

Result<std::optional<Target>> find_target(Connection& connection, const std::string& delivery_id) {
  auto query = connection.query(
      "SELECT d.company_id, d.webhook_id, d.event_id, d.event_type, d.ordering_key, d.blocked, w.status, "
      "w.consecutive_exhausted "
      "FROM deliveries d JOIN webhooks w ON w.company_id = d.company_id AND w.id = d.webhook_id "
      "WHERE d.id = ? AND d.state = 'pending'",
      delivery_id);
  if (!query) return forward_error(query);
  auto found = query->step();
  if (!found) return forward_error(found);
  if (!*found) return std::optional<Target>();
  return std::optional<Target>(Target{query->text(0), query->text(1), query->text(2), query->text(3),
                                      query->text(4), query->boolean(5), query->text(6), query->integer(7)});
}

Result<void> run(Result<Statement> statement) {
  if (!statement) return forward_error(statement);
  return statement->run();
}

// The delivery's request as its first failed attempt sent it: written by
// that attempt, read back by every later one (attempt_codec.h).
struct RequestTemplate {
  std::string url, headers;
};

Result<RequestTemplate> request_template(Connection& connection, const model::Attempt& a) {
  if (auto done = run(connection.query(
          "INSERT INTO delivery_requests (delivery_id, url, headers) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
          a.delivery_id, a.request_url, a.request_headers));
      !done) {
    return forward_error(done);
  }
  auto query =
      connection.query("SELECT url, headers FROM delivery_requests WHERE delivery_id = ?", a.delivery_id);
  if (!query) return forward_error(query);
  auto found = query->step();
  if (!found) return forward_error(found);
  if (!*found) return make_error(ErrorCode::kInternal, "delivery request template missing");
  return RequestTemplate{query->text(0), query->text(1)};
}

// One row of the failure log: only what is particular to this attempt, in
// the compact encodings of attempt_codec.h. The body is kept only when it is
// not the event's payload (compared in SQL).
Result<void> insert_failure(Connection& connection, const model::Attempt& a, const Target& target) {
  auto shared = request_template(connection, a);
  if (!shared) return forward_error(shared);
  StoredRequest request = compact_request(shared->url, shared->headers, a.request_url, a.request_headers);
  auto done = run(connection.query(
      "INSERT INTO attempts (id, webhook_id, delivery_id, attempt, at, status_code, error, error_message, "
      "latency_us, request_url, request_headers, request_body, response_headers, response_body) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
      "CASE WHEN ?12 = (SELECT payload FROM events WHERE id = ?13) THEN NULL ELSE ?12 END, ?14, ?15)",
      a.id, target.webhook_id, a.delivery_id, a.attempt, a.at, a.status_code, attempt_error_code(a.error),
      compact_error_message(a.error, a.status_code, a.error_message), latency_column(a.latency_ms),
      request.url, request.headers, a.request_body, target.event_id, a.response_headers, a.response_body));
  if (!done && done.error().code == ErrorCode::kConflict) {
    return make_error(ErrorCode::kConflict, "an attempt with id " + a.id + " exists");
  }
  return done;
}

Result<void> record_one(Connection& connection, const AttemptOutcome& outcome) {
  const model::Attempt& a = outcome.attempt;
  auto target = find_target(connection, a.delivery_id);
  if (!target) return forward_error(target);
  // Deleted meanwhile (with its webhook), or already settled by an earlier
  // report of the same delivery (at-least-once): nothing to record.
  if (!*target) return {};

  if (a.success) {
    if (auto done = run(connection.query(
            "UPDATE deliveries SET state = 'delivered', attempts = ?, last_status_code = ?, last_error = '', "
            "next_attempt_at = NULL, lease_until = 0, updated_at = ? WHERE id = ?",
            a.attempt, a.status_code, a.at, a.delivery_id));
        !done) {
      return done;
    }
    if ((*target)->consecutive_exhausted == 0) return {};  // spare the write
    return run(connection.query("UPDATE webhooks SET consecutive_exhausted = 0 WHERE id = ?",
                                (*target)->webhook_id));
  }

  if (auto logged = insert_failure(connection, a, **target); !logged) return logged;
  if (outcome.disables_webhook) {
    // 410 Gone: out of service at once (the status trigger pauses its queue).
    if (auto done = run(connection.query(
            "UPDATE webhooks SET status = 'inactive', disabled_reason = ?, updated_at = ? WHERE id = ?",
            std::string(model::to_string(model::DisabledReason::kGone)), a.at, (*target)->webhook_id));
        !done) {
      return done;
    }
    (*target)->webhook_status = "inactive";
  }
  const std::string error_class(attempt_error_column(a.error));
  if (outcome.next_attempt_at) {
    if (auto done = run(connection.query(
            "UPDATE deliveries SET attempts = ?, last_status_code = ?, last_error = ?, next_attempt_at = ?, "
            "lease_until = 0, updated_at = ? WHERE id = ?",
            a.attempt, a.status_code, error_class, *outcome.next_attempt_at, a.at, a.delivery_id));
        !done) {
      return done;
    }
    if ((*target)->blocked) return {};
    return yield_chain_head(connection, a.delivery_id, (*target)->webhook_id, (*target)->ordering_key);
  }
  if (auto done = run(connection.query(
          "UPDATE deliveries SET state = 'exhausted', attempts = ?, last_status_code = ?, last_error = ?, "
          "next_attempt_at = NULL, lease_until = 0, updated_at = ? WHERE id = ?",
          a.attempt, a.status_code, error_class, a.at, a.delivery_id));
      !done) {
    return done;
  }
  // Health (spec §4): the status trigger pauses a failed webhook's queue. A
  // delivery that did not have its whole schedule leaves the count as it is.
  if (!outcome.counts_toward_failure) return {};
  const std::int64_t exhausted = (*target)->consecutive_exhausted + 1;
  const bool mark_failed =
      model::should_mark_failed(static_cast<int>(exhausted)) && (*target)->webhook_status == "active";
  return run(connection.query(
      "UPDATE webhooks SET consecutive_exhausted = ?, status = CASE WHEN ? THEN 'failed' ELSE status END "
      "WHERE id = ?",
      exhausted, mark_failed, (*target)->webhook_id));
}

}  // namespace

Result<void> SqliteStore::record_attempts(const std::vector<AttemptOutcome>& outcomes) {
  for (const AttemptOutcome& outcome : outcomes) {
    if (auto valid = check_outcome(outcome); !valid) return valid;
  }
  if (outcomes.empty()) return {};
  // All or nothing: a rejected outcome (e.g. a reused attempt id) fails the
  // batch, whose deliveries are then retried when their leases expire.
  return write([&](Connection& connection) -> Result<void> {
    if (auto rolled_up = record_health_rollup(connection, outcomes); !rolled_up) return rolled_up;
    for (const AttemptOutcome& outcome : outcomes) {
      if (auto recorded = record_one(connection, outcome); !recorded) return recorded;
    }
    return {};
  });
}

Result<Page<model::Attempt>> SqliteStore::list_failed_attempts(const AttemptQuery& q) {
  if (auto valid = check_page(q.page); !valid) return forward_error(valid);
  std::optional<std::int64_t> error_class;
  if (q.error) error_class = attempt_error_code(*q.error);
  Page<model::Attempt> result;
  auto items = read([&](Connection& connection) -> Result<std::vector<model::Attempt>> {
    // Newest first; the cursor is the last id seen, so the next page is below it.
    std::string sql = "SELECT " + std::string(kAttemptListColumns) + std::string(kAttemptFrom) +
                      "WHERE a.webhook_id = ?2 AND d.company_id = ?1 "
                      "AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL OR a.at < ?4) "
                      "AND (?5 IS NULL OR d.event_type = ?5) AND (?6 IS NULL OR a.status_code = ?6) "
                      "AND (?7 IS NULL OR a.error = ?7) ";
    if (!q.page.after_id.empty()) sql += "AND a.id < ?9 ";
    sql += "ORDER BY a.id DESC LIMIT ?8";
    auto query = connection.prepare(sql);
    if (!query) return forward_error(query);
    query->bind(1, q.company_id);
    query->bind(2, q.webhook_id);
    query->bind(3, q.since);
    query->bind(4, q.until);
    query->bind(5, q.event_type);
    query->bind(6, q.status_code);
    query->bind(7, error_class);
    query->bind(8, static_cast<std::int64_t>(q.page.limit) + 1);
    if (!q.page.after_id.empty()) query->bind(9, q.page.after_id);
    std::vector<model::Attempt> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      if (out.size() == static_cast<std::size_t>(q.page.limit)) {
        result.has_more = true;
        return out;
      }
      auto attempt = attempt_from_row(*query);
      if (!attempt) return forward_error(attempt);
      out.push_back(std::move(*attempt));
    }
  });
  if (!items) return forward_error(items);
  result.items = std::move(*items);
  return result;
}

Result<model::Attempt> SqliteStore::get_attempt(const std::string& company_id, const std::string& webhook_id,
                                                const std::string& attempt_id) {
  return read([&](Connection& connection) -> Result<model::Attempt> {
    auto query = connection.query("SELECT " + std::string(kAttemptColumns) + std::string(kAttemptFrom) +
                                      "WHERE a.id = ? AND d.company_id = ? AND a.webhook_id = ?",
                                  attempt_id, company_id, webhook_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "attempt not found");
    return attempt_from_row(*query);
  });
}

}  // namespace switchboard::store::sqlite
