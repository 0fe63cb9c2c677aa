// PostgresStore: failure alerts (store/alert_store.h): alert channels (with the
// carrier webhook of an alert webhook, created and deleted with its channel),
// degraded thresholds and per-webhook episode state. Channel limits are
// checked under the company row lock (lock_company), as webhooks' are.
#include <cstdint>
#include <string>
#include <vector>

#include "store/common/alert_codec.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

AlertChannelColumns channel_columns(const pqxx::row& row) {
  AlertChannelColumns c;
  c.id = text(row[0]);
  c.company_id = text(row[1]);
  c.name = text(row[2]);
  c.kind = text(row[3]);
  c.events = text(row[4]);
  c.enabled = boolean(row[5]);
  c.webhook_id = text(row[6]);
  c.smtp = text(row[7]);
  c.smtp_password = optional_text(row[8]);
  c.last_error = text(row[9]);
  c.last_failure_at = optional_time(row[10]);
  c.last_success_at = optional_time(row[11]);
  c.created_at = time(row[12]);
  c.updated_at = time(row[13]);
  return c;
}

WebhookEpisodes episodes_from_row(const pqxx::row& row) {
  WebhookEpisodes e;
  e.company_id = text(row[0]);
  e.webhook_id = text(row[1]);
  e.failed_since = optional_time(row[2]);
  e.disabled_since = optional_time(row[3]);
  e.degraded_since = optional_time(row[4]);
  e.quiet_since = optional_time(row[5]);
  e.exhausted_pending = static_cast<int>(integer(row[6]));
  e.exhausted_sent_at = optional_time(row[7]);
  e.version = integer(row[8]);
  return e;
}

}  // namespace

Result<void> PostgresStore::create_alert_channel(const AlertChannel& channel,
                                                 const std::optional<model::Webhook>& carrier,
                                                 int max_per_company) {
  const AlertChannelColumns c = encode_alert_channel(channel, secrets());
  std::optional<WebhookColumns> w;
  if (carrier) w = encode_webhook(*carrier, secrets());
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (auto locked = lock_company(tx, channel.company_id); !locked) return locked;
    auto count =
        tx.exec_params("SELECT count(*) FROM alert_channels WHERE company_id = $1", channel.company_id);
    if (integer(count[0][0]) >= max_per_company) {
      return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                      std::to_string(max_per_company) + " alert channels");
    }
    if (carrier) {
      tx.exec_params(
          "INSERT INTO webhooks (id, company_id, name, description, url, auth, headers, events, filters, "
          "secret, previous_secret, previous_secret_expires_at, status, consecutive_exhausted, created_at, "
          "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
          carrier->id, carrier->company_id, w->name, w->description, w->url, w->auth, w->headers, w->events,
          w->filters, w->secret, w->previous_secret, to_ms(w->previous_secret_expires_at), w->status,
          w->consecutive_exhausted, to_ms(w->created_at), to_ms(w->updated_at));
    }
    tx.exec_params("INSERT INTO alert_channels (" + std::string(kAlertChannelColumnList) +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                   c.id, c.company_id, c.name, c.kind, c.events, c.enabled, c.webhook_id, c.smtp,
                   c.smtp_password, c.last_error, to_ms(c.last_failure_at), to_ms(c.last_success_at),
                   to_ms(c.created_at), to_ms(c.updated_at));
    return {};
  });
}

Result<AlertChannel> PostgresStore::get_alert_channel(const std::string& company_id,
                                                      const std::string& channel_id) {
  return read([&](pqxx::work& tx) -> Result<AlertChannel> {
    pqxx::result rows = tx.exec_params("SELECT " + std::string(kAlertChannelColumnList) +
                                           " FROM alert_channels WHERE company_id = $1 AND id = $2",
                                       company_id, channel_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, "alert channel not found");
    return decode_alert_channel(channel_columns(rows[0]), secrets());
  });
}

Result<std::vector<AlertChannel>> PostgresStore::list_alert_channels(const std::string& company_id) {
  return read([&](pqxx::work& tx) -> Result<std::vector<AlertChannel>> {
    std::vector<AlertChannel> out;
    for (const pqxx::row& row : tx.exec_params("SELECT " + std::string(kAlertChannelColumnList) +
                                                   " FROM alert_channels WHERE company_id = $1 ORDER BY id",
                                               company_id)) {
      auto channel = decode_alert_channel(channel_columns(row), secrets());
      if (!channel) return forward_error(channel);
      out.push_back(std::move(*channel));
    }
    return out;
  });
}

Result<void> PostgresStore::update_alert_channel(const AlertChannel& channel) {
  const AlertChannelColumns c = encode_alert_channel(channel, secrets());
  return transact([&](pqxx::work& tx) -> Result<void> {
    pqxx::result done = tx.exec_params(
        "UPDATE alert_channels SET name = $1, events = $2, enabled = $3, smtp = $4, smtp_password = $5, "
        "updated_at = $6 WHERE company_id = $7 AND id = $8",
        c.name, c.events, c.enabled, c.smtp, c.smtp_password, to_ms(c.updated_at), c.company_id, c.id);
    if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, "alert channel not found");
    return {};
  });
}

Result<void> PostgresStore::delete_alert_channel(const std::string& company_id,
                                                 const std::string& channel_id) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    pqxx::result gone =
        tx.exec_params("DELETE FROM alert_channels WHERE company_id = $1 AND id = $2 RETURNING webhook_id",
                       company_id, channel_id);
    if (gone.empty()) return make_error(ErrorCode::kNotFound, "alert channel not found");
    const std::string webhook_id = text(gone[0][0]);
    if (!webhook_id.empty()) {
      tx.exec_params("DELETE FROM webhooks WHERE company_id = $1 AND id = $2", company_id, webhook_id);
    }
    return {};
  });
}

Result<void> PostgresStore::record_alert_outcome(const std::string& company_id, const std::string& channel_id,
                                                 const std::string& error, TimePoint at) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (error.empty()) {
      tx.exec_params(
          "UPDATE alert_channels SET last_error = '', last_success_at = $1 WHERE company_id = $2 "
          "AND id = $3",
          to_ms(at), company_id, channel_id);
    } else {
      tx.exec_params(
          "UPDATE alert_channels SET last_error = $1, last_failure_at = $2 WHERE company_id = $3 "
          "AND id = $4",
          error, to_ms(at), company_id, channel_id);
    }
    return {};
  });
}

Result<DegradedThreshold> PostgresStore::get_degraded_threshold(const std::string& company_id) {
  return read([&](pqxx::work& tx) -> Result<DegradedThreshold> {
    pqxx::result rows = tx.exec_params(
        "SELECT below_percent, min_attempts, window_minutes FROM alert_thresholds WHERE company_id = $1",
        company_id);
    DegradedThreshold threshold;
    if (!rows.empty()) {
      threshold.below_percent = static_cast<int>(integer(rows[0][0]));
      threshold.min_attempts = static_cast<int>(integer(rows[0][1]));
      threshold.window = std::chrono::minutes(integer(rows[0][2]));
    }
    return threshold;
  });
}

Result<void> PostgresStore::set_degraded_threshold(const std::string& company_id,
                                                   const DegradedThreshold& threshold) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    try {
      tx.exec_params(
          "INSERT INTO alert_thresholds (company_id, below_percent, min_attempts, window_minutes) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT (company_id) DO UPDATE SET below_percent = "
          "excluded.below_percent, min_attempts = excluded.min_attempts, window_minutes = "
          "excluded.window_minutes",
          company_id, static_cast<std::int64_t>(threshold.below_percent),
          static_cast<std::int64_t>(threshold.min_attempts),
          static_cast<std::int64_t>(threshold.window.count()));
    } catch (const pqxx::foreign_key_violation&) {
      return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    }
    return {};
  });
}

Result<WebhookEpisodes> PostgresStore::get_episodes(const std::string& company_id,
                                                    const std::string& webhook_id) {
  return read([&](pqxx::work& tx) -> Result<WebhookEpisodes> {
    pqxx::result rows = tx.exec_params("SELECT " + std::string(kEpisodeColumnList) +
                                           " FROM alert_episodes WHERE company_id = $1 AND webhook_id = $2",
                                       company_id, webhook_id);
    if (!rows.empty()) return episodes_from_row(rows[0]);
    WebhookEpisodes none;
    none.company_id = company_id;
    none.webhook_id = webhook_id;
    return none;
  });
}

Result<bool> PostgresStore::save_episodes(const WebhookEpisodes& e) {
  return transact([&](pqxx::work& tx) -> Result<bool> {
    try {
      // First save: insert unless a row appeared meanwhile; later: update only the version read.
      const pqxx::result done =
          e.version == 0
              ? tx.exec_params("INSERT INTO alert_episodes (" + std::string(kEpisodeColumnList) +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) "
                                   "ON CONFLICT (company_id, webhook_id) DO NOTHING",
                               e.company_id, e.webhook_id, to_ms(e.failed_since), to_ms(e.disabled_since),
                               to_ms(e.degraded_since), to_ms(e.quiet_since),
                               static_cast<std::int64_t>(e.exhausted_pending), to_ms(e.exhausted_sent_at))
              : tx.exec_params(
                    "UPDATE alert_episodes SET failed_since = $1, disabled_since = $2, degraded_since = $3, "
                    "quiet_since = $4, exhausted_pending = $5, exhausted_sent_at = $6, version = version + 1 "
                    "WHERE company_id = $7 AND webhook_id = $8 AND version = $9",
                    to_ms(e.failed_since), to_ms(e.disabled_since), to_ms(e.degraded_since),
                    to_ms(e.quiet_since), static_cast<std::int64_t>(e.exhausted_pending),
                    to_ms(e.exhausted_sent_at), e.company_id, e.webhook_id, e.version);
      return done.affected_rows() == 1;
    } catch (const pqxx::foreign_key_violation&) {
      return false;  // the webhook was deleted meanwhile: nothing to keep, nothing to send
    }
  });
}

Result<std::vector<WebhookEpisodes>> PostgresStore::list_open_episodes(int max) {
  return read([&](pqxx::work& tx) -> Result<std::vector<WebhookEpisodes>> {
    std::vector<WebhookEpisodes> out;
    for (const pqxx::row& row :
         tx.exec_params("SELECT " + std::string(kEpisodeColumnList) + " FROM alert_episodes WHERE " +
                            std::string(kOpenEpisodesCondition) + " ORDER BY company_id, webhook_id LIMIT $1",
                        static_cast<std::int64_t>(max))) {
      out.push_back(episodes_from_row(row));
    }
    return out;
  });
}

}  // namespace switchboard::store::postgres
