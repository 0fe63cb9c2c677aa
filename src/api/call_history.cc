#include "api/call_history.h"

#include <algorithm>
#include <map>

namespace switchboard::api {

std::vector<CallRecord> fold_calls(const std::vector<model::LiveCallUpdate>& updates) {
  std::map<std::string, CallRecord> calls;
  for (const auto& u : updates) {
    auto [it, fresh] = calls.try_emplace(u.call_id);
    CallRecord& r = it->second;
    if (fresh || u.at < r.started_at) r.started_at = u.at;
    if (u.state == model::LiveCallState::kConnected && (!r.answered_at || u.at < *r.answered_at)) {
      r.answered_at = u.at;
    }
    if (fresh || model::is_after(u, r.latest)) {
      // Keep what an earlier event named when the newer one does not.
      model::LiveCallUpdate merged = u;
      if (!fresh) {
        if (merged.agent_id.empty()) merged.agent_id = r.latest.agent_id;
        if (merged.department_id.empty()) merged.department_id = r.latest.department_id;
        if (merged.from.empty()) merged.from = r.latest.from;
        if (merged.to.empty()) merged.to = r.latest.to;
        if (merged.direction.empty()) merged.direction = r.latest.direction;
      }
      r.latest = std::move(merged);
    } else {
      if (r.latest.agent_id.empty()) r.latest.agent_id = u.agent_id;
      if (r.latest.department_id.empty()) r.latest.department_id = u.department_id;
    }
    ++r.events;
  }
  std::vector<CallRecord> out;
  out.reserve(calls.size());
  for (auto& [id, r] : calls) {
    if (r.answered_at && r.latest.state == model::LiveCallState::kMissed) {
      r.latest.state = model::LiveCallState::kDisconnected;
    }
    if (model::is_final(r.latest.state)) r.ended_at = r.latest.at;
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const CallRecord& a, const CallRecord& b) {
    return a.started_at != b.started_at ? a.started_at > b.started_at : a.latest.call_id < b.latest.call_id;
  });
  return out;
}

std::string cursor_of(const CallRecord& record) {
  return std::to_string(record.started_at.time_since_epoch().count()) + "_" + record.latest.call_id;
}

std::vector<CallRecord> page_calls(const std::vector<CallRecord>& records, std::string cursor, int limit,
                                   std::string& next) {
  next.clear();
  std::size_t start = 0;
  if (!cursor.empty()) {
    // The row after the cursor's (rows are unique by cursor).
    auto at = std::find_if(records.begin(), records.end(),
                           [&](const CallRecord& r) { return cursor_of(r) == cursor; });
    start = at == records.end() ? records.size() : static_cast<std::size_t>(at - records.begin()) + 1;
  }
  const std::size_t end = std::min(records.size(), start + static_cast<std::size_t>(limit));
  std::vector<CallRecord> page(records.begin() + static_cast<std::ptrdiff_t>(start),
                               records.begin() + static_cast<std::ptrdiff_t>(end));
  if (end < records.size() && !page.empty()) next = cursor_of(page.back());
  return page;
}

}  // namespace switchboard::api
