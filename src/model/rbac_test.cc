#include "model/rbac.h"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::model {
namespace {

constexpr Action kAllActions[] = {
    Action::kReadIdentity,   Action::kManageWebhooks,    Action::kListUsers,     Action::kCreateUser,
    Action::kSetPermissions, Action::kCreateIngestToken, Action::kPublishEvents, Action::kManageDirectory,
    Action::kReadDirectory,  Action::kWatchLiveCalls,
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

}  // namespace
}  // namespace switchboard::model
