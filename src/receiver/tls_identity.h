// The receiver's TLS certificate and key. Either loaded from PEM files or
// generated in memory as a self-signed certificate for local development and
// tests (EC P-256; CN=localhost; SAN localhost, 127.0.0.1, ::1). The
// generated certificate is its own trust anchor: a client trusts it by adding
// cert_pem as a CA (curl --cacert, the engine's --ca-file).
// Thread-safe (no shared state).
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace switchboard::receiver {

struct TlsIdentity {
  std::string cert_pem;  // the certificate chain, leaf first
  std::string key_pem;   // the private key (PKCS#8 PEM)
};

// kInternal if OpenSSL fails (it should not).
Result<TlsIdentity> generate_self_signed_identity();

// kInvalidArgument when a file cannot be read or holds no certificate / key.
Result<TlsIdentity> load_identity(const std::filesystem::path& cert, const std::filesystem::path& key);

// Writes `pem` to `path` (mode 0644, replaced atomically); kUnavailable on I/O errors.
Result<void> write_pem_file(const std::filesystem::path& path, const std::string& pem);

}  // namespace switchboard::receiver
