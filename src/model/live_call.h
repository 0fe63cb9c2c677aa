// Live call status (spec §7): what the dashboard's Live Call Widget shows,
// derived from the call events a company publishes. Pure functions; the hub
// that keeps calls in progress and streams them lives in live/live_call_hub.h.
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "model/event_input.h"

namespace switchboard::model {

enum class LiveCallState { kRinging, kConnected, kTransferred, kDisconnected, kMissed };

std::string_view to_string(LiveCallState state);
// Disconnected and missed end a call; transferred does not (the transfer
// target is being dialed, and the call is connected again when it answers).
bool is_final(LiveCallState state);

// The event types that move a live call: live_call_update() gives an update
// for these and for no other type, and the store reads exactly these back at
// start (store::EventStore::list_recent_call_events builds its SQL from this
// list). The one definition of the set.
inline constexpr std::array<std::string_view, 4> kLiveCallEventTypes = {"call.initiated", "call.dial_begin",
                                                                        "call.answered", "call.end"};
bool moves_live_call(std::string_view event_type);

// One call's status after one of its events.
struct LiveCallUpdate {
  std::string call_id;
  LiveCallState state = LiveCallState::kRinging;
  std::string direction;  // inbound | outbound
  std::string from;
  std::string to;
  std::string agent_id;       // "" when no agent is on the call (yet)
  std::string department_id;  // "" when none
  TimePoint at{};             // when the event happened
  // The event's event_sequence (0 when unknown): orders one call's events
  // that happened in the same millisecond.
  std::int64_t sequence = 0;
};

// Whether `a` comes after `b` in one call's history: later, or as late with
// a higher event_sequence.
inline bool is_after(const LiveCallUpdate& a, const LiveCallUpdate& b) {
  return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
}

// The update a call event brings, or nullopt for events that do not change
// what the widget shows (call.summary, call.disposition, messages) and for
// data without a call_id. `data` is an event's validated `data` object.
//   call.initiated                      -> ringing
//   call.dial_begin, status ringing     -> ringing
//   call.dial_begin, status in_progress -> transferred (dialing a transfer target)
//   call.answered                       -> connected
//   call.end, status completed          -> disconnected
//   call.end, any other status          -> missed (missed, no_answer, busy, failed)
// The agent is the data's agent_id, else the last agent leg that is ringing,
// answered or done talking.
std::optional<LiveCallUpdate> live_call_update(std::string_view event_type, const boost::json::object& data,
                                               TimePoint occurred_at);

// GET /api/v2/live/calls?numbers=&department_ids= (comma-separated lists).
struct LiveCallFilter {
  std::vector<std::string> numbers;         // a call matches when its from or to is one of these
  std::vector<std::string> department_ids;  // … and its department is one of these
};

// Field errors name `numbers` or `department_ids`: at most 50 entries each,
// numbers in E.164 form (+ and 6-15 digits; spaces and dashes are ignored),
// department ids in directory-id form.
InputResult<LiveCallFilter> parse_live_call_filter(std::string_view numbers, std::string_view department_ids);

// Empty lists do not filter.
bool live_call_matches(const LiveCallFilter& filter, const LiveCallUpdate& call);

// An update on its way from the node that stored the event to every node of
// a cluster (a PostgreSQL NOTIFY payload; see live/relay.h).
struct RelayedLiveCall {
  std::string company_id;
  LiveCallUpdate update;
};

// The relay payload: compact JSON, `at` in epoch milliseconds, with the
// event_sequence (optional when decoding). nullopt when it
// would exceed kMaxLiveCallRelayBytes (PostgreSQL's NOTIFY payload limit is
// 8000 bytes; validated events never come near it).
inline constexpr std::size_t kMaxLiveCallRelayBytes = 7900;
std::optional<std::string> encode_live_call_relay(const RelayedLiveCall& relayed);
// nullopt for anything encode_live_call_relay did not produce (wrong type,
// missing company or call id, unknown state): a relay never trusts its input.
std::optional<RelayedLiveCall> decode_live_call_relay(std::string_view text);

}  // namespace switchboard::model
