// classify_search: what each kind of search text is looked up as.
#include "api/search_query.h"

#include <gtest/gtest.h>

#include "common/ids.h"

namespace switchboard::api {
namespace {

TEST(SearchQueryTest, ClassifiesEachKindOfText) {
  const std::string event = new_id("evt", TimePoint{});
  const std::string delivery = new_id("dlv", TimePoint{});
  struct Case {
    std::string text;
    bool event_id, delivery_id, call_id;
    std::optional<std::string> phone;
  };
  const Case cases[] = {
      {event, true, false, false, std::nullopt},
      {"  " + delivery + " ", false, true, false, std::nullopt},
      {"evt_not-an-id", false, false, true, std::nullopt},  // not an id shape: a call id
      {"c-2f9a", false, false, true, std::nullopt},
      {"+91 98765-43210", false, false, true, "919876543210"},
      {"(022) 4567.8901", false, false, true, "02245678901"},
      {"9876543210", false, false, true, "9876543210"},        // digits: a call id or a number
      {"12345", false, false, true, std::nullopt},             // too short for a number
      {"1234567890123456", false, false, true, std::nullopt},  // too long for E.164
      {"98+76543210", false, false, true, std::nullopt},       // + only in front
  };
  for (const auto& c : cases) {
    auto q = classify_search(c.text);
    ASSERT_TRUE(q.has_value()) << c.text;
    EXPECT_EQ(q->event_id, c.event_id) << c.text;
    EXPECT_EQ(q->delivery_id, c.delivery_id) << c.text;
    EXPECT_EQ(q->call_id, c.call_id) << c.text;
    EXPECT_EQ(q->phone, c.phone) << c.text;
  }
  EXPECT_FALSE(classify_search("").has_value());
  EXPECT_FALSE(classify_search("  \t ").has_value());
  EXPECT_EQ(classify_search("  abc  ")->text, "abc");
}

}  // namespace
}  // namespace switchboard::api
