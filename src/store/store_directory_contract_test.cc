// The Store contract for the company directory (agents, departments) and the
// call.summary enrichment that ingest does with it. Runs against every backend
// of store_backends().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using contract::at;
using contract::error_text;
using contract::kT0;
using contract::new_event;

model::Department department(const std::string& company_id, const std::string& id,
                             const std::string& name = "Support") {
  return model::Department{id, company_id, name, at(kT0), at(kT0)};
}

model::Agent agent(const std::string& company_id, const std::string& id,
                   std::optional<std::string> department_id = std::nullopt) {
  model::Agent a;
  a.id = id;
  a.company_id = company_id;
  a.name = "Agent " + id + " — ü";
  a.email = id + "@example.com";
  a.extension = "301";
  a.number = "+919876500021";
  a.department_id = std::move(department_id);
  a.created_at = at(kT0);
  a.updated_at = at(kT0 + 1);
  return a;
}

class DirectoryContractTest : public contract::DeliveryContractFixture {
 protected:
  void SetUp() override {
    DeliveryContractFixture::SetUp();
    seed_company("cmp_a");
    seed_company("cmp_b");
  }

  void add(const model::Department& d) {
    auto r = store().create_department(d, 100);
    ASSERT_TRUE(r.has_value()) << error_text(r);
  }
  void add(const model::Agent& a) {
    auto r = store().create_agent(a, 100);
    ASSERT_TRUE(r.has_value()) << error_text(r);
  }

  std::string payload_of(const std::string& company_id, const std::string& event_id) {
    auto event = store().get_event(company_id, event_id);
    EXPECT_TRUE(event.has_value()) << error_text(event);
    return event ? event->payload : "";
  }
};

TEST_P(DirectoryContractTest, AgentRoundTripsEveryField) {
  add(department("cmp_a", "dep_1"));
  add(agent("cmp_a", "agt:1.x-y", "dep_1"));
  auto got = store().get_agent("cmp_a", "agt:1.x-y");
  ASSERT_TRUE(got.has_value()) << error_text(got);
  model::Agent want = agent("cmp_a", "agt:1.x-y", "dep_1");
  EXPECT_EQ(got->id, want.id);
  EXPECT_EQ(got->company_id, "cmp_a");
  EXPECT_EQ(got->name, want.name);
  EXPECT_EQ(got->email, want.email);
  EXPECT_EQ(got->extension, want.extension);
  EXPECT_EQ(got->number, want.number);
  EXPECT_EQ(got->department_id, "dep_1");
  EXPECT_EQ(got->created_at, want.created_at);
  EXPECT_EQ(got->updated_at, want.updated_at);

  model::Agent bare = agent("cmp_a", "agt_2");
  bare.email.reset();
  bare.extension.reset();
  bare.number.reset();
  add(bare);
  auto got_bare = store().get_agent("cmp_a", "agt_2");
  ASSERT_TRUE(got_bare.has_value());
  EXPECT_EQ(got_bare->email, std::nullopt);
  EXPECT_EQ(got_bare->extension, std::nullopt);
  EXPECT_EQ(got_bare->number, std::nullopt);
  EXPECT_EQ(got_bare->department_id, std::nullopt);
}

TEST_P(DirectoryContractTest, AnotherCompanysObjectsAreMissing) {
  add(department("cmp_a", "dep_1"));
  add(agent("cmp_a", "agt_1", "dep_1"));
  EXPECT_EQ(store().get_agent("cmp_b", "agt_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_department("cmp_b", "dep_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().update_agent(agent("cmp_b", "agt_1")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().update_department(department("cmp_b", "dep_1")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().delete_agent("cmp_b", "agt_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().delete_department("cmp_b", "dep_1").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store().list_agents("cmp_b", {})->items.empty());
  EXPECT_TRUE(store().list_departments("cmp_b", {})->items.empty());
  // Ids are per company: company B may use the same ones.
  add(department("cmp_b", "dep_1", "Sales"));
  add(agent("cmp_b", "agt_1"));
  EXPECT_EQ(store().get_department("cmp_a", "dep_1")->name, "Support");
  EXPECT_EQ(store().get_department("cmp_b", "dep_1")->name, "Sales");
  // An agent cannot join another company's department.
  EXPECT_EQ(store().create_agent(agent("cmp_b", "agt_2", "dep_only_a"), 100).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_P(DirectoryContractTest, DuplicateIdsConflictAndLimitsHold) {
  add(department("cmp_a", "dep_1"));
  EXPECT_EQ(store().create_department(department("cmp_a", "dep_1"), 100).error().code, ErrorCode::kConflict);
  add(agent("cmp_a", "agt_1"));
  EXPECT_EQ(store().create_agent(agent("cmp_a", "agt_1"), 100).error().code, ErrorCode::kConflict);
  EXPECT_EQ(store().create_agent(agent("cmp_a", "agt_2"), 1).error().code, ErrorCode::kLimitReached);
  EXPECT_EQ(store().create_department(department("cmp_a", "dep_2"), 1).error().code,
            ErrorCode::kLimitReached);
  // The limit counts per company.
  EXPECT_TRUE(store().create_agent(agent("cmp_b", "agt_2"), 1).has_value());
}

TEST_P(DirectoryContractTest, AgentDepartmentMustExist) {
  EXPECT_EQ(store().create_agent(agent("cmp_a", "agt_1", "dep_missing"), 100).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().get_agent("cmp_a", "agt_1").error().code, ErrorCode::kNotFound);
  add(agent("cmp_a", "agt_1"));
  EXPECT_EQ(store().update_agent(agent("cmp_a", "agt_1", "dep_missing")).error().code,
            ErrorCode::kInvalidArgument);
  add(department("cmp_a", "dep_1"));
  EXPECT_TRUE(store().update_agent(agent("cmp_a", "agt_1", "dep_1")).has_value());
  EXPECT_EQ(store().get_agent("cmp_a", "agt_1")->department_id, "dep_1");
}

TEST_P(DirectoryContractTest, UpdateAndDelete) {
  add(department("cmp_a", "dep_1"));
  add(agent("cmp_a", "agt_1", "dep_1"));
  model::Department renamed = department("cmp_a", "dep_1", "Customer care");
  renamed.updated_at = at(kT0 + 5);
  ASSERT_TRUE(store().update_department(renamed).has_value());
  EXPECT_EQ(store().get_department("cmp_a", "dep_1")->name, "Customer care");
  EXPECT_EQ(store().get_department("cmp_a", "dep_1")->updated_at, at(kT0 + 5));

  // Deleting the department clears it from its agents.
  ASSERT_TRUE(store().delete_department("cmp_a", "dep_1").has_value());
  EXPECT_EQ(store().get_department("cmp_a", "dep_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().get_agent("cmp_a", "agt_1")->department_id, std::nullopt);

  ASSERT_TRUE(store().delete_agent("cmp_a", "agt_1").has_value());
  EXPECT_EQ(store().get_agent("cmp_a", "agt_1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().delete_agent("cmp_a", "agt_1").error().code, ErrorCode::kNotFound);
}

TEST_P(DirectoryContractTest, ListsPageByIdPerCompany) {
  for (const char* id : {"c", "a", "e", "b", "d"}) add(agent("cmp_a", id));
  add(agent("cmp_b", "zz"));
  std::vector<std::string> seen;
  PageRequest page{2, ""};
  for (int guard = 0; guard < 10; ++guard) {
    auto got = store().list_agents("cmp_a", page);
    ASSERT_TRUE(got.has_value()) << error_text(got);
    for (const auto& a : got->items) seen.push_back(a.id);
    if (!got->has_more) break;
    page.after_id = got->items.back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  add(department("cmp_a", "dep_2"));
  add(department("cmp_a", "dep_1"));
  auto deps = store().list_departments("cmp_a", PageRequest{1, ""});
  ASSERT_TRUE(deps.has_value());
  ASSERT_EQ(deps->items.size(), 1u);
  EXPECT_EQ(deps->items[0].id, "dep_1");
  EXPECT_TRUE(deps->has_more);
  EXPECT_EQ(store().list_agents("cmp_a", PageRequest{0, ""}).error().code, ErrorCode::kInvalidArgument);
}

NewEvent summary(const std::string& company_id, const std::string& id, const std::string& agent_id,
                 const std::string& department_id) {
  NewEvent in = new_event(company_id, id, "call.summary", "call:" + id);
  in.data_json = R"({"call_id":")" + id + R"(","agent_id":")" + agent_id + R"(","department_id":")" +
                 department_id + R"("})";
  in.attributes = {"inbound", department_id, agent_id};
  in.enrich_from_directory = true;
  return in;
}

TEST_P(DirectoryContractTest, IngestEnrichesFromTheEventsCompanyDirectory) {
  add(department("cmp_a", "dep_1", "Support"));
  add(agent("cmp_a", "agt_1", "dep_1"));
  add(department("cmp_b", "dep_1", "Other company"));
  NewEvent known = summary("cmp_a", "evt_1", "agt_1", "dep_1");
  NewEvent unknown = summary("cmp_a", "evt_2", "agt_nobody", "dep_nowhere");
  NewEvent not_asked = summary("cmp_a", "evt_3", "agt_1", "dep_1");
  not_asked.enrich_from_directory = false;
  NewEvent other_company = summary("cmp_b", "evt_4", "agt_1", "dep_1");
  ingest({known, unknown, not_asked, other_company});

  EXPECT_THAT(
      payload_of("cmp_a", "evt_1"),
      ::testing::EndsWith(R"("data":{"call_id":"evt_1","agent_id":"agt_1","department_id":"dep_1",)"
                          R"("agent":{"id":"agt_1","name":"Agent agt_1 — ü","email":"agt_1@example.com",)"
                          R"("extension":"301"},"department":{"id":"dep_1","name":"Support"}}})"));
  EXPECT_THAT(payload_of("cmp_a", "evt_2"), ::testing::EndsWith(R"("data":)" + unknown.data_json + "}"));
  EXPECT_THAT(payload_of("cmp_a", "evt_3"), ::testing::EndsWith(R"("data":)" + not_asked.data_json + "}"));
  // cmp_b has no agt_1: only its own department is added.
  EXPECT_THAT(
      payload_of("cmp_b", "evt_4"),
      ::testing::EndsWith(R"("department_id":"dep_1","department":{"id":"dep_1","name":"Other company"}}})"));
}

TEST_P(DirectoryContractTest, ABatchOfSummariesIsEnrichedAlike) {
  add(agent("cmp_a", "agt_1"));
  std::vector<NewEvent> batch;
  for (int i = 0; i < 200; ++i) batch.push_back(summary("cmp_a", "evt_" + std::to_string(i), "agt_1", ""));
  ingest(batch);
  for (int i : {0, 99, 199}) {
    EXPECT_NE(payload_of("cmp_a", "evt_" + std::to_string(i)).find(R"("agent":{"id":"agt_1")"),
              std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectoryContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
