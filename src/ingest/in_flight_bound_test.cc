// InFlightBound: the per-key admission rules, as a table of steps.
#include "ingest/in_flight_bound.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <vector>

namespace switchboard::ingest {
namespace {

TEST(InFlightBound, AdmitsUpToTheLimitPerKeyAndFreesOnRelease) {
  struct Step {
    const char* what;
    const char* key;
    std::size_t units;   // admit(key, units); 0 = release the ticket named `ticket`
    const char* ticket;  // the name a granted ticket is kept under / released
    bool admitted;
    std::size_t in_flight_after;  // of `key`
  };
  // limit 10
  const std::vector<Step> steps = {
      {"a first admission", "cmp_a", 4, "a1", true, 4},
      {"up to the limit", "cmp_a", 6, "a2", true, 10},
      {"one more is refused", "cmp_a", 1, "", false, 10},
      {"another company is not held up", "cmp_b", 10, "b1", true, 10},
      {"a release frees its units", "cmp_a", 0, "a1", true, 6},
      {"then fits again", "cmp_a", 4, "a3", true, 10},
      {"everything released", "cmp_a", 0, "a2", true, 4},
      {"", "cmp_a", 0, "a3", true, 0},
      {"a first admission above the limit still runs, alone", "cmp_a", 25, "a4", true, 25},
      {"and nothing else meanwhile", "cmp_a", 1, "", false, 25},
      {"", "cmp_a", 0, "a4", true, 0},
  };
  InFlightBound bound(10);
  std::map<std::string, InFlightBound::Ticket> tickets;
  for (const Step& s : steps) {
    if (s.units == 0) {
      tickets.at(s.ticket).release();
    } else {
      auto ticket = bound.admit(s.key, s.units);
      EXPECT_EQ(ticket.has_value(), s.admitted) << s.what;
      if (ticket) {
        tickets[s.ticket] = std::move(*ticket);
      } else {
        EXPECT_EQ(ticket.error().in_flight, s.in_flight_after) << s.what;
        EXPECT_EQ(ticket.error().limit, 10u) << s.what;
      }
    }
    EXPECT_EQ(bound.in_flight(s.key), s.in_flight_after) << s.what;
  }
}

TEST(InFlightBound, ATicketGivesItsUnitsBackOnceWhetherReleasedMovedOrDestroyed) {
  InFlightBound bound(10);
  {
    auto t = bound.admit("k", 3);
    ASSERT_TRUE(t);
    InFlightBound::Ticket moved = std::move(*t);
    t->release();  // the moved-from ticket holds nothing
    EXPECT_EQ(bound.in_flight("k"), 3u);
    moved.release();
    moved.release();
    EXPECT_EQ(bound.in_flight("k"), 0u);
  }
  {
    auto t = bound.admit("k", 5);
    ASSERT_TRUE(t);
    EXPECT_EQ(bound.in_flight("k"), 5u);
  }
  EXPECT_EQ(bound.in_flight("k"), 0u);  // destroyed
}

}  // namespace
}  // namespace switchboard::ingest
