// Data retention over real HTTP (issue 15, items 1 and 6): GET/PATCH
// /api/v2/retention read and change the company's retention; bad input is a
// 400 with code, message and field, and changes nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_harness.h"

namespace switchboard::testing {
namespace {

namespace json = boost::json;

class RetentionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(dir_.path());
    owner_ = *server_->owner_token();
  }
  std::int64_t retention() {
    auto r = server_->get("/api/v2/retention", owner_);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("retention_seconds").as_int64();
  }

  TempDir dir_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

TEST_F(RetentionApiTest, OwnerReadsAndChangesItAndNullGoesBackToTheDefault) {
  auto r = server_->get("/api/v2/retention", owner_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("source"), "default");
  EXPECT_EQ(r.json().at("retention_seconds"), 30 * 24 * 3600);
  EXPECT_EQ(r.json().at("default_retention_seconds"), 30 * 24 * 3600);
  EXPECT_EQ(r.json().at("min_retention_seconds"), 3600);
  EXPECT_EQ(r.json().at("max_retention_seconds"), 400 * 24 * 3600);

  r = server_->patch("/api/v2/retention", owner_, R"({"retention_seconds":7200})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("source"), "company");
  EXPECT_EQ(retention(), 7200);

  r = server_->patch("/api/v2/retention", owner_, R"({"retention_seconds":null})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("source"), "default");
  EXPECT_EQ(retention(), 30 * 24 * 3600);
}

struct BadInput {
  std::string name, body;
  int status;
  std::string code, field;
};

TEST_F(RetentionApiTest, BadInputIsRefusedWithCodeAndFieldAndChangesNothing) {
  ASSERT_EQ(server_->patch("/api/v2/retention", owner_, R"({"retention_seconds":86400})").status, 200);
  const std::vector<BadInput> cases = {
      {"below an hour", R"({"retention_seconds":3599})", 400, "invalid_value", "retention_seconds"},
      {"zero", R"({"retention_seconds":0})", 400, "invalid_value", "retention_seconds"},
      {"negative", R"({"retention_seconds":-5})", 400, "invalid_value", "retention_seconds"},
      {"over 400 days", R"({"retention_seconds":34560001})", 400, "invalid_value", "retention_seconds"},
      {"huge", R"({"retention_seconds":18446744073709551615})", 400, "invalid_value", "retention_seconds"},
      {"fraction", R"({"retention_seconds":3600.5})", 400, "invalid_type", "retention_seconds"},
      {"string", R"({"retention_seconds":"30d"})", 400, "invalid_type", "retention_seconds"},
      {"missing", R"({})", 400, "required", "retention_seconds"},
      {"unknown field", R"({"retention_seconds":7200,"attempts_days":3})", 400, "unknown_field",
       "attempts_days"},
      {"not an object", R"([7200])", 400, "invalid_body", ""},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server_->patch("/api/v2/retention", owner_, c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    const json::value body = r.json();
    EXPECT_EQ(body.at("error").at("code"), c.code.c_str());
    EXPECT_FALSE(body.at("error").at("message").as_string().empty());
    if (!c.field.empty()) EXPECT_EQ(body.at("error").at("field"), c.field.c_str());
  }
  EXPECT_EQ(retention(), 86400);
}

}  // namespace
}  // namespace switchboard::testing
