#include "api/call_history.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

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

namespace {

std::string cursor_text(TimePoint started_at, const std::string& call_id) {
  return std::to_string(started_at.time_since_epoch().count()) + "_" + call_id;
}

// The page of `rows` after `cursor` (rows are unique by cursor), at most `limit`.
template <typename Row>
std::vector<Row> page_after(const std::vector<Row>& rows, const std::string& cursor, int limit,
                            std::string& next) {
  next.clear();
  std::size_t start = 0;
  if (!cursor.empty()) {
    auto at = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return cursor_of(r) == cursor; });
    start = at == rows.end() ? rows.size() : static_cast<std::size_t>(at - rows.begin()) + 1;
  }
  const std::size_t end = std::min(rows.size(), start + static_cast<std::size_t>(limit));
  std::vector<Row> page(rows.begin() + static_cast<std::ptrdiff_t>(start),
                        rows.begin() + static_cast<std::ptrdiff_t>(end));
  if (end < rows.size() && !page.empty()) next = cursor_of(page.back());
  return page;
}

}  // namespace

std::string cursor_of(const CallRecord& record) {
  return cursor_text(record.started_at, record.latest.call_id);
}
std::string cursor_of(const CallStart& start) { return cursor_text(start.started_at, start.call_id); }

std::vector<CallRecord> page_calls(const std::vector<CallRecord>& records, std::string cursor, int limit,
                                   std::string& next) {
  return page_after(records, cursor, limit, next);
}

std::vector<CallStart> page_call_starts(const std::vector<CallStart>& starts, std::string cursor, int limit,
                                        std::string& next) {
  return page_after(starts, cursor, limit, next);
}

std::vector<CallStart> call_starts(const std::vector<store::CallEventRef>& refs) {
  constexpr std::string_view kPrefix = "call:";
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<CallStart> out;
  for (const auto& ref : refs) {
    std::string_view key = ref.sequence_key;
    if (!key.starts_with(kPrefix) || key.size() == kPrefix.size()) continue;
    key.remove_prefix(kPrefix.size());
    auto [it, fresh] = index.try_emplace(key, out.size());
    if (fresh) out.push_back({std::string(key), ref.occurred_at, {}});
    CallStart& call = out[it->second];
    if (ref.occurred_at < call.started_at) call.started_at = ref.occurred_at;
    call.event_ids.push_back(ref.id);
  }
  std::sort(out.begin(), out.end(), [](const CallStart& a, const CallStart& b) {
    return a.started_at != b.started_at ? a.started_at > b.started_at : a.call_id < b.call_id;
  });
  return out;
}

}  // namespace switchboard::api
