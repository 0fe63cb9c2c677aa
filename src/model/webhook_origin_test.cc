// The rule for a webhook URL that moves to another origin: url_origin,
// same_origin and credentials_for_new_origin, as tables.
#include "model/webhook_origin.h"

#include <gtest/gtest.h>

#include <ostream>

#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

struct OriginCase {
  std::string name;
  std::string url;
  std::optional<std::string> origin;
  friend std::ostream& operator<<(std::ostream& out, const OriginCase& c) { return out << c.name; }
};

class UrlOriginTest : public ::testing::TestWithParam<OriginCase> {};

TEST_P(UrlOriginTest, Origin) { EXPECT_EQ(url_origin(GetParam().url), GetParam().origin); }

INSTANTIATE_TEST_SUITE_P(Table, UrlOriginTest,
                         ::testing::ValuesIn(std::vector<OriginCase>{
                             {"DefaultPortMadeExplicit", "https://example.com/hooks",
                              "https://example.com:443"},
                             {"ExplicitDefaultPort", "https://example.com:443/x", "https://example.com:443"},
                             {"LeadingZerosInPort", "https://example.com:0443/x", "https://example.com:443"},
                             {"EmptyPortIsDefault", "https://example.com:/x", "https://example.com:443"},
                             {"OtherPort", "https://example.com:8443/x", "https://example.com:8443"},
                             {"CaseOfSchemeAndHost", "HTTPS://Example.COM/A?B=C", "https://example.com:443"},
                             {"PercentEncodedHost", "https://%65xample.com/", "https://example.com:443"},
                             {"HttpDefaultPort", "http://example.com/", "http://example.com:80"},
                             {"Ipv4", "https://127.0.0.1:9443/h", "https://127.0.0.1:9443"},
                             {"Ipv6", "https://[::1]:9443/h", "https://[::1]:9443"},
                             {"NoHost", "https:///path", std::nullopt},
                             {"NotAUrl", "not a url", std::nullopt},
                             {"Relative", "/hooks", std::nullopt},
                         }),
                         testing::CaseName());

struct SameOriginCase {
  std::string name;
  std::string a, b;
  bool same;
  friend std::ostream& operator<<(std::ostream& out, const SameOriginCase& c) { return out << c.name; }
};

class SameOriginTest : public ::testing::TestWithParam<SameOriginCase> {};

TEST_P(SameOriginTest, Same) {
  EXPECT_EQ(same_origin(GetParam().a, GetParam().b), GetParam().same);
  EXPECT_EQ(same_origin(GetParam().b, GetParam().a), GetParam().same);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SameOriginTest,
    ::testing::ValuesIn(std::vector<SameOriginCase>{
        {"OtherPath", "https://crm.example.com/a", "https://crm.example.com/b", true},
        {"OtherQuery", "https://crm.example.com/a?x=1", "https://crm.example.com/a?x=2", true},
        {"DefaultPortSpelledOut", "https://crm.example.com/a", "https://crm.example.com:443/a", true},
        {"HostCase", "https://crm.example.com/a", "https://CRM.Example.com/a", true},
        {"OtherHost", "https://crm.example.com/a", "https://evil.example.net/a", false},
        {"SubdomainIsAnotherHost", "https://example.com/a", "https://crm.example.com/a", false},
        {"OtherPort", "https://127.0.0.1:9443/a", "https://127.0.0.1:9444/a", false},
        {"OtherScheme", "https://crm.example.com/a", "http://crm.example.com/a", false},
        {"UnparsableIsNeverSame", "not a url", "not a url", false},
    }),
    testing::CaseName());

using testing::Err;

struct RuleCase {
  std::string name;
  std::string new_url;
  std::vector<std::string> kept;
  bool has_signing_secret;
  bool secret_decided;
  std::vector<Err> errors;
  friend std::ostream& operator<<(std::ostream& out, const RuleCase& c) { return out << c.name; }
};

class NewOriginRuleTest : public ::testing::TestWithParam<RuleCase> {};

constexpr std::string_view kCurrentUrl = "https://crm.example.com/hooks";

TEST_P(NewOriginRuleTest, Errors) {
  const RuleCase& c = GetParam();
  WebhookInput patch;
  patch.spec.url = c.new_url;
  patch.kept_credentials = c.kept;
  patch.secret.decided = c.secret_decided;
  std::vector<Err> got;
  for (const FieldError& e : credentials_for_new_origin(kCurrentUrl, c.has_signing_secret, patch)) {
    EXPECT_FALSE(e.message.empty());
    got.push_back(Err{e.field, e.code});
  }
  EXPECT_EQ(got, c.errors);
}

const std::vector<std::string> kAllKept{"auth.password", "auth.keys[0].value", "headers[1].value"};

INSTANTIATE_TEST_SUITE_P(
    Table, NewOriginRuleTest,
    ::testing::ValuesIn(std::vector<RuleCase>{
        // Same origin: everything is kept, nothing asked.
        {"SameUrl", "https://crm.example.com/hooks", kAllKept, true, false, {}},
        {"SameOriginOtherPath", "https://crm.example.com/v2?x=1", kAllKept, true, false, {}},
        {"SameOriginDefaultPort", "https://CRM.example.com:443/hooks", kAllKept, true, false, {}},
        // Another origin: each kept credential, then the secret.
        {"OtherHostKeepsEverything",
         "https://attacker.example.net/hooks",
         kAllKept,
         true,
         false,
         {{"auth.password", "credentials_required"},
          {"auth.keys[0].value", "credentials_required"},
          {"headers[1].value", "credentials_required"},
          {"secret", "secret_decision_required"}}},
        {"OtherPortKeepsPassword",
         "https://crm.example.com:8443/hooks",
         {"auth.password"},
         false,
         false,
         {{"auth.password", "credentials_required"}}},
        {"OtherSchemeKeepsHeader",
         "http://crm.example.com/hooks",
         {"headers[0].value"},
         false,
         false,
         {{"headers[0].value", "credentials_required"}}},
        {"OtherHostSecretUndecided",
         "https://new.example.com/hooks",
         {},
         true,
         false,
         {{"secret", "secret_decision_required"}}},
        // Everything entered again (or removed) and the secret decided.
        {"OtherHostAllEnteredAndSecretDecided", "https://new.example.com/hooks", {}, true, true, {}},
        {"OtherHostNothingToProtect", "https://new.example.com/hooks", {}, false, false, {}},
        {"OtherHostDecisionWithoutSecretIsFine", "https://new.example.com/hooks", {}, false, true, {}},
    }),
    testing::CaseName());

}  // namespace
}  // namespace switchboard::model
