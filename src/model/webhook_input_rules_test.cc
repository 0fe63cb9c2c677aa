// Single-value rules: URL, header names, reserved headers, signing secrets.
#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>

#include "common/crypto.h"
#include "model/limits.h"
#include "model/webhook_input.h"
#include "model/webhook_input_test_util.h"

namespace switchboard::model {
namespace {

TEST(LimitsTest, MatchTheSpec) {
  EXPECT_EQ(limits::kMaxUrlLength, 2048u);
  EXPECT_EQ(limits::kMaxCustomHeaders, 10u);
  EXPECT_EQ(limits::kMinApiKeys, 1u);
  EXPECT_EQ(limits::kMaxApiKeys, 10u);
  EXPECT_EQ(limits::kMaxWebhooksPerCompany, 10);
}

// A URL of exactly `length` characters: "https://example.com/aaaa…".
std::string url_of_length(std::size_t length, std::string_view start = "https://example.com/") {
  return std::string(start) + std::string(length - start.size(), 'a');
}

struct UrlCase {
  std::string name;
  std::string url;
  std::string code;  // "" = valid
  friend std::ostream& operator<<(std::ostream& out, const UrlCase& c) { return out << c.name; }
};

class ValidateUrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(ValidateUrlTest, Rule) {
  const UrlCase& c = GetParam();
  const std::vector<FieldError> errors = validate_url(c.url);
  if (c.code.empty()) {
    EXPECT_TRUE(errors.empty()) << errors.front().code << ": " << errors.front().message;
    return;
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "url");
  EXPECT_EQ(errors[0].code, c.code);
  EXPECT_FALSE(errors[0].message.empty());
}

INSTANTIATE_TEST_SUITE_P(Table, ValidateUrlTest,
                         ::testing::ValuesIn(std::vector<UrlCase>{
                             {"Plain", "https://example.com", ""},
                             {"PathAndQuery", "https://crm.example.com/hooks?x=1&y=%20", ""},
                             {"UppercaseScheme", "HTTPS://example.com/hook", ""},
                             {"MixedCaseScheme", "HtTpS://Example.COM/Path", ""},
                             {"Ipv4AndPort", "https://127.0.0.1:8443/x", ""},
                             {"Ipv6", "https://[::1]:443/", ""},
                             {"MaxPort", "https://example.com:65535", ""},
                             {"PercentEncodedPath", "https://example.com/a%2Fb", ""},
                             {"ExactlyMaxLength", url_of_length(limits::kMaxUrlLength), ""},
                             {"Empty", "", "required"},
                             {"Http", "http://example.com", "https_required"},
                             {"HttpUppercase", "HTTP://example.com", "https_required"},
                             {"Ftp", "ftp://example.com", "https_required"},
                             {"NoScheme", "example.com/hook", "https_required"},
                             {"OneSlash", "https:/example.com", "https_required"},
                             {"NoSlashes", "https:example.com", "https_required"},
                             {"LeadingSpace", " https://example.com", "https_required"},
                             {"HttpsSchemeOnly", "https:", "https_required"},
                             {"OneOverMaxLength", url_of_length(limits::kMaxUrlLength + 1), "too_long"},
                             {"LongHttpIsHttpsRequired", url_of_length(3000, "http://example.com/"),
                              "https_required"},
                             {"NoHost", "https://", "invalid_url"},
                             {"NoHostWithPath", "https:///path", "invalid_url"},
                             {"NoHostWithPort", "https://:443/", "invalid_url"},
                             {"UserAndPassword", "https://u:p@example.com/", "invalid_url"},
                             {"UserOnly", "https://u@example.com/", "invalid_url"},
                             {"EmptyUserinfo", "https://@example.com/", "invalid_url"},
                             {"SpaceInPath", "https://example.com/a b", "invalid_url"},
                             {"TrailingSpace", "https://example.com/ ", "invalid_url"},
                             {"Tab", "https://example.com/\t", "invalid_url"},
                             {"Newline", "https://example.com/\nx", "invalid_url"},
                             {"Delete", "https://example.com/\x7f", "invalid_url"},
                             {"NonAscii",
                              "https://b\xc3\xbc"
                              "cher.example/",
                              "invalid_url"},
                             {"BadPercentEncoding", "https://example.com/%zz", "invalid_url"},
                             {"Fragment", "https://example.com/hook#part", "invalid_url"},
                             {"EmptyFragment", "https://example.com/hook#", "invalid_url"},
                             {"PortZero", "https://example.com:0/", "invalid_url"},
                             {"PortTooBig", "https://example.com:65536/", "invalid_url"},
                             {"PortHuge", "https://example.com:99999999999999999999/", "invalid_url"},
                             {"PortEmpty", "https://example.com:/", "invalid_url"},
                             {"PortNotNumeric", "https://example.com:https/", "invalid_url"},
                             {"BadIpv6", "https://[::1/", "invalid_url"},
                         }),
                         testing::CaseName());

TEST(ValidateUrlTest, HttpGetsTheExactSpecMessage) {
  for (std::string_view url : {"http://example.com", "ftp://x", "example.com", ""}) {
    const std::vector<FieldError> errors = validate_url(url);
    ASSERT_EQ(errors.size(), 1u) << url;
    if (errors[0].code != "https_required") continue;  // "" is "required"
    EXPECT_EQ(errors[0].message, "Valid HTTPS URL required.") << url;
    EXPECT_EQ(errors[0].message, kHttpsRequiredMessage);
  }
}

TEST(ValidateUrlTest, CredentialsMessagePointsToBasicAuth) {
  const std::vector<FieldError> errors = validate_url("https://u:p@example.com/");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("Basic auth"), std::string::npos) << errors[0].message;
}

struct NameCase {
  std::string_view name;
  bool valid;
};

constexpr NameCase kHeaderNames[] = {
    {"X-Api-Key", true},
    {"a", true},
    {"Authorization", true},
    {"!#$%&'*+-.^_`|~09azAZ", true},
    {"", false},
    {"X Api", false},
    {" X", false},
    {"X:Y", false},
    {"X\tY", false},
    {"X\r\n", false},
    {"X(Y)", false},
    {"X/Y", false},
    {"X@Y", false},
    {"X\"Y", false},
    {"X,Y", false},
    {"X;Y", false},
    {"{X}", false},
    {"X=Y", false},
    {"X?Y", false},
    {"X[Y]", false},
    {"X\\Y", false},
    {"\xc3\xa9", false},
    {std::string_view("X\0Y", 3), false},
};

TEST(HeaderNameTest, Rfc9110Token) {
  for (const NameCase& c : kHeaderNames) EXPECT_EQ(is_valid_header_name(c.name), c.valid) << c.name;
}

constexpr std::string_view kReserved[] = {
    "Host",
    "Content-Length",
    "Content-Type",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "Proxy-Authorization",
    "TE",
    "Trailer",
    "Upgrade",
    "Expect",
    "User-Agent",
    "X-MyOperator-Signature",
    "X-MO-Signature",
    "X-MO-Event-Id",
    "X-MO-Delivery-Attempt",
    "X-MO-Timestamp",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
};

std::string with_case(std::string_view text, bool upper) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    c = static_cast<char>(upper ? std::toupper(byte) : std::tolower(byte));
  }
  return out;
}

TEST(ReservedHeaderTest, EveryReservedNameInAnyCase) {
  for (std::string_view name : kReserved) {
    EXPECT_TRUE(is_reserved_header(name)) << name;
    EXPECT_TRUE(is_reserved_header(with_case(name, true))) << name;
    EXPECT_TRUE(is_reserved_header(with_case(name, false))) << name;
  }
  EXPECT_TRUE(is_reserved_header("cOnTeNt-TyPe"));
}

TEST(ReservedHeaderTest, OtherNamesAreFree) {
  for (std::string_view name : {"Authorization", "X-Api-Key", "X-MO-Other", "Hosts", "Host-Name", "Content",
                                "X-Webhook-Id", "webhook-idx", "webhook", "X-Source", "Accept", ""}) {
    EXPECT_FALSE(is_reserved_header(name)) << name;
  }
}

std::string secret_of(std::size_t bytes, bool padded = true) {
  std::string encoded = crypto::base64_encode(std::string(bytes, '\x5a'));
  if (!padded) {
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  }
  return "whsec_" + encoded;
}

struct SecretCase {
  std::string name;
  std::string secret;
  bool valid;
  friend std::ostream& operator<<(std::ostream& out, const SecretCase& c) { return out << c.name; }
};

class SecretTest : public ::testing::TestWithParam<SecretCase> {};

TEST_P(SecretTest, Rule) {
  EXPECT_EQ(is_valid_secret(GetParam().secret), GetParam().valid) << GetParam().secret;
}

INSTANTIATE_TEST_SUITE_P(Table, SecretTest,
                         ::testing::ValuesIn(std::vector<SecretCase>{
                             {"MinBytes", secret_of(limits::kMinSecretBytes), true},
                             {"GeneratedSize", secret_of(limits::kGeneratedSecretBytes), true},
                             {"MaxBytes", secret_of(limits::kMaxSecretBytes), true},
                             {"TwoPaddingChars", secret_of(25), true},
                             {"TwoPaddingCharsOmitted", secret_of(25, false), true},
                             {"OnePaddingChar", secret_of(26), true},
                             {"OnePaddingCharOmitted", secret_of(26, false), true},
                             {"OneByteTooFew", secret_of(limits::kMinSecretBytes - 1), false},
                             {"OneByteTooMany", secret_of(limits::kMaxSecretBytes + 1), false},
                             {"Empty", "", false},
                             {"PrefixOnly", "whsec_", false},
                             {"NoPrefix", secret_of(32).substr(6), false},
                             {"UppercasePrefix", "WHSEC_" + secret_of(32).substr(6), false},
                             {"OtherPrefix", "whsek_" + secret_of(32).substr(6), false},
                             {"PartialPadding", secret_of(25).substr(0, secret_of(25).size() - 1), false},
                             {"ImpossibleLength", secret_of(32) + "A", false},
                             {"UrlSafeAlphabet", "whsec_" + std::string(43, '-') + "=", false},
                             {"Whitespace", secret_of(32) + " ", false},
                             {"InnerWhitespace", "whsec_" + std::string(20, 'A') + " " + std::string(23, 'A'),
                              false},
                             {"NonCanonicalTrailingBits", "whsec_" + std::string(34, 'A') + "B", false},
                             {"Generate", "generate", false},
                         }),
                         testing::CaseName());

}  // namespace
}  // namespace switchboard::model
