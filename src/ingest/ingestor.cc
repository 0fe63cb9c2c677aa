#include "ingest/ingestor.h"

#include <memory>
#include <utility>

#include "common/ids.h"
#include "common/result.h"
#include "model/directory.h"

namespace switchboard::ingest {

store::NewEvent stamp_event(model::EventInput&& input, const std::string& company_id, TimePoint received_at) {
  store::NewEvent out;
  out.event.id = new_id("evt", received_at);
  out.event.company_id = company_id;
  out.event.type = std::move(input.type);
  out.event.sequence_key = std::move(input.sequence_key);
  out.event.occurred_at = input.occurred_at.value_or(received_at);
  out.event.created_at = received_at;
  out.event.idempotency_key = std::move(input.idempotency_key);
  out.data_json = std::move(input.data_json);
  out.sequenced = input.sequenced;
  out.attributes = std::move(input.attributes);
  out.enrich_from_directory = model::is_enriched_from_directory(out.event.type);
  return out;
}

namespace {

std::vector<store::NewEvent> stamp_all(std::vector<model::EventInput>& inputs, const std::string& company_id,
                                       TimePoint received_at) {
  std::vector<store::NewEvent> events;
  events.reserve(inputs.size());
  for (model::EventInput& input : inputs)
    events.push_back(stamp_event(std::move(input), company_id, received_at));
  return events;
}

}  // namespace

Result<IngestResults> Ingestor::ingest(const std::string& company_id, std::vector<model::EventInput> inputs,
                                       TimePoint received_at) {
  std::vector<store::NewEvent> events = stamp_all(inputs, company_id, received_at);
  auto stored = store_.ingest_events(events);
  if (!stored) return forward_error(stored);
  notify(events, *stored);
  return std::move(*stored);
}

void Ingestor::ingest_async(const std::string& company_id, std::vector<model::EventInput> inputs,
                            TimePoint received_at, Done done) {
  // The store owns the events until it answers; the listeners need them then.
  auto events =
      std::make_shared<const std::vector<store::NewEvent>>(stamp_all(inputs, company_id, received_at));
  if (!async_store_) {
    auto stored = store_.ingest_events(*events);
    if (stored) notify(*events, *stored);
    return done(std::move(stored));
  }
  {
    std::lock_guard lock(mutex_);
    ++in_flight_;
  }
  async_store_->ingest_events_async(events, [this, events, done = std::move(done)](auto stored) {
    if (stored) notify(*events, *stored);
    done(std::move(stored));
    // Notified under the lock: once unlocked, this may be destroyed.
    std::lock_guard lock(mutex_);
    --in_flight_;
    answered_.notify_all();
  });
}

Ingestor::~Ingestor() {
  std::unique_lock lock(mutex_);
  answered_.wait(lock, [this] { return in_flight_ == 0; });
}

void Ingestor::notify(const std::vector<store::NewEvent>& events, const IngestResults& stored) const {
  bool queued = false;
  std::vector<store::PendingDelivery> created;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const auto& outcome = stored[i];
    if (!outcome || outcome->duplicate) continue;
    queued = queued || outcome->deliveries > 0;
    created.insert(created.end(), outcome->queued.begin(), outcome->queued.end());
    if (live_) {
      const store::NewEvent& event = events[i];
      live_->event_stored(event.event.company_id, event.event.type, event.data_json, event.event.occurred_at,
                          outcome->sequence.value_or(0));
    }
  }
  if (wakeup_ && queued) wakeup_->deliveries_queued(std::move(created));
}

}  // namespace switchboard::ingest
