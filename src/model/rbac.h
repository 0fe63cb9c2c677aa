// Role-based access rules (spec §1) as pure functions. The API asks these
// before touching any object; object-level (company) checks are separate.
#pragma once

#include <optional>

#include "model/identity.h"

namespace switchboard::model {

enum class Action {
  kReadIdentity,       // GET /me, GET /event-types
  kManageWebhooks,     // every webhook route, failure and delivery logs
  kListUsers,          // GET /users
  kCreateUser,         // POST /users (see can_create_user for the target role)
  kSetPermissions,     // PUT /permissions
  kCreateIngestToken,  // POST /ingest-tokens
  kPublishEvents,      // POST /events
  kManageDirectory,    // POST /agents, /departments
  kReadDirectory,      // GET /agents, /departments
  kWatchLiveCalls,     // GET /live/calls
};

// The role of a principal: a user's role, or nullopt for an ingest token.
// managers_can_manage_webhooks is the company's owner-controlled switch.
bool is_allowed(std::optional<Role> role, bool managers_can_manage_webhooks, Action action);

// Whether `creator` may create a user with role `target`
// (owners create anyone; admins create managers and agents).
bool can_create_user(Role creator, Role target);

}  // namespace switchboard::model
