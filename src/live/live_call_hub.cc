#include "live/live_call_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <utility>

#include "common/result.h"
#include "common/time_format.h"

namespace switchboard::live {

namespace json = boost::json;

// Calls that ended recently, remembered per company so that an event of theirs
// relayed late cannot bring them back.
constexpr std::size_t kRememberEnded = 1000;
// A snapshot streams in pieces of about this many bytes.
constexpr std::size_t kSnapshotPieceBytes = 64 * 1024;

LiveCallHub::LiveCallHub(LiveCallSources sources, const Clock& clock, LiveCallHubOptions options)
    : sources_(sources), clock_(clock), options_(options), heartbeat_([this] { heartbeat_loop(); }) {}

LiveCallHub::~LiveCallHub() { stop(); }

void LiveCallHub::stop() {
  std::vector<std::shared_ptr<Sink>> sinks;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [id, company] : companies_) {
      for (auto& watcher : company.watchers) {
        if (watcher.sink) sinks.push_back(std::move(watcher.sink));
      }
    }
    companies_.clear();
  }
  wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  for (auto& sink : sinks) sink->close();
}

std::string LiveCallHub::message(const Call& call) {
  const auto& u = call.update;
  auto named = [](const std::string& id, const std::string& name) -> json::value {
    if (id.empty()) return nullptr;
    json::object object{{"id", id}};
    object["name"] = name.empty() ? json::value(nullptr) : json::value(name);
    return object;
  };
  json::object data{{"call_id", u.call_id},
                    {"state", model::to_string(u.state)},
                    {"from", u.from},
                    {"to", u.to},
                    {"direction", u.direction},
                    {"agent", named(u.agent_id, call.agent_name)},
                    {"department", named(u.department_id, call.department_name)},
                    {"at", format_rfc3339(u.at)}};
  // SSE framing: JSON has no raw newlines, so one data line is enough.
  return "event: call\ndata: " + json::serialize(data) + "\n\n";
}

// Directory names for the ids the call carries; a failed or empty lookup
// leaves the name out (the widget shows the id).
void LiveCallHub::name_from_directory(const std::string& company_id, Call& call) {
  if (!call.update.agent_id.empty() && call.agent_name.empty()) {
    call.agent_name = sources_.names.agent_name(company_id, call.update.agent_id);
  }
  if (!call.update.department_id.empty() && call.department_name.empty()) {
    call.department_name = sources_.names.department_name(company_id, call.update.department_id);
  }
}

void LiveCallHub::forget(Company& company, std::map<std::string, Call>::iterator call) {
  company.by_seen.erase({call->second.seen, call->first});
  company.calls.erase(call);
}

void LiveCallHub::publish(const std::string& company_id, const std::string& event_type,
                          const std::string& data_json, TimePoint occurred_at, std::int64_t sequence) {
  if (!model::moves_live_call(event_type)) return;
  boost::system::error_code ec;
  json::value data = json::parse(data_json, ec);
  if (ec || !data.is_object()) return;
  auto update = model::live_call_update(event_type, data.get_object(), occurred_at);
  if (!update) return;
  update->sequence = sequence;
  if (relay_) {
    if (auto payload = model::encode_live_call_relay(model::RelayedLiveCall{company_id, *update})) {
      relay_->publish(std::move(*payload));
      return;
    }
    // Too large to relay (never for a validated event): this node's watchers still see it.
  }
  apply(company_id, std::move(*update));
}

void LiveCallHub::set_relay(Relay* relay) { relay_ = relay; }

bool LiveCallHub::receive(std::string_view payload) {
  auto relayed = model::decode_live_call_relay(payload);
  if (!relayed) return false;
  apply(relayed->company_id, std::move(relayed->update));
  return true;
}

void LiveCallHub::apply(const std::string& company_id, model::LiveCallUpdate update) {
  Call call{std::move(update), clock_.now(), "", ""};
  {
    // Keep the names already looked up while the agent and department stay.
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    auto company = companies_.find(company_id);
    if (company != companies_.end()) {
      if (auto previous = company->second.calls.find(call.update.call_id);
          previous != company->second.calls.end()) {
        const Call& before = previous->second;
        if (before.update.agent_id == call.update.agent_id) call.agent_name = before.agent_name;
        if (before.update.department_id == call.update.department_id)
          call.department_name = before.department_name;
      }
    }
  }
  name_from_directory(company_id, call);
  const std::string text = message(call);

  std::lock_guard lock(mutex_);
  if (stopped_) return;
  Company& company = companies_[company_id];
  if (auto previous = company.calls.find(call.update.call_id); previous != company.calls.end()) {
    // Events of one call are published in order by one publisher, but may
    // reach a node through different paths (relayed from other nodes): an
    // older one arriving late must not move the call back.
    const auto& before = previous->second.update;
    if (model::is_after(before, call.update)) return;
    if (before.at == call.update.at && before.sequence == call.update.sequence &&
        before.state == call.update.state && before.agent_id == call.update.agent_id &&
        before.department_id == call.update.department_id) {
      return;  // the same update again (a relayed repeat, a restore): watchers have it
    }
    forget(company, previous);
  } else if (auto ended = company.ended.find(call.update.call_id);
             ended != company.ended.end() && !model::is_after(call.update, ended->second)) {
    return;  // a late event of a call that has ended: it must not come back as a ghost
  }
  if (model::is_final(call.update.state)) {
    if (company.ended.insert_or_assign(call.update.call_id, call.update).second) {
      company.ended_order.push_back(call.update.call_id);
      if (company.ended_order.size() > kRememberEnded) {
        company.ended.erase(company.ended_order.front());
        company.ended_order.pop_front();
      }
    }
  } else {
    while (company.calls.size() >= options_.max_calls_per_company && !company.by_seen.empty()) {
      forget(company, company.calls.find(company.by_seen.begin()->second));
    }
    company.by_seen.insert({call.seen, call.update.call_id});
    company.calls.emplace(call.update.call_id, call);
  }
  std::erase_if(company.watchers, [&](Watcher& watcher) {
    if (!watcher.sink) return false;  // admitted, its snapshot not taken yet: it will have this call
    if (!model::live_call_matches(watcher.filter, call.update)) return !watcher.sink->is_open();
    return !watcher.sink->send(text);
  });
}

Result<std::size_t> LiveCallHub::restore() {
  auto companies = sources_.companies.company_ids();
  if (!companies) return forward_error(companies);
  const TimePoint since = clock_.now() - options_.stale_after;
  for (const auto& company_id : *companies) {
    auto events = sources_.call_events.list_recent_call_events(
        company_id, since, static_cast<int>(options_.max_calls_per_company));
    if (!events) return forward_error(events);
    // Each call's latest state first, so that names are looked up once per call.
    // Events of one call may share a millisecond: their event_sequence orders them.
    std::map<std::string, model::LiveCallUpdate> latest;
    for (const auto& event : *events) {
      boost::system::error_code ec;
      json::value envelope = json::parse(event.payload, ec);
      if (ec || !envelope.is_object()) continue;
      const json::value* data = envelope.get_object().if_contains("data");
      if (!data || !data->is_object()) continue;
      auto update = model::live_call_update(event.type, data->get_object(), event.occurred_at);
      if (!update) continue;
      update->sequence = event.sequence.value_or(0);
      auto& slot = latest[update->call_id];
      if (slot.call_id.empty() || !model::is_after(slot, *update)) slot = std::move(*update);
    }
    std::vector<model::LiveCallUpdate> ordered;
    ordered.reserve(latest.size());
    for (auto& [call_id, update] : latest) ordered.push_back(std::move(update));
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    for (auto& update : ordered) apply(company_id, std::move(update));
  }
  std::lock_guard lock(mutex_);
  std::size_t in_progress = 0;
  for (const auto& [id, company] : companies_) in_progress += company.calls.size();
  return in_progress;
}

LiveCallHub::Admission::Admission(Admission&& other) noexcept
    : hub_(std::exchange(other.hub_, nullptr)), company_id_(std::move(other.company_id_)), id_(other.id_) {}

LiveCallHub::Admission::~Admission() {
  if (hub_) hub_->release(company_id_, id_);
}

void LiveCallHub::release(const std::string& company_id, std::uint64_t admission) {
  std::lock_guard lock(mutex_);
  auto company = companies_.find(company_id);
  if (company == companies_.end()) return;
  std::erase_if(company->second.watchers, [&](const Watcher& w) { return w.admission == admission; });
}

tl::expected<LiveCallHub::Admission, LiveCallHub::Refusal> LiveCallHub::admit(const std::string& company_id,
                                                                              const std::string& user_id) {
  std::lock_guard lock(mutex_);
  Company& company = companies_[company_id];
  // A stream the client closed is gone from here at once (not at the next ping).
  std::erase_if(company.watchers, [](const Watcher& w) { return w.sink && !w.sink->is_open(); });
  if (company.watchers.size() >= options_.max_watchers_per_company) {
    return tl::unexpected(Refusal{Refusal::Scope::kCompany, options_.max_watchers_per_company});
  }
  const auto by_user = std::count_if(company.watchers.begin(), company.watchers.end(),
                                     [&](const Watcher& w) { return w.user_id == user_id; });
  if (static_cast<std::size_t>(by_user) >= options_.max_watchers_per_user) {
    return tl::unexpected(Refusal{Refusal::Scope::kUser, options_.max_watchers_per_user});
  }
  const std::uint64_t id = ++next_admission_;
  company.watchers.push_back(Watcher{{}, nullptr, user_id, id});
  return Admission(this, company_id, id);
}

void LiveCallHub::watch(Admission admission, model::LiveCallFilter filter, std::shared_ptr<Sink> sink) {
  std::lock_guard lock(mutex_);
  auto company = companies_.find(admission.company_id_);
  Watcher* watcher = nullptr;
  if (!stopped_ && company != companies_.end()) {
    for (auto& w : company->second.watchers) {
      if (w.admission == admission.id_) watcher = &w;
    }
  }
  if (watcher == nullptr) {  // the hub stopped meanwhile
    admission.hub_ = nullptr;
    sink->close();
    return;
  }
  // Snapshot and registration under one lock: no change falls between them.
  // The calls are copied now and serialized piece by piece as the transport
  // writes them; changes sent meanwhile wait behind the last piece.
  auto calls = std::make_shared<std::vector<Call>>();
  for (const auto& [seen, call_id] : company->second.by_seen) {
    const Call& call = company->second.calls.at(call_id);
    if (model::live_call_matches(filter, call.update)) calls->push_back(call);
  }
  auto produce = [calls, next = std::size_t{0}, done = false]() mutable -> std::optional<std::string> {
    if (done) return std::nullopt;
    std::string piece;
    while (next < calls->size() && piece.size() < kSnapshotPieceBytes) piece += message((*calls)[next++]);
    if (next == calls->size()) {
      piece += "event: ready\ndata: {\"calls\":" + std::to_string(calls->size()) + "}\n\n";
      calls->clear();
      calls->shrink_to_fit();
      done = true;
    }
    return piece;
  };
  admission.hub_ = nullptr;                    // released here, under the lock
  if (!sink->send_from(std::move(produce))) {  // the client left already
    std::erase_if(company->second.watchers, [&](const Watcher& w) { return w.admission == admission.id_; });
    return;
  }
  watcher->filter = std::move(filter);
  watcher->sink = std::move(sink);  // the slot is the watcher's now: it goes when its stream ends
}

void LiveCallHub::heartbeat_loop() {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    wake_.wait_for(lock, options_.heartbeat, [this] { return stopped_; });
    if (stopped_) return;
    const TimePoint stale_before = clock_.now() - options_.stale_after;
    for (auto company = companies_.begin(); company != companies_.end();) {
      auto& c = company->second;
      while (!c.by_seen.empty() && c.by_seen.begin()->first < stale_before) {
        forget(c, c.calls.find(c.by_seen.begin()->second));
      }
      std::erase_if(c.watchers, [](Watcher& w) { return w.sink && !w.sink->send(": ping\n\n"); });
      if (c.calls.empty() && c.watchers.empty()) {
        company = companies_.erase(company);
      } else {
        ++company;
      }
    }
  }
}

}  // namespace switchboard::live
