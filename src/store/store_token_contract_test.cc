// The Store contract for the token lifecycle: listing, revoking, expiry and
// last use of tokens, and deactivating users. Runs against every backend of
// store_backends().
#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::user;
using contract::user_token;
using model::ApiToken;
using model::Role;
using model::TokenKind;
using model::User;

constexpr long long kNow = 1'760'000'000'000;

ApiToken ingest(const std::string& company_id, const std::string& id) {
  return ApiToken{id, company_id, std::nullopt, TokenKind::kIngest, "hash-" + id, at(kNow - 5000)};
}

class TokenContractTest : public contract::StoreContractFixture {
 protected:
  User add_user(const std::string& company_id, const std::string& id, Role role) {
    User u = user(company_id, id, id + "@" + company_id + ".example", role);
    auto created = store().create_user(u, user_token(u, "tok_" + id));
    EXPECT_TRUE(created.has_value()) << error_text(created);
    return u;
  }
  std::vector<std::string> token_ids(const std::string& company_id,
                                     const std::optional<std::string>& user_id) {
    std::vector<std::string> ids;
    PageRequest request{2, ""};
    for (int pages = 0; pages < 20; ++pages) {
      auto page = store().list_tokens(company_id, user_id, request);
      EXPECT_TRUE(page.has_value()) << error_text(page);
      if (!page) break;
      for (const ApiToken& t : page->items) {
        EXPECT_EQ(t.company_id, company_id);
        ids.push_back(t.id);
      }
      if (!page->has_more) break;
      request.after_id = ids.back();
    }
    return ids;
  }
};

TEST_P(TokenContractTest, LifecycleFieldsRoundTrip) {
  User owner = seed_company("cmp_a");
  ApiToken token = user_token(owner, "tok_full");
  token.hint = "sbt_Ab3x";
  token.expires_at = at(kNow + 86'400'000);
  ASSERT_TRUE(store().create_token(token).has_value());
  auto got = store().get_token("cmp_a", "tok_full");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  EXPECT_EQ(got->id, "tok_full");
  EXPECT_EQ(got->user_id, owner.id);
  EXPECT_EQ(got->kind, TokenKind::kUser);
  EXPECT_EQ(got->hint, "sbt_Ab3x");
  EXPECT_EQ(got->created_at, token.created_at);
  EXPECT_EQ(got->expires_at, token.expires_at);
  EXPECT_EQ(got->last_used_at, std::nullopt);
  EXPECT_EQ(got->revoked_at, std::nullopt);

  auto principal = store().find_principal_by_token_hash("hash-tok_full");
  ASSERT_TRUE(principal.has_value()) << error_text(principal);
  EXPECT_EQ(principal->expires_at, token.expires_at);
  EXPECT_EQ(principal->revoked_at, std::nullopt);
  EXPECT_EQ(principal->last_used_at, std::nullopt);
  EXPECT_EQ(principal->user->deactivated_at, std::nullopt);
  EXPECT_EQ(model::principal_status(*principal, at(kNow)), model::TokenStatus::kActive);
  // An expired token is still found (the API tells "expired" from "unknown").
  EXPECT_EQ(model::principal_status(*principal, at(kNow + 86'400'000)), model::TokenStatus::kExpired);
}

TEST_P(TokenContractTest, GetTokenIsScopedToTheCompany) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  EXPECT_TRUE(store().get_token("cmp_a", "cmp_a_owner_tok").has_value());
  EXPECT_EQ(store().get_token("cmp_b", "cmp_a_owner_tok").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_token("cmp_a", "tok_nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().revoke_token("cmp_b", "cmp_a_owner_tok", at(kNow)).error().code, ErrorCode::kNotFound);
  // The other company's attempt changed nothing.
  EXPECT_EQ(store().get_token("cmp_a", "cmp_a_owner_tok")->revoked_at, std::nullopt);
}

TEST_P(TokenContractTest, ListTokensByCompanyAndUserPaginated) {
  User owner = seed_company("cmp_a");
  seed_company("cmp_b");
  add_user("cmp_a", "usr_m", Role::kManager);
  ASSERT_TRUE(store().create_token(ingest("cmp_a", "tok_i1")).has_value());
  ASSERT_TRUE(store().create_token(user_token(owner, "tok_o2")).has_value());
  ASSERT_TRUE(store().create_token(ingest("cmp_b", "tok_b1")).has_value());
  ASSERT_TRUE(store().revoke_token("cmp_a", "tok_i1", at(kNow)).has_value());  // revoked ones are listed too

  EXPECT_EQ(token_ids("cmp_a", std::nullopt),
            (std::vector<std::string>{"cmp_a_owner_tok", "tok_i1", "tok_o2", "tok_usr_m"}));
  EXPECT_EQ(token_ids("cmp_a", owner.id), (std::vector<std::string>{"cmp_a_owner_tok", "tok_o2"}));
  EXPECT_EQ(token_ids("cmp_a", std::string("usr_m")), (std::vector<std::string>{"tok_usr_m"}));
  EXPECT_EQ(token_ids("cmp_b", std::nullopt), (std::vector<std::string>{"cmp_b_owner_tok", "tok_b1"}));
  // Another company's user: nothing.
  EXPECT_TRUE(token_ids("cmp_b", std::string("usr_m")).empty());
}

TEST_P(TokenContractTest, RevokeIsFinalAndIdempotent) {
  seed_company("cmp_a");
  ASSERT_TRUE(store().create_token(ingest("cmp_a", "tok_i")).has_value());
  auto revoked = store().revoke_token("cmp_a", "tok_i", at(kNow));
  ASSERT_TRUE(revoked.has_value()) << error_text(revoked);
  EXPECT_EQ(revoked->revoked_at, at(kNow));
  auto principal = store().find_principal_by_token_hash("hash-tok_i");
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->revoked_at, at(kNow));
  EXPECT_EQ(model::principal_status(*principal, at(kNow)), model::TokenStatus::kRevoked);
  // Again later: the first revocation time stays.
  auto again = store().revoke_token("cmp_a", "tok_i", at(kNow + 1000));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->revoked_at, at(kNow));
  // Other tokens are untouched.
  EXPECT_EQ(store().get_token("cmp_a", "cmp_a_owner_tok")->revoked_at, std::nullopt);
}

TEST_P(TokenContractTest, RecordTokenUseOnlyMovesForward) {
  seed_company("cmp_a");
  ASSERT_TRUE(store().create_token(ingest("cmp_a", "tok_i")).has_value());
  ASSERT_TRUE(store().record_token_use({{"tok_i", at(kNow)}, {"tok_unknown", at(kNow)}}).has_value());
  EXPECT_EQ(store().get_token("cmp_a", "tok_i")->last_used_at, at(kNow));
  EXPECT_EQ(store().find_principal_by_token_hash("hash-tok_i")->last_used_at, at(kNow));
  // An older time (a slower node's batch) does not move it back.
  ASSERT_TRUE(store().record_token_use({{"tok_i", at(kNow - 60'000)}}).has_value());
  EXPECT_EQ(store().get_token("cmp_a", "tok_i")->last_used_at, at(kNow));
  ASSERT_TRUE(
      store().record_token_use({{"tok_i", at(kNow + 60'000)}, {"cmp_a_owner_tok", at(kNow)}}).has_value());
  EXPECT_EQ(store().get_token("cmp_a", "tok_i")->last_used_at, at(kNow + 60'000));
  EXPECT_EQ(store().get_token("cmp_a", "cmp_a_owner_tok")->last_used_at, at(kNow));
  EXPECT_TRUE(store().record_token_use({}).has_value());
}

TEST_P(TokenContractTest, DeactivateUserRevokesAllTheirTokensOnly) {
  User owner = seed_company("cmp_a");
  User m = add_user("cmp_a", "usr_m", Role::kManager);
  ASSERT_TRUE(store().create_token(user_token(m, "tok_m2")).has_value());
  ASSERT_TRUE(store().create_token(ingest("cmp_a", "tok_i")).has_value());

  auto done = store().deactivate_user("cmp_a", "usr_m", at(kNow));
  ASSERT_TRUE(done.has_value()) << error_text(done);
  EXPECT_EQ(done->id, "usr_m");
  EXPECT_EQ(done->deactivated_at, at(kNow));
  EXPECT_EQ(store().get_user("cmp_a", "usr_m")->deactivated_at, at(kNow));
  for (const char* id : {"tok_usr_m", "tok_m2"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(store().get_token("cmp_a", id)->revoked_at, at(kNow));
    auto principal = store().find_principal_by_token_hash(std::string("hash-") + id);
    ASSERT_TRUE(principal.has_value());
    EXPECT_EQ(principal->user->deactivated_at, at(kNow));
    EXPECT_EQ(model::principal_status(*principal, at(kNow)), model::TokenStatus::kRevoked);
  }
  // Nobody else's.
  EXPECT_EQ(store().get_token("cmp_a", "tok_i")->revoked_at, std::nullopt);
  EXPECT_EQ(store().get_token("cmp_a", "cmp_a_owner_tok")->revoked_at, std::nullopt);
  EXPECT_EQ(store().get_user("cmp_a", owner.id)->deactivated_at, std::nullopt);

  // No new token for a deactivated user.
  EXPECT_EQ(store().create_token(user_token(m, "tok_m3")).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().get_token("cmp_a", "tok_m3").error().code, ErrorCode::kNotFound);
  // Again: idempotent, the first time stays.
  auto again = store().deactivate_user("cmp_a", "usr_m", at(kNow + 5000));
  ASSERT_TRUE(again.has_value()) << error_text(again);
  EXPECT_EQ(again->deactivated_at, at(kNow));
  // Listed with their deactivation.
  auto users = store().list_users("cmp_a", PageRequest{50, ""});
  ASSERT_TRUE(users.has_value());
  for (const User& u : users->items) EXPECT_EQ(u.deactivated_at.has_value(), u.id == "usr_m") << u.id;
}

TEST_P(TokenContractTest, DeactivateIsScopedToTheCompany) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  add_user("cmp_a", "usr_m", Role::kManager);
  EXPECT_EQ(store().deactivate_user("cmp_b", "usr_m", at(kNow)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().deactivate_user("cmp_a", "usr_nobody", at(kNow)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_user("cmp_a", "usr_m")->deactivated_at, std::nullopt);
  EXPECT_EQ(store().get_token("cmp_a", "tok_usr_m")->revoked_at, std::nullopt);
}

TEST_P(TokenContractTest, TheLastActiveOwnerStays) {
  User first = seed_company("cmp_a");
  seed_company("cmp_b");  // its owner does not count for cmp_a
  auto refused = store().deactivate_user("cmp_a", first.id, at(kNow));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().get_user("cmp_a", first.id)->deactivated_at, std::nullopt);
  EXPECT_EQ(store().get_token("cmp_a", "cmp_a_owner_tok")->revoked_at, std::nullopt);  // rolled back

  User second = add_user("cmp_a", "usr_owner2", Role::kOwner);
  ASSERT_TRUE(store().deactivate_user("cmp_a", first.id, at(kNow)).has_value());
  // Now the second is the last active one.
  EXPECT_EQ(store().deactivate_user("cmp_a", second.id, at(kNow)).error().code, ErrorCode::kConflict);
  // Admins are not owners: deactivating them never hits the rule.
  add_user("cmp_a", "usr_admin", Role::kAdmin);
  EXPECT_TRUE(store().deactivate_user("cmp_a", "usr_admin", at(kNow)).has_value());
}

TEST_P(TokenContractTest, TwoOwnersDeactivatedAtOnceLeaveOne) {
  // Two nodes (or a node and the CLI) deactivating the company's only two
  // owners at the same moment: exactly one succeeds, every round.
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    const std::string company_id = "cmp_race" + std::to_string(round);
    User first = seed_company(company_id);
    User second = add_user(company_id, "usr_owner2_" + std::to_string(round), Role::kOwner);
    Result<User> outcomes[2];
    std::latch start(2);
    std::thread a([&] {
      start.arrive_and_wait();
      outcomes[0] = store().deactivate_user(company_id, first.id, at(kNow));
    });
    std::thread b([&] {
      start.arrive_and_wait();
      outcomes[1] = store().deactivate_user(company_id, second.id, at(kNow));
    });
    a.join();
    b.join();
    EXPECT_NE(outcomes[0].has_value(), outcomes[1].has_value())
        << error_text(outcomes[0]) << " / " << error_text(outcomes[1]);
    for (const auto& outcome : outcomes) {
      if (!outcome) {
        EXPECT_EQ(outcome.error().code, ErrorCode::kConflict);
      }
    }
    auto users = store().list_users(company_id, PageRequest{50, ""});
    ASSERT_TRUE(users.has_value());
    int active_owners = 0;
    for (const User& u : users->items) active_owners += u.role == Role::kOwner && !u.deactivated_at;
    EXPECT_EQ(active_owners, 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
