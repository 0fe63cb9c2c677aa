// Recent call history for the console's Call Logs (issue 17 item 11,
// GET /api/v2/calls): each call of a window folded from its call events into
// one row. Pure (table-tested in call_history_test.cc); the handler
// (call_handlers.cc) reads the events from the store.
//
// No contradictory sequence: a call that was answered never reads Missed
// (a call.end with a status other than `completed` after an answer, e.g. a
// transfer target that did not pick up, ends it Disconnected); a late,
// out-of-order event never moves a call back (model::is_after orders them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/live_call.h"

namespace switchboard::api {

struct CallRecord {
  model::LiveCallUpdate latest;          // the call's newest update, state corrected as above
  TimePoint started_at{};                // its first event
  std::optional<TimePoint> answered_at;  // its first answer
  std::optional<TimePoint> ended_at;     // when it ended (final state)
  int events = 0;
};

// Folds updates (any order) into one record per call, newest started first
// (ties: call id).
std::vector<CallRecord> fold_calls(const std::vector<model::LiveCallUpdate>& updates);

// The page of `records` after `cursor` ("" = from the start; else the
// cursor_of() of the last row of the previous page), at most `limit`;
// `next` is the cursor of the next page ("" when none; it may be the
// variable `cursor` was read from).
std::vector<CallRecord> page_calls(const std::vector<CallRecord>& records, std::string cursor, int limit,
                                   std::string& next);
std::string cursor_of(const CallRecord& record);

}  // namespace switchboard::api
