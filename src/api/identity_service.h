// Identity operations shared by the API, `serve`'s bootstrap and the offline
// CLI commands: creating companies, users and tokens. Token text is returned
// to the caller exactly once and only its SHA-256 is stored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "model/identity.h"
#include "store/store.h"

namespace switchboard::api {

struct IssuedToken {
  model::ApiToken record;
  std::string text;  // the bearer token; shown once, never stored
};

// Makes a new token for a user (kind kUser) or an ingest token (kIngest).
// Its hint (kTokenHintLength leading characters, e.g. "sbt_Ab3x") is kept to
// recognise it in lists; the rest of the text is never stored.
IssuedToken make_token(model::TokenKind kind, const std::string& company_id,
                       const std::optional<std::string>& user_id, TimePoint now,
                       std::optional<TimePoint> expires_at = std::nullopt);

inline constexpr std::size_t kTokenHintLength = 8;

// The hash under which a presented bearer token is looked up.
std::string token_hash(std::string_view token_text);

// The id of the company an empty store is bootstrapped with ("Default").
inline constexpr std::string_view kBootstrapCompanyId = "cmp_00000000000000000000000000";

struct CreatedCompany {
  model::Company company;
  model::User owner;
  std::string owner_token;
};

// `company_id`: a fixed id (e.g. kBootstrapCompanyId) instead of a new one, so
// that two nodes bootstrapping one shared store at once create one company:
// the second create conflicts on the id.
Result<CreatedCompany> create_company_with_owner(store::IdentityStore& store, const Clock& clock,
                                                 std::string_view name, std::string_view owner_name,
                                                 std::string_view owner_email,
                                                 std::string_view company_id = {});

struct CreatedUser {
  model::User user;
  std::string token;
};

// `token_expires_at`: when the new user's first token expires (none: never).
Result<CreatedUser> create_user_with_token(store::IdentityStore& store, const Clock& clock,
                                           const std::string& company_id, std::string_view name,
                                           std::string_view email, model::Role role,
                                           std::optional<TimePoint> token_expires_at = std::nullopt);

Result<IssuedToken> create_ingest_token(store::IdentityStore& store, const Clock& clock,
                                        const std::string& company_id,
                                        std::optional<TimePoint> expires_at = std::nullopt);

// A new token for an existing user of the company: kNotFound when there is
// no such user, kConflict when they are deactivated.
Result<IssuedToken> create_user_token(store::IdentityStore& store, const Clock& clock,
                                      const std::string& company_id, const std::string& user_id,
                                      std::optional<TimePoint> expires_at);

}  // namespace switchboard::api
