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
#include "store/console_reads.h"

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

// One call of a window as its payload-free event refs place it: the handler
// orders and pages the window's calls by these, then reads and folds the
// events of one page's calls only. Every live call event the ingest accepts
// names its call in its sequence key ("call:<call_id>", the data's call_id)
// and gives an update (model::live_call_update), so a call starts at its
// earliest ref and the order is fold_calls' own.
struct CallStart {
  std::string call_id;
  TimePoint started_at{};
  std::vector<std::string> event_ids;
};

// Groups refs (any order) by call; refs without a "call:" key are left out.
// Newest started first (ties: call id), as fold_calls.
std::vector<CallStart> call_starts(const std::vector<store::CallEventRef>& refs);
// As page_calls, over call starts (same cursors: cursor_of(CallRecord) of
// the same call is cursor_of(CallStart)).
std::vector<CallStart> page_call_starts(const std::vector<CallStart>& starts, std::string cursor, int limit,
                                        std::string& next);
std::string cursor_of(const CallStart& start);

}  // namespace switchboard::api
