// Event ingest (POST /api/v2/events and /api/v2/events/batch): the bytes are a
// request body, read as api/event_handlers.cc reads it: model::parse_ingest_json
// (depth limit, numbers read from their text), then model::parse_event on the
// body and on each element of {"events":[…]}, with occurred_at bounded around
// a fixed "now" (the corpus's day).
//
// Invariants: no exception escapes; a parsed body is no deeper than the
// limit; a refused event has errors that check_failure accepts and renders as
// a 400/422 JSON error; an accepted event has a catalog type, `data` already
// in JSON.stringify form (the receiver's js_canonical leaves it unchanged)
// that reads back with no refused number and writes back to the same bytes,
// an occurred_at within the range that survives format/parse, and a sequence
// key exactly when its type is sequenced.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/errors.h"
#include "common/time_format.h"
#include "fuzz_check.h"
#include "model/envelope.h"
#include "model/event_catalog.h"
#include "model/event_input.h"
#include "model/event_input_json.h"
#include "model/limits.h"
#include "receiver/canonical_json.h"

namespace {

using namespace switchboard;
namespace json = boost::json;

constexpr std::size_t kMaxBatch = 1000;  // api/event_handlers.cc

const model::OccurredAtRange& accepted_range() {
  static const model::OccurredAtRange range =
      model::OccurredAtRange::around(*parse_rfc3339("2026-11-22T12:00:00Z"), model::RetryPolicy::v2());
  return range;
}

// No number in `value` is one parse_ingest_json marks as refused.
bool holds_only_accepted_numbers(const json::value& value) {
  if (const auto* array = value.if_array()) {
    for (const auto& item : *array)
      if (!holds_only_accepted_numbers(item)) return false;
    return true;
  }
  if (const auto* object = value.if_object()) {
    for (const auto& member : *object)
      if (!holds_only_accepted_numbers(member.value())) return false;
    return true;
  }
  return model::refused_number_code(value).empty();
}

std::size_t depth_of(const json::value& value) {
  std::size_t deepest = 0;
  if (const auto* array = value.if_array()) {
    for (const auto& item : *array) deepest = std::max(deepest, depth_of(item));
    return deepest + 1;
  }
  if (const auto* object = value.if_object()) {
    for (const auto& member : *object) deepest = std::max(deepest, depth_of(member.value()));
    return deepest + 1;
  }
  return 0;
}

void check_error_response(const api::Response& response) {
  FUZZ_CHECK(response.status == 400 || response.status == 415 || response.status == 422);
  boost::system::error_code ec;
  const json::value body = json::parse(response.body, ec);
  FUZZ_CHECK(!ec && body.is_object());
  const json::value* error = body.get_object().if_contains("error");
  FUZZ_CHECK(error != nullptr && error->is_object());
  const json::value* code = error->get_object().if_contains("code");
  FUZZ_CHECK(code != nullptr && code->is_string() && !code->get_string().empty());
}

void check_accepted(const model::EventInput& event) {
  const model::EventTypeInfo* info = model::find_event_type(event.type);
  FUZZ_CHECK(info != nullptr);
  FUZZ_CHECK(receiver::js_canonical(event.data_json) == event.data_json);
  FUZZ_CHECK(event.data_json.starts_with('{'));
  boost::system::error_code ec;
  const json::value again = model::parse_ingest_json(event.data_json, model::limits::kMaxJsonDepth, ec);
  FUZZ_CHECK(!ec && holds_only_accepted_numbers(again));
  FUZZ_CHECK(model::to_js_json(again) == event.data_json);
  if (event.occurred_at) {
    FUZZ_CHECK(parse_rfc3339(format_rfc3339(*event.occurred_at)) == event.occurred_at);
    FUZZ_CHECK(*event.occurred_at >= accepted_range().earliest &&
               *event.occurred_at <= accepted_range().latest);
  }
  if (event.idempotency_key) {
    FUZZ_CHECK(!event.idempotency_key->empty());
    FUZZ_CHECK(event.idempotency_key->size() <= model::kMaxIdempotencyKeyLength);
  }
  FUZZ_CHECK(event.sequenced == !event.sequence_key.empty());
  if (event.sequenced) {
    FUZZ_CHECK(info->sequenced);
    FUZZ_CHECK(event.sequence_key.starts_with(info->group == "call" ? "call:" : "conversation:"));
  }
}

// One event, alone or as element `index` of a batch.
void check_event(const json::value& body, std::optional<std::size_t> index) {
  auto input = model::parse_event(body, accepted_range());
  if (input) {
    check_accepted(*input);
    return;
  }
  auto failure = input.error();
  fuzz::check_failure(failure);
  if (index) {  // as publish_batch renames the fields
    for (auto& e : failure.errors)
      e.field = "events[" + std::to_string(*index) + "]" + (e.field.empty() ? "" : "." + e.field);
  }
  check_error_response(api::input_failure_response(failure));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  auto parsed = model::parse_ingest_json(fuzz::as_text(data, size), model::limits::kMaxJsonDepth, ec);
  if (ec) return 0;  // 400 malformed_json
  const json::value* body = &parsed;
  FUZZ_CHECK(depth_of(*body) <= model::limits::kMaxJsonDepth);
  check_event(*body, std::nullopt);

  // The batch route: {"events":[…]}, each element on its own.
  if (const auto* object = body->if_object()) {
    if (const json::value* events = object->if_contains("events"); events && events->is_array()) {
      const auto& list = events->get_array();
      for (std::size_t i = 0; i < list.size() && i < kMaxBatch; ++i) check_event(list[i], i);
    }
  }
  return 0;
}
