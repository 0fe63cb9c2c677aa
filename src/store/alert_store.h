// AlertStore: the store's part of failure alerts (issue 16 items 1-2): each
// company's alert channels (an alert webhook or SMTP e-mail), its degraded
// thresholds, and the per-webhook episode state that makes every operational
// event go out once per episode, across restarts and nodes. Both backends
// implement it beside Store; reach it with dynamic_cast from a Store (as
// RetentionStore), so that Store's test fakes need not stub it.
//
// An alert webhook is carried by a real webhook row (id prefix "wha_", see
// kAlertWebhookIdPrefix), so that the delivery engine signs, sends and
// retries alerts like any delivery; the channel keeps that webhook's id.
// The SMTP password is passed in clear and sealed at rest like other secrets.
//
// Thread-safety: as Store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/webhook.h"

namespace switchboard::store {

// Webhooks that carry an alert channel have ids "wha_…" (new_id("wha", …)).
// They sort after every "wh_…" id, so the webhook list can leave them out.
inline constexpr std::string_view kAlertWebhookIdPrefix = "wha_";

enum class AlertChannelKind { kWebhook, kEmail };
// How the SMTP connection is secured: implicit TLS (smtps://, usually 465),
// STARTTLS (required, usually 587) or none (loopback and tests only).
enum class SmtpTls { kImplicit, kStartTls, kNone };

struct SmtpSettings {
  std::string host;
  int port = 587;
  SmtpTls tls = SmtpTls::kStartTls;
  std::string username;
  std::string password;  // secret: sealed at rest, never returned or logged
  std::string from;      // the envelope and header sender
  std::vector<std::string> recipients;
  bool operator==(const SmtpSettings&) const = default;
};

struct AlertChannel {
  std::string id;  // ach_…
  std::string company_id;
  std::string name;
  AlertChannelKind kind = AlertChannelKind::kEmail;
  std::vector<std::string> events;  // operational event types (alerts/operational_events.h)
  bool enabled = true;
  std::string webhook_id;  // kWebhook: the "wha_" webhook that carries it
  SmtpSettings smtp;       // kEmail
  // The last send that failed for good (after its retries), and when; a
  // later success clears last_error.
  std::string last_error;
  std::optional<TimePoint> last_failure_at;
  std::optional<TimePoint> last_success_at;
  TimePoint created_at{};
  TimePoint updated_at{};
};

// When a webhook counts as degraded: a success rate under `below_percent` over
// at least `min_attempts` attempts in the last `window`.
struct DegradedThreshold {
  int below_percent = 90;
  int min_attempts = 20;
  std::chrono::minutes window{15};
  bool operator==(const DegradedThreshold&) const = default;
};

// One webhook's open episodes. An episode opens when its event is sent and
// closes with webhook.recovered; while open, the event is not sent again.
struct WebhookEpisodes {
  std::string company_id;
  std::string webhook_id;
  std::optional<TimePoint> failed_since;
  std::optional<TimePoint> disabled_since;
  std::optional<TimePoint> degraded_since;
  // When the last failed/disabled episode closed (re-enabled): the degraded
  // window starts no earlier, so old failures do not reopen an episode.
  std::optional<TimePoint> quiet_since;
  // delivery.exhausted is aggregated: exhausted deliveries not yet reported,
  // and when the last report went out.
  int exhausted_pending = 0;
  std::optional<TimePoint> exhausted_sent_at;
  // The stored row's version when read (0: none stored); save_episodes
  // compares it and writes the next one.
  std::int64_t version = 0;
  bool operator==(const WebhookEpisodes&) const = default;
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // kLimitReached when the company already has `max_per_company` channels.
  // A webhook channel's carrier webhook (`carrier`, id "wha_…") is created in
  // the same transaction.
  virtual Result<void> create_alert_channel(const AlertChannel& channel,
                                            const std::optional<model::Webhook>& carrier,
                                            int max_per_company) = 0;
  // kNotFound for another company's channel.
  virtual Result<AlertChannel> get_alert_channel(const std::string& company_id,
                                                 const std::string& channel_id) = 0;
  // The company's channels ordered by id.
  virtual Result<std::vector<AlertChannel>> list_alert_channels(const std::string& company_id) = 0;
  // Replaces name, events, enabled, smtp and updated_at (not the outcome columns).
  virtual Result<void> update_alert_channel(const AlertChannel& channel) = 0;
  // Also deletes its alert webhook (and so that webhook's deliveries).
  virtual Result<void> delete_alert_channel(const std::string& company_id, const std::string& channel_id) = 0;
  // The outcome of a send: `error` empty = success (clears last_error).
  // An unknown channel (deleted meanwhile) is not an error.
  virtual Result<void> record_alert_outcome(const std::string& company_id, const std::string& channel_id,
                                            const std::string& error, TimePoint at) = 0;

  // The company's threshold; the defaults when it never set one.
  virtual Result<DegradedThreshold> get_degraded_threshold(const std::string& company_id) = 0;
  virtual Result<void> set_degraded_threshold(const std::string& company_id,
                                              const DegradedThreshold& threshold) = 0;

  // A webhook's episodes; all closed (ids set, nothing else) when none were stored.
  virtual Result<WebhookEpisodes> get_episodes(const std::string& company_id,
                                               const std::string& webhook_id) = 0;
  // Compare-and-set: saves `episodes` only when the stored row is still at
  // `episodes.version` (none stored for 0), and answers whether it did. false:
  // another node (or thread) saved them since they were read, so it made the
  // decision and sent what it decided; nothing was written. Also false when
  // the webhook was deleted meanwhile.
  virtual Result<bool> save_episodes(const WebhookEpisodes& episodes) = 0;
  // Webhooks with an open episode or unreported exhausted deliveries, at most `max`.
  virtual Result<std::vector<WebhookEpisodes>> list_open_episodes(int max) = 0;
};

}  // namespace switchboard::store
