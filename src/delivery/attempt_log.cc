#include "delivery/attempt_log.h"

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "model/receiver_signals.h"

namespace switchboard::delivery {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at `text[i]` (Unicode Table 3-7), or 0.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
  const std::uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

const HttpHeader* find_header(const std::vector<HttpHeader>& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (iequals(header.name, name)) return &header;
  }
  return nullptr;
}

// A failure's next attempt: the schedule's, or the one a 429/503's
// Retry-After asks for (model/receiver_signals.h). The header's value goes
// into the error message either way, so the failure log shows what was asked.
std::optional<TimePoint> next_attempt_of_failure(const FinishedAttempt& finished,
                                                 const model::RetryPolicy& policy,
                                                 std::string& error_message) {
  const model::Delivery& delivery = *finished.delivery;
  const HttpResponse& response = *finished.response;
  const auto scheduled = [&] {
    return policy.next_attempt_at(finished.attempt, delivery.event_time, finished.finished_at);
  };
  if (!response.status_code || !model::honours_retry_after(*response.status_code)) return scheduled();
  const HttpHeader* header = find_header(response.headers, "Retry-After");
  if (header == nullptr) return scheduled();
  const auto wait = model::parse_retry_after(header->value, finished.finished_at);
  error_message += (wait ? "; Retry-After: " : "; Retry-After ignored (not seconds or an HTTP date): ") +
                   sanitize_utf8(header->value.substr(0, 128));
  if (!wait) return scheduled();
  return model::next_attempt_after_retry_after(policy, finished.attempt, delivery.event_time,
                                               finished.finished_at, *wait);
}

std::vector<HttpHeader> sanitized(const std::vector<HttpHeader>& headers) {
  std::vector<HttpHeader> out;
  out.reserve(headers.size());
  for (const auto& header : headers) out.push_back({sanitize_utf8(header.name), sanitize_utf8(header.value)});
  return out;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = sequence_length(text, i);
    if (length == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

store::AttemptOutcome make_attempt_outcome(const FinishedAttempt& finished,
                                           const model::RetryPolicy& policy) {
  const model::Delivery& delivery = *finished.delivery;
  const HttpResponse& response = *finished.response;
  store::AttemptOutcome outcome;
  model::Attempt& attempt = outcome.attempt;
  attempt.id = new_id("att", finished.finished_at);
  attempt.company_id = delivery.company_id;
  attempt.webhook_id = delivery.webhook_id;
  attempt.delivery_id = delivery.id;
  attempt.event_id = delivery.event_id;
  attempt.event_type = delivery.event_type;
  attempt.attempt = finished.attempt;
  attempt.at = finished.started_at;
  attempt.success = response.success();
  attempt.status_code = response.status_code;
  attempt.error = response.error;
  attempt.error_message = sanitize_utf8(response.error_message);
  attempt.latency_ms = response.latency_ms;
  // A success settles the delivery; the stores keep attempt rows (the
  // failure log) only for failures, so its request and response are not copied.
  if (attempt.success) return outcome;
  if (finished.request != nullptr) {
    attempt.request_url = finished.request->masked_url;
    attempt.request_headers = headers_to_json(finished.request->masked_headers);
  } else {
    attempt.request_headers = "[]";
  }
  attempt.request_body = std::string(finished.body);
  attempt.response_headers = headers_to_json(sanitized(response.headers));
  attempt.response_body = sanitize_utf8(response.body);
  if (!attempt.success) {
    outcome.next_attempt_at = next_attempt_of_failure(finished, policy, attempt.error_message);
    outcome.disables_webhook = response.status_code && model::is_gone(*response.status_code);
    // Health (spec §4): a delivery queued too late into its window (a
    // backdated event) never had its whole schedule, so it says little about the receiver.
    if (!outcome.next_attempt_at) {
      outcome.counts_toward_failure = policy.had_full_schedule(delivery.event_time, delivery.created_at);
    }
  }
  return outcome;
}

}  // namespace switchboard::delivery
