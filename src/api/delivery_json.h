// JSON views of deliveries and attempts (the delivery and failure logs).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "model/delivery.h"

namespace switchboard::api {

// `max_attempts`: the policy's attempt budget (the UI says "retry 5 of 26");
// `blocked_by`: the pending delivery of the same call it waits for
// (store::ConsoleReads::chain_heads), shown with `waiting_for_earlier`.
boost::json::object delivery_json(const model::Delivery& delivery, int max_attempts,
                                  const std::optional<std::string>& blocked_by = {});
// The list form of a failed attempt; with `detail`, also the request sent and
// the response received (secrets were masked before they were stored).
boost::json::object attempt_json(const model::Attempt& attempt, bool detail);

}  // namespace switchboard::api
