// The Store contract: behaviour every Store implementation must have,
// written against the abstract interface only. Every test runs against each
// backend of store_backends() (store_contract_support.h). Events, deliveries
// and attempts are in store_delivery_contract_test.cc and
// store_attempt_contract_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "model/limits.h"
#include "model/webhook_changes.h"
#include "store/common/errors.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::company;
using contract::error_text;
using contract::user;
using contract::user_token;
using model::ApiToken;
using model::AuthType;
using model::Company;
using model::TokenKind;
using model::User;
using model::Webhook;

ApiToken ingest_token(const std::string& company_id, const std::string& id) {
  return ApiToken{id, company_id, std::nullopt, TokenKind::kIngest, "hash-" + id, at(1'700'000'000'004)};
}

// A webhook with every field set to something distinctive.
Webhook full_webhook(const std::string& company_id, const std::string& id, AuthType auth_type) {
  Webhook webhook;
  webhook.id = id;
  webhook.company_id = company_id;
  webhook.spec.name = "Calls to CRM " + id;
  webhook.spec.description = "Sends call events — ünïcode ✓ and \"quotes\"";
  webhook.spec.url = "https://crm.example.com/hooks/" + id + "?q=1";
  webhook.spec.auth.type = auth_type;
  if (auth_type == AuthType::kBasic) {
    webhook.spec.auth.username = "crm-user";
    webhook.spec.auth.password = "basic-password-" + id;
  } else if (auth_type == AuthType::kApiKey) {
    webhook.spec.auth.location = model::ApiKeyLocation::kQuery;
    webhook.spec.auth.keys = {{"api_key", "key-value-1-" + id}, {"X-Tenant", "key-value-2-" + id}};
  }
  webhook.spec.headers = {{"X-Source", "switchboard"}, {"X-Env", "test"}};
  webhook.spec.events = {"call.started", "call.answered", "whatsapp.message.received"};
  webhook.spec.filters.direction = {"inbound"};
  webhook.spec.filters.department_ids = {"dep_1", "dep_2"};
  webhook.spec.filters.agent_ids = {"agt_9"};
  webhook.secret = "whsec_current_" + id;
  webhook.previous_secret = "whsec_previous_" + id;
  webhook.previous_secret_expires_at = at(1'700'086'400'000);
  webhook.status = model::WebhookStatus::kFailed;
  webhook.consecutive_exhausted = 3;
  webhook.created_at = at(1'700'000'000'123);
  webhook.updated_at = at(1'700'000'000'456);
  return webhook;
}

void expect_same_webhook(const Webhook& actual, const Webhook& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.company_id, expected.company_id);
  EXPECT_EQ(actual.spec.name, expected.spec.name);
  EXPECT_EQ(actual.spec.description, expected.spec.description);
  EXPECT_EQ(actual.spec.url, expected.spec.url);
  EXPECT_EQ(actual.spec.auth.type, expected.spec.auth.type);
  EXPECT_EQ(actual.spec.auth.username, expected.spec.auth.username);
  EXPECT_EQ(actual.spec.auth.password, expected.spec.auth.password);
  EXPECT_EQ(actual.spec.auth.location, expected.spec.auth.location);
  EXPECT_EQ(actual.spec.auth.keys, expected.spec.auth.keys);
  EXPECT_EQ(actual.spec.headers, expected.spec.headers);
  EXPECT_EQ(actual.spec.events, expected.spec.events);
  EXPECT_EQ(actual.spec.filters.direction, expected.spec.filters.direction);
  EXPECT_EQ(actual.spec.filters.department_ids, expected.spec.filters.department_ids);
  EXPECT_EQ(actual.spec.filters.agent_ids, expected.spec.filters.agent_ids);
  EXPECT_TRUE(actual.spec == expected.spec);
  EXPECT_EQ(actual.secret, expected.secret);
  EXPECT_EQ(actual.previous_secret, expected.previous_secret);
  EXPECT_EQ(actual.previous_secret_expires_at, expected.previous_secret_expires_at);
  EXPECT_EQ(actual.status, expected.status);
  EXPECT_EQ(actual.consecutive_exhausted, expected.consecutive_exhausted);
  EXPECT_EQ(actual.spec.delivery, expected.spec.delivery);
  EXPECT_EQ(actual.disabled_reason, expected.disabled_reason);
  EXPECT_EQ(actual.created_at, expected.created_at);
  EXPECT_EQ(actual.updated_at, expected.updated_at);
}

void expect_same_user(const User& actual, const User& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.company_id, expected.company_id);
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.email, expected.email);
  EXPECT_EQ(actual.role, expected.role);
  EXPECT_EQ(actual.created_at, expected.created_at);
}

using StoreContractTest = contract::StoreContractFixture;

// --- companies, users, tokens ------------------------------------------------

TEST_P(StoreContractTest, PingAnswers) { EXPECT_TRUE(store().ping().has_value()); }

TEST_P(StoreContractTest, CompanyRoundTrip) {
  seed_company("cmp_b");
  seed_company("cmp_a");

  auto got = store().get_company("cmp_a");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  EXPECT_EQ(got->id, "cmp_a");
  EXPECT_EQ(got->name, "Company cmp_a");
  EXPECT_FALSE(got->managers_can_manage_webhooks);
  EXPECT_EQ(got->created_at, company("cmp_a").created_at);

  auto all = store().list_companies();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "cmp_a");
  EXPECT_EQ((*all)[1].id, "cmp_b");

  ASSERT_TRUE(store().set_managers_can_manage_webhooks("cmp_a", true).has_value());
  EXPECT_TRUE(store().get_company("cmp_a")->managers_can_manage_webhooks);
  EXPECT_FALSE(store().get_company("cmp_b")->managers_can_manage_webhooks);
  ASSERT_TRUE(store().set_managers_can_manage_webhooks("cmp_a", false).has_value());
  EXPECT_FALSE(store().get_company("cmp_a")->managers_can_manage_webhooks);
}

TEST_P(StoreContractTest, MissingCompanyIsNotFound) {
  EXPECT_EQ(store().get_company("cmp_nope").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().set_managers_can_manage_webhooks("cmp_nope", true).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, CreateCompanyIsAtomic) {
  User first_owner = seed_company("cmp_a");
  // The second company's owner token reuses the first one's hash: the whole
  // creation must fail and leave nothing behind.
  User owner = user("cmp_b", "cmp_b_owner", "owner@b.example", model::Role::kOwner);
  ApiToken clashing = user_token(owner, "tok_b");
  clashing.token_hash = user_token(first_owner, "cmp_a_owner_tok").token_hash;
  auto created = store().create_company(company("cmp_b"), owner, clashing);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().get_company("cmp_b").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_user("cmp_b", "cmp_b_owner").error().code, ErrorCode::kNotFound);

  auto duplicate = store().create_company(company("cmp_a"), user("cmp_a", "usr_x", "x@a.example"),
                                          user_token(user("cmp_a", "usr_x", "x@a.example"), "tok_x"));
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
}

TEST_P(StoreContractTest, UserRoundTripWithToken) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  User alice = user("cmp_a", "usr_alice", "Alice@Example.com", model::Role::kManager);
  ASSERT_TRUE(store().create_user(alice, user_token(alice, "tok_alice")).has_value());
  User bob = user("cmp_a", "usr_bob", "bob@example.com", model::Role::kAdmin);
  ASSERT_TRUE(store().create_user(bob, std::nullopt).has_value());

  auto got = store().get_user("cmp_a", "usr_alice");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_user(*got, alice);
  EXPECT_EQ(store().get_user("cmp_b", "usr_alice").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_user("cmp_a", "usr_nobody").error().code, ErrorCode::kNotFound);

  auto principal = store().find_principal_by_token_hash("hash-tok_alice");
  ASSERT_TRUE(principal.has_value()) << error_text(principal);
  ASSERT_TRUE(principal->user.has_value());
  expect_same_user(*principal->user, alice);
}

TEST_P(StoreContractTest, EmailIsUniquePerCompanyIgnoringCase) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  ASSERT_TRUE(store().create_user(user("cmp_a", "usr_1", "Dana@Example.com"), std::nullopt).has_value());

  struct Case {
    std::string company_id, user_id, email;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"cmp_a", "usr_2", "Dana@Example.com", false},  // identical
      {"cmp_a", "usr_3", "dana@example.com", false},  // different case
      {"cmp_a", "usr_4", "DANA@EXAMPLE.COM", false},
      {"cmp_b", "usr_5", "dana@example.com", true},   // another company may use it
      {"cmp_a", "usr_6", "dana2@example.com", true},  // a different address
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.company_id + " " + c.email);
    User candidate = user(c.company_id, c.user_id, c.email);
    auto created = store().create_user(candidate, user_token(candidate, "tok_" + c.user_id));
    EXPECT_EQ(created.has_value(), c.ok) << error_text(created);
    if (!c.ok) {
      EXPECT_EQ(created.error().code, ErrorCode::kConflict);
      // The token of a rejected user was not created either.
      EXPECT_EQ(store().find_principal_by_token_hash("hash-tok_" + c.user_id).error().code,
                ErrorCode::kNotFound);
    }
  }
}

TEST_P(StoreContractTest, TokensResolveToTheirPrincipal) {
  User owner = seed_company("cmp_a");
  ASSERT_TRUE(store().create_token(ingest_token("cmp_a", "tok_ingest")).has_value());
  ASSERT_TRUE(store().create_token(user_token(owner, "tok_second")).has_value());

  struct Case {
    std::string hash;
    std::string token_id;
    TokenKind kind;
    bool has_user;
  };
  const std::vector<Case> cases = {
      {"hash-cmp_a_owner_tok", "cmp_a_owner_tok", TokenKind::kUser, true},
      {"hash-tok_second", "tok_second", TokenKind::kUser, true},
      {"hash-tok_ingest", "tok_ingest", TokenKind::kIngest, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.hash);
    auto principal = store().find_principal_by_token_hash(c.hash);
    ASSERT_TRUE(principal.has_value()) << error_text(principal);
    EXPECT_EQ(principal->company_id, "cmp_a");
    EXPECT_EQ(principal->token_id, c.token_id);
    EXPECT_EQ(principal->kind, c.kind);
    ASSERT_EQ(principal->user.has_value(), c.has_user);
    if (c.has_user) expect_same_user(*principal->user, owner);
  }
  EXPECT_EQ(store().find_principal_by_token_hash("hash-unknown").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().find_principal_by_token_hash("").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, TokenRulesAreEnforced) {
  User owner_a = seed_company("cmp_a");
  seed_company("cmp_b");
  // A token hash is unique across the whole store.
  ApiToken clash = ingest_token("cmp_b", "tok_clash");
  clash.token_hash = "hash-cmp_a_owner_tok";
  EXPECT_EQ(store().create_token(clash).error().code, ErrorCode::kConflict);
  // A user token cannot point at a user of another company.
  ApiToken foreign = user_token(owner_a, "tok_foreign");
  foreign.company_id = "cmp_b";
  EXPECT_EQ(store().create_token(foreign).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().find_principal_by_token_hash("hash-tok_foreign").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, ListUsersPaginatesById) {
  seed_company("cmp_a");  // its owner is "cmp_a_owner"
  for (const char* id : {"usr_3", "usr_1", "usr_5", "usr_2", "usr_4"}) {
    ASSERT_TRUE(
        store().create_user(user("cmp_a", id, std::string(id) + "@a.example"), std::nullopt).has_value());
  }
  seed_company("cmp_b");
  std::vector<std::string> seen;
  PageRequest request{2, ""};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store().list_users("cmp_a", request);
    ASSERT_TRUE(page.has_value()) << error_text(page);
    for (const User& u : page->items) {
      EXPECT_EQ(u.company_id, "cmp_a");
      seen.push_back(u.id);
    }
    EXPECT_EQ(page->has_more, seen.size() < 6u);
    if (!page->has_more) break;
    request.after_id = seen.back();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"cmp_a_owner", "usr_1", "usr_2", "usr_3", "usr_4", "usr_5"}));
}

// --- webhooks ----------------------------------------------------------------

TEST_P(StoreContractTest, WebhookRoundTripForEveryAuthType) {
  seed_company("cmp_a");
  const std::vector<AuthType> auth_types = {AuthType::kNone, AuthType::kBasic, AuthType::kApiKey};
  int n = 0;
  for (AuthType auth_type : auth_types) {
    SCOPED_TRACE(n);
    std::string id = "wh_" + std::to_string(++n);
    Webhook webhook = full_webhook("cmp_a", id, auth_type);
    ASSERT_TRUE(store().create_webhook(webhook, model::limits::kMaxWebhooksPerCompany).has_value());
    auto got = store().get_webhook("cmp_a", id);
    ASSERT_TRUE(got.has_value()) << error_text(got);
    expect_same_webhook(*got, webhook);

    // Every column is replaced, including clearing optional ones.
    Webhook changed =
        full_webhook("cmp_a", id, auth_type == AuthType::kApiKey ? AuthType::kBasic : AuthType::kApiKey);
    changed.spec.name = "renamed";
    changed.spec.description = "";
    changed.spec.url = "https://other.example.org/in";
    changed.spec.headers = {};
    changed.spec.events = {"call.ended"};
    changed.spec.filters = {};
    changed.secret = "whsec_rotated";
    changed.previous_secret = std::nullopt;
    changed.previous_secret_expires_at = std::nullopt;
    changed.status = model::WebhookStatus::kInactive;
    changed.consecutive_exhausted = 0;
    changed.updated_at = at(1'800'000'000'000);
    // The narrow writes together replace every column but created_at.
    auto written = store().update_webhook_spec("cmp_a", id, changed.spec, model::secrets_of(changed),
                                               at(1'799'999'999'000));
    ASSERT_TRUE(written.has_value()) << error_text(written);
    written =
        store().set_webhook_status("cmp_a", id, model::StatusChange{changed.status, 0}, changed.updated_at);
    ASSERT_TRUE(written.has_value()) << error_text(written);
    expect_same_webhook(*written, changed);
    got = store().get_webhook("cmp_a", id);
    ASSERT_TRUE(got.has_value()) << error_text(got);
    expect_same_webhook(*got, changed);
  }

  auto all = store().list_webhooks("cmp_a", PageRequest{});
  ASSERT_TRUE(all.has_value()) << error_text(all);
  ASSERT_EQ(all->items.size(), auth_types.size());
  EXPECT_FALSE(all->has_more);
  Webhook expected = full_webhook("cmp_a", "wh_2", AuthType::kBasic);
  EXPECT_EQ(all->items[1].spec.auth.type, AuthType::kApiKey);  // as updated above
  EXPECT_EQ(all->items[1].secret, "whsec_rotated");

  ASSERT_TRUE(store().delete_webhook("cmp_a", "wh_2").has_value());
  EXPECT_EQ(store().get_webhook("cmp_a", "wh_2").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().delete_webhook("cmp_a", "wh_2").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().update_webhook_spec("cmp_a", "wh_2", expected.spec, std::nullopt, at(1)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store().list_webhooks("cmp_a", PageRequest{})->items.size(), auth_types.size() - 1);
}

TEST_P(StoreContractTest, WebhookWithoutSecretsRoundTrips) {
  seed_company("cmp_a");
  Webhook webhook = full_webhook("cmp_a", "wh_plain", AuthType::kNone);
  webhook.secret = std::nullopt;
  webhook.previous_secret = std::nullopt;
  webhook.previous_secret_expires_at = std::nullopt;
  webhook.spec.headers.clear();
  webhook.spec.filters = {};
  webhook.status = model::WebhookStatus::kActive;
  ASSERT_TRUE(store().create_webhook(webhook, 10).has_value());
  auto got = store().get_webhook("cmp_a", "wh_plain");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, webhook);
}

TEST_P(StoreContractTest, DuplicateWebhookIdIsConflict) {
  seed_company("cmp_a");
  ASSERT_TRUE(store().create_webhook(full_webhook("cmp_a", "wh_1", AuthType::kNone), 10).has_value());
  auto again = store().create_webhook(full_webhook("cmp_a", "wh_1", AuthType::kNone), 10);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, messages::kWebhookExists);
  auto orphan = store().create_webhook(full_webhook("cmp_none", "wh_2", AuthType::kNone), 10);
  ASSERT_FALSE(orphan.has_value());
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(orphan.error().message, messages::kCompanyNotFound);
}

// Each narrow write changes its own columns (and updated_at) and leaves the
// rest as stored: the spec edit neither the secrets (unless given) nor the
// health, the status change neither spec nor secrets (and the count only when
// given), the rotation only the secrets.
TEST_P(StoreContractTest, NarrowWebhookWritesTouchOnlyTheirColumns) {
  seed_company("cmp_a");
  Webhook webhook = full_webhook("cmp_a", "wh_1", AuthType::kBasic);
  webhook.status = model::WebhookStatus::kFailed;
  webhook.consecutive_exhausted = 4;
  ASSERT_TRUE(store().create_webhook(webhook, 10).has_value());

  Webhook want = webhook;
  want.spec = full_webhook("cmp_a", "wh_1", AuthType::kApiKey).spec;
  want.spec.name = "renamed";
  want.updated_at = at(1'800'000'000'001);
  auto got = store().update_webhook_spec("cmp_a", "wh_1", want.spec, std::nullopt, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);

  const model::WebhookSecrets rotated{"whsec_new", "whsec_old", at(1'800'000'100'000)};
  want.secret = rotated.secret;
  want.previous_secret = rotated.previous_secret;
  want.previous_secret_expires_at = rotated.previous_secret_expires_at;
  want.updated_at = at(1'800'000'000'002);
  got = store().rotate_webhook_secret("cmp_a", "wh_1", rotated, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);

  want.status = model::WebhookStatus::kInactive;  // the count stays
  want.updated_at = at(1'800'000'000'003);
  got = store().set_webhook_status("cmp_a", "wh_1", model::StatusChange{want.status, std::nullopt},
                                   want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);

  want.status = model::WebhookStatus::kActive;
  want.consecutive_exhausted = 0;
  want.updated_at = at(1'800'000'000'004);
  got = store().set_webhook_status("cmp_a", "wh_1", model::StatusChange{want.status, 0}, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);

  // Spec and secrets together, the secrets cleared.
  want.spec.name = "again";
  want.secret.reset();
  want.previous_secret.reset();
  want.previous_secret_expires_at.reset();
  want.updated_at = at(1'800'000'000'005);
  got = store().update_webhook_spec("cmp_a", "wh_1", want.spec, model::WebhookSecrets{}, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);
  got = store().get_webhook("cmp_a", "wh_1");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);
}

// Issue 16 items 3, 4: the delivery controls are part of the spec (create,
// update_webhook_spec) and disabled_reason goes with the status; an admin's
// status change (StatusChange without a reason) clears it.
TEST_P(StoreContractTest, DeliveryControlsAndDisabledReasonColumns) {
  seed_company("cmp_a");
  struct Case {
    std::string id;
    model::DeliveryControls controls;
    std::optional<model::DisabledReason> reason;
  };
  const std::vector<Case> cases = {
      {"wh_default", model::DeliveryControls{}, std::nullopt},
      {"wh_limited", model::DeliveryControls{1000, 1, 1}, std::nullopt},
      {"wh_fast", model::DeliveryControls{30000, 32, 10000}, std::nullopt},
      {"wh_gone", model::DeliveryControls{5000, 4, std::nullopt}, model::DisabledReason::kGone},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.id);
    Webhook webhook = full_webhook("cmp_a", c.id, AuthType::kNone);
    webhook.spec.delivery = c.controls;
    webhook.disabled_reason = c.reason;
    if (c.reason) webhook.status = model::WebhookStatus::kInactive;
    ASSERT_TRUE(store().create_webhook(webhook, 10).has_value());
    auto got = store().get_webhook("cmp_a", c.id);
    ASSERT_TRUE(got.has_value()) << error_text(got);
    expect_same_webhook(*got, webhook);
  }

  // A spec write carries the controls (with and without a secret change) and keeps the reason.
  Webhook want = store().get_webhook("cmp_a", "wh_gone").value();
  want.spec.delivery = model::DeliveryControls{2000, 2, 50};
  want.updated_at = at(1'800'000'000'001);
  auto got = store().update_webhook_spec("cmp_a", "wh_gone", want.spec, std::nullopt, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);
  want.spec.delivery.max_rate.reset();
  want.secret.reset();
  want.previous_secret.reset();
  want.previous_secret_expires_at.reset();
  want.updated_at = at(1'800'000'000'002);
  got = store().update_webhook_spec("cmp_a", "wh_gone", want.spec, model::WebhookSecrets{}, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);

  // Enabling clears the reason; a status change may also set one.
  want.status = model::WebhookStatus::kActive;
  want.disabled_reason.reset();
  want.updated_at = at(1'800'000'000'003);
  got = store().set_webhook_status("cmp_a", "wh_gone", model::StatusChange{want.status, 0}, want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  want.consecutive_exhausted = 0;
  expect_same_webhook(*got, want);
  want.status = model::WebhookStatus::kInactive;
  want.disabled_reason = model::DisabledReason::kGone;
  want.updated_at = at(1'800'000'000'004);
  got = store().set_webhook_status(
      "cmp_a", "wh_gone", model::StatusChange{want.status, std::nullopt, model::DisabledReason::kGone},
      want.updated_at);
  ASSERT_TRUE(got.has_value()) << error_text(got);
  expect_same_webhook(*got, want);
}

TEST_P(StoreContractTest, WebhooksOfAnotherCompanyAreNotFound) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  Webhook mine = full_webhook("cmp_a", "wh_mine", AuthType::kBasic);
  ASSERT_TRUE(store().create_webhook(mine, 10).has_value());

  EXPECT_EQ(store().get_webhook("cmp_b", "wh_mine").error().code, ErrorCode::kNotFound);
  Webhook hijack = mine;
  hijack.company_id = "cmp_b";
  hijack.spec.url = "https://attacker.example/";
  EXPECT_EQ(store()
                .update_webhook_spec("cmp_b", "wh_mine", hijack.spec, model::secrets_of(hijack), at(1))
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store()
                .set_webhook_status("cmp_b", "wh_mine",
                                    model::StatusChange{model::WebhookStatus::kInactive, 0}, at(1))
                .error()
                .code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store().rotate_webhook_secret("cmp_b", "wh_mine", model::WebhookSecrets{}, at(1)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store().delete_webhook("cmp_b", "wh_mine").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().list_webhooks("cmp_b", PageRequest{})->items.empty());

  auto still = store().get_webhook("cmp_a", "wh_mine");
  ASSERT_TRUE(still.has_value()) << error_text(still);
  expect_same_webhook(*still, mine);
}

TEST_P(StoreContractTest, WebhookLimitPerCompany) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  const int limit = model::limits::kMaxWebhooksPerCompany;
  for (int i = 0; i < limit; ++i) {
    auto created = store().create_webhook(
        full_webhook("cmp_a", "wh_" + std::to_string(100 + i), AuthType::kNone), limit);
    ASSERT_TRUE(created.has_value()) << i << ": " << error_text(created);
  }
  auto over = store().create_webhook(full_webhook("cmp_a", "wh_over", AuthType::kNone), limit);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, ErrorCode::kLimitReached);
  EXPECT_EQ(store().get_webhook("cmp_a", "wh_over").error().code, ErrorCode::kNotFound);
  // The limit is per company.
  EXPECT_TRUE(store().create_webhook(full_webhook("cmp_b", "wh_b", AuthType::kNone), limit).has_value());
  // Deleting one makes room again.
  ASSERT_TRUE(store().delete_webhook("cmp_a", "wh_100").has_value());
  EXPECT_TRUE(store().create_webhook(full_webhook("cmp_a", "wh_over", AuthType::kNone), limit).has_value());
}

TEST_P(StoreContractTest, WebhookLimitHoldsUnderConcurrentCreates) {
  seed_company("cmp_a");
  const int limit = model::limits::kMaxWebhooksPerCompany;
  std::atomic<int> created{0}, limited{0}, other{0};
  std::vector<std::thread> threads;
  threads.reserve(20);
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      auto result = store().create_webhook(
          full_webhook("cmp_a", "wh_" + std::to_string(100 + i), AuthType::kApiKey), limit);
      if (result) {
        ++created;
      } else if (result.error().code == ErrorCode::kLimitReached) {
        ++limited;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(created.load(), limit);
  EXPECT_EQ(limited.load(), 20 - limit);
  EXPECT_EQ(other.load(), 0);
  auto all = store().list_webhooks("cmp_a", PageRequest{100, ""});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->items.size(), static_cast<std::size_t>(limit));
}

TEST_P(StoreContractTest, ListWebhooksPaginatesWithCursor) {
  seed_company("cmp_a");
  seed_company("cmp_b");
  for (const char* id : {"wh_04", "wh_02", "wh_07", "wh_01", "wh_05", "wh_03", "wh_06"}) {
    ASSERT_TRUE(store().create_webhook(full_webhook("cmp_a", id, AuthType::kBasic), 10).has_value());
  }
  ASSERT_TRUE(store().create_webhook(full_webhook("cmp_b", "wh_00", AuthType::kBasic), 10).has_value());

  struct Case {
    PageRequest request;
    std::vector<std::string> ids;
    bool has_more;
  };
  const std::vector<Case> cases = {
      {{3, ""}, {"wh_01", "wh_02", "wh_03"}, true},
      {{3, "wh_03"}, {"wh_04", "wh_05", "wh_06"}, true},
      {{3, "wh_06"}, {"wh_07"}, false},
      {{7, ""}, {"wh_01", "wh_02", "wh_03", "wh_04", "wh_05", "wh_06", "wh_07"}, false},
      {{6, ""}, {"wh_01", "wh_02", "wh_03", "wh_04", "wh_05", "wh_06"}, true},
      {{1, "wh_025"}, {"wh_03"}, true},  // a cursor need not name an existing item
      {{5, "wh_07"}, {}, false},
      {{5, "wh_99"}, {}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("limit " + std::to_string(c.request.limit) + " after '" + c.request.after_id + "'");
    auto page = store().list_webhooks("cmp_a", c.request);
    ASSERT_TRUE(page.has_value()) << error_text(page);
    std::vector<std::string> ids;
    for (const Webhook& webhook : page->items) ids.push_back(webhook.id);
    EXPECT_EQ(ids, c.ids);
    EXPECT_EQ(page->has_more, c.has_more);
  }
  EXPECT_EQ(store().list_webhooks("cmp_a", PageRequest{0, ""}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ConcurrentWritersAllSucceed) {
  seed_company("cmp_a");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "usr_" + std::to_string(t) + "_" + std::to_string(i);
        User u = user("cmp_a", id, id + "@a.example");
        if (!store().create_user(u, user_token(u, "tok_" + id))) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto page = store().list_users("cmp_a", PageRequest{500, ""});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->items.size(), static_cast<std::size_t>(kThreads * kPerThread + 1));
  EXPECT_TRUE(store().find_principal_by_token_hash("hash-tok_usr_7_24").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
