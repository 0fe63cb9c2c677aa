// The webhook change rules as tables: secret changes (rotation grace, origin
// change), the PATCH plan (no_changes, which parts are written) and
// enable/disable (health reset).
#include "model/webhook_changes.h"

#include <gtest/gtest.h>

#include <ostream>

#include "model/limits.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

using testing::CaseName;

const TimePoint kNow{std::chrono::milliseconds(1'700'000'000'000)};
const TimePoint kEarlier{std::chrono::milliseconds(1'690'000'000'000)};
const TimePoint kGraceEnd = kNow + limits::kSecretRotationGrace;
constexpr std::string_view kGenerated = "whsec_generated";

SecretChange keep() { return {SecretChange::Kind::kKeep, "", false}; }
SecretChange clear() { return {SecretChange::Kind::kClear, "", true}; }
SecretChange generate() { return {SecretChange::Kind::kGenerate, "", true}; }
SecretChange set(std::string value) { return {SecretChange::Kind::kSet, std::move(value), true}; }

const WebhookSecrets kNone{};
const WebhookSecrets kOld{"whsec_old", std::nullopt, std::nullopt};
const WebhookSecrets kOldWithPrevious{"whsec_old", "whsec_older", kEarlier};

struct SecretCase {
  std::string name;
  WebhookSecrets current;
  SecretChange change;
  bool origin_changes;
  WebhookSecrets secrets;  // expected
  std::optional<std::string> revealed;
  friend std::ostream& operator<<(std::ostream& out, const SecretCase& c) { return out << c.name; }
};

class SecretChangeTest : public ::testing::TestWithParam<SecretCase> {};

TEST_P(SecretChangeTest, Applies) {
  const SecretCase& c = GetParam();
  SecretChangeResult got = apply_secret_change(c.current, c.change, kGenerated, kNow, c.origin_changes);
  EXPECT_EQ(got.secrets, c.secrets);
  EXPECT_EQ(got.revealed, c.revealed);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SecretChangeTest,
    ::testing::ValuesIn(std::vector<SecretCase>{
        {"KeepKeepsAll", kOldWithPrevious, keep(), false, kOldWithPrevious, std::nullopt},
        {"KeepKeepsAllAcrossOrigins", kOldWithPrevious, keep(), true, kOldWithPrevious, std::nullopt},
        {"ClearRemovesAll", kOldWithPrevious, clear(), false, kNone, std::nullopt},
        {"ClearWithoutSecret", kNone, clear(), false, kNone, std::nullopt},
        {"GenerateFirst",
         kNone,
         generate(),
         false,
         {"whsec_generated", std::nullopt, std::nullopt},
         "whsec_generated"},
        {"GenerateRotatesWithGrace",
         kOld,
         generate(),
         false,
         {"whsec_generated", "whsec_old", kGraceEnd},
         "whsec_generated"},
        {"RotationReplacesOlderPrevious",
         kOldWithPrevious,
         set("whsec_new"),
         false,
         {"whsec_new", "whsec_old", kGraceEnd},
         "whsec_new"},
        {"SetSameKeepsPrevious", kOldWithPrevious, set("whsec_old"), false, kOldWithPrevious, "whsec_old"},
        {"SetFirst", kNone, set("whsec_new"), false, {"whsec_new", std::nullopt, std::nullopt}, "whsec_new"},
        {"NewOriginNoGrace",
         kOldWithPrevious,
         generate(),
         true,
         {"whsec_generated", std::nullopt, std::nullopt},
         "whsec_generated"},
        {"NewOriginSetSameDropsPrevious",
         kOldWithPrevious,
         set("whsec_old"),
         true,
         {"whsec_old", std::nullopt, std::nullopt},
         "whsec_old"},
    }),
    CaseName());

Webhook stored(WebhookSecrets secrets) {
  Webhook webhook;
  webhook.id = "wh_1";
  webhook.company_id = "cmp_a";
  webhook.spec.name = "hook";
  webhook.spec.url = "https://example.com/in";
  webhook.spec.events = {"call.answered"};
  webhook.secret = secrets.secret;
  webhook.previous_secret = secrets.previous_secret;
  webhook.previous_secret_expires_at = secrets.previous_secret_expires_at;
  webhook.status = WebhookStatus::kFailed;
  webhook.consecutive_exhausted = 3;
  return webhook;
}

WebhookSpec renamed() {
  WebhookSpec spec = stored(kNone).spec;
  spec.name = "renamed";
  return spec;
}

WebhookSpec moved() {
  WebhookSpec spec = stored(kNone).spec;
  spec.url = "https://other.example.org/in";
  return spec;
}

struct PatchCase {
  std::string name;
  WebhookSecrets current;
  WebhookSpec spec;  // the merged spec of the request
  SecretChange change;
  bool changes;  // false: 409 no_changes
  std::optional<WebhookSecrets> secrets;
  std::optional<std::string> revealed;
  friend std::ostream& operator<<(std::ostream& out, const PatchCase& c) { return out << c.name; }
};

class WebhookPatchTest : public ::testing::TestWithParam<PatchCase> {};

TEST_P(WebhookPatchTest, Plans) {
  const PatchCase& c = GetParam();
  const Webhook current = stored(c.current);
  std::optional<WebhookEdit> edit =
      plan_webhook_patch(current, WebhookInput{c.spec, c.change, {}}, kGenerated, kNow);
  ASSERT_EQ(edit.has_value(), c.changes);
  if (!edit) return;
  EXPECT_EQ(edit->spec, c.spec);
  EXPECT_EQ(edit->secrets, c.secrets);
  EXPECT_EQ(edit->revealed, c.revealed);
}

INSTANTIATE_TEST_SUITE_P(
    Table, WebhookPatchTest,
    ::testing::ValuesIn(std::vector<PatchCase>{
        {"SameSpecKeep", kOld, stored(kNone).spec, keep(), false, std::nullopt, std::nullopt},
        {"SameSpecSameSecret", kOld, stored(kNone).spec, set("whsec_old"), false, std::nullopt, std::nullopt},
        {"SameSpecClearNoSecret", kNone, stored(kNone).spec, clear(), false, std::nullopt, std::nullopt},
        {"SameSpecGenerate", kOld, stored(kNone).spec, generate(), true,
         WebhookSecrets{"whsec_generated", "whsec_old", kGraceEnd}, "whsec_generated"},
        {"SameSpecClear", kOld, stored(kNone).spec, clear(), true, kNone, std::nullopt},
        {"SpecOnlyLeavesSecrets", kOldWithPrevious, renamed(), keep(), true, std::nullopt, std::nullopt},
        {"SpecAndSameSecretRewritesIt", kOldWithPrevious, renamed(), set("whsec_old"), true, kOldWithPrevious,
         "whsec_old"},
        {"NewOriginGenerateNoGrace", kOldWithPrevious, moved(), generate(), true,
         WebhookSecrets{"whsec_generated", std::nullopt, std::nullopt}, "whsec_generated"},
        {"NewOriginKeep", kOldWithPrevious, moved(), keep(), true, std::nullopt, std::nullopt},
        {"NewOriginClear", kOldWithPrevious, moved(), clear(), true, kNone, std::nullopt},
    }),
    CaseName());

struct StatusCase {
  std::string name;
  WebhookStatus current, target;
  std::optional<StatusChange> change;
  friend std::ostream& operator<<(std::ostream& out, const StatusCase& c) { return out << c.name; }
};

class StatusChangeTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(StatusChangeTest, Plans) {
  EXPECT_EQ(plan_status_change(GetParam().current, GetParam().target), GetParam().change);
}

using S = WebhookStatus;
INSTANTIATE_TEST_SUITE_P(
    Table, StatusChangeTest,
    ::testing::ValuesIn(std::vector<StatusCase>{
        {"EnableActiveIsIdempotent", S::kActive, S::kActive, std::nullopt},
        {"EnableInactiveResetsHealth", S::kInactive, S::kActive, StatusChange{S::kActive, 0}},
        {"EnableFailedResetsHealth", S::kFailed, S::kActive, StatusChange{S::kActive, 0}},
        {"DisableActiveKeepsCount", S::kActive, S::kInactive, StatusChange{S::kInactive, std::nullopt}},
        {"DisableFailedKeepsCount", S::kFailed, S::kInactive, StatusChange{S::kInactive, std::nullopt}},
        {"DisableInactiveIsIdempotent", S::kInactive, S::kInactive, std::nullopt},
    }),
    CaseName());

TEST(SecretsOf, TakesTheThreeFields) { EXPECT_EQ(secrets_of(stored(kOldWithPrevious)), kOldWithPrevious); }

}  // namespace
}  // namespace switchboard::model
