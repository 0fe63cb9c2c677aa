// Sending one e-mail over SMTP with libcurl (implicit TLS = smtps://,
// STARTTLS required, or plain towards loopback only, which the channel's
// validation enforces). Certificates are verified; `ca_file` adds a CA (tests
// use their self-signed one). Blocking: call it from the mailer's thread only.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/alert_store.h"

namespace switchboard::alerts {

struct SmtpOptions {
  std::string ca_file;                       // extra CA (PEM); empty: the system's
  std::chrono::milliseconds timeout{30000};  // whole conversation
};

// kUnavailable with what went wrong (connection refused, TLS, auth, a
// recipient refused) when the message was not accepted. Never puts the
// password in the message.
Result<void> send_email(const store::SmtpSettings& smtp, const std::string& message,
                        const SmtpOptions& options);

// The libcurl URL for the settings: smtps://host:port or smtp://host:port
// (IPv6 literals bracketed). Exposed for tests.
std::string smtp_url(const store::SmtpSettings& smtp);

}  // namespace switchboard::alerts
