#include "model/event_catalog.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace switchboard::model {
namespace {

struct ExpectedEvent {
  std::string_view type;
  std::string_view group;
  std::string_view label;
  bool sequenced;
};

// Spec §2 and seed 000, in catalog order.
constexpr ExpectedEvent kExpected[] = {
    {"call.initiated", "call", "Start of the call", true},
    {"call.dial_begin", "call", "Start Dialing", true},
    {"call.answered", "call", "Call Responded", true},
    {"call.end", "call", "Call Ended", true},
    {"call.summary", "call", "Call Summary", true},
    {"call.disposition", "call", "Call Disposition", false},
    {"message.sent", "whatsapp", "Message Sent", true},
    {"message.received", "whatsapp", "Message Received", true},
    {"message.delivered", "whatsapp", "Message Delivered", true},
    {"message.read", "whatsapp", "Message Read", true},
    {"message.failed", "whatsapp", "Message Failed", true},
    {"message.link_tracking", "whatsapp", "Track URL Clicked", true},
    {"conversation.assign", "whatsapp", "Conversation Assigned", true},
    {"conversation.close", "whatsapp", "Conversation Closed", true},
};

TEST(EventCatalogTest, HasExactlyTheSpecEventsInOrder) {
  const auto catalog = event_catalog();
  ASSERT_EQ(catalog.size(), std::size(kExpected));
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    SCOPED_TRACE(kExpected[i].type);
    EXPECT_EQ(catalog[i].type, kExpected[i].type);
    EXPECT_EQ(catalog[i].group, kExpected[i].group);
    EXPECT_EQ(catalog[i].label, kExpected[i].label);
    EXPECT_EQ(catalog[i].sequenced, kExpected[i].sequenced);
    EXPECT_FALSE(catalog[i].description.empty());
    EXPECT_EQ(catalog[i].description.back(), '.');
  }
}

TEST(EventCatalogTest, TypesAndLabelsAreUnique) {
  std::set<std::string_view> types;
  std::set<std::string_view> labels;
  for (const EventTypeInfo& info : event_catalog()) {
    EXPECT_TRUE(types.insert(info.type).second) << info.type;
    EXPECT_TRUE(labels.insert(info.label).second) << info.label;
  }
}

TEST(EventCatalogTest, DispositionIsTheOnlyUnsequencedEvent) {
  for (const EventTypeInfo& info : event_catalog()) {
    EXPECT_EQ(info.sequenced, info.type != "call.disposition") << info.type;
  }
}

TEST(EventCatalogTest, FindsEveryCatalogType) {
  for (const EventTypeInfo& info : event_catalog()) {
    const EventTypeInfo* found = find_event_type(info.type);
    ASSERT_NE(found, nullptr) << info.type;
    EXPECT_EQ(found, &info);  // the catalog entry itself, not a copy
  }
}

TEST(EventCatalogTest, DoesNotFindOtherNames) {
  for (std::string_view name :
       {"", "call", "whatsapp", "Call.Answered", "call.answered ", "call.*", "call.ringing", "message",
        "message.link_tracked", "conversation.assigned", "after_call"}) {
    EXPECT_EQ(find_event_type(name), nullptr) << name;
  }
}

TEST(EventCatalogTest, Groups) {
  const auto groups = event_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "call");
  EXPECT_EQ(groups[0].label, "Call events");
  EXPECT_EQ(groups[1].name, "whatsapp");
  EXPECT_EQ(groups[1].label, "WhatsApp events");
}

struct GroupCase {
  std::string_view name;
  bool is_group;
  std::size_t size;
};

constexpr GroupCase kGroupCases[] = {
    {"call", true, 6}, {"whatsapp", true, 8}, {"Call", false, 0},     {"WhatsApp", false, 0},
    {"", false, 0},    {"message", false, 0}, {"call.end", false, 0}, {"conversation", false, 0},
};

TEST(EventCatalogTest, GroupMembership) {
  for (const GroupCase& c : kGroupCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(is_event_group(c.name), c.is_group);
    EXPECT_EQ(events_in_group(c.name).size(), c.size);
  }
}

TEST(EventCatalogTest, EventsInGroupFollowCatalogOrder) {
  std::vector<std::string_view> all;
  for (const EventGroupInfo& group : event_groups()) {
    for (std::string_view type : events_in_group(group.name)) {
      EXPECT_EQ(find_event_type(type)->group, group.name);
      all.push_back(type);
    }
  }
  // Groups in order, concatenated, give the whole catalog in order.
  ASSERT_EQ(all.size(), event_catalog().size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], event_catalog()[i].type);
}

TEST(EventCatalogTest, EveryEventBelongsToAKnownGroup) {
  for (const EventTypeInfo& info : event_catalog()) EXPECT_TRUE(is_event_group(info.group)) << info.type;
}

}  // namespace
}  // namespace switchboard::model
