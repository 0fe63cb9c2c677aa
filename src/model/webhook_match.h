// Which webhooks receive which events: the subscription (event types) and the
// filters beyond the source documents (spec §9: direction, department, agent).
// Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "model/webhook.h"

namespace switchboard::model {

// The event fields that filters look at, extracted once at ingest.
struct EventAttributes {
  std::string direction;      // "inbound" | "outbound" | "" (not a call, or unknown)
  std::string department_id;  // "" when none
  std::string agent_id;       // "" when none
};

// True when a webhook with this spec should get the event: the type is
// subscribed and every non-empty filter list contains the event's value (an
// event without the value does not pass a non-empty filter).
bool webhook_accepts(const WebhookSpec& spec, std::string_view event_type, const EventAttributes& attributes);

}  // namespace switchboard::model
