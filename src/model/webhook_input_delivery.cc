// Webhook create/patch bodies: the per-webhook delivery controls (issue 16
// item 4): timeout_ms, max_in_flight and max_rate, each an integer within its
// bounds of limits.h; max_rate null means unlimited. Absent on create gives
// the default (model::DeliveryControls), absent on PATCH keeps the stored value.
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "model/error_codes.h"
#include "model/limits.h"
#include "model/webhook_input_internal.h"

namespace switchboard::model::input_detail {
namespace {

std::string range_text(int low, int high) { return std::to_string(low) + " to " + std::to_string(high); }

// The integer in `value` when it is one within [low, high]; reports the field error otherwise.
std::optional<int> read_bounded_int(const boost::json::value& value, const std::string& field, int low,
                                    int high, ErrorSink& errors) {
  std::optional<long long> number;
  if (value.is_int64()) number = value.get_int64();
  if (value.is_uint64() && value.get_uint64() <= static_cast<unsigned long long>(high)) {
    number = static_cast<long long>(value.get_uint64());
  }
  if (!number && !value.is_uint64()) {
    errors.invalid_type(field, "an integer");
    return std::nullopt;
  }
  if (!number || *number < low || *number > high) {
    errors.invalid(field, error_codes::kInvalidValue, field + " must be " + range_text(low, high) + ".");
    return std::nullopt;
  }
  return static_cast<int>(*number);
}

}  // namespace

void read_delivery_controls(const boost::json::object& body, DeliveryControls& target, ErrorSink& errors) {
  if (const boost::json::value* value = body.if_contains("timeout_ms")) {
    if (auto ms = read_bounded_int(*value, "timeout_ms", limits::kMinWebhookTimeoutMs,
                                   limits::kMaxWebhookTimeoutMs, errors)) {
      target.timeout_ms = *ms;
    }
  }
  if (const boost::json::value* value = body.if_contains("max_in_flight")) {
    if (auto n = read_bounded_int(*value, "max_in_flight", 1, limits::kMaxWebhookInFlight, errors)) {
      target.max_in_flight = *n;
    }
  }
  if (const boost::json::value* value = body.if_contains("max_rate")) {
    if (value->is_null()) {
      target.max_rate.reset();
    } else if (auto rate = read_bounded_int(*value, "max_rate", limits::kMinWebhookRate,
                                            limits::kMaxWebhookRate, errors)) {
      target.max_rate = *rate;
    }
  }
}

}  // namespace switchboard::model::input_detail
