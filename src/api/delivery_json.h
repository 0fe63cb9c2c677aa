// JSON views of deliveries and attempts (the delivery and failure logs).
#pragma once

#include <boost/json/object.hpp>

#include "model/delivery.h"

namespace switchboard::api {

boost::json::object delivery_json(const model::Delivery& delivery);
// The list form of a failed attempt; with `detail`, also the request sent and
// the response received (secrets were masked before they were stored).
boost::json::object attempt_json(const model::Attempt& attempt, bool detail);

}  // namespace switchboard::api
