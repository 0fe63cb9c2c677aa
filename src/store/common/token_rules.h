// The shape rules for API tokens and the objects created with them, checked
// by both backends before their write transaction (kInvalidArgument).
// Pure functions; thread-safe.
#pragma once

#include "common/result.h"
#include "model/identity.h"

namespace switchboard::store {

// A user token names its user; an ingest token names none.
Result<void> check_token_shape(const model::ApiToken& token);

// IdentityStore::create_company: the owner and the owner's token belong to
// the new company, and the token has a valid shape.
Result<void> check_new_company(const model::Company& company, const model::User& owner,
                               const model::ApiToken& owner_token);

// IdentityStore::create_user with a token: it is the new user's, of a valid
// shape.
Result<void> check_new_user_token(const model::User& user, const model::ApiToken& token);

}  // namespace switchboard::store
