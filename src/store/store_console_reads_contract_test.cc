// The Store contract for the console's event reads (store/console_reads.h):
// the payload-free call event refs behind GET /api/v2/calls, reading events
// by id, and the event count behind Home's "events today". Runs against every
// backend of store_backends().
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "store/console_reads.h"
#include "store/store.h"
#include "store/store_contract_support.h"

namespace switchboard::store {
namespace {

using namespace contract::vocabulary;  // at, kT0, new_event, …

class ConsoleReadsContractTest : public contract::DeliveryContractFixture {
 protected:
  ConsoleReads& reads() { return dynamic_cast<ConsoleReads&>(store()); }

  // cmp_a's events at kT0 + ms (call events of their own call but two), one of cmp_b.
  void seed_events() {
    seed_company("cmp_a");
    seed_company("cmp_b");
    const struct {
      const char *company, *id, *type, *key;
      long long ms;
    } events[] = {
        {"cmp_a", "evt_old", "call.initiated", "call:c0", -5000},  // before `since`
        {"cmp_a", "evt_1", "call.initiated", "call:c1", 0},
        {"cmp_a", "evt_sum", "call.summary", "call:c1", 10},  // not a live call event
        {"cmp_a", "evt_2", "call.answered", "call:c1", 20},
        {"cmp_a", "evt_msg", "message.received", "", 25},
        {"cmp_b", "evt_b", "call.answered", "call:cb", 30},  // another company
        {"cmp_a", "evt_3", "call.initiated", "call:c2", 40},
        {"cmp_a", "evt_4", "call.end", "call:c1", 50},
    };
    for (const auto& e : events) ingest_one(new_event(e.company, e.id, e.type, e.key, at(kT0 + e.ms)));
  }
};

TEST_P(ConsoleReadsContractTest, CallEventRefsAreTheRecentCallEventsNewestFirstWithoutPayload) {
  seed_events();
  for (int max : {100, 3, 1, 0}) {
    auto full = store().list_recent_call_events("cmp_a", at(kT0 - 1000), max);
    auto refs = reads().list_recent_call_event_refs("cmp_a", at(kT0 - 1000), max);
    ASSERT_TRUE(full.has_value()) << error_text(full);
    ASSERT_TRUE(refs.has_value()) << error_text(refs);
    ASSERT_EQ(refs->size(), full->size()) << "max " << max;
    for (std::size_t i = 0; i < refs->size(); ++i) {
      const model::Event& event = (*full)[full->size() - 1 - i];  // oldest first there
      EXPECT_EQ((*refs)[i].id, event.id) << "max " << max;
      EXPECT_EQ((*refs)[i].sequence_key, event.sequence_key);
      EXPECT_EQ((*refs)[i].occurred_at, event.occurred_at);
    }
  }
  auto refs = reads().list_recent_call_event_refs("cmp_a", at(kT0 - 1000), 100);
  ASSERT_TRUE(refs.has_value());
  std::vector<std::string> ids;
  for (const auto& r : *refs) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"evt_4", "evt_3", "evt_2", "evt_1"}));
  EXPECT_EQ((*refs)[0].sequence_key, "call:c1");
  EXPECT_EQ((*refs)[0].occurred_at, at(kT0 + 50) - std::chrono::milliseconds(100));
}

TEST_P(ConsoleReadsContractTest, GetEventsReadsTheCompanysEventsByIdOldestFirst) {
  seed_events();
  auto got = reads().get_events("cmp_a", {"evt_4", "evt_b", "evt_nope", "evt_1", "evt_msg"});
  ASSERT_TRUE(got.has_value()) << error_text(got);
  std::vector<std::string> ids;
  for (const auto& e : *got) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"evt_1", "evt_msg", "evt_4"})) << "cmp_b's event is not cmp_a's";
  auto one = store().get_event("cmp_a", "evt_4");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(got->back().payload, one->payload);
  EXPECT_EQ(got->back().sequence, one->sequence);
  EXPECT_EQ(got->back().type, "call.end");
  auto none = reads().get_events("cmp_a", {});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST_P(ConsoleReadsContractTest, CountsTheCompanysEventsAcceptedSinceATime) {
  seed_events();
  auto count = [&](const std::string& company_id, long long ms) {
    auto n = reads().count_events_since(company_id, at(kT0 + ms));
    EXPECT_TRUE(n.has_value()) << error_text(n);
    return n.value_or(-1);
  };
  EXPECT_EQ(count("cmp_a", -10000), 7) << "every type counts";
  EXPECT_EQ(count("cmp_a", 0), 6) << "the bound is inclusive; the older one is out";
  EXPECT_EQ(count("cmp_a", 41), 1);
  EXPECT_EQ(count("cmp_a", 51), 0);
  EXPECT_EQ(count("cmp_b", -10000), 1);
  EXPECT_EQ(count("cmp_nobody", -10000), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConsoleReadsContractTest, ::testing::ValuesIn(contract::store_backends()),
                         contract::backend_name);

}  // namespace
}  // namespace switchboard::store
