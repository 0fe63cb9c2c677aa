#include "store/common/alert_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <utility>

#include "store/common/webhook_codec.h"

namespace switchboard::store {
namespace json = boost::json;

namespace {

tl::unexpected<Error> malformed(std::string_view what) {
  return make_error(ErrorCode::kInternal, "stored alert channel is malformed: " + std::string(what));
}

}  // namespace

std::string_view alert_kind_column(AlertChannelKind kind) {
  return kind == AlertChannelKind::kWebhook ? "webhook" : "email";
}

std::optional<AlertChannelKind> alert_kind_from_column(std::string_view text) {
  if (text == "webhook") return AlertChannelKind::kWebhook;
  if (text == "email") return AlertChannelKind::kEmail;
  return std::nullopt;
}

std::string_view smtp_tls_column(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::kImplicit:
      return "implicit";
    case SmtpTls::kStartTls:
      return "starttls";
    case SmtpTls::kNone:
      return "none";
  }
  return "starttls";
}

std::optional<SmtpTls> smtp_tls_from_column(std::string_view text) {
  if (text == "implicit") return SmtpTls::kImplicit;
  if (text == "starttls") return SmtpTls::kStartTls;
  if (text == "none") return SmtpTls::kNone;
  return std::nullopt;
}

std::string encode_smtp(const SmtpSettings& smtp) {
  json::array recipients;
  for (const auto& to : smtp.recipients) recipients.emplace_back(to);
  json::object out{{"host", smtp.host},         {"port", smtp.port}, {"tls", smtp_tls_column(smtp.tls)},
                   {"username", smtp.username}, {"from", smtp.from}, {"recipients", std::move(recipients)}};
  return json::serialize(out);
}

Result<void> decode_smtp(std::string_view column, SmtpSettings& smtp) {
  json::error_code ec;
  json::value value = json::parse(column, ec);
  if (ec || !value.is_object()) return malformed("smtp is not a JSON object");
  const json::object& object = value.get_object();
  if (object.empty()) return {};  // a webhook channel
  auto text = [&](std::string_view key) -> std::string {
    const json::value* field = object.if_contains(key);
    return field && field->is_string() ? std::string(field->get_string()) : std::string();
  };
  smtp.host = text("host");
  smtp.username = text("username");
  smtp.from = text("from");
  const json::value* port = object.if_contains("port");
  if (!port || !port->is_int64()) return malformed("smtp.port");
  smtp.port = static_cast<int>(port->get_int64());
  auto tls = smtp_tls_from_column(text("tls"));
  if (!tls) return malformed("smtp.tls");
  smtp.tls = *tls;
  smtp.recipients.clear();
  if (const json::value* to = object.if_contains("recipients"); to && to->is_array()) {
    for (const auto& item : to->get_array())
      if (item.is_string()) smtp.recipients.emplace_back(item.get_string());
  }
  return {};
}

AlertChannelColumns encode_alert_channel(const AlertChannel& channel, const crypto::SecretBox& secrets) {
  AlertChannelColumns row;
  row.id = channel.id;
  row.company_id = channel.company_id;
  row.name = channel.name;
  row.kind = std::string(alert_kind_column(channel.kind));
  row.events = encode_strings(channel.events);
  row.enabled = channel.enabled;
  row.webhook_id = channel.webhook_id;
  if (channel.kind == AlertChannelKind::kEmail) {
    row.smtp = encode_smtp(channel.smtp);
    if (!channel.smtp.password.empty()) row.smtp_password = secrets.seal(channel.smtp.password);
  } else {
    row.smtp = "{}";
  }
  row.last_error = channel.last_error;
  row.last_failure_at = channel.last_failure_at;
  row.last_success_at = channel.last_success_at;
  row.created_at = channel.created_at;
  row.updated_at = channel.updated_at;
  return row;
}

Result<AlertChannel> decode_alert_channel(const AlertChannelColumns& row, const crypto::SecretBox& secrets) {
  AlertChannel channel;
  channel.id = row.id;
  channel.company_id = row.company_id;
  channel.name = row.name;
  auto kind = alert_kind_from_column(row.kind);
  if (!kind) return malformed("kind");
  channel.kind = *kind;
  auto events = decode_strings(row.events);
  if (!events) return forward_error(events);
  channel.events = std::move(*events);
  channel.enabled = row.enabled;
  channel.webhook_id = row.webhook_id;
  auto smtp = decode_smtp(row.smtp, channel.smtp);
  if (!smtp) return forward_error(smtp);
  auto password = open_optional(row.smtp_password, secrets);
  if (!password) return forward_error(password);
  channel.smtp.password = password->value_or("");
  channel.last_error = row.last_error;
  channel.last_failure_at = row.last_failure_at;
  channel.last_success_at = row.last_success_at;
  channel.created_at = row.created_at;
  channel.updated_at = row.updated_at;
  return channel;
}

}  // namespace switchboard::store
