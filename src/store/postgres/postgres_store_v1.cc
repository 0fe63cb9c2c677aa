// PostgresStore: calling webhooks v1 (migration 004): the legacy
// subscriptions, their delivery queue (claimed by every node with
// FOR UPDATE SKIP LOCKED and a lease, recorded, dropped) and its listing;
// and the v1 fan-out that ingest runs inside its own transaction.
#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {

namespace json = boost::json;

namespace {

constexpr std::string_view kV1WebhookColumns =
    "w.id, w.company_id, w.type, w.url, w.method, w.headers, w.query, w.fields, w.enabled, w.created_at, "
    "w.updated_at";

constexpr std::string_view kV1DeliveryColumns =
    "d.id, d.company_id, d.webhook_id, d.event_id, d.event_type, d.state, d.attempts, d.next_attempt_at, "
    "d.last_status_code, d.last_error, d.created_at, d.updated_at";
std::string select_v1_webhook(std::string_view where) {
  std::string out = "SELECT ";
  out += kV1WebhookColumns;
  out += " FROM v1_webhooks w ";
  out += where;
  return out;
}

}  // namespace

Result<const std::vector<V1SubscriberCache::Subscriber>*> V1SubscriberCache::get(
    pqxx::work& tx, const std::string& company_id) {
  auto it = by_company_.find(company_id);
  if (it != by_company_.end()) return &it->second;
  auto rows = tx.exec_params("SELECT id, type FROM v1_webhooks WHERE company_id = $1 AND enabled ORDER BY id",
                             company_id);
  std::vector<Subscriber> out;
  for (const pqxx::row& row : rows) {
    auto type = model::parse_v1_type(row[1].c_str());
    if (!type) return make_error(ErrorCode::kInternal, "malformed v1 webhook type");
    out.push_back(Subscriber{text(row[0]), *type});
  }
  return &by_company_.emplace(company_id, std::move(out)).first->second;
}

Result<int> queue_v1_deliveries(pqxx::work& tx, V1SubscriberCache& subscribers, const model::Event& event) {
  auto type = model::v1_type_for_event(event.type);
  if (!type) return 0;
  auto webhooks = subscribers.get(tx, event.company_id);
  if (!webhooks) return forward_error(webhooks);
  int created = 0;
  const std::int64_t at = to_ms(event.created_at);
  for (const auto& webhook : **webhooks) {
    if (webhook.type != *type) continue;
    tx.exec_params(
        "INSERT INTO v1_deliveries (id, company_id, webhook_id, event_id, event_type, state, "
        "next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $6)",
        new_id("v1dlv", event.created_at), event.company_id, webhook.id, event.id, event.type, at);
    ++created;
  }
  return created;
}

Result<void> PostgresStore::create_v1_webhook(const model::V1Webhook& webhook) {
  const V1Columns c = encode_v1_webhook(webhook, secrets_);
  return transact([&](pqxx::work& tx) -> Result<void> {
    try {
      tx.exec_params(
          "INSERT INTO v1_webhooks (id, company_id, type, url, method, headers, query, fields, enabled, "
          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          webhook.id, webhook.company_id, c.type, c.url, c.method, c.headers, c.query, c.fields, c.enabled,
          to_ms(webhook.created_at), to_ms(webhook.updated_at));
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, messages::kV1WebhookExists);
    } catch (const pqxx::foreign_key_violation&) {
      return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    }
    return {};
  });
}

Result<model::V1Webhook> PostgresStore::get_v1_webhook(const std::string& company_id,
                                                       const std::string& webhook_id) {
  return read([&](pqxx::work& tx) -> Result<model::V1Webhook> {
    auto rows =
        tx.exec_params(select_v1_webhook("WHERE w.company_id = $1 AND w.id = $2"), company_id, webhook_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, "v1 webhook not found");
    return v1_webhook_from_row(PgRow(rows[0]), secrets_);
  });
}

Result<Page<model::V1Webhook>> PostgresStore::list_v1_webhooks(const std::string& company_id,
                                                               const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) -> Result<Page<model::V1Webhook>> {
    auto rows =
        tx.exec_params(select_v1_webhook("WHERE w.company_id = $1 AND w.id > $2 ORDER BY w.id LIMIT $3"),
                       company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    Page<model::V1Webhook> out;
    for (const pqxx::row& row : rows) {
      if (out.items.size() == static_cast<std::size_t>(page.limit)) {
        out.has_more = true;
        break;
      }
      auto webhook = v1_webhook_from_row(PgRow(row), secrets_);
      if (!webhook) return forward_error(webhook);
      out.items.push_back(std::move(*webhook));
    }
    return out;
  });
}

Result<void> PostgresStore::update_v1_webhook(const model::V1Webhook& webhook) {
  const V1Columns c = encode_v1_webhook(webhook, secrets_);
  return transact([&](pqxx::work& tx) -> Result<void> {
    auto done = tx.exec_params(
        "UPDATE v1_webhooks SET type = $1, url = $2, method = $3, headers = $4, query = $5, fields = $6, "
        "enabled = $7, updated_at = $8 WHERE company_id = $9 AND id = $10",
        c.type, c.url, c.method, c.headers, c.query, c.fields, c.enabled, to_ms(webhook.updated_at),
        webhook.company_id, webhook.id);
    if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, "v1 webhook not found");
    return {};
  });
}

Result<void> PostgresStore::delete_v1_webhook(const std::string& company_id, const std::string& webhook_id) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    // Its deliveries go with it (ON DELETE CASCADE).
    auto done =
        tx.exec_params("DELETE FROM v1_webhooks WHERE company_id = $1 AND id = $2", company_id, webhook_id);
    if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, "v1 webhook not found");
    return {};
  });
}

Result<std::vector<V1DueDelivery>> PostgresStore::claim_due_v1_deliveries(TimePoint now, int limit,
                                                                          TimePoint lease_until) {
  if (auto valid = check_v1_claim(limit); !valid) return forward_error(valid);
  return transact([&](pqxx::work& tx) -> Result<std::vector<V1DueDelivery>> {
    // SKIP LOCKED: nodes claiming at the same time take disjoint rows instead
    // of queueing behind each other; the lease then hides the claimed rows
    // from later claims until it ends.
    auto rows = tx.exec_params(
        "WITH due AS ("
        "  SELECT d.id FROM v1_deliveries d JOIN v1_webhooks w ON w.id = d.webhook_id"
        "  WHERE d.state = 'pending' AND GREATEST(d.next_attempt_at, d.lease_until) <= $1 AND w.enabled"
        "  ORDER BY d.next_attempt_at, d.id LIMIT $2"
        "  FOR UPDATE OF d SKIP LOCKED) "
        "UPDATE v1_deliveries d SET lease_until = $3 FROM due, v1_webhooks w, events e "
        "WHERE d.id = due.id AND w.id = d.webhook_id AND e.id = d.event_id "
        "RETURNING " +
            std::string(kV1DeliveryColumns) + ", " + std::string(kV1WebhookColumns) + ", e.payload",
        to_ms(now), static_cast<std::int64_t>(limit), to_ms(lease_until));
    std::vector<V1DueDelivery> claimed;
    claimed.reserve(rows.size());
    for (const pqxx::row& row : rows) {
      V1DueDelivery due;
      due.delivery = v1_delivery_from_row(PgRow(row));
      auto webhook = v1_webhook_from_row(PgRow(row), secrets_, kV1DeliveryColumnCount);
      if (!webhook) return forward_error(webhook);
      due.spec = std::move(webhook->spec);
      due.payload = text(row[kV1DeliveryColumnCount + 11]);
      claimed.push_back(std::move(due));
    }
    // RETURNING has no order: restore "oldest due first".
    std::sort(claimed.begin(), claimed.end(), [](const V1DueDelivery& a, const V1DueDelivery& b) {
      if (a.delivery.next_attempt_at != b.delivery.next_attempt_at)
        return a.delivery.next_attempt_at < b.delivery.next_attempt_at;
      return a.delivery.id < b.delivery.id;
    });
    return claimed;
  });
}

Result<std::optional<TimePoint>> PostgresStore::next_v1_due_time() {
  return read([&](pqxx::work& tx) -> Result<std::optional<TimePoint>> {
    auto rows = tx.exec(
        "SELECT MIN(GREATEST(d.next_attempt_at, d.lease_until)) FROM v1_deliveries d "
        "JOIN v1_webhooks w ON w.id = d.webhook_id WHERE d.state = 'pending' AND w.enabled");
    if (rows.empty()) return std::optional<TimePoint>();
    return optional_time(rows[0][0]);
  });
}

Result<void> PostgresStore::record_v1_attempts(const std::vector<V1AttemptOutcome>& outcomes) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    for (const V1AttemptOutcome& o : outcomes) {
      const std::string state(v1_state_column_after(o));
      tx.exec_params(
          "UPDATE v1_deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = "
          "0, "
          "last_status_code = $3, last_error = $4, updated_at = $5 WHERE id = $6",
          state, to_ms(o.next_attempt_at.value_or(o.at)), o.status_code,
          o.delivered ? std::string() : o.error, to_ms(o.at), o.delivery_id);
    }
    return {};
  });
}

Result<Page<model::V1Delivery>> PostgresStore::list_v1_deliveries(const std::string& company_id,
                                                                  const std::string& webhook_id,
                                                                  std::optional<model::V1DeliveryState> state,
                                                                  const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) -> Result<Page<model::V1Delivery>> {
    std::optional<std::string> state_text;
    if (state) state_text = std::string(model::to_string(*state));
    auto rows = tx.exec_params(
        "SELECT " + std::string(kV1DeliveryColumns) +
            " FROM v1_deliveries d WHERE d.company_id = $1 AND d.webhook_id = $2 "
            "AND ($3::text IS NULL OR d.state = $3::text) AND ($4::text = '' OR d.id < $4::text) "
            "ORDER BY d.id DESC LIMIT $5",
        company_id, webhook_id, state_text, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    Page<model::V1Delivery> out;
    for (const pqxx::row& row : rows) {
      if (out.items.size() == static_cast<std::size_t>(page.limit)) {
        out.has_more = true;
        break;
      }
      out.items.push_back(v1_delivery_from_row(PgRow(row)));
    }
    return out;
  });
}

}  // namespace switchboard::store::postgres
