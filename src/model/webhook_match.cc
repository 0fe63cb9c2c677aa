#include "model/webhook_match.h"

#include <algorithm>

namespace switchboard::model {

namespace {

bool passes(const std::vector<std::string>& allowed, const std::string& value) {
  if (allowed.empty()) return true;
  return !value.empty() && std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

bool webhook_accepts(const WebhookSpec& spec, std::string_view event_type,
                     const EventAttributes& attributes) {
  if (std::find(spec.events.begin(), spec.events.end(), event_type) == spec.events.end()) return false;
  return passes(spec.filters.direction, attributes.direction) &&
         passes(spec.filters.department_ids, attributes.department_id) &&
         passes(spec.filters.agent_ids, attributes.agent_id);
}

}  // namespace switchboard::model
