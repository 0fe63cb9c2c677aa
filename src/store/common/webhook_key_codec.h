// The two webhooks columns of issue 16 item 5, as both stores hold them (the
// same text in SQLite and PostgreSQL), NULL when the webhook has none:
//   client_certificate: {"certificate": "<PEM chain>", "private_key": "<sealed PEM>",
//                        "subject", "issuer", "not_after": <unix ms>, "fingerprint_sha256"}
//   signing_keys:       {"ed25519": "<sealed seed>", "previous_ed25519": "<sealed seed>",
//                        "previous_expires_at": <unix ms>}
// Private keys are sealed with the SecretBox, like the signing secrets; the
// certificate and what the API shows of it are public and kept in clear. An
// Ed25519 public key is derived from its seed when read.
// Pure functions; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/crypto.h"
#include "common/result.h"
#include "model/client_certificate.h"
#include "model/signing_keys.h"

namespace switchboard::store {

std::optional<std::string> encode_client_certificate(
    const std::shared_ptr<const model::ClientCertificate>& certificate, const crypto::SecretBox& secrets);
// kInternal when the column is malformed or its key does not open.
Result<std::shared_ptr<const model::ClientCertificate>> decode_client_certificate(
    const std::optional<std::string>& column, const crypto::SecretBox& secrets);

// NULL (nullopt) when there is no key at all.
std::optional<std::string> encode_signing_keys(const model::SigningKeys& keys,
                                               const crypto::SecretBox& secrets);
Result<model::SigningKeys> decode_signing_keys(const std::optional<std::string>& column,
                                               const crypto::SecretBox& secrets);

}  // namespace switchboard::store
