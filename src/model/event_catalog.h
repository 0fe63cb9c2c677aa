// The event catalog: the 14 v2 sub-events in two groups. The single source of
// truth for event types; `GET /api/v2/event-types`, validation and the
// dashboard all read it.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace switchboard::model {

struct EventTypeInfo {
  std::string_view type;         // "call.answered"
  std::string_view group;        // "call" | "whatsapp"
  std::string_view label;        // "Call Responded"
  std::string_view description;  // when it fires
  bool sequenced;                // carries event_sequence
};

struct EventGroupInfo {
  std::string_view name;   // "call"
  std::string_view label;  // "Call events"
};

// All event types in catalog order (call events first, then WhatsApp).
std::span<const EventTypeInfo> event_catalog();
std::span<const EventGroupInfo> event_groups();

const EventTypeInfo* find_event_type(std::string_view type);
bool is_event_group(std::string_view name);
// The event types of one group, in catalog order.
std::vector<std::string_view> events_in_group(std::string_view group);

}  // namespace switchboard::model
