#include "model/webhook_match.h"

#include <gtest/gtest.h>

namespace switchboard::model {
namespace {

TEST(WebhookMatchTest, SubscriptionAndFilters) {
  WebhookSpec calls;
  calls.events = {"call.answered", "call.summary"};
  WebhookSpec inbound_sales = calls;
  inbound_sales.filters.direction = {"inbound"};
  inbound_sales.filters.department_ids = {"dep_sales"};
  WebhookSpec agent_a = calls;
  agent_a.filters.agent_ids = {"agt_a", "agt_b"};

  struct Case {
    const WebhookSpec* spec;
    std::string type;
    EventAttributes attributes;
    bool accepted;
  };
  const std::vector<Case> cases = {
      {&calls, "call.answered", {}, true},
      {&calls, "call.end", {}, false},  // not subscribed
      {&calls, "message.sent", {"inbound", "", ""}, false},
      {&inbound_sales, "call.answered", {"inbound", "dep_sales", ""}, true},
      {&inbound_sales, "call.answered", {"outbound", "dep_sales", ""}, false},
      {&inbound_sales, "call.answered", {"inbound", "dep_support", ""}, false},
      {&inbound_sales, "call.answered", {"inbound", "", ""}, false},  // no department: filtered out
      {&inbound_sales, "call.answered", {"", "dep_sales", ""}, false},
      {&agent_a, "call.summary", {"outbound", "x", "agt_b"}, true},
      {&agent_a, "call.summary", {"outbound", "x", "agt_c"}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(webhook_accepts(*c.spec, c.type, c.attributes), c.accepted)
        << c.type << " " << c.attributes.direction << "/" << c.attributes.department_id << "/"
        << c.attributes.agent_id;
  }
}

}  // namespace
}  // namespace switchboard::model
