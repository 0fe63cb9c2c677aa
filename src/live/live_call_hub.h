// LiveCallHub: the live call stream behind GET /api/v2/live/calls (spec §7).
// Ingest hands it every stored event (publish(); only the types that move a
// call, model::kLiveCallEventTypes, count); it keeps each company's calls in
// progress (for the snapshot a new watcher gets first) and sends each change
// to the company's watchers whose filter matches, as Server-Sent Events
// bytes on a live::Sink (the transport's stream, handed over by the SSE handler).
//
// In memory, rebuilt at start from the stored call events (restore(), over
// the narrow inputs of live/sources.h: companies, recent call events,
// directory names). In a cluster, every node's hub sees every node's calls:
// publish() hands the update to the live::Relay (relay.h), and the relay
// gives each node's updates back through receive(), this node's own
// included. Bounded: calls in progress per company (the oldest is dropped),
// watchers per company and per user (admit()), and each watcher's unsent
// backlog (the transport ends a stream that falls behind). A snapshot of any
// size streams piece by piece (Sink::send_from), each piece serialized only
// when the one before has been written.
//
// Threads: one heartbeat thread of its own (pings, staleness). Every public
// method may be called from any thread; all state is under `mutex_`, and
// directory names are looked up outside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "live/relay.h"
#include "live/sink.h"
#include "live/sources.h"
#include "model/limits.h"
#include "model/live_call.h"

namespace switchboard::live {

struct LiveCallHubOptions {
  std::chrono::milliseconds heartbeat{15000};  // ": ping" comment to every watcher (real time)
  std::size_t max_calls_per_company = model::limits::kMaxLiveCallsPerCompany;
  std::size_t max_watchers_per_company = model::limits::kMaxLiveStreamsPerCompany;
  std::size_t max_watchers_per_user = model::limits::kMaxLiveStreamsPerUser;
  // A call with no event for this long is dropped from the snapshot (policy
  // time: divided by the time scale like every other duration).
  std::chrono::hours stale_after{6};
};

class LiveCallHub {
 public:
  LiveCallHub(LiveCallSources sources, const Clock& clock, LiveCallHubOptions options = {});
  ~LiveCallHub();
  LiveCallHub(const LiveCallHub&) = delete;
  LiveCallHub& operator=(const LiveCallHub&) = delete;

  // A stored event of the company (the one entry point of ingest, after
  // COMMIT): events that move a call update it and reach the watchers (or
  // the relay); other events are ignored. `data_json` is the event's data
  // object; `sequence` its event_sequence (0 when it has none).
  void publish(const std::string& company_id, const std::string& event_type, const std::string& data_json,
               TimePoint occurred_at, std::int64_t sequence = 0);

  // Cluster mode: publish() sends each update (model::encode_live_call_relay)
  // to `relay` instead of to this node's watchers. Set before traffic starts;
  // the relay outlives the hub's traffic (it is stopped after stop()).
  void set_relay(Relay* relay);
  // An update relayed by any node of the cluster; false (and ignored) for a
  // malformed payload: the caller logs it.
  bool receive(std::string_view payload);

  // A stream slot of one user of a company, held from admit() until the
  // stream it is given to ends (or, unused, until it is destroyed). Any thread.
  class Admission {
   public:
    Admission(Admission&& other) noexcept;
    Admission& operator=(Admission&&) = delete;
    Admission(const Admission&) = delete;
    ~Admission();
    const std::string& company_id() const { return company_id_; }

   private:
    friend class LiveCallHub;
    Admission(LiveCallHub* hub, std::string company_id, std::uint64_t id)
        : hub_(hub), company_id_(std::move(company_id)), id_(id) {}
    LiveCallHub* hub_;  // null once given to watch() (or moved from)
    std::string company_id_;
    std::uint64_t id_;
  };
  // Which bound refused a stream.
  struct Refusal {
    enum class Scope { kCompany, kUser } scope;
    std::size_t limit;
  };
  // Takes a stream slot for `user_id` (any stable key of the watcher) in the
  // company, before the stream's answer is sent, so that a watcher beyond a
  // bound gets a clear refusal rather than a stream that closes at once. A
  // stream that ended frees its slot for the next admit() at once.
  tl::expected<Admission, Refusal> admit(const std::string& company_id, const std::string& user_id);

  // Sends the snapshot (one `call` event per call in progress that matches,
  // oldest first), then `ready` with {"calls":N}, then every matching change.
  // The snapshot streams piece by piece, however large; changes wait behind it.
  void watch(Admission admission, model::LiveCallFilter filter, std::shared_ptr<Sink> sink);
  // Rebuilds the calls in progress from the stored call events (at start, before serving,
  // so that a restart or a node joining a cluster shows the calls already
  // under way; and in a cluster after the relay reconnects, to catch up on
  // what was sent meanwhile; watchers then get what changed): per company, the newest max_calls_per_company
  // call events of the last stale_after, each call at its latest state. Returns how many calls are in
  // progress afterwards.
  Result<std::size_t> restore();

  // Ends every stream and stops the heartbeat. Idempotent; publish() and
  // watch() do nothing afterwards.
  void stop();

 private:
  struct Call {
    model::LiveCallUpdate update;
    TimePoint seen{};             // when this node last heard of the call (staleness, eviction)
    std::string agent_name;       // from the directory, "" when unknown
    std::string department_name;  // idem
  };
  struct Watcher {
    model::LiveCallFilter filter;
    std::shared_ptr<Sink> sink;  // null while admitted and not yet watching
    std::string user_id;
    std::uint64_t admission = 0;
  };
  struct Company {
    std::map<std::string, Call> calls;                    // in progress, by call_id
    std::set<std::pair<TimePoint, std::string>> by_seen;  // (seen, call_id): eviction order
    std::map<std::string, model::LiveCallUpdate> ended;   // recently ended calls: their last update
    std::deque<std::string> ended_order;                  // their ids, oldest first (bounded)
    std::vector<Watcher> watchers;                        // admitted ones included
  };

  void apply(const std::string& company_id, model::LiveCallUpdate update);
  void release(const std::string& company_id, std::uint64_t admission);
  void heartbeat_loop();
  void name_from_directory(const std::string& company_id, Call& call);
  void forget(Company& company, std::map<std::string, Call>::iterator call);
  static std::string message(const Call& call);

  LiveCallSources sources_;
  const Clock& clock_;
  const LiveCallHubOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::map<std::string, Company> companies_;
  std::uint64_t next_admission_ = 0;
  Relay* relay_ = nullptr;  // set once before traffic; null on a single node
  std::thread heartbeat_;
};

}  // namespace switchboard::live
