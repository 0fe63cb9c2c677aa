// The rules of the event schemas that span several fields (event_schema.h).
// Internal to src/model: event_schemas.cc names them, tests check them through
// validate_event_data.
#pragma once

#include <boost/json/object.hpp>
#include <vector>

#include "model/webhook_input.h"

namespace switchboard::model::rules {

// A call's and each leg's answered_at and ended_at are not before started_at,
// and ended_at is not before answered_at.
void check_call_times(const boost::json::object& data, std::vector<FieldError>& errors);
// call.answered: some leg is in state "answered".
void check_has_answered_leg(const boost::json::object& data, std::vector<FieldError>& errors);
// source "lccmpapi" needs myop_ref_id.
void check_campaign_reference(const boost::json::object& data, std::vector<FieldError>& errors);
// message_type "text" needs text, "template" needs template.
void check_message_content(const boost::json::object& data, std::vector<FieldError>& errors);

}  // namespace switchboard::model::rules
