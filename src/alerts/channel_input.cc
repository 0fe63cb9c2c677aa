#include "alerts/channel_input.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>

#include "alerts/operational_events.h"
#include "model/error_codes.h"
#include "model/limits.h"

namespace switchboard::alerts {
namespace json = boost::json;
namespace limits = model::limits;
namespace error_codes = model::error_codes;

namespace {

using Errors = std::vector<model::FieldError>;

void add(Errors& errors, std::string field, std::string_view code, std::string message) {
  errors.push_back({std::move(field), std::string(code), std::move(message)});
}

// A string field: absent leaves `out`; wrong type is an error.
void read_string(const json::object& object, std::string_view key, const std::string& field, std::string& out,
                 Errors& errors) {
  const json::value* value = object.if_contains(key);
  if (!value) return;
  if (!value->is_string()) return add(errors, field, error_codes::kInvalidType, field + " must be a string.");
  out = std::string(value->get_string());
}

bool only_known_keys(const json::object& object, std::initializer_list<std::string_view> known,
                     const std::string& prefix, Errors& errors) {
  bool ok = true;
  for (const auto& field : object) {
    const std::string_view key(field.key().data(), field.key().size());
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      add(errors, prefix + std::string(key), error_codes::kUnknownField, "Unknown field.");
      ok = false;
    }
  }
  return ok;
}

int default_port(store::SmtpTls tls) {
  switch (tls) {
    case store::SmtpTls::kImplicit:
      return 465;
    case store::SmtpTls::kStartTls:
      return 587;
    case store::SmtpTls::kNone:
      return 25;
  }
  return 587;
}

std::optional<store::SmtpTls> parse_tls(std::string_view text) {
  if (text == "implicit") return store::SmtpTls::kImplicit;
  if (text == "starttls") return store::SmtpTls::kStartTls;
  if (text == "none") return store::SmtpTls::kNone;
  return std::nullopt;
}

void read_events(const json::object& body, ChannelSpec& spec, Errors& errors) {
  const json::value* value = body.if_contains("events");
  if (!value) return;
  if (!value->is_array()) return add(errors, "events", error_codes::kInvalidType, "events must be an array.");
  std::set<std::string> seen;
  std::vector<std::string> events;
  const json::array& items = value->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string field = "events[" + std::to_string(i) + "]";
    if (!items[i].is_string()) {
      add(errors, field, error_codes::kInvalidType, "Each event must be a string.");
      continue;
    }
    const std::string type(items[i].get_string());
    if (!parse_operational_event(type)) {
      add(errors, field, error_codes::kUnknownEvent,
          "Not an operational event: webhook.failed, webhook.disabled, webhook.degraded, webhook.recovered "
          "or "
          "delivery.exhausted.");
    } else if (!seen.insert(type).second) {
      add(errors, field, error_codes::kDuplicateKey, "Listed twice.");
    }
  }
  if (items.empty()) add(errors, "events", error_codes::kTooFew, "Subscribe to at least one event.");
  // Kept in the catalog's order.
  for (OperationalEvent event : kAllOperationalEvents)
    if (seen.count(std::string(to_string(event)))) events.emplace_back(to_string(event));
  spec.events = std::move(events);
}

void read_smtp(const json::object& body, ChannelSpec& spec, bool creating, Errors& errors) {
  const json::value* value = body.if_contains("smtp");
  if (!value) return;
  if (!value->is_object()) return add(errors, "smtp", error_codes::kInvalidType, "smtp must be an object.");
  const json::object& smtp = value->get_object();
  only_known_keys(smtp, {"host", "port", "tls", "username", "password", "from", "recipients"}, "smtp.",
                  errors);
  read_string(smtp, "host", "smtp.host", spec.smtp.host, errors);
  read_string(smtp, "username", "smtp.username", spec.smtp.username, errors);
  std::string password = spec.smtp.password;
  read_string(smtp, "password", "smtp.password", password, errors);
  if (password != model::kMaskedSecret) spec.smtp.password = password;
  read_string(smtp, "from", "smtp.from", spec.smtp.from, errors);
  bool port_given = false;
  if (const json::value* tls = smtp.if_contains("tls")) {
    auto parsed = tls->is_string() ? parse_tls(tls->get_string()) : std::nullopt;
    if (!parsed) {
      add(errors, "smtp.tls", error_codes::kInvalidValue, "tls must be implicit, starttls or none.");
    } else {
      spec.smtp.tls = *parsed;
    }
  }
  if (const json::value* port = smtp.if_contains("port")) {
    port_given = true;
    if (!port->is_int64() || port->get_int64() < 1 || port->get_int64() > 65535) {
      add(errors, "smtp.port", error_codes::kInvalidValue, "port must be a whole number from 1 to 65535.");
    } else {
      spec.smtp.port = static_cast<int>(port->get_int64());
    }
  }
  if (creating && !port_given) spec.smtp.port = default_port(spec.smtp.tls);
  if (const json::value* to = smtp.if_contains("recipients")) {
    if (!to->is_array()) {
      add(errors, "smtp.recipients", error_codes::kInvalidType, "recipients must be an array of addresses.");
    } else {
      spec.smtp.recipients.clear();
      const json::array& items = to->get_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string field = "smtp.recipients[" + std::to_string(i) + "]";
        if (!items[i].is_string() || !is_plain_email(items[i].get_string())) {
          add(errors, field, error_codes::kInvalidValue, "Not an e-mail address (name@example.com).");
          continue;
        }
        spec.smtp.recipients.emplace_back(items[i].get_string());
      }
    }
  }
}

void validate(const ChannelSpec& spec, Errors& errors) {
  if (spec.name.empty()) add(errors, "name", error_codes::kRequired, "name is required.");
  if (spec.name.size() > limits::kMaxAlertChannelNameLength)
    add(errors, "name", error_codes::kTooLong, "name is at most 100 characters.");
  if (spec.kind == store::AlertChannelKind::kWebhook) {
    if (spec.url.empty()) {
      add(errors, "url", error_codes::kRequired, "An alert webhook needs a url.");
    } else {
      for (auto& error : model::validate_url(spec.url)) errors.push_back(std::move(error));
    }
    return;
  }
  const store::SmtpSettings& smtp = spec.smtp;
  if (smtp.host.empty()) {
    add(errors, "smtp.host", error_codes::kRequired, "An e-mail channel needs smtp.host.");
  } else if (!is_valid_smtp_host(smtp.host)) {
    add(errors, "smtp.host", error_codes::kInvalidValue, "host must be a DNS name or IP address, no port.");
  } else if (smtp.tls == store::SmtpTls::kNone && !is_loopback_host(smtp.host)) {
    add(errors, "smtp.tls", error_codes::kNotAllowed,
        "tls none is allowed only towards a loopback host: use implicit or starttls.");
  }
  if (smtp.username.size() > limits::kMaxSmtpCredentialLength)
    add(errors, "smtp.username", error_codes::kTooLong, "username is at most 256 characters.");
  if (smtp.password.size() > limits::kMaxSmtpCredentialLength)
    add(errors, "smtp.password", error_codes::kTooLong, "password is at most 256 characters.");
  if (!smtp.password.empty() && smtp.username.empty())
    add(errors, "smtp.username", error_codes::kRequired, "A password needs a username.");
  if (smtp.from.empty()) {
    add(errors, "smtp.from", error_codes::kRequired, "smtp.from (the sender address) is required.");
  } else if (!is_plain_email(smtp.from)) {
    add(errors, "smtp.from", error_codes::kInvalidValue, "Not an e-mail address (alerts@example.com).");
  }
  if (smtp.recipients.empty())
    add(errors, "smtp.recipients", error_codes::kTooFew, "At least one recipient is required.");
  if (smtp.recipients.size() > static_cast<std::size_t>(limits::kMaxAlertRecipients))
    add(errors, "smtp.recipients", error_codes::kTooMany, "At most 10 recipients.");
}

ChannelInput parse(const json::value& body, ChannelSpec spec, bool creating) {
  Errors errors;
  if (!body.is_object()) {
    add(errors, "", error_codes::kInvalidBody, "The body must be a JSON object.");
    return tl::unexpected(std::move(errors));
  }
  const json::object& object = body.get_object();
  only_known_keys(object, {"name", "kind", "events", "enabled", "url", "smtp"}, "", errors);
  read_string(object, "name", "name", spec.name, errors);
  if (const json::value* kind = object.if_contains("kind")) {
    if (!creating) {
      add(errors, "kind", error_codes::kImmutable, "A channel's kind cannot change: create another channel.");
    } else if (kind->is_string() && kind->get_string() == "webhook") {
      spec.kind = store::AlertChannelKind::kWebhook;
    } else if (kind->is_string() && kind->get_string() == "email") {
      spec.kind = store::AlertChannelKind::kEmail;
    } else {
      add(errors, "kind", error_codes::kInvalidValue, "kind must be webhook or email.");
    }
  } else if (creating) {
    add(errors, "kind", error_codes::kRequired, "kind (webhook or email) is required.");
  }
  if (const json::value* enabled = object.if_contains("enabled")) {
    if (!enabled->is_bool()) {
      add(errors, "enabled", error_codes::kInvalidType, "enabled must be true or false.");
    } else {
      spec.enabled = enabled->get_bool();
    }
  }
  read_events(object, spec, errors);
  const bool webhook = spec.kind == store::AlertChannelKind::kWebhook;
  if (object.contains("url") && !webhook)
    add(errors, "url", error_codes::kNotAllowed, "url is for alert webhooks; e-mail channels take smtp.");
  if (object.contains("smtp") && webhook)
    add(errors, "smtp", error_codes::kNotAllowed, "smtp is for e-mail channels; alert webhooks take url.");
  if (webhook) read_string(object, "url", "url", spec.url, errors);
  if (!webhook) read_smtp(object, spec, creating, errors);
  if (errors.empty()) validate(spec, errors);
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return spec;
}

}  // namespace

ChannelInput parse_channel_create(const json::value& body) {
  ChannelSpec spec;
  for (OperationalEvent event : kAllOperationalEvents)
    if (subscribed_by_default(event)) spec.events.emplace_back(to_string(event));
  return parse(body, std::move(spec), true);
}

ChannelInput parse_channel_patch(const json::value& body, const ChannelSpec& current) {
  return parse(body, current, false);
}

ThresholdInput parse_threshold_patch(const json::value& body, const store::DegradedThreshold& current) {
  Errors errors;
  if (!body.is_object()) {
    add(errors, "", error_codes::kInvalidBody, "The body must be a JSON object.");
    return tl::unexpected(std::move(errors));
  }
  const json::object& object = body.get_object();
  only_known_keys(object, {"degraded_below_percent", "degraded_min_attempts", "degraded_window_minutes"}, "",
                  errors);
  store::DegradedThreshold out = current;
  auto read_int = [&](std::string_view key, int min, int max, int& target) {
    const json::value* value = object.if_contains(key);
    if (!value) return;
    if (!value->is_int64() || value->get_int64() < min || value->get_int64() > max) {
      add(errors, std::string(key), error_codes::kInvalidValue,
          std::string(key) + " must be a whole number from " + std::to_string(min) + " to " +
              std::to_string(max) + ".");
      return;
    }
    target = static_cast<int>(value->get_int64());
  };
  int window = static_cast<int>(current.window.count());
  read_int("degraded_below_percent", limits::kMinDegradedBelowPercent, limits::kMaxDegradedBelowPercent,
           out.below_percent);
  read_int("degraded_min_attempts", limits::kMinDegradedAttempts, limits::kMaxDegradedAttempts,
           out.min_attempts);
  read_int("degraded_window_minutes", limits::kMinDegradedWindowMinutes, limits::kMaxDegradedWindowMinutes,
           window);
  out.window = std::chrono::minutes(window);
  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return out;
}

bool is_plain_email(std::string_view address) {
  if (address.empty() || address.size() > limits::kMaxEmailAddressLength) return false;
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (unsigned char c : address) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == ',' ||
        c == ';' || c == '\\')
      return false;
  }
  const std::string_view domain = address.substr(at + 1);
  return domain.front() != '.' && domain.back() != '.';
}

bool is_valid_smtp_host(std::string_view host) {
  if (host.empty() || host.size() > limits::kMaxSmtpHostLength) return false;
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // [::1]
  if (std::count(host.begin(), host.end(), ':') == 1) return false;                       // host:port
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == ':'; });
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  return host.substr(0, 4) == "127." && is_valid_smtp_host(host);
}

}  // namespace switchboard::alerts
