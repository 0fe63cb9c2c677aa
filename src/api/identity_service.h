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
IssuedToken make_token(model::TokenKind kind, const std::string& company_id,
                       const std::optional<std::string>& user_id, TimePoint now);

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
Result<CreatedCompany> create_company_with_owner(store::Store& store, const Clock& clock,
                                                 std::string_view name, std::string_view owner_name,
                                                 std::string_view owner_email,
                                                 std::string_view company_id = {});

struct CreatedUser {
  model::User user;
  std::string token;
};

Result<CreatedUser> create_user_with_token(store::Store& store, const Clock& clock,
                                           const std::string& company_id, std::string_view name,
                                           std::string_view email, model::Role role);

Result<IssuedToken> create_ingest_token(store::Store& store, const Clock& clock,
                                        const std::string& company_id);

}  // namespace switchboard::api
