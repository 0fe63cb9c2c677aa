// The rule for a webhook whose URL moves to another origin (issue 12 item 5):
// the stored credentials were given for the old receiver, so they are not
// sent to a new one unless the caller enters them again. Pure; no I/O.
//
// An origin is RFC 6454's: scheme, host and port (the default port of the
// scheme made explicit, scheme and host compared case-insensitively). A change
// of path or query keeps the origin, and so keeps everything.
//
// When a PATCH changes the origin:
//   - every stored secret value the merged webhook would keep (the Basic
//     password, each API key value, each non-empty custom header value) must
//     be sent anew in clear, or removed (e.g. "auth":{"type":"none"}, the
//     header left out of "headers"): otherwise 422 `credentials_required` on
//     that value's path ("auth.password", "auth.keys[0].value",
//     "headers[1].value");
//   - when the webhook has a signing secret, the body must say what becomes
//     of it: "generate", a new "whsec_…" value, "keep", or null (no
//     signing): otherwise 422 `secret_decision_required` on "secret". The
//     masked value sent back is not a decision.
//
// Calling webhooks v1 follow the same rule for their header and query values
// (v1_credentials_for_new_origin in model/v1_webhook.h); v1 has no signing
// secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/webhook_input.h"

namespace switchboard::model {

// "https://example.com:443" for "HTTPS://Example.COM/a?b"; nullopt when `url`
// is not an absolute URL with a host.
std::optional<std::string> url_origin(std::string_view url);

// Both URLs parse and have the same origin.
bool same_origin(std::string_view a, std::string_view b);

// The credentials half of the rule, shared by v2 and v1: one
// `credentials_required` error per path in `kept_credentials` (the stored
// secret values a PATCH keeps without entering them again) when `new_url` is
// of another origin than `current_url`; empty otherwise.
std::vector<FieldError> kept_credentials_for_new_origin(std::string_view current_url,
                                                        std::string_view new_url,
                                                        const std::vector<std::string>& kept_credentials);

// The errors of the rule above for a parsed PATCH (`patch`, whose
// spec.url is the new URL) of a webhook at `current_url`; empty when the
// origin does not change or nothing needs entering again.
std::vector<FieldError> credentials_for_new_origin(std::string_view current_url, bool has_signing_secret,
                                                   const WebhookInput& patch);

}  // namespace switchboard::model
