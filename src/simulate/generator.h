// The traffic generator behind `switchboard simulate`: an endless, realistic
// stream of published events (api.md "Events"), as the telephony core and the
// WhatsApp side would send them.
//
// Traffic is made of sessions: inbound and outbound calls (IVR, ringing,
// dialing of several agents in turn or at once, answered / missed / no answer
// / busy outcomes, transfers, then call.end, call.summary and, usually,
// call.disposition), WhatsApp conversations (received and sent messages with
// delivered / read / failed statuses, tracked link clicks, assignment,
// closing) and campaign messages (source "lccmpapi" with myop_ref_id). A fixed
// number of sessions run at once on a simulated timeline that starts at
// `start`; next() returns their events merged in time order.
//
// Pure and deterministic: the same options give the same events, byte for
// byte (ids come from the seed, times from `start`). Every event is valid
// against its schema (model/event_schema.h). Not thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "simulate/sim_random.h"

namespace switchboard::simulate {

// One published event: the body of POST /api/v2/events.
struct SimEvent {
  std::string type;
  TimePoint occurred_at;
  boost::json::object data;

  // {"type":…,"occurred_at":…,"data":{…}}, compact.
  std::string to_json() const;
  boost::json::object to_object() const;
  // data.call_id or data.conversation_id.
  std::string sequence_id() const;
};

// Relative weights of the session kinds (any may be 0, not all).
struct TrafficMix {
  int calls = 60;
  int whatsapp = 30;
  int campaigns = 10;
};

// "calls=60,whatsapp=30,campaigns=10" (any subset; missing kinds get 0).
Result<TrafficMix> parse_mix(std::string_view text);

struct GeneratorOptions {
  std::uint64_t seed = 1;
  TimePoint start;
  TrafficMix mix;
  int concurrency = 8;  // sessions in progress at once
};

// A session's events, already in time order.
using Script = std::deque<SimEvent>;

class TrafficGenerator {
 public:
  explicit TrafficGenerator(GeneratorOptions options);

  // The next event in simulated time order (ties: lower session slot first).
  SimEvent next();

 private:
  struct Slot {
    Script script;
    TimePoint next_start;  // when the script is empty: when its next session starts
  };
  using Entry = std::pair<long long, int>;  // (time in ms, slot)

  Script new_session(TimePoint start);
  void schedule(int slot);

  GeneratorOptions options_;
  SimRandom random_;
  std::vector<Slot> slots_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
};

}  // namespace switchboard::simulate
