// The alert tables' column spellings and codecs, written once for both
// backends (store/alert_store.h): channel kind and SMTP TLS mode as text, the
// SMTP settings (all but the password, which has its own sealed column) as a
// JSON column, and a channel row mapped back to an AlertChannel. Pure
// functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/result.h"
#include "store/alert_store.h"

namespace switchboard::store {

std::string_view alert_kind_column(AlertChannelKind kind);
std::optional<AlertChannelKind> alert_kind_from_column(std::string_view text);
std::string_view smtp_tls_column(SmtpTls tls);
std::optional<SmtpTls> smtp_tls_from_column(std::string_view text);

// {"host":…,"port":…,"tls":…,"username":…,"from":…,"recipients":[…]}
std::string encode_smtp(const SmtpSettings& smtp);
// Fills every field of `smtp` but the password.
Result<void> decode_smtp(std::string_view column, SmtpSettings& smtp);

// A channel as its columns hold it (the text and sealed columns).
struct AlertChannelColumns {
  std::string id, company_id, name, kind, events;
  bool enabled = true;
  std::string webhook_id, smtp;
  std::optional<std::string> smtp_password;  // sealed
  std::string last_error;
  std::optional<TimePoint> last_failure_at, last_success_at;
  TimePoint created_at{}, updated_at{};
};

AlertChannelColumns encode_alert_channel(const AlertChannel& channel, const crypto::SecretBox& secrets);
Result<AlertChannel> decode_alert_channel(const AlertChannelColumns& row, const crypto::SecretBox& secrets);

// The column list both backends select and insert, in AlertChannelColumns order.
inline constexpr std::string_view kAlertChannelColumnList =
    "id, company_id, name, kind, events, enabled, webhook_id, smtp, smtp_password, last_error, "
    "last_failure_at, last_success_at, created_at, updated_at";

// The episode columns both backends select (in this order; the rows' readers
// take `version` last) and insert.
inline constexpr std::string_view kEpisodeColumnList =
    "company_id, webhook_id, failed_since, disabled_since, degraded_since, quiet_since, exhausted_pending, "
    "exhausted_sent_at, version";

// Which episode rows list_open_episodes answers, in both backends (the same
// condition as the alert_episodes_open partial index of their migrations).
inline constexpr std::string_view kOpenEpisodesCondition =
    "failed_since IS NOT NULL OR disabled_since IS NOT NULL OR degraded_since IS NOT NULL "
    "OR exhausted_pending > 0";

}  // namespace switchboard::store
