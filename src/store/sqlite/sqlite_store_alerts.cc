// SqliteStore: failure alerts (store/alert_store.h): alert channels (with the
// carrier webhook of an alert webhook, created and deleted with its channel),
// degraded thresholds and per-webhook episode state.
#include <string>
#include <vector>

#include "store/common/alert_codec.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

AlertChannelColumns channel_columns(const Statement& row) {
  AlertChannelColumns c;
  c.id = row.text(0);
  c.company_id = row.text(1);
  c.name = row.text(2);
  c.kind = row.text(3);
  c.events = row.text(4);
  c.enabled = row.boolean(5);
  c.webhook_id = row.text(6);
  c.smtp = row.text(7);
  c.smtp_password = row.optional_text(8);
  c.last_error = row.text(9);
  c.last_failure_at = row.optional_time(10);
  c.last_success_at = row.optional_time(11);
  c.created_at = row.time(12);
  c.updated_at = row.time(13);
  return c;
}

WebhookEpisodes episodes_from_row(const Statement& row) {
  WebhookEpisodes e;
  e.company_id = row.text(0);
  e.webhook_id = row.text(1);
  e.failed_since = row.optional_time(2);
  e.disabled_since = row.optional_time(3);
  e.degraded_since = row.optional_time(4);
  e.quiet_since = row.optional_time(5);
  e.exhausted_pending = static_cast<int>(row.integer(6));
  e.exhausted_sent_at = row.optional_time(7);
  e.version = row.integer(8);
  return e;
}

Result<std::int64_t> count_channels(Connection& connection, const std::string& company_id) {
  auto query = connection.query("SELECT count(*) FROM alert_channels WHERE company_id = ?", company_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  return *row ? query->integer(0) : 0;
}

Result<void> insert_carrier(Connection& connection, const model::Webhook& webhook,
                            const crypto::SecretBox& secrets) {
  WebhookColumns c = encode_webhook(webhook, secrets);
  auto insert = connection.query(
      "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, secret, "
      "previous_secret, previous_secret_expires_at, status, consecutive_exhausted, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      webhook.id, webhook.company_id, c.name, c.description, c.url, c.auth, c.headers, c.events, c.filters,
      c.secret, c.previous_secret, c.previous_secret_expires_at, c.status, c.consecutive_exhausted,
      c.created_at, c.updated_at);
  if (!insert) return forward_error(insert);
  return insert->run();
}

}  // namespace

Result<void> SqliteStore::create_alert_channel(const AlertChannel& channel,
                                               const std::optional<model::Webhook>& carrier,
                                               int max_per_company) {
  AlertChannelColumns c = encode_alert_channel(channel, secrets_);
  return write([&](Connection& connection) -> Result<void> {
    auto count = count_channels(connection, channel.company_id);
    if (!count) return forward_error(count);
    if (*count >= max_per_company) {
      return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                      std::to_string(max_per_company) + " alert channels");
    }
    if (carrier) {
      if (auto done = insert_carrier(connection, *carrier, secrets_); !done) return forward_error(done);
    }
    auto insert = connection.query("INSERT INTO alert_channels (" + std::string(kAlertChannelColumnList) +
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   c.id, c.company_id, c.name, c.kind, c.events, c.enabled, c.webhook_id,
                                   c.smtp, c.smtp_password, c.last_error, c.last_failure_at,
                                   c.last_success_at, c.created_at, c.updated_at);
    if (!insert) return forward_error(insert);
    return insert->run();
  });
}

Result<AlertChannel> SqliteStore::get_alert_channel(const std::string& company_id,
                                                    const std::string& channel_id) {
  return read([&](Connection& connection) -> Result<AlertChannel> {
    auto query = connection.query("SELECT " + std::string(kAlertChannelColumnList) +
                                      " FROM alert_channels WHERE company_id = ? AND id = ?",
                                  company_id, channel_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "alert channel not found");
    return decode_alert_channel(channel_columns(*query), secrets_);
  });
}

Result<std::vector<AlertChannel>> SqliteStore::list_alert_channels(const std::string& company_id) {
  return read([&](Connection& connection) -> Result<std::vector<AlertChannel>> {
    auto query = connection.query("SELECT " + std::string(kAlertChannelColumnList) +
                                      " FROM alert_channels WHERE company_id = ? ORDER BY id",
                                  company_id);
    if (!query) return forward_error(query);
    std::vector<AlertChannel> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      auto channel = decode_alert_channel(channel_columns(*query), secrets_);
      if (!channel) return forward_error(channel);
      out.push_back(std::move(*channel));
    }
  });
}

Result<void> SqliteStore::update_alert_channel(const AlertChannel& channel) {
  AlertChannelColumns c = encode_alert_channel(channel, secrets_);
  return write([&](Connection& connection) -> Result<void> {
    auto update = connection.query(
        "UPDATE alert_channels SET name = ?, events = ?, enabled = ?, smtp = ?, smtp_password = ?, "
        "updated_at = ? WHERE company_id = ? AND id = ?",
        c.name, c.events, c.enabled, c.smtp, c.smtp_password, c.updated_at, c.company_id, c.id);
    if (!update) return forward_error(update);
    if (auto done = update->run(); !done) return forward_error(done);
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "alert channel not found");
    return {};
  });
}

Result<void> SqliteStore::delete_alert_channel(const std::string& company_id, const std::string& channel_id) {
  return write([&](Connection& connection) -> Result<void> {
    auto carrier = connection.query("SELECT webhook_id FROM alert_channels WHERE company_id = ? AND id = ?",
                                    company_id, channel_id);
    if (!carrier) return forward_error(carrier);
    auto found = carrier->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "alert channel not found");
    const std::string webhook_id = carrier->text(0);
    auto remove = connection.query("DELETE FROM alert_channels WHERE company_id = ? AND id = ?", company_id,
                                   channel_id);
    if (!remove) return forward_error(remove);
    if (auto done = remove->run(); !done) return forward_error(done);
    if (webhook_id.empty()) return {};
    auto drop =
        connection.query("DELETE FROM webhooks WHERE company_id = ? AND id = ?", company_id, webhook_id);
    if (!drop) return forward_error(drop);
    return drop->run();
  });
}

Result<void> SqliteStore::record_alert_outcome(const std::string& company_id, const std::string& channel_id,
                                               const std::string& error, TimePoint at) {
  return write([&](Connection& connection) -> Result<void> {
    auto update = error.empty() ? connection.query(
                                      "UPDATE alert_channels SET last_error = '', last_success_at = ? WHERE "
                                      "company_id = ? AND id = ?",
                                      at, company_id, channel_id)
                                : connection.query(
                                      "UPDATE alert_channels SET last_error = ?, last_failure_at = ? WHERE "
                                      "company_id = ? AND id = ?",
                                      error, at, company_id, channel_id);
    if (!update) return forward_error(update);
    return update->run();
  });
}

Result<DegradedThreshold> SqliteStore::get_degraded_threshold(const std::string& company_id) {
  return read([&](Connection& connection) -> Result<DegradedThreshold> {
    auto query = connection.query(
        "SELECT below_percent, min_attempts, window_minutes FROM alert_thresholds WHERE company_id = ?",
        company_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    DegradedThreshold threshold;
    if (*found) {
      threshold.below_percent = static_cast<int>(query->integer(0));
      threshold.min_attempts = static_cast<int>(query->integer(1));
      threshold.window = std::chrono::minutes(query->integer(2));
    }
    return threshold;
  });
}

Result<void> SqliteStore::set_degraded_threshold(const std::string& company_id,
                                                 const DegradedThreshold& threshold) {
  return write([&](Connection& connection) -> Result<void> {
    auto upsert = connection.query(
        "INSERT INTO alert_thresholds (company_id, below_percent, min_attempts, window_minutes) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (company_id) DO UPDATE SET below_percent = excluded.below_percent, "
        "min_attempts = excluded.min_attempts, window_minutes = excluded.window_minutes",
        company_id, threshold.below_percent, threshold.min_attempts,
        static_cast<std::int64_t>(threshold.window.count()));
    if (!upsert) return forward_error(upsert);
    auto done = upsert->run();
    if (!done && done.error().code == ErrorCode::kNotFound) {
      return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    }
    return done;
  });
}

Result<WebhookEpisodes> SqliteStore::get_episodes(const std::string& company_id,
                                                  const std::string& webhook_id) {
  return read([&](Connection& connection) -> Result<WebhookEpisodes> {
    auto query = connection.query("SELECT " + std::string(kEpisodeColumnList) +
                                      " FROM alert_episodes WHERE company_id = ? AND webhook_id = ?",
                                  company_id, webhook_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (*found) return episodes_from_row(*query);
    WebhookEpisodes none;
    none.company_id = company_id;
    none.webhook_id = webhook_id;
    return none;
  });
}

Result<bool> SqliteStore::save_episodes(const WebhookEpisodes& e) {
  bool saved = false;
  auto written = write([&](Connection& connection) -> Result<void> {
    // First save: insert unless a row appeared meanwhile; later: update only the version read.
    auto statement =
        e.version == 0
            ? connection.query(
                  "INSERT INTO alert_episodes (" + std::string(kEpisodeColumnList) +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (company_id, webhook_id) "
                      "DO NOTHING",
                  e.company_id, e.webhook_id, e.failed_since, e.disabled_since, e.degraded_since,
                  e.quiet_since, e.exhausted_pending, e.exhausted_sent_at)
            : connection.query(
                  "UPDATE alert_episodes SET failed_since = ?, disabled_since = ?, degraded_since = ?, "
                  "quiet_since = ?, exhausted_pending = ?, exhausted_sent_at = ?, version = version + 1 "
                  "WHERE company_id = ? AND webhook_id = ? AND version = ?",
                  e.failed_since, e.disabled_since, e.degraded_since, e.quiet_since, e.exhausted_pending,
                  e.exhausted_sent_at, e.company_id, e.webhook_id, e.version);
    if (!statement) return forward_error(statement);
    auto done = statement->run();
    // The webhook was deleted meanwhile (foreign key): nothing to keep, nothing to send.
    if (!done && done.error().code == ErrorCode::kNotFound) return {};
    if (!done) return done;
    saved = connection.changes() == 1;
    return {};
  });
  if (!written) return forward_error(written);
  return saved;
}

Result<std::vector<WebhookEpisodes>> SqliteStore::list_open_episodes(int max) {
  return read([&](Connection& connection) -> Result<std::vector<WebhookEpisodes>> {
    auto query =
        connection.query("SELECT " + std::string(kEpisodeColumnList) + " FROM alert_episodes WHERE " +
                             std::string(kOpenEpisodesCondition) + " ORDER BY company_id, webhook_id LIMIT ?",
                         max);
    if (!query) return forward_error(query);
    std::vector<WebhookEpisodes> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      out.push_back(episodes_from_row(*query));
    }
  });
}

}  // namespace switchboard::store::sqlite
