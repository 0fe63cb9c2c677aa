// The checks and decisions of the delivery queues that are not SQL, written
// once for both backends: what a claim or a recorded outcome must look like
// (kInvalidArgument otherwise, before any transaction starts), and the state
// a v1 delivery moves to. Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "store/store.h"

namespace switchboard::store {

// kInvalidArgument unless 1 <= page.limit.
Result<void> check_page(const PageRequest& page);

// DeliveryQueue::claim_due_deliveries: limit >= 1, chain_depth >= 1, and a
// lease that ends after now.
Result<void> check_claim(TimePoint now, int limit, TimePoint lease_until, int chain_depth);

// V1Queue::claim_due_v1_deliveries: limit >= 1.
Result<void> check_v1_claim(int limit);

// DeliveryQueue::record_attempts, per outcome: an attempt id, a delivery id
// and an attempt number >= 1.
Result<void> check_outcome(const AttemptOutcome& outcome);

// The v1_deliveries.state a recorded v1 outcome leaves: delivered; pending
// again when a next attempt is due; dropped when the retries are spent.
std::string_view v1_state_column_after(const V1AttemptOutcome& outcome);

}  // namespace switchboard::store
