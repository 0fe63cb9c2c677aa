// The company directory: request validation (table-driven) and call.summary
// enrichment of an event's data.
#include "model/directory.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ostream>
#include <string>

#include "model/limits.h"

namespace switchboard::model {
namespace {

namespace json = boost::json;

TEST(DirectoryIdTest, Shape) {
  EXPECT_TRUE(is_valid_directory_id("agt_support_1"));
  EXPECT_TRUE(is_valid_directory_id("a"));
  EXPECT_TRUE(is_valid_directory_id("ext:301.main-desk"));
  EXPECT_TRUE(is_valid_directory_id(std::string(limits::kMaxDirectoryIdLength, 'x')));
  EXPECT_FALSE(is_valid_directory_id(""));
  EXPECT_FALSE(is_valid_directory_id(std::string(limits::kMaxDirectoryIdLength + 1, 'x')));
  EXPECT_FALSE(is_valid_directory_id("a b"));
  EXPECT_FALSE(is_valid_directory_id("a/b"));
  EXPECT_FALSE(is_valid_directory_id("ünï"));
}

struct InputCase {
  std::string name;
  std::string body;
  int status;         // 0 = valid, 400 = malformed, 422 = invalid
  std::string field;  // first error's field
  std::string code;   // first error's code
  friend std::ostream& operator<<(std::ostream& out, const InputCase& c) { return out << c.name; }
};

void expect_case(const InputCase& c, const InputFailure* failure) {
  if (c.status == 0) {
    EXPECT_EQ(failure, nullptr) << (failure ? failure->errors.front().field + ": " +
                                                  failure->errors.front().message
                                            : "");
    return;
  }
  ASSERT_NE(failure, nullptr);
  ASSERT_FALSE(failure->errors.empty());
  EXPECT_EQ(failure->kind == InputFailure::Kind::kMalformed ? 400 : 422, c.status);
  EXPECT_EQ(failure->errors.front().field, c.field);
  EXPECT_EQ(failure->errors.front().code, c.code);
  EXPECT_FALSE(failure->errors.front().message.empty());
}

class AgentCreateTest : public ::testing::TestWithParam<InputCase> {};

TEST_P(AgentCreateTest, Rule) {
  const InputCase& c = GetParam();
  auto parsed = parse_agent_create(json::parse(c.body));
  expect_case(c, parsed ? nullptr : &parsed.error());
}

const std::string kLongName(limits::kMaxDirectoryNameLength + 1, 'n');
const std::string kLongId(limits::kMaxDirectoryIdLength + 1, 'i');

INSTANTIATE_TEST_SUITE_P(
    Table, AgentCreateTest,
    ::testing::ValuesIn(std::vector<InputCase>{
        {"NameOnly", R"({"name":"Rahul"})", 0, "", ""},
        {"Everything",
         R"({"id":"agt_support_1","name":"Rahul","email":"r@example.com","extension":"301",)"
         R"("number":"+919876500021","department_id":"dep_support"})",
         0, "", ""},
        {"NullOptionals", R"({"name":"R","email":null,"extension":null,"number":null,"department_id":null})",
         0, "", ""},
        {"NotAnObject", R"([1])", 400, "", "invalid_body"},
        {"UnknownField", R"({"name":"R","role":"x"})", 400, "role", "unknown_field"},
        {"NameMissing", R"({"email":"r@example.com"})", 422, "name", "required"},
        {"NameNull", R"({"name":null})", 422, "name", "required"},
        {"NameEmpty", R"({"name":""})", 422, "name", "invalid_value"},
        {"NameNotString", R"({"name":42})", 422, "name", "invalid_type"},
        {"NameTooLong", R"({"name":")" + kLongName + R"("})", 422, "name", "too_long"},
        {"IdBadCharacters", R"({"id":"agt 1","name":"R"})", 422, "id", "invalid_value"},
        {"IdTooLong", R"({"id":")" + kLongId + R"(","name":"R"})", 422, "id", "too_long"},
        {"IdEmpty", R"({"id":"","name":"R"})", 422, "id", "invalid_value"},
        {"IdNotString", R"({"id":7,"name":"R"})", 422, "id", "invalid_type"},
        {"EmailInvalid", R"({"name":"R","email":"nope"})", 422, "email", "invalid_value"},
        {"NumberInvalid", R"({"name":"R","number":"call me"})", 422, "number", "invalid_phone"},
        {"DepartmentIdBad", R"({"name":"R","department_id":"dep/1"})", 422, "department_id", "invalid_value"},
        {"ExtensionTooLong", R"({"name":"R","extension":")" + std::string(33, '1') + R"("})", 422,
         "extension", "too_long"},
    }),
    [](const auto& info) { return info.param.name; });

class DepartmentCreateTest : public ::testing::TestWithParam<InputCase> {};

TEST_P(DepartmentCreateTest, Rule) {
  const InputCase& c = GetParam();
  auto parsed = parse_department_create(json::parse(c.body));
  expect_case(c, parsed ? nullptr : &parsed.error());
}

INSTANTIATE_TEST_SUITE_P(Table, DepartmentCreateTest,
                         ::testing::ValuesIn(std::vector<InputCase>{
                             {"NameOnly", R"({"name":"Support"})", 0, "", ""},
                             {"WithId", R"({"id":"dep_support","name":"Support"})", 0, "", ""},
                             {"UnknownField", R"({"name":"S","agents":[]})", 400, "agents", "unknown_field"},
                             {"NameMissing", R"({"id":"dep_1"})", 422, "name", "required"},
                             {"NameTooLong", R"({"name":")" + kLongName + R"("})", 422, "name", "too_long"},
                             {"IdBad", R"({"id":"dep 1","name":"S"})", 422, "id", "invalid_value"},
                         }),
                         [](const auto& info) { return info.param.name; });

TEST(DirectoryInputTest, EveryInvalidFieldIsListed) {
  auto parsed = parse_agent_create(json::parse(R"({"id":"a b","email":"x","number":"y"})"));
  ASSERT_FALSE(parsed);
  std::vector<std::string> fields;
  for (const auto& e : parsed.error().errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"id", "name", "email", "number"}));
}

Agent stored_agent() {
  Agent agent;
  agent.id = "agt_1";
  agent.company_id = "cmp_1";
  agent.name = "Rahul";
  agent.email = "r@example.com";
  agent.extension = "301";
  agent.number = "+919876500021";
  agent.department_id = "dep_1";
  return agent;
}

TEST(DirectoryInputTest, AgentPatchReplacesOnlyFieldsPresentAndNullClears) {
  auto patched = parse_agent_patch(json::parse(R"({"name":"Rahul N","extension":null})"), stored_agent());
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->name, "Rahul N");
  EXPECT_EQ(patched->extension, std::nullopt);
  EXPECT_EQ(patched->email, "r@example.com");
  EXPECT_EQ(patched->department_id, "dep_1");
  EXPECT_EQ(patched->id, "agt_1");
}

TEST(DirectoryInputTest, PatchCannotChangeTheIdOrEmptyTheName) {
  auto renamed = parse_agent_patch(json::parse(R"({"id":"agt_2"})"), stored_agent());
  ASSERT_FALSE(renamed);
  EXPECT_EQ(renamed.error().errors.front().field, "id");
  EXPECT_EQ(renamed.error().errors.front().code, "immutable");
  EXPECT_TRUE(parse_agent_patch(json::parse(R"({"id":"agt_1"})"), stored_agent()));
  auto nameless = parse_agent_patch(json::parse(R"({"name":null})"), stored_agent());
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().errors.front().code, "required");
  Department department{"dep_1", "cmp_1", "Support", {}, {}};
  auto dep = parse_department_patch(json::parse(R"({"name":"Care"})"), department);
  ASSERT_TRUE(dep);
  EXPECT_EQ(dep->name, "Care");
  EXPECT_FALSE(parse_department_patch(json::parse(R"({"name":""})"), department));
}

TEST(DirectoryEnrichmentTest, OnlyCallSummary) {
  EXPECT_TRUE(is_enriched_from_directory("call.summary"));
  EXPECT_FALSE(is_enriched_from_directory("call.end"));
  EXPECT_FALSE(is_enriched_from_directory("call.disposition"));
  EXPECT_FALSE(is_enriched_from_directory("message.received"));
}

TEST(DirectoryEnrichmentTest, AppendsAgentAndDepartmentInDocumentedOrder) {
  Agent agent = stored_agent();
  Department department{"dep_1", "cmp_1", "Support \"Tier 1\" ✓", {}, {}};
  const std::string data = R"({"call_id":"c1","agent_id":"agt_1","department_id":"dep_1","n":1.5})";
  EXPECT_EQ(add_directory_objects(data, &agent, &department),
            R"({"call_id":"c1","agent_id":"agt_1","department_id":"dep_1","n":1.5,)"
            R"("agent":{"id":"agt_1","name":"Rahul","email":"r@example.com","extension":"301"},)"
            R"("department":{"id":"dep_1","name":"Support \"Tier 1\" ✓"}})");
}

TEST(DirectoryEnrichmentTest, LeavesOutAbsentAgentFieldsAndKeepsPublishedObjects) {
  Agent agent = stored_agent();
  agent.email.reset();
  agent.extension.reset();
  EXPECT_EQ(add_directory_objects(R"({"agent_id":"agt_1"})", &agent, nullptr),
            R"({"agent_id":"agt_1","agent":{"id":"agt_1","name":"Rahul"}})");
  Department department{"dep_1", "cmp_1", "Support", {}, {}};
  const std::string published = R"({"agent":{"id":"agt_1","name":"From publisher"}})";
  EXPECT_EQ(add_directory_objects(published, &agent, nullptr), published);
  EXPECT_EQ(
      add_directory_objects(published, &agent, &department),
      R"({"agent":{"id":"agt_1","name":"From publisher"},"department":{"id":"dep_1","name":"Support"}})");
}

// Issue 12: the published numbers keep their bytes through enrichment
// (Boost.JSON's own parser read -926382.0315842781 as -926382.031584278).
TEST(DirectoryEnrichmentTest, KeepsEveryPublishedNumberAsItWas) {
  Agent agent = stored_agent();
  agent.email.reset();
  agent.extension.reset();
  const std::string numbers = R"("n":[-926382.0315842781,0.14692838191928317,9007199254740991,5e-324,1e-7])";
  EXPECT_EQ(add_directory_objects("{\"agent_id\":\"agt_1\"," + numbers + "}", &agent, nullptr),
            "{\"agent_id\":\"agt_1\"," + numbers + R"(,"agent":{"id":"agt_1","name":"Rahul"}})");
}

TEST(DirectoryEnrichmentTest, NothingToAddLeavesTheBytesAlone) {
  const std::string data = R"({"call_id":"c1","agent_id":"agt_unknown"})";
  EXPECT_EQ(add_directory_objects(data, nullptr, nullptr), data);
}

}  // namespace
}  // namespace switchboard::model
