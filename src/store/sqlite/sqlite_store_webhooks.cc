// SqliteStore: webhook v2 configuration.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/common/errors.h"
#include "store/common/rows.h"
#include "store/common/webhook_codec.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

std::string select_webhook(std::string_view where) {
  return "SELECT " + std::string(kWebhookColumns) + " FROM webhooks " + std::string(where);
}

Result<std::int64_t> count_webhooks(Connection& connection, const std::string& company_id) {
  auto query = connection.query(
      "SELECT count(*) FROM webhooks WHERE company_id = ? AND substr(id, 1, 4) <> 'wha_'", company_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  return *row ? query->integer(0) : 0;
}

}  // namespace

Result<int> reseal_webhook_headers(Connection& connection, const crypto::SecretBox& secrets) {
  std::vector<std::pair<std::string, std::string>> rows;  // id, headers
  {
    auto query = connection.query("SELECT id, headers FROM webhooks ORDER BY id");
    if (!query) return forward_error(query);
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) break;
      rows.emplace_back(query->text(0), query->text(1));
    }
  }
  int resealed = 0;
  for (const auto& [id, headers] : rows) {
    std::optional<std::string> sealed = reseal_key_values(headers, secrets);
    if (!sealed) continue;
    // Only if unchanged since read: another process may have written it.
    auto update = connection.query("UPDATE webhooks SET headers = ? WHERE id = ? AND headers = ?", *sealed,
                                   id, headers);
    if (!update) return forward_error(update);
    if (auto done = update->run(); !done) return forward_error(done);
    resealed += connection.changes() > 0 ? 1 : 0;
  }
  return resealed;
}

Result<void> SqliteStore::create_webhook(const model::Webhook& webhook, int max_per_company) {
  WebhookColumns c = encode_webhook(webhook, secrets_);
  return write([&](Connection& connection) -> Result<void> {
    // Counted inside the write transaction: concurrent creates are serialized
    // by the writer (and other processes by the IMMEDIATE lock).
    auto count = count_webhooks(connection, webhook.company_id);
    if (!count) return forward_error(count);
    if (*count >= max_per_company) {
      return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                      std::to_string(max_per_company) + " webhooks");
    }
    auto insert = connection.query(
        "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
        "secret, "
        "previous_secret, previous_secret_expires_at, status, consecutive_exhausted, created_at, updated_at, "
        "delivery_controls, disabled_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        webhook.id, webhook.company_id, c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters,
        c.secret, c.previous_secret, c.previous_secret_expires_at, c.status, c.consecutive_exhausted,
        c.created_at, c.updated_at, c.delivery_controls, c.disabled_reason);
    if (!insert) return forward_error(insert);
    auto done = insert->run();
    if (!done) {
      Error error = messages::explain(done.error(), ErrorCode::kConflict, messages::kWebhookExists);
      return tl::unexpected(
          messages::explain(std::move(error), ErrorCode::kNotFound, messages::kCompanyNotFound));
    }
    return {};
  });
}

Result<model::Webhook> SqliteStore::get_webhook(const std::string& company_id,
                                                const std::string& webhook_id) {
  auto row = read([&](Connection& connection) -> Result<StoredWebhook> {
    auto query = connection.query(select_webhook("WHERE company_id = ? AND id = ?"), company_id, webhook_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "webhook not found");
    return stored_webhook_from_row(*query);
  });
  if (!row) return forward_error(row);
  return decode_webhook(std::move(*row), secrets_);
}

Result<Page<model::Webhook>> SqliteStore::list_webhooks(const std::string& company_id,
                                                        const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  bool has_more = false;
  auto rows = read([&](Connection& connection) -> Result<std::vector<StoredWebhook>> {
    auto query = connection.query(select_webhook("WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?"),
                                  company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return forward_error(query);
    std::vector<StoredWebhook> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      if (out.size() == static_cast<std::size_t>(page.limit)) {
        has_more = true;
        return out;
      }
      out.push_back(stored_webhook_from_row(*query));
    }
  });
  if (!rows) return forward_error(rows);
  Page<model::Webhook> result;
  result.has_more = has_more;
  result.items.reserve(rows->size());
  for (StoredWebhook& row : *rows) {
    auto webhook = decode_webhook(std::move(row), secrets_);
    if (!webhook) return forward_error(webhook);
    result.items.push_back(std::move(*webhook));
  }
  return result;
}

// Runs `change` (an UPDATE of one webhook's row) in a write transaction and
// reads the row back in it; decoded after the write, off the writer thread.
Result<model::Webhook> SqliteStore::update_and_read(
    const std::string& company_id, const std::string& webhook_id,
    const std::function<Result<Statement>(Connection&)>& change) {
  std::optional<StoredWebhook> after;
  auto written = write([&](Connection& connection) -> Result<void> {
    auto update = change(connection);
    if (!update) return forward_error(update);
    if (auto done = update->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "webhook not found");
    auto query = connection.query(select_webhook("WHERE company_id = ? AND id = ?"), company_id, webhook_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kInternal, "updated webhook not found");
    after = stored_webhook_from_row(*query);
    return {};
  });
  if (!written) return forward_error(written);
  return decode_webhook(std::move(*after), secrets_);
}

Result<model::Webhook> SqliteStore::update_webhook_spec(const std::string& company_id,
                                                        const std::string& webhook_id,
                                                        const model::WebhookSpec& spec,
                                                        const std::optional<model::WebhookSecrets>& secrets,
                                                        TimePoint updated_at) {
  const WebhookSpecColumns c = encode_spec(spec, secrets_);
  if (!secrets) {
    return update_and_read(company_id, webhook_id, [&](Connection& connection) {
      return connection.query(
          "UPDATE webhooks SET name = ?, description = ?, url = ?, auth = ?, headers = ?, events = ?, "
          "filters = ?, delivery_controls = ?, updated_at = ? WHERE company_id = ? AND id = ?",
          c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters, c.delivery_controls,
          updated_at, company_id, webhook_id);
    });
  }
  const WebhookSecretColumns s = encode_secrets(*secrets, secrets_);
  return update_and_read(company_id, webhook_id, [&](Connection& connection) {
    return connection.query(
        "UPDATE webhooks SET name = ?, description = ?, url = ?, auth = ?, headers = ?, events = ?, "
        "filters = ?, delivery_controls = ?, secret = ?, previous_secret = ?, previous_secret_expires_at = "
        "?, "
        "updated_at = ? WHERE company_id = ? AND id = ?",
        c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters, c.delivery_controls, s.secret,
        s.previous_secret, s.previous_secret_expires_at, updated_at, company_id, webhook_id);
  });
}

Result<model::Webhook> SqliteStore::set_webhook_status(const std::string& company_id,
                                                       const std::string& webhook_id,
                                                       const model::StatusChange& change,
                                                       TimePoint updated_at) {
  const std::string status(webhook_status_column(change.status));
  return update_and_read(company_id, webhook_id, [&](Connection& connection) {
    return connection.query(
        "UPDATE webhooks SET status = ?, consecutive_exhausted = coalesce(?, consecutive_exhausted), "
        "disabled_reason = ?, updated_at = ? WHERE company_id = ? AND id = ?",
        status, change.consecutive_exhausted, encode_disabled_reason(change.disabled_reason), updated_at,
        company_id, webhook_id);
  });
}

Result<model::Webhook> SqliteStore::rotate_webhook_secret(const std::string& company_id,
                                                          const std::string& webhook_id,
                                                          const model::WebhookSecrets& secrets,
                                                          TimePoint updated_at) {
  const WebhookSecretColumns s = encode_secrets(secrets, secrets_);
  return update_and_read(company_id, webhook_id, [&](Connection& connection) {
    return connection.query(
        "UPDATE webhooks SET secret = ?, previous_secret = ?, previous_secret_expires_at = ?, updated_at = ? "
        "WHERE company_id = ? AND id = ?",
        s.secret, s.previous_secret, s.previous_secret_expires_at, updated_at, company_id, webhook_id);
  });
}

Result<void> SqliteStore::delete_webhook(const std::string& company_id, const std::string& webhook_id) {
  return write([&](Connection& connection) -> Result<void> {
    auto remove =
        connection.query("DELETE FROM webhooks WHERE company_id = ? AND id = ?", company_id, webhook_id);
    if (!remove) return forward_error(remove);
    if (auto done = remove->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "webhook not found");
    return {};
  });
}

}  // namespace switchboard::store::sqlite
