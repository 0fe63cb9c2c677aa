// Sending one e-mail over SMTP with libcurl (implicit TLS = smtps://,
// STARTTLS required, or plain towards loopback only, which the channel's
// validation enforces). Certificates are verified; `ca_file` adds a CA (tests
// use their self-signed one). Blocking: call it from the mailer's thread only.
//
// SSRF: the SMTP host is an address an API user chooses, like a webhook URL,
// so it passes the same guard (delivery/ssrf.h): every address libcurl is
// about to connect to (after DNS) is classified, and only public ones are
// allowed unless the operator runs with --allow-private-networks
// (`allow_private_networks`). A refused address fails the send before any
// packet leaves. smtp_host_refusal() applies the same rule to an IP literal
// host when a channel is saved, so the API answers a field error at once.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/alert_store.h"

namespace switchboard::alerts {

struct SmtpOptions {
  std::string ca_file;                       // extra CA (PEM); empty: the system's
  std::chrono::milliseconds timeout{30000};  // whole conversation
  bool allow_private_networks = false;       // delivery::ssrf::is_allowed, as for webhooks
};

// Why the SSRF guard refuses `host` when it is an IP literal ("127.0.0.1",
// "[::1]"), e.g. "127.0.0.1 is not a public address (loopback)"; nullopt when it is allowed
// or a DNS name (names are checked on every connection, after resolution).
std::optional<std::string> smtp_host_refusal(std::string_view host, bool allow_private_networks);

// kUnavailable with what went wrong (connection refused, TLS, auth, a
// recipient refused) when the message was not accepted. Never puts the
// password in the message.
Result<void> send_email(const store::SmtpSettings& smtp, const std::string& message,
                        const SmtpOptions& options);

// The libcurl URL for the settings: smtps://host:port or smtp://host:port
// (IPv6 literals bracketed). Exposed for tests.
std::string smtp_url(const store::SmtpSettings& smtp);

}  // namespace switchboard::alerts
