#include "server/request_id.h"

#include <fmt/format.h>

#include <cstdint>

#include "common/crypto.h"
#include "model/limits.h"

namespace switchboard::server {

bool is_acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > model::limits::kMaxRequestIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A random prefix per thread and a counter: unique without a CSPRNG call per
// request (the health check is answered inline at full speed).
std::string new_request_id() {
  thread_local const std::string prefix = crypto::hex_encode(crypto::random_bytes(6));
  thread_local std::uint32_t counter = 0;
  return fmt::format("req_{}{:08x}", prefix, ++counter);
}

std::string choose_request_id(std::optional<std::string_view> from_client) {
  if (from_client && is_acceptable_request_id(*from_client)) return std::string(*from_client);
  return new_request_id();
}

}  // namespace switchboard::server
