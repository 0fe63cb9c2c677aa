// Synthetic event data for "Send test event" (POST /webhooks/{id}/test):
// a plausible `data` object for each catalog type, marked "test": true.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

namespace switchboard::model {

// `type` must be a catalog event type.
boost::json::object sample_event_data(std::string_view type);

}  // namespace switchboard::model
