#include "model/event_catalog.h"

#include <array>

namespace switchboard::model {
namespace {

// Labels and descriptions follow the Webhook v2 help article (seed 000), with
// the product name replaced by "the platform" and `call.end` worded as in
// spec §2 (a call may be ended by any party, not only the caller).
constexpr std::array<EventTypeInfo, 14> kCatalog{{
    {"call.initiated", "call", "Start of the call", "Call reaches the platform and a new channel is created.",
     true},
    {"call.dial_begin", "call", "Start Dialing", "System starts dialing to any leg (agent or customer).",
     true},
    {"call.answered", "call", "Call Responded", "Any leg answers the call.", true},
    {"call.end", "call", "Call Ended", "Call is terminated. Includes all leg data and call metadata.", true},
    {"call.summary", "call", "Call Summary",
     "Enriched final summary: adds agent{} objects with name, email, extension, and department{} data.",
     true},
    {"call.disposition", "call", "Call Disposition",
     "Triggered after an agent submits a disposition tag. Not sequenced: no event_sequence field.", false},
    {"message.sent", "whatsapp", "Message Sent", "Any text or template message is sent.", true},
    {"message.received", "whatsapp", "Message Received",
     "The customer sends a message to your WhatsApp number.", true},
    {"message.delivered", "whatsapp", "Message Delivered", "Message is delivered to the customer's device.",
     true},
    {"message.read", "whatsapp", "Message Read", "The customer reads the message.", true},
    {"message.failed", "whatsapp", "Message Failed",
     "Send fails due to invalid number, block, or network error.", true},
    {"message.link_tracking", "whatsapp", "Track URL Clicked",
     "The customer clicks a tracked URL inside a template.", true},
    {"conversation.assign", "whatsapp", "Conversation Assigned", "A conversation is assigned to an agent.",
     true},
    {"conversation.close", "whatsapp", "Conversation Closed", "A conversation is closed.", true},
}};

constexpr std::array<EventGroupInfo, 2> kGroups{{
    {"call", "Call events"},
    {"whatsapp", "WhatsApp events"},
}};

}  // namespace

std::span<const EventTypeInfo> event_catalog() { return kCatalog; }

std::span<const EventGroupInfo> event_groups() { return kGroups; }

const EventTypeInfo* find_event_type(std::string_view type) {
  for (const EventTypeInfo& info : kCatalog) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

bool is_event_group(std::string_view name) {
  for (const EventGroupInfo& group : kGroups) {
    if (group.name == name) return true;
  }
  return false;
}

std::vector<std::string_view> events_in_group(std::string_view group) {
  std::vector<std::string_view> out;
  for (const EventTypeInfo& info : kCatalog) {
    if (info.group == group) out.push_back(info.type);
  }
  return out;
}

}  // namespace switchboard::model
