// PostgresStore: webhook v2 configuration, and the subscription loaders that
// ingest and replay share.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/common/webhook_key_codec.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

std::string select_webhook(std::string_view where) {
  return "SELECT " + std::string(kWebhookColumns) + " FROM webhooks " + std::string(where);
}

}  // namespace

Result<int> reseal_webhook_headers(pqxx::connection& connection, const crypto::SecretBox& secrets) {
  try {
    pqxx::work tx(connection);
    int resealed = 0;
    for (const pqxx::row& row : tx.exec("SELECT id, headers FROM webhooks ORDER BY id")) {
      const std::string headers = text(row[1]);
      std::optional<std::string> sealed = reseal_key_values(headers, secrets);
      if (!sealed) continue;
      // Only if unchanged since read: another node may have written it.
      auto done = tx.exec_params("UPDATE webhooks SET headers = $1 WHERE id = $2 AND headers = $3", *sealed,
                                 text(row[0]), headers);
      resealed += done.affected_rows() > 0 ? 1 : 0;
    }
    tx.commit();
    return resealed;
  } catch (const pqxx::sql_error& e) {
    return make_error(ErrorCode::kInternal, std::string("resealing webhook headers: ") + e.what());
  }
}

Result<model::WebhookSpec> subscription_from(std::string_view events_column,
                                             std::string_view filters_column) {
  model::WebhookSpec spec;
  auto events = decode_strings(events_column);
  if (!events) return forward_error(events);
  spec.events = std::move(*events);
  auto filters = decode_filters(filters_column);
  if (!filters) return forward_error(filters);
  spec.filters = std::move(*filters);
  return spec;
}

Result<std::vector<Subscriber>> load_active_subscribers(pqxx::work& tx, const std::string& company_id) {
  auto rows = tx.exec_params(
      "SELECT id, events, filters FROM webhooks WHERE company_id = $1 AND status = 'active' ORDER BY id",
      company_id);
  std::vector<Subscriber> out;
  out.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    auto spec = subscription_from(row[1].c_str(), row[2].c_str());
    if (!spec) return forward_error(spec);
    out.push_back(Subscriber{text(row[0]), std::move(*spec)});
  }
  return out;
}

Result<std::optional<WebhookSubscription>> load_subscription(pqxx::work& tx, const std::string& company_id,
                                                             const std::string& webhook_id) {
  auto rows = tx.exec_params("SELECT status, events, filters FROM webhooks WHERE company_id = $1 AND id = $2",
                             company_id, webhook_id);
  if (rows.empty()) return std::optional<WebhookSubscription>();
  auto status = webhook_status_from_column(rows[0][0].c_str());
  if (!status) return make_error(ErrorCode::kInternal, "stored webhook has an unknown status");
  auto spec = subscription_from(rows[0][1].c_str(), rows[0][2].c_str());
  if (!spec) return forward_error(spec);
  return std::optional<WebhookSubscription>(WebhookSubscription{*status, std::move(*spec)});
}

Result<std::optional<model::Webhook>> find_webhook(pqxx::work& tx, const crypto::SecretBox& secrets,
                                                   const std::string& company_id,
                                                   const std::string& webhook_id) {
  auto rows = tx.exec_params(select_webhook("WHERE company_id = $1 AND id = $2"), company_id, webhook_id);
  if (rows.empty()) return std::optional<model::Webhook>();
  auto webhook = decode_webhook(stored_webhook_from_row(PgRow(rows[0])), secrets);
  if (!webhook) return forward_error(webhook);
  return std::optional<model::Webhook>(std::move(*webhook));
}

Result<void> PostgresStore::create_webhook(const model::Webhook& webhook, int max_per_company) {
  const WebhookColumns c = encode_webhook(webhook, secrets_);
  return transact([&](pqxx::work& tx) -> Result<void> {
    // The company row lock makes count-then-insert atomic across nodes: a
    // concurrent create of the same company waits here until we commit, and
    // then counts our webhook.
    if (auto locked = lock_company(tx, webhook.company_id); !locked) return locked;
    auto count =
        tx.exec_params("SELECT count(*) FROM webhooks WHERE company_id = $1 AND substr(id, 1, 4) <> 'wha_'",
                       webhook.company_id);
    if (integer(count[0][0]) >= max_per_company) {
      return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                      std::to_string(max_per_company) + " webhooks");
    }
    try {
      tx.exec_params(
          "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
          "secret, previous_secret, previous_secret_expires_at, status, consecutive_exhausted, created_at, "
          "updated_at, delivery_controls, disabled_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
          "$11, $12, $13, $14, $15, $16, $17, $18)",
          webhook.id, webhook.company_id, c.name, c.description, c.url, c.auth, c.headers, c.events,
          c.filters, c.secret, c.previous_secret, to_ms(c.previous_secret_expires_at), c.status,
          c.consecutive_exhausted, to_ms(c.created_at), to_ms(c.updated_at), c.delivery_controls,
          c.disabled_reason);
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, messages::kWebhookExists);
    }
    return {};
  });
}

Result<model::Webhook> PostgresStore::get_webhook(const std::string& company_id,
                                                  const std::string& webhook_id) {
  return read([&](pqxx::work& tx) -> Result<model::Webhook> {
    auto found = find_webhook(tx, secrets_, company_id, webhook_id);
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "webhook not found");
    return std::move(**found);
  });
}

Result<Page<model::Webhook>> PostgresStore::list_webhooks(const std::string& company_id,
                                                          const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) -> Result<Page<model::Webhook>> {
    auto rows = tx.exec_params(select_webhook("WHERE company_id = $1 AND id > $2 ORDER BY id LIMIT $3"),
                               company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    Page<model::Webhook> result;
    for (const pqxx::row& row : rows) {
      if (result.items.size() == static_cast<std::size_t>(page.limit)) {
        result.has_more = true;
        break;
      }
      auto webhook = decode_webhook(stored_webhook_from_row(PgRow(row)), secrets_);
      if (!webhook) return forward_error(webhook);
      result.items.push_back(std::move(*webhook));
    }
    return result;
  });
}

namespace {

// The webhook as stored after an UPDATE of it in `tx` that changed `affected` rows.
Result<model::Webhook> read_back(pqxx::work& tx, const crypto::SecretBox& secrets, const pqxx::result& done,
                                 const std::string& company_id, const std::string& webhook_id) {
  if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, "webhook not found");
  auto found = find_webhook(tx, secrets, company_id, webhook_id);
  if (!found) return forward_error(found);
  if (!*found) return make_error(ErrorCode::kInternal, "updated webhook not found");
  return std::move(**found);
}

}  // namespace

Result<model::Webhook> PostgresStore::update_webhook_spec(const std::string& company_id,
                                                          const std::string& webhook_id,
                                                          const model::WebhookSpec& spec,
                                                          const std::optional<model::WebhookSecrets>& secrets,
                                                          TimePoint updated_at) {
  const WebhookSpecColumns c = encode_spec(spec, secrets_);
  if (!secrets) {
    return transact([&](pqxx::work& tx) -> Result<model::Webhook> {
      auto done = tx.exec_params(
          "UPDATE webhooks SET name = $1, description = $2, url = $3, auth = $4, headers = $5, events = $6, "
          "filters = $7, delivery_controls = $8, updated_at = $9 WHERE company_id = $10 AND id = $11",
          c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters, c.delivery_controls,
          to_ms(updated_at), company_id, webhook_id);
      return read_back(tx, secrets_, done, company_id, webhook_id);
    });
  }
  const WebhookSecretColumns s = encode_secrets(*secrets, secrets_);
  return transact([&](pqxx::work& tx) -> Result<model::Webhook> {
    auto done = tx.exec_params(
        "UPDATE webhooks SET name = $1, description = $2, url = $3, auth = $4, headers = $5, events = $6, "
        "filters = $7, secret = $8, previous_secret = $9, previous_secret_expires_at = $10, updated_at = "
        "$11, "
        "delivery_controls = $14 WHERE company_id = $12 AND id = $13",
        c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters, s.secret, s.previous_secret,
        to_ms(s.previous_secret_expires_at), to_ms(updated_at), company_id, webhook_id, c.delivery_controls);
    return read_back(tx, secrets_, done, company_id, webhook_id);
  });
}

Result<model::Webhook> PostgresStore::set_webhook_status(const std::string& company_id,
                                                         const std::string& webhook_id,
                                                         const model::StatusChange& change,
                                                         TimePoint updated_at) {
  const std::string status(webhook_status_column(change.status));
  return transact([&](pqxx::work& tx) -> Result<model::Webhook> {
    auto done = tx.exec_params(
        "UPDATE webhooks SET status = $1, consecutive_exhausted = coalesce($2::integer, "
        "consecutive_exhausted), "
        "updated_at = $3, disabled_reason = $6 WHERE company_id = $4 AND id = $5",
        status, change.consecutive_exhausted, to_ms(updated_at), company_id, webhook_id,
        encode_disabled_reason(change.disabled_reason));
    return read_back(tx, secrets_, done, company_id, webhook_id);
  });
}

Result<model::Webhook> PostgresStore::rotate_webhook_secret(const std::string& company_id,
                                                            const std::string& webhook_id,
                                                            const model::WebhookSecrets& secrets,
                                                            TimePoint updated_at) {
  const WebhookSecretColumns s = encode_secrets(secrets, secrets_);
  return transact([&](pqxx::work& tx) -> Result<model::Webhook> {
    auto done = tx.exec_params(
        "UPDATE webhooks SET secret = $1, previous_secret = $2, previous_secret_expires_at = $3, "
        "updated_at = $4 WHERE company_id = $5 AND id = $6",
        s.secret, s.previous_secret, to_ms(s.previous_secret_expires_at), to_ms(updated_at), company_id,
        webhook_id);
    return read_back(tx, secrets_, done, company_id, webhook_id);
  });
}

Result<void> PostgresStore::delete_webhook(const std::string& company_id, const std::string& webhook_id) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    auto done =
        tx.exec_params("DELETE FROM webhooks WHERE company_id = $1 AND id = $2", company_id, webhook_id);
    if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, "webhook not found");
    return {};
  });
}

}  // namespace switchboard::store::postgres

// --- issue 16 item 5: client certificate and Ed25519 signing keys -----------
// Narrow writes of their own columns (store/common/webhook_key_codec.h).

namespace switchboard::store::postgres {

Result<model::Webhook> PostgresStore::set_webhook_client_certificate(
    const std::string& company_id, const std::string& webhook_id,
    const std::shared_ptr<const model::ClientCertificate>& certificate, TimePoint updated_at) {
  const std::optional<std::string> column = encode_client_certificate(certificate, secrets_);
  return transact([&](pqxx::work& tx) -> Result<model::Webhook> {
    auto done = tx.exec_params(
        "UPDATE webhooks SET client_certificate = $1, updated_at = $2 WHERE company_id = $3 AND id = $4",
        column, to_ms(updated_at), company_id, webhook_id);
    return read_back(tx, secrets_, done, company_id, webhook_id);
  });
}

Result<model::Webhook> PostgresStore::set_webhook_signing_keys(const std::string& company_id,
                                                               const std::string& webhook_id,
                                                               const model::SigningKeys& keys,
                                                               TimePoint updated_at) {
  const std::optional<std::string> column = encode_signing_keys(keys, secrets_);
  return transact([&](pqxx::work& tx) -> Result<model::Webhook> {
    auto done = tx.exec_params(
        "UPDATE webhooks SET signing_keys = $1, updated_at = $2 WHERE company_id = $3 AND id = $4", column,
        to_ms(updated_at), company_id, webhook_id);
    return read_back(tx, secrets_, done, company_id, webhook_id);
  });
}

}  // namespace switchboard::store::postgres
