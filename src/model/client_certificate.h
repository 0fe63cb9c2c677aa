// A webhook's client certificate for mutual TLS (issue 16 item 5): the PEM
// chain and private key an admin uploads, checked with OpenSSL before it is
// stored, and what the API shows of it (never the key).
//
// Rules (parse_client_certificate), each failure a field error with HTTP 400:
//   - `certificate`: one or more PEM CERTIFICATE blocks (leaf first, then its
//     chain), at most limits::kMaxClientCertificateBytes and
//     kMaxClientCertificateChain certificates, nothing else in the text; the
//     leaf must be usable for TLS client authentication (key usage / extended
//     key usage allow it) and not expired at `now` (a certificate that is
//     already expired could only fail every delivery: refused, not warned).
//   - `private_key`: one unencrypted PEM private key, at most
//     limits::kMaxClientKeyBytes, that belongs to the leaf's public key.
// The stored forms are re-encoded by OpenSSL (PEM certificates only, the key
// as PKCS#8), so whatever text surrounded the blocks is not kept.
//
// Pure functions (OpenSSL parsing only, no I/O); thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "model/webhook_input.h"

namespace switchboard::model {

struct ClientCertificate {
  std::string certificate_pem;  // leaf first, then its chain
  std::string private_key_pem;  // PKCS#8, secret: sealed at rest, never shown
  // What the API shows (derived from the leaf when it was uploaded):
  std::string subject;             // RFC 2253, e.g. "CN=switchboard,O=Acme"
  std::string issuer;              // RFC 2253
  TimePoint not_after{};           // the leaf's expiry
  std::string fingerprint_sha256;  // lowercase hex of SHA-256 over the leaf's DER
  bool operator==(const ClientCertificate&) const = default;
};

// Checks and normalizes an upload (see the rules above). The error is the one
// field error to answer with 400.
tl::expected<ClientCertificate, FieldError> parse_client_certificate(std::string_view certificate_pem,
                                                                     std::string_view private_key_pem,
                                                                     TimePoint now);

}  // namespace switchboard::model
