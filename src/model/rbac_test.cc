#include "model/rbac.h"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::model {
namespace {

constexpr Action kAllActions[] = {
    Action::kReadIdentity,   Action::kManageWebhooks,    Action::kListUsers,       Action::kCreateUser,
    Action::kSetPermissions, Action::kCreateIngestToken, Action::kPublishEvents,   Action::kManageDirectory,
    Action::kReadDirectory,  Action::kWatchLiveCalls,    Action::kListTokens,      Action::kCreateToken,
    Action::kRevokeToken,    Action::kDeactivateUser,    Action::kManageRetention, Action::kManageAlerts,
};

std::string action_name(Action action) {
  switch (action) {
    case Action::kReadIdentity:
      return "ReadIdentity";
    case Action::kManageWebhooks:
      return "ManageWebhooks";
    case Action::kListUsers:
      return "ListUsers";
    case Action::kCreateUser:
      return "CreateUser";
    case Action::kSetPermissions:
      return "SetPermissions";
    case Action::kCreateIngestToken:
      return "CreateIngestToken";
    case Action::kPublishEvents:
      return "PublishEvents";
    case Action::kManageDirectory:
      return "ManageDirectory";
    case Action::kReadDirectory:
      return "ReadDirectory";
    case Action::kWatchLiveCalls:
      return "WatchLiveCalls";
    case Action::kListTokens:
      return "ListTokens";
    case Action::kCreateToken:
      return "CreateToken";
    case Action::kRevokeToken:
      return "RevokeToken";
    case Action::kDeactivateUser:
      return "DeactivateUser";
    case Action::kManageRetention:
      return "ManageRetention";
    case Action::kManageAlerts:
      return "ManageAlerts";
  }
  return "?";
}

// One row per action; columns: who is allowed, with the managers' webhook
// grant off and on. nullopt in the principal position is an ingest token.
struct Row {
  Action action;
  // owner, admin, manager, agent, ingest — grant off
  bool off[5];
  // owner, admin, manager, agent, ingest — grant on
  bool on[5];
};

// clang-format off
constexpr Row kMatrix[] = {
    //                            grant off                            grant on
    //                            owner  admin  mgr    agent  ingest   owner  admin  mgr    agent  ingest
    {Action::kReadIdentity,      {true,  true,  true,  true,  true},   {true,  true,  true,  true,  true}},
    {Action::kManageWebhooks,    {true,  true,  false, false, false},  {true,  true,  true,  false, false}},
    {Action::kListUsers,         {true,  true,  false, false, false},  {true,  true,  false, false, false}},
    {Action::kCreateUser,        {true,  true,  false, false, false},  {true,  true,  false, false, false}},
    {Action::kSetPermissions,    {true,  false, false, false, false},  {true,  false, false, false, false}},
    {Action::kCreateIngestToken, {true,  true,  false, false, false},  {true,  true,  false, false, false}},
    {Action::kPublishEvents,     {true,  true,  false, false, true},   {true,  true,  false, false, true}},
    {Action::kManageDirectory,   {true,  true,  false, false, false},  {true,  true,  false, false, false}},
    {Action::kReadDirectory,     {true,  true,  true,  true,  false},  {true,  true,  true,  true,  false}},
    {Action::kWatchLiveCalls,    {true,  true,  true,  true,  false},  {true,  true,  true,  true,  false}},
    {Action::kListTokens,        {true,  true,  true,  true,  false},  {true,  true,  true,  true,  false}},
    {Action::kCreateToken,       {true,  true,  true,  true,  false},  {true,  true,  true,  true,  false}},
    {Action::kRevokeToken,       {true,  true,  true,  true,  false},  {true,  true,  true,  true,  false}},
    {Action::kDeactivateUser,    {true,  true,  false, false, false},  {true,  true,  false, false, false}},
    {Action::kManageRetention,   {true,  true,  false, false, false},  {true,  true,  false, false, false}},
    {Action::kManageAlerts,      {true,  true,  false, false, false},  {true,  true,  false, false, false}},
};
// clang-format on

constexpr std::optional<Role> kPrincipals[] = {Role::kOwner, Role::kAdmin, Role::kManager, Role::kAgent,
                                               std::nullopt};

std::string principal_name(std::optional<Role> role) {
  return role ? std::string(to_string(*role)) : "ingest";
}

TEST(RbacTest, MatrixCoversEveryAction) {
  ASSERT_EQ(std::size(kMatrix), std::size(kAllActions));
  for (std::size_t i = 0; i < std::size(kMatrix); ++i) EXPECT_EQ(kMatrix[i].action, kAllActions[i]);
}

TEST(RbacTest, FullRoleActionGrantMatrix) {
  for (const Row& row : kMatrix) {
    for (std::size_t p = 0; p < std::size(kPrincipals); ++p) {
      SCOPED_TRACE(action_name(row.action) + " by " + principal_name(kPrincipals[p]));
      EXPECT_EQ(is_allowed(kPrincipals[p], false, row.action), row.off[p]) << "grant off";
      EXPECT_EQ(is_allowed(kPrincipals[p], true, row.action), row.on[p]) << "grant on";
    }
  }
}

TEST(RbacTest, GrantChangesOnlyManagerWebhookAccess) {
  for (Action action : kAllActions) {
    for (std::optional<Role> principal : kPrincipals) {
      const bool changes = is_allowed(principal, false, action) != is_allowed(principal, true, action);
      EXPECT_EQ(changes, principal == Role::kManager && action == Action::kManageWebhooks)
          << action_name(action) << " by " << principal_name(principal);
    }
  }
}

struct CreateCase {
  Role creator;
  Role target;
  bool allowed;
};

constexpr CreateCase kCreateMatrix[] = {
    {Role::kOwner, Role::kOwner, true},      {Role::kOwner, Role::kAdmin, true},
    {Role::kOwner, Role::kManager, true},    {Role::kOwner, Role::kAgent, true},
    {Role::kAdmin, Role::kOwner, false},     {Role::kAdmin, Role::kAdmin, false},
    {Role::kAdmin, Role::kManager, true},    {Role::kAdmin, Role::kAgent, true},
    {Role::kManager, Role::kOwner, false},   {Role::kManager, Role::kAdmin, false},
    {Role::kManager, Role::kManager, false}, {Role::kManager, Role::kAgent, false},
    {Role::kAgent, Role::kOwner, false},     {Role::kAgent, Role::kAdmin, false},
    {Role::kAgent, Role::kManager, false},   {Role::kAgent, Role::kAgent, false},
};

TEST(RbacTest, CanCreateUserMatrix) {
  for (const CreateCase& c : kCreateMatrix) {
    EXPECT_EQ(can_create_user(c.creator, c.target), c.allowed)
        << to_string(c.creator) << " creating " << to_string(c.target);
  }
}

TEST(RbacTest, WhoeverCreatesSomeUserMayCallCreateUser) {
  for (Role creator : {Role::kOwner, Role::kAdmin, Role::kManager, Role::kAgent}) {
    bool creates_some = false;
    for (Role target : {Role::kOwner, Role::kAdmin, Role::kManager, Role::kAgent}) {
      creates_some = creates_some || can_create_user(creator, target);
    }
    for (bool grant : {false, true}) {
      EXPECT_EQ(is_allowed(creator, grant, Action::kCreateUser), creates_some) << to_string(creator);
    }
  }
}

// --- tokens and deactivation: who may act on whom -------------------------

constexpr Role kRoles[] = {Role::kOwner, Role::kAdmin, Role::kManager, Role::kAgent};

// can_manage_user[actor][target]: owners on anyone, admins on managers and agents.
// clang-format off
constexpr bool kManageUser[4][4] = {
    //            owner  admin  manager agent   (target)
    /* owner   */ {true,  true,  true,   true},
    /* admin   */ {false, false, true,   true},
    /* manager */ {false, false, false,  false},
    /* agent   */ {false, false, false,  false},
};
// clang-format on

TEST(RbacTest, CanManageUserMatrix) {
  for (int a = 0; a < 4; ++a) {
    for (int t = 0; t < 4; ++t) {
      EXPECT_EQ(can_manage_user(kRoles[a], kRoles[t]), kManageUser[a][t])
          << to_string(kRoles[a]) << " on " << to_string(kRoles[t]);
    }
  }
}

TEST(RbacTest, OnlyOwnersAndAdminsSeeEveryToken) {
  EXPECT_TRUE(sees_all_tokens(Role::kOwner));
  EXPECT_TRUE(sees_all_tokens(Role::kAdmin));
  EXPECT_FALSE(sees_all_tokens(Role::kManager));
  EXPECT_FALSE(sees_all_tokens(Role::kAgent));
}

struct RevokeCase {
  Role actor;
  std::optional<std::string> token_user;  // "me" = the actor; nullopt = an ingest token
  std::optional<Role> token_role;
  bool allowed;
};

// clang-format off
const RevokeCase kRevokeMatrix[] = {
    // Your own token, whatever your role.
    {Role::kOwner,   "me",    Role::kOwner,   true},
    {Role::kAdmin,   "me",    Role::kAdmin,   true},
    {Role::kManager, "me",    Role::kManager, true},
    {Role::kAgent,   "me",    Role::kAgent,   true},
    // Ingest tokens: owners and admins.
    {Role::kOwner,   std::nullopt, std::nullopt, true},
    {Role::kAdmin,   std::nullopt, std::nullopt, true},
    {Role::kManager, std::nullopt, std::nullopt, false},
    {Role::kAgent,   std::nullopt, std::nullopt, false},
    // Someone else's: can_manage_user.
    {Role::kOwner,   "other", Role::kOwner,   true},
    {Role::kOwner,   "other", Role::kAdmin,   true},
    {Role::kOwner,   "other", Role::kAgent,   true},
    {Role::kAdmin,   "other", Role::kOwner,   false},
    {Role::kAdmin,   "other", Role::kAdmin,   false},
    {Role::kAdmin,   "other", Role::kManager, true},
    {Role::kAdmin,   "other", Role::kAgent,   true},
    {Role::kManager, "other", Role::kAgent,   false},
    {Role::kManager, "other", Role::kManager, false},
    {Role::kAgent,   "other", Role::kAgent,   false},
    // Another user's token whose user could not be read: never.
    {Role::kOwner,   "other", std::nullopt,   false},
};
// clang-format on

TEST(RbacTest, CanRevokeTokenMatrix) {
  for (const RevokeCase& c : kRevokeMatrix) {
    std::optional<std::string> token_user;
    if (c.token_user) token_user = *c.token_user == "me" ? "usr_me" : "usr_other";
    EXPECT_EQ(can_revoke_token(c.actor, "usr_me", token_user, c.token_role), c.allowed)
        << to_string(c.actor) << " revoking " << token_user.value_or("ingest") << "'s token ("
        << (c.token_role ? to_string(*c.token_role) : "-") << ")";
  }
}

TEST(RbacTest, CanCreateTokenFor) {
  for (int a = 0; a < 4; ++a) {
    for (int t = 0; t < 4; ++t) {
      SCOPED_TRACE(std::string(to_string(kRoles[a])) + " for " + std::string(to_string(kRoles[t])));
      EXPECT_TRUE(can_create_token_for(kRoles[a], "usr_me", kRoles[a], "usr_me")) << "for yourself";
      EXPECT_EQ(can_create_token_for(kRoles[a], "usr_me", kRoles[t], "usr_other"), kManageUser[a][t]);
    }
  }
}

TEST(RbacTest, CheckDeactivationMatrix) {
  for (int a = 0; a < 4; ++a) {
    for (int t = 0; t < 4; ++t) {
      SCOPED_TRACE(std::string(to_string(kRoles[a])) + " deactivating " + std::string(to_string(kRoles[t])));
      EXPECT_EQ(check_deactivation(kRoles[a], "usr_me", kRoles[t], "usr_other"),
                kManageUser[a][t] ? DeactivationCheck::kAllowed : DeactivationCheck::kForbidden);
    }
    // Never yourself, not even an owner.
    EXPECT_EQ(check_deactivation(kRoles[a], "usr_me", kRoles[a], "usr_me"), DeactivationCheck::kSelf);
  }
  // Only an owner may deactivate an owner or an admin.
  EXPECT_EQ(check_deactivation(Role::kAdmin, "usr_me", Role::kOwner, "usr_o"), DeactivationCheck::kForbidden);
  EXPECT_EQ(check_deactivation(Role::kAdmin, "usr_me", Role::kAdmin, "usr_a"), DeactivationCheck::kForbidden);
  EXPECT_EQ(check_deactivation(Role::kOwner, "usr_me", Role::kAdmin, "usr_a"), DeactivationCheck::kAllowed);
}

TEST(RbacTest, DeactivatingIsForWhoeverManagesSomeUser) {
  for (Role actor : kRoles) {
    bool manages_some = false;
    for (Role target : kRoles) manages_some = manages_some || can_manage_user(actor, target);
    EXPECT_EQ(is_allowed(actor, true, Action::kDeactivateUser), manages_some) << to_string(actor);
  }
}

}  // namespace
}  // namespace switchboard::model
