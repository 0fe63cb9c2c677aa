// SqliteStore: webhook v2 configuration.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/column_codec.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/sqlite/webhook_codec.h"

namespace switchboard::store::sqlite {
namespace {

// Column order shared by SELECT (after id, company_id), INSERT and UPDATE.
constexpr std::string_view kSelectWebhook =
    "SELECT id, company_id, name, description, url, auth, headers, events, filters, secret, previous_secret, "
    "previous_secret_expires_at, status, consecutive_exhausted, created_at, updated_at FROM webhooks ";

struct WebhookRow {
  std::string id, company_id;
  WebhookColumns columns;
};

WebhookRow row_from(const Statement& row) {
  return WebhookRow{
      row.text(0), row.text(1),
      WebhookColumns{row.text(2), row.text(3), row.text(4), row.text(5), row.text(6), row.text(7),
                     row.text(8), row.optional_text(9), row.optional_text(10), row.optional_time(11),
                     row.text(12), static_cast<int>(row.integer(13)), row.time(14), row.time(15)}};
}

// Opens the secrets and parses the JSON columns, off the read connection.
Result<model::Webhook> decode(WebhookRow row, const crypto::SecretBox& secrets) {
  WebhookColumns& columns = row.columns;
  model::Webhook webhook;
  webhook.id = std::move(row.id);
  webhook.company_id = std::move(row.company_id);
  webhook.spec.name = std::move(columns.name);
  webhook.spec.description = std::move(columns.description);
  webhook.spec.url = std::move(columns.url);

  auto auth = decode_auth(columns.auth, secrets);
  if (!auth) return tl::unexpected(auth.error());
  webhook.spec.auth = std::move(*auth);
  auto headers = decode_key_values(columns.headers, secrets);
  if (!headers) return tl::unexpected(headers.error());
  webhook.spec.headers = std::move(*headers);
  auto events = decode_strings(columns.events);
  if (!events) return tl::unexpected(events.error());
  webhook.spec.events = std::move(*events);
  auto filters = decode_filters(columns.filters);
  if (!filters) return tl::unexpected(filters.error());
  webhook.spec.filters = std::move(*filters);

  auto secret = open_optional(columns.secret, secrets);
  if (!secret) return tl::unexpected(secret.error());
  webhook.secret = std::move(*secret);
  auto previous = open_optional(columns.previous_secret, secrets);
  if (!previous) return tl::unexpected(previous.error());
  webhook.previous_secret = std::move(*previous);
  webhook.previous_secret_expires_at = columns.previous_secret_expires_at;

  auto status = webhook_status_from_column(columns.status);
  if (!status) return make_error(ErrorCode::kInternal, "stored webhook has an unknown status");
  webhook.status = *status;
  webhook.consecutive_exhausted = columns.consecutive_exhausted;
  webhook.created_at = columns.created_at;
  webhook.updated_at = columns.updated_at;
  return webhook;
}

Result<std::int64_t> count_webhooks(Connection& connection, const std::string& company_id) {
  auto query = connection.query("SELECT count(*) FROM webhooks WHERE company_id = ?", company_id);
  if (!query) return tl::unexpected(query.error());
  auto row = query->step();
  if (!row) return tl::unexpected(row.error());
  return *row ? query->integer(0) : 0;
}

}  // namespace

Result<int> reseal_webhook_headers(Connection& connection, const crypto::SecretBox& secrets) {
  std::vector<std::pair<std::string, std::string>> rows;  // id, headers
  {
    auto query = connection.query("SELECT id, headers FROM webhooks ORDER BY id");
    if (!query) return tl::unexpected(query.error());
    for (;;) {
      auto found = query->step();
      if (!found) return tl::unexpected(found.error());
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
    if (!update) return tl::unexpected(update.error());
    if (auto done = update->run(); !done) return tl::unexpected(done.error());
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
    if (!count) return tl::unexpected(count.error());
    if (*count >= max_per_company) {
      return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                      std::to_string(max_per_company) + " webhooks");
    }
    auto insert = connection.query(
        "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
        "secret, "
        "previous_secret, previous_secret_expires_at, status, consecutive_exhausted, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        webhook.id, webhook.company_id, c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters,
        c.secret, c.previous_secret, c.previous_secret_expires_at, c.status, c.consecutive_exhausted,
        c.created_at, c.updated_at);
    if (!insert) return tl::unexpected(insert.error());
    auto done = insert->run();
    if (!done) {
      Error error = done.error();
      if (error.code == ErrorCode::kConflict) error.message = "a webhook with this id already exists";
      if (error.code == ErrorCode::kNotFound) error.message = "company not found";
      return tl::unexpected(std::move(error));
    }
    return {};
  });
}

Result<model::Webhook> SqliteStore::get_webhook(const std::string& company_id,
                                                const std::string& webhook_id) {
  auto row = read([&](Connection& connection) -> Result<WebhookRow> {
    auto query = connection.query(std::string(kSelectWebhook) + "WHERE company_id = ? AND id = ?", company_id,
                                  webhook_id);
    if (!query) return tl::unexpected(query.error());
    auto found = query->step();
    if (!found) return tl::unexpected(found.error());
    if (!*found) return make_error(ErrorCode::kNotFound, "webhook not found");
    return row_from(*query);
  });
  if (!row) return tl::unexpected(row.error());
  return decode(std::move(*row), secrets_);
}

Result<Page<model::Webhook>> SqliteStore::list_webhooks(const std::string& company_id,
                                                        const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return tl::unexpected(valid.error());
  bool has_more = false;
  auto rows = read([&](Connection& connection) -> Result<std::vector<WebhookRow>> {
    auto query =
        connection.query(std::string(kSelectWebhook) + "WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?",
                         company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return tl::unexpected(query.error());
    std::vector<WebhookRow> out;
    for (;;) {
      auto found = query->step();
      if (!found) return tl::unexpected(found.error());
      if (!*found) return out;
      if (out.size() == static_cast<std::size_t>(page.limit)) {
        has_more = true;
        return out;
      }
      out.push_back(row_from(*query));
    }
  });
  if (!rows) return tl::unexpected(rows.error());
  Page<model::Webhook> result;
  result.has_more = has_more;
  result.items.reserve(rows->size());
  for (WebhookRow& row : *rows) {
    auto webhook = decode(std::move(row), secrets_);
    if (!webhook) return tl::unexpected(webhook.error());
    result.items.push_back(std::move(*webhook));
  }
  return result;
}

// Runs `change` (an UPDATE of one webhook's row) in a write transaction and
// reads the row back in it; decoded after the write, off the writer thread.
Result<model::Webhook> SqliteStore::update_and_read(
    const std::string& company_id, const std::string& webhook_id,
    const std::function<Result<Statement>(Connection&)>& change) {
  std::optional<WebhookRow> after;
  auto written = write([&](Connection& connection) -> Result<void> {
    auto update = change(connection);
    if (!update) return tl::unexpected(update.error());
    if (auto done = update->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "webhook not found");
    auto query = connection.query(std::string(kSelectWebhook) + "WHERE company_id = ? AND id = ?", company_id,
                                  webhook_id);
    if (!query) return tl::unexpected(query.error());
    auto found = query->step();
    if (!found) return tl::unexpected(found.error());
    if (!*found) return make_error(ErrorCode::kInternal, "updated webhook not found");
    after = row_from(*query);
    return {};
  });
  if (!written) return tl::unexpected(written.error());
  return decode(std::move(*after), secrets_);
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
          "filters = ?, updated_at = ? WHERE company_id = ? AND id = ?",
          c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters, updated_at, company_id,
          webhook_id);
    });
  }
  const WebhookSecretColumns s = encode_secrets(*secrets, secrets_);
  return update_and_read(company_id, webhook_id, [&](Connection& connection) {
    return connection.query(
        "UPDATE webhooks SET name = ?, description = ?, url = ?, auth = ?, headers = ?, events = ?, "
        "filters = ?, secret = ?, previous_secret = ?, previous_secret_expires_at = ?, updated_at = ? "
        "WHERE company_id = ? AND id = ?",
        c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters, s.secret, s.previous_secret,
        s.previous_secret_expires_at, updated_at, company_id, webhook_id);
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
        "updated_at = ? WHERE company_id = ? AND id = ?",
        status, change.consecutive_exhausted, updated_at, company_id, webhook_id);
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
    if (!remove) return tl::unexpected(remove.error());
    if (auto done = remove->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "webhook not found");
    return {};
  });
}

}  // namespace switchboard::store::sqlite
