// Synthetic event data for "Send test event" (POST /webhooks/{id}/test):
// for each catalog type a complete `data` object, valid against the type's
// schema (model/event_schema.h; tested), marked "test": true.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

namespace switchboard::model {

// `type` must be a catalog event type.
boost::json::object sample_event_data(std::string_view type);

}  // namespace switchboard::model
