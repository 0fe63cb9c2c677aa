#include "simulate/generator.h"

#include <boost/json.hpp>
#include <charconv>

#include "common/time_format.h"
#include "simulate/scenarios.h"

namespace switchboard::simulate {

namespace json = boost::json;

json::object SimEvent::to_object() const {
  return json::object{{"type", type}, {"occurred_at", format_rfc3339(occurred_at)}, {"data", data}};
}

std::string SimEvent::to_json() const { return json::serialize(to_object()); }

std::string SimEvent::sequence_id() const {
  for (std::string_view key : {"call_id", "conversation_id"}) {
    if (const json::value* v = data.if_contains(key); v && v->is_string())
      return std::string(v->get_string());
  }
  return {};
}

Result<TrafficMix> parse_mix(std::string_view text) {
  TrafficMix mix{0, 0, 0};
  auto fail = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "--mix must look like calls=60,whatsapp=30,campaigns=10 (weights from 0 to 1000)");
  };
  while (!text.empty()) {
    const std::string_view item = text.substr(0, text.find(','));
    text.remove_prefix(std::min(text.size(), item.size() + 1));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return fail();
    const std::string_view name = item.substr(0, eq);
    const std::string_view number = item.substr(eq + 1);
    int weight = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), weight);
    if (ec != std::errc() || end != number.data() + number.size() || weight < 0 || weight > 1000)
      return fail();
    if (name == "calls") {
      mix.calls = weight;
    } else if (name == "whatsapp") {
      mix.whatsapp = weight;
    } else if (name == "campaigns") {
      mix.campaigns = weight;
    } else {
      return fail();
    }
  }
  if (mix.calls + mix.whatsapp + mix.campaigns == 0) {
    return make_error(ErrorCode::kInvalidArgument, "--mix needs at least one weight above 0");
  }
  return mix;
}

TrafficGenerator::TrafficGenerator(GeneratorOptions options)
    : options_(options),
      random_(options.seed),
      slots_(static_cast<std::size_t>(std::max(1, options.concurrency))) {
  // Sessions start spread over the first 20 simulated seconds.
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].next_start = options_.start + std::chrono::milliseconds(random_.between(0, 20000));
    schedule(static_cast<int>(i));
  }
}

Script TrafficGenerator::new_session(TimePoint start) {
  const TrafficMix& mix = options_.mix;
  const long long draw = random_.between(0, mix.calls + mix.whatsapp + mix.campaigns - 1);
  if (draw < mix.calls) return call_session(random_, start);
  if (draw < mix.calls + mix.whatsapp) return conversation_session(random_, start);
  return campaign_session(random_, start);
}

void TrafficGenerator::schedule(int slot) {
  const Slot& s = slots_[static_cast<std::size_t>(slot)];
  const TimePoint at = s.script.empty() ? s.next_start : s.script.front().occurred_at;
  queue_.emplace(at.time_since_epoch().count(), slot);
}

SimEvent TrafficGenerator::next() {
  for (;;) {
    const int slot = queue_.top().second;
    queue_.pop();
    Slot& s = slots_[static_cast<std::size_t>(slot)];
    if (s.script.empty()) {
      // Its next session starts now; its first event may be at this very time.
      s.script = new_session(s.next_start);
      schedule(slot);
      continue;
    }
    SimEvent event = std::move(s.script.front());
    s.script.pop_front();
    if (s.script.empty()) {
      s.next_start = event.occurred_at + std::chrono::milliseconds(random_.between(1000, 30000));
    }
    schedule(slot);
    return event;
  }
}

}  // namespace switchboard::simulate
