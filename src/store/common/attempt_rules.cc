#include "store/common/attempt_rules.h"

namespace switchboard::store {

Result<void> check_page(const PageRequest& page) {
  if (page.limit < 1) return make_error(ErrorCode::kInvalidArgument, "page limit must be at least 1");
  return {};
}

Result<void> check_claim(TimePoint now, int limit, TimePoint lease_until, int chain_depth) {
  if (limit < 1) return make_error(ErrorCode::kInvalidArgument, "claim limit must be at least 1");
  if (chain_depth < 1) return make_error(ErrorCode::kInvalidArgument, "chain depth must be at least 1");
  if (lease_until <= now) return make_error(ErrorCode::kInvalidArgument, "a lease must end after now");
  return {};
}

Result<void> check_v1_claim(int limit) {
  if (limit < 1) return make_error(ErrorCode::kInvalidArgument, "claim needs limit >= 1");
  return {};
}

Result<void> check_outcome(const AttemptOutcome& outcome) {
  const model::Attempt& a = outcome.attempt;
  if (a.id.empty() || a.delivery_id.empty() || a.attempt < 1) {
    return make_error(ErrorCode::kInvalidArgument, "an attempt needs an id, a delivery id and a number >= 1");
  }
  return {};
}

std::string_view v1_state_column_after(const V1AttemptOutcome& outcome) {
  if (outcome.delivered) return "delivered";
  return outcome.next_attempt_at ? "pending" : "dropped";
}

}  // namespace switchboard::store
