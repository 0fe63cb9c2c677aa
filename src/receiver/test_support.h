// Test helpers for the receiver's tests: builds the headers of a delivery
// request the way spec.md §2 describes them. Test code only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "receiver/verify.h"

namespace switchboard::receiver::test_support {

inline std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out.append(separator);
    out.append(part);
  }
  return out;
}

// Every header a signed delivery carries; with several secrets (a rotation)
// each signature header holds one signature per secret.
inline Headers delivery_headers(const std::vector<std::string>& secrets, const std::string& event_id,
                                int attempt, std::int64_t timestamp, std::string_view body) {
  const std::string ts = std::to_string(timestamp);
  Headers headers{{"Content-Type", "application/json"},
                  {"X-MO-Event-Id", event_id},
                  {"X-MO-Delivery-Attempt", std::to_string(attempt)},
                  {"X-MO-Timestamp", ts}};
  if (secrets.empty()) return headers;
  std::vector<std::string> hex, mo, standard;
  for (const auto& secret : secrets) {
    hex.push_back(hex_signature(secret, body));
    mo.push_back("sha256=" + hex.back());
    standard.push_back(standard_webhooks_signature(secret, event_id, ts, body).value_or("v1,invalid-secret"));
  }
  headers.emplace_back("X-MyOperator-Signature", join(hex, ","));
  headers.emplace_back("X-MO-Signature", join(mo, ","));
  headers.emplace_back("webhook-id", event_id);
  headers.emplace_back("webhook-timestamp", ts);
  headers.emplace_back("webhook-signature", join(standard, " "));
  return headers;
}

inline std::string envelope(std::string_view event_id, std::string_view type = "call.answered") {
  return R"({"event_id":")" + std::string(event_id) + R"(","event_type":")" + std::string(type) +
         R"(","event_sequence":3,"created_at":"2026-11-22T10:03:59.123Z","company_id":"cmp_1",)"
         R"("data":{"call_id":"call_78e3c7","direction":"inbound","from":"+12025550123"}})";
}

// Replaces the value of the first header called `name`, or adds it.
inline void set_header(Headers& headers, std::string_view name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::move(value));
}

inline void remove_header(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& header) { return header.first == name; });
}

}  // namespace switchboard::receiver::test_support
