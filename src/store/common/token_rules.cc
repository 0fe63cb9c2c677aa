#include "store/common/token_rules.h"

namespace switchboard::store {

Result<void> check_token_shape(const model::ApiToken& token) {
  if ((token.kind == model::TokenKind::kUser) != token.user_id.has_value()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a user token needs a user_id and an ingest token must not have one");
  }
  return {};
}

Result<void> check_new_company(const model::Company& company, const model::User& owner,
                               const model::ApiToken& owner_token) {
  if (owner.company_id != company.id || owner_token.company_id != company.id) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the owner and the owner's token must belong to the new company");
  }
  return check_token_shape(owner_token);
}

Result<void> check_new_user_token(const model::User& user, const model::ApiToken& token) {
  if (token.company_id != user.company_id || token.user_id != user.id) {
    return make_error(ErrorCode::kInvalidArgument, "the token must belong to the new user");
  }
  return check_token_shape(token);
}

}  // namespace switchboard::store
