// The live call stream's parsers (model/live_call.h): the query filter
// (model::parse_live_call_filter, the input split at its first newline into
// `numbers` and `department_ids`), the cluster relay payload
// (model::decode_live_call_relay), and model::live_call_update on the input
// as the `data` of each call event type.
//
// Invariants: no exception escapes; a refused filter names `numbers` or
// `department_ids`; an accepted one holds at most 50 E.164 numbers; a relay
// that decodes, encoded again, decodes to the same call; an update has a call
// id, and only call.end ends a call.
#include <boost/json.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "model/live_call.h"

namespace {

using namespace switchboard;
namespace json = boost::json;

bool same_call(const model::RelayedLiveCall& a, const model::RelayedLiveCall& b) {
  const auto& x = a.update;
  const auto& y = b.update;
  return a.company_id == b.company_id && x.call_id == y.call_id && x.state == y.state &&
         x.direction == y.direction && x.from == y.from && x.to == y.to && x.agent_id == y.agent_id &&
         x.department_id == y.department_id && x.at == y.at && x.sequence == y.sequence;
}

// encode -> decode gives back the same call (when it fits in a NOTIFY payload).
void check_relay_round_trip(const model::RelayedLiveCall& relayed) {
  const auto encoded = model::encode_live_call_relay(relayed);
  if (!encoded) return;
  FUZZ_CHECK(encoded->size() <= model::kMaxLiveCallRelayBytes);
  const auto decoded = model::decode_live_call_relay(*encoded);
  FUZZ_CHECK(decoded.has_value());
  FUZZ_CHECK(same_call(*decoded, relayed));
}

void check_filter(std::string_view numbers, std::string_view department_ids) {
  const auto filter = model::parse_live_call_filter(numbers, department_ids);
  if (!filter) {
    fuzz::check_failure(filter.error());
    for (const auto& error : filter.error().errors) {
      FUZZ_CHECK(error.field == "numbers" || error.field == "department_ids");
    }
    return;
  }
  FUZZ_CHECK(filter->numbers.size() <= 50 && filter->department_ids.size() <= 50);
  for (const auto& number : filter->numbers) {
    FUZZ_CHECK(number.size() >= 7 && number.size() <= 16 && number.front() == '+');
    for (std::size_t i = 1; i < number.size(); ++i)
      FUZZ_CHECK(std::isdigit(static_cast<unsigned char>(number[i])));
  }
  // A call from one of the numbers matches (unless departments also filter).
  if (!filter->numbers.empty() && filter->department_ids.empty()) {
    model::LiveCallUpdate call;
    call.from = filter->numbers.back();
    FUZZ_CHECK(model::live_call_matches(*filter, call));
  }
}

void check_updates(const json::object& data) {
  static const std::vector<std::string_view> kTypes = {
      "call.initiated", "call.dial_begin",  "call.answered",    "call.end",
      "call.summary",   "call.disposition", "message.received", "unknown"};
  const TimePoint at{std::chrono::milliseconds(1795342800000)};
  for (const auto type : kTypes) {
    const auto update = model::live_call_update(type, data, at);
    if (!update) continue;
    FUZZ_CHECK(type == "call.initiated" || type == "call.dial_begin" || type == "call.answered" ||
               type == "call.end");
    FUZZ_CHECK(!update->call_id.empty());
    FUZZ_CHECK(update->at == at);
    FUZZ_CHECK(model::is_final(update->state) == (type == "call.end"));
    check_relay_round_trip({"cmp_fuzz", *update});
    (void)model::live_call_matches({}, *update);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const auto [numbers, department_ids] = fuzz::split_once(text, "\n");
  check_filter(numbers, department_ids);

  if (const auto relayed = model::decode_live_call_relay(text)) {
    FUZZ_CHECK(!relayed->company_id.empty() && !relayed->update.call_id.empty());
    check_relay_round_trip(*relayed);
  }

  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  if (!ec && value.is_object()) {
    check_updates(value.get_object());
    if (const auto* nested = value.get_object().if_contains("data"); nested && nested->is_object()) {
      check_updates(nested->get_object());
    }
  }
  return 0;
}
