// SqliteStore: calling webhooks v1 (migration 004): the legacy subscriptions,
// their delivery queue (claim with a lease, record, drop) and its listing.
#include "store/sqlite/sqlite_store_v1.h"

#include <boost/json.hpp>

#include "common/ids.h"
#include "common/result.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {

namespace json = boost::json;

namespace {

constexpr std::string_view kSelectV1Webhook =
    "SELECT id, company_id, type, url, method, headers, query, fields, enabled, created_at, updated_at "
    "FROM v1_webhooks ";

constexpr std::string_view kSelectV1Delivery =
    "SELECT d.id, d.company_id, d.webhook_id, d.event_id, d.event_type, d.state, d.attempts, "
    "d.next_attempt_at, d.last_status_code, d.last_error, d.created_at, d.updated_at ";

}  // namespace

Result<const std::vector<V1SubscriberCache::Subscriber>*> V1SubscriberCache::get(
    Connection& connection, const std::string& company_id) {
  auto it = by_company_.find(company_id);
  if (it != by_company_.end()) return &it->second;
  auto query = connection.query(
      "SELECT id, type FROM v1_webhooks WHERE company_id = ? AND enabled = 1 ORDER BY id", company_id);
  if (!query) return forward_error(query);
  std::vector<Subscriber> out;
  for (;;) {
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) break;
    auto type = model::parse_v1_type(query->text(1));
    if (!type) return make_error(ErrorCode::kInternal, "malformed v1 webhook type");
    out.push_back(Subscriber{query->text(0), *type});
  }
  return &by_company_.emplace(company_id, std::move(out)).first->second;
}

Result<int> queue_v1_deliveries(Connection& connection, V1SubscriberCache& subscribers,
                                const model::Event& event) {
  auto type = model::v1_type_for_event(event.type);
  if (!type) return 0;
  auto webhooks = subscribers.get(connection, event.company_id);
  if (!webhooks) return forward_error(webhooks);
  int created = 0;
  for (const auto& webhook : **webhooks) {
    if (webhook.type != *type) continue;
    auto insert = connection.query(
        "INSERT INTO v1_deliveries (id, company_id, webhook_id, event_id, event_type, state, "
        "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        new_id("v1dlv", event.created_at), event.company_id, webhook.id, event.id, event.type,
        event.created_at, event.created_at, event.created_at);
    if (!insert) return forward_error(insert);
    if (auto done = insert->run(); !done) return forward_error(done);
    ++created;
  }
  return created;
}

Result<void> SqliteStore::create_v1_webhook(const model::V1Webhook& webhook) {
  V1Columns c = encode_v1_webhook(webhook, secrets_);
  return write([&](Connection& connection) -> Result<void> {
    auto insert = connection.query(
        "INSERT INTO v1_webhooks (id, company_id, type, url, method, headers, query, fields, enabled, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        webhook.id, webhook.company_id, c.type, c.url, c.method, c.headers, c.query, c.fields, c.enabled,
        webhook.created_at, webhook.updated_at);
    if (!insert) return forward_error(insert);
    if (auto done = insert->run(); !done) {
      Error error = messages::explain(done.error(), ErrorCode::kConflict, messages::kV1WebhookExists);
      return tl::unexpected(
          messages::explain(std::move(error), ErrorCode::kNotFound, messages::kCompanyNotFound));
    }
    return {};
  });
}

Result<model::V1Webhook> SqliteStore::get_v1_webhook(const std::string& company_id,
                                                     const std::string& webhook_id) {
  return read([&](Connection& connection) -> Result<model::V1Webhook> {
    auto query = connection.query(std::string(kSelectV1Webhook) + "WHERE company_id = ? AND id = ?",
                                  company_id, webhook_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "v1 webhook not found");
    return v1_webhook_from_row(*query, secrets_);
  });
}

Result<Page<model::V1Webhook>> SqliteStore::list_v1_webhooks(const std::string& company_id,
                                                             const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](Connection& connection) -> Result<Page<model::V1Webhook>> {
    auto query = connection.query(
        std::string(kSelectV1Webhook) + "WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?", company_id,
        page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return forward_error(query);
    Page<model::V1Webhook> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      if (out.items.size() == static_cast<std::size_t>(page.limit)) {
        out.has_more = true;
        return out;
      }
      auto webhook = v1_webhook_from_row(*query, secrets_);
      if (!webhook) return forward_error(webhook);
      out.items.push_back(std::move(*webhook));
    }
  });
}

Result<void> SqliteStore::update_v1_webhook(const model::V1Webhook& webhook) {
  V1Columns c = encode_v1_webhook(webhook, secrets_);
  return write([&](Connection& connection) -> Result<void> {
    auto update = connection.query(
        "UPDATE v1_webhooks SET type = ?, url = ?, method = ?, headers = ?, query = ?, fields = ?, "
        "enabled = ?, updated_at = ? WHERE company_id = ? AND id = ?",
        c.type, c.url, c.method, c.headers, c.query, c.fields, c.enabled, webhook.updated_at,
        webhook.company_id, webhook.id);
    if (!update) return forward_error(update);
    if (auto done = update->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "v1 webhook not found");
    return {};
  });
}

Result<void> SqliteStore::delete_v1_webhook(const std::string& company_id, const std::string& webhook_id) {
  return write([&](Connection& connection) -> Result<void> {
    auto remove =
        connection.query("DELETE FROM v1_webhooks WHERE company_id = ? AND id = ?", company_id, webhook_id);
    if (!remove) return forward_error(remove);
    if (auto done = remove->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "v1 webhook not found");
    return {};
  });
}

Result<std::vector<V1DueDelivery>> SqliteStore::claim_due_v1_deliveries(TimePoint now, int limit,
                                                                        TimePoint lease_until) {
  if (auto valid = check_v1_claim(limit); !valid) return forward_error(valid);
  std::vector<V1DueDelivery> claimed;
  auto written = write([&](Connection& connection) -> Result<void> {
    claimed.clear();
    {
      auto query = connection.query(
          std::string(kSelectV1Delivery) +
              ", w.id, w.company_id, w.type, w.url, w.method, w.headers, w.query, w.fields, w.enabled, "
              "w.created_at, w.updated_at, e.payload "
              "FROM v1_deliveries d JOIN v1_webhooks w ON w.id = d.webhook_id "
              "JOIN events e ON e.id = d.event_id "
              "WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.lease_until <= ? AND w.enabled = 1 "
              "ORDER BY d.next_attempt_at, d.id LIMIT ?",
          now, now, static_cast<std::int64_t>(limit));
      if (!query) return forward_error(query);
      for (;;) {
        auto found = query->step();
        if (!found) return forward_error(found);
        if (!*found) break;
        V1DueDelivery due;
        due.delivery = v1_delivery_from_row(*query);
        auto webhook = v1_webhook_from_row(*query, secrets_, kV1DeliveryColumnCount);
        if (!webhook) return forward_error(webhook);
        due.spec = std::move(webhook->spec);
        due.payload = query->text(23);
        claimed.push_back(std::move(due));
      }
    }
    for (const V1DueDelivery& due : claimed) {
      auto lease = connection.query("UPDATE v1_deliveries SET lease_until = ? WHERE id = ?", lease_until,
                                    due.delivery.id);
      if (!lease) return forward_error(lease);
      if (auto done = lease->run(); !done) return done;
    }
    return {};
  });
  if (!written) return forward_error(written);
  return claimed;
}

Result<std::optional<TimePoint>> SqliteStore::next_v1_due_time() {
  return read([&](Connection& connection) -> Result<std::optional<TimePoint>> {
    auto query = connection.query(
        "SELECT MIN(MAX(d.next_attempt_at, d.lease_until)) FROM v1_deliveries d "
        "JOIN v1_webhooks w ON w.id = d.webhook_id WHERE d.state = 'pending' AND w.enabled = 1");
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return std::optional<TimePoint>();
    return query->optional_time(0);
  });
}

Result<void> SqliteStore::record_v1_attempts(const std::vector<V1AttemptOutcome>& outcomes) {
  return write([&](Connection& connection) -> Result<void> {
    for (const V1AttemptOutcome& o : outcomes) {
      const std::string state(v1_state_column_after(o));
      auto update = connection.query(
          "UPDATE v1_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = "
          "0, "
          "last_status_code = ?, last_error = ?, updated_at = ? WHERE id = ?",
          state, o.next_attempt_at.value_or(o.at), o.status_code, o.delivered ? std::string() : o.error, o.at,
          o.delivery_id);
      if (!update) return forward_error(update);
      if (auto done = update->run(); !done) return done;
    }
    return {};
  });
}

Result<Page<model::V1Delivery>> SqliteStore::list_v1_deliveries(const std::string& company_id,
                                                                const std::string& webhook_id,
                                                                std::optional<model::V1DeliveryState> state,
                                                                const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](Connection& connection) -> Result<Page<model::V1Delivery>> {
    std::optional<std::string> state_text;
    if (state) state_text = std::string(model::to_string(*state));
    auto query = connection.query(
        std::string(kSelectV1Delivery) +
            "FROM v1_deliveries d WHERE d.company_id = ? AND d.webhook_id = ? AND (? IS NULL OR d.state = ?) "
            "AND (? = '' OR d.id < ?) ORDER BY d.id DESC LIMIT ?",
        company_id, webhook_id, state_text, state_text, page.after_id, page.after_id,
        static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return forward_error(query);
    Page<model::V1Delivery> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      if (out.items.size() == static_cast<std::size_t>(page.limit)) {
        out.has_more = true;
        return out;
      }
      out.items.push_back(v1_delivery_from_row(*query));
    }
  });
}

}  // namespace switchboard::store::sqlite
