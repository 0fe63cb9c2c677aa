#include "model/live_call.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "model/directory.h"
#include "model/error_codes.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

std::string string_field(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (!value || !value->is_string()) return {};
  return std::string(value->get_string());
}

// An agent leg that has not dropped out of the call: the one ringing,
// talking, or (on call.end) the one that talked last.
bool agent_is_on_call(std::string_view leg_state) {
  return leg_state == "dialing" || leg_state == "ringing" || leg_state == "answered" ||
         leg_state == "completed" || leg_state == "transferred";
}

std::string agent_of(const json::object& data) {
  if (auto id = string_field(data, "agent_id"); !id.empty()) return id;
  const json::value* legs = data.if_contains("legs");
  if (!legs || !legs->is_array()) return {};
  std::string agent;
  for (const auto& leg : legs->get_array()) {
    if (!leg.is_object()) continue;
    const auto& object = leg.get_object();
    if (string_field(object, "role") != "agent" || !agent_is_on_call(string_field(object, "state"))) continue;
    if (auto id = string_field(object, "agent_id"); !id.empty()) agent = std::move(id);
  }
  return agent;
}

std::optional<LiveCallState> state_for(std::string_view event_type, std::string_view status) {
  if (!moves_live_call(event_type)) return std::nullopt;  // call.summary, call.disposition, WhatsApp events
  if (event_type == "call.initiated") return LiveCallState::kRinging;
  if (event_type == "call.dial_begin") {
    return status == "in_progress" ? LiveCallState::kTransferred : LiveCallState::kRinging;
  }
  if (event_type == "call.answered") return LiveCallState::kConnected;
  if (event_type == "call.end") {
    return status == "completed" ? LiveCallState::kDisconnected : LiveCallState::kMissed;
  }
  return std::nullopt;  // unreachable while kLiveCallEventTypes and this mapping agree (a test checks)
}

// "+91 98765-00023" -> "+919876500023"; "" when it is not an E.164 number.
std::string normalize_number(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    out.push_back(c);
  }
  if (out.size() < 7 || out.size() > 16 || out.front() != '+') return {};
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(out[i]))) return {};
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

constexpr std::size_t kMaxFilterEntries = 50;

}  // namespace

std::string_view to_string(LiveCallState state) {
  switch (state) {
    case LiveCallState::kRinging:
      return "ringing";
    case LiveCallState::kConnected:
      return "connected";
    case LiveCallState::kTransferred:
      return "transferred";
    case LiveCallState::kDisconnected:
      return "disconnected";
    case LiveCallState::kMissed:
      return "missed";
  }
  return "ringing";
}

bool moves_live_call(std::string_view event_type) {
  return std::find(kLiveCallEventTypes.begin(), kLiveCallEventTypes.end(), event_type) !=
         kLiveCallEventTypes.end();
}

bool is_final(LiveCallState state) {
  return state == LiveCallState::kDisconnected || state == LiveCallState::kMissed;
}

std::optional<LiveCallUpdate> live_call_update(std::string_view event_type, const json::object& data,
                                               TimePoint occurred_at) {
  auto state = state_for(event_type, string_field(data, "status"));
  if (!state) return std::nullopt;
  LiveCallUpdate out;
  out.call_id = string_field(data, "call_id");
  if (out.call_id.empty()) return std::nullopt;
  out.state = *state;
  out.direction = string_field(data, "direction");
  out.from = string_field(data, "from");
  out.to = string_field(data, "to");
  out.agent_id = agent_of(data);
  out.department_id = string_field(data, "department_id");
  out.at = occurred_at;
  return out;
}

InputResult<LiveCallFilter> parse_live_call_filter(std::string_view numbers,
                                                   std::string_view department_ids) {
  LiveCallFilter filter;
  InputFailure failure;
  auto add_error = [&](std::string field, std::string code, std::string message) {
    failure.errors.push_back(FieldError{std::move(field), std::move(code), std::move(message)});
  };
  auto number_list = split_list(numbers);
  if (number_list.size() > kMaxFilterEntries) {
    add_error("numbers", error_codes::kTooMany, "numbers holds at most 50 numbers.");
  } else {
    for (const auto& number : number_list) {
      auto normalized = normalize_number(number);
      if (normalized.empty()) {
        add_error("numbers", error_codes::kInvalidValue,
                  "\"" + number.substr(0, 32) + "\" is not a phone number in E.164 form (+ and digits).");
        break;
      }
      filter.numbers.push_back(std::move(normalized));
    }
  }
  auto department_list = split_list(department_ids);
  if (department_list.size() > kMaxFilterEntries) {
    add_error("department_ids", error_codes::kTooMany, "department_ids holds at most 50 ids.");
  } else {
    for (auto& id : department_list) {
      if (!is_valid_directory_id(id)) {
        add_error("department_ids", error_codes::kInvalidValue,
                  "\"" + id.substr(0, 32) + "\" is not a department id.");
        break;
      }
      filter.department_ids.push_back(std::move(id));
    }
  }
  if (!failure.errors.empty()) return tl::unexpected(std::move(failure));
  return filter;
}

bool live_call_matches(const LiveCallFilter& filter, const LiveCallUpdate& call) {
  auto contains = [](const std::vector<std::string>& list, const std::string& value) {
    for (const auto& item : list) {
      if (item == value) return true;
    }
    return false;
  };
  if (!filter.numbers.empty() && !contains(filter.numbers, call.from) && !contains(filter.numbers, call.to)) {
    return false;
  }
  if (!filter.department_ids.empty() && !contains(filter.department_ids, call.department_id)) return false;
  return true;
}

namespace {

std::optional<LiveCallState> state_from_string(std::string_view text) {
  for (auto state : {LiveCallState::kRinging, LiveCallState::kConnected, LiveCallState::kTransferred,
                     LiveCallState::kDisconnected, LiveCallState::kMissed}) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> encode_live_call_relay(const RelayedLiveCall& relayed) {
  const LiveCallUpdate& u = relayed.update;
  json::object out{{"company_id", relayed.company_id},
                   {"call_id", u.call_id},
                   {"state", to_string(u.state)},
                   {"direction", u.direction},
                   {"from", u.from},
                   {"to", u.to},
                   {"agent_id", u.agent_id},
                   {"department_id", u.department_id},
                   {"at", u.at.time_since_epoch().count()},
                   {"sequence", u.sequence}};
  std::string text = json::serialize(out);
  if (text.size() > kMaxLiveCallRelayBytes) return std::nullopt;
  return text;
}

std::optional<RelayedLiveCall> decode_live_call_relay(std::string_view text) {
  if (text.size() > kMaxLiveCallRelayBytes) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const json::object& object = value.get_object();
  RelayedLiveCall out;
  out.company_id = string_field(object, "company_id");
  auto& u = out.update;
  u.call_id = string_field(object, "call_id");
  auto state = state_from_string(string_field(object, "state"));
  const json::value* at = object.if_contains("at");
  if (out.company_id.empty() || u.call_id.empty() || !state || !at || !at->is_int64()) return std::nullopt;
  u.state = *state;
  u.direction = string_field(object, "direction");
  u.from = string_field(object, "from");
  u.to = string_field(object, "to");
  u.agent_id = string_field(object, "agent_id");
  u.department_id = string_field(object, "department_id");
  u.at = TimePoint(std::chrono::milliseconds(at->get_int64()));
  // Absent from a node of an earlier version: 0, unknown.
  if (const json::value* sequence = object.if_contains("sequence"); sequence && sequence->is_int64()) {
    u.sequence = sequence->get_int64();
  }
  return out;
}

}  // namespace switchboard::model
