// Parsing and validating alert channel requests (POST/PATCH
// /api/v2/alert-channels) and the degraded threshold (PATCH
// /api/v2/alert-settings): JSON in, a channel spec or field errors out (the
// codes of model/error_codes.h, the bounds of model/limits.h). Pure;
// thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "model/webhook_input.h"
#include "store/alert_store.h"
#include "tl/expected.hpp"

namespace switchboard::alerts {

// What a client sets on a channel. `url` is the alert webhook's (kind webhook).
struct ChannelSpec {
  std::string name;
  store::AlertChannelKind kind = store::AlertChannelKind::kEmail;
  std::vector<std::string> events;
  bool enabled = true;
  std::string url;
  store::SmtpSettings smtp;
};

using ChannelInput = tl::expected<ChannelSpec, std::vector<model::FieldError>>;

// Required: name, kind; url (webhook) or smtp.host, smtp.from and
// smtp.recipients (email). events defaults to every event but
// delivery.exhausted; smtp.tls to starttls, smtp.port to 465/587/25 by tls.
// tls "none" is allowed only towards a loopback host.
ChannelInput parse_channel_create(const boost::json::value& body);

// Fields present replace the current ones; kind is immutable; smtp is merged
// field by field, and a password of model::kMaskedSecret keeps the stored one.
ChannelInput parse_channel_patch(const boost::json::value& body, const ChannelSpec& current);

using ThresholdInput = tl::expected<store::DegradedThreshold, std::vector<model::FieldError>>;
// {"degraded_below_percent":1..100,"degraded_min_attempts":1..100000,
//  "degraded_window_minutes":1..1440}, each optional, over `current`.
ThresholdInput parse_threshold_patch(const boost::json::value& body, const store::DegradedThreshold& current);

// Single-value rules, exposed for table tests.
bool is_plain_email(std::string_view address);   // local@domain, no spaces, CR, LF, <, >, quotes
bool is_valid_smtp_host(std::string_view host);  // a DNS name or an IP literal, no scheme or port
bool is_loopback_host(std::string_view host);    // localhost, 127.0.0.0/8, ::1

}  // namespace switchboard::alerts
