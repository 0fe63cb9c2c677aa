#include "store/common/ingest_writer.h"

#include <map>
#include <unordered_map>

#include "common/ids.h"
#include "common/result.h"
#include "model/envelope.h"
#include "store/directory_cache.h"

namespace switchboard::store {

namespace ingest_rules {

Result<void> check_new_event(const NewEvent& in) {
  const model::Event& event = in.event;
  if (event.id.empty() || event.company_id.empty() || event.type.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "an event needs an id, a company and a type");
  }
  if (in.sequenced && event.sequence_key.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a sequenced event needs a sequence key");
  }
  return {};
}

std::vector<std::optional<std::size_t>> repeats_within_batch(std::span<const NewEvent> events) {
  std::vector<std::optional<std::size_t>> out(events.size());
  if (events.size() < 2) return out;
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> first;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const model::Event& event = events[i].event;
    if (!event.idempotency_key) continue;
    auto [it, inserted] = first.emplace(
        std::pair<std::string_view, std::string_view>(event.company_id, *event.idempotency_key), i);
    if (!inserted) out[i] = it->second;
  }
  return out;
}

std::vector<SequenceBump> sequence_bumps(const std::vector<const NewEvent*>& fresh) {
  std::map<std::pair<std::string_view, std::string_view>, std::int64_t> counts;
  for (const NewEvent* in : fresh) {
    if (in->sequenced) ++counts[{in->event.company_id, in->event.sequence_key}];
  }
  std::vector<SequenceBump> bumps;
  bumps.reserve(counts.size());
  for (const auto& [key, count] : counts) {
    bumps.push_back(SequenceBump{std::string(key.first), std::string(key.second), count});
  }
  return bumps;
}

std::vector<std::optional<std::int64_t>> assign_sequences(const std::vector<const NewEvent*>& fresh,
                                                          const std::vector<SequenceBump>& bumps,
                                                          const std::vector<std::int64_t>& lasts) {
  std::vector<std::optional<std::int64_t>> out(fresh.size());
  if (bumps.size() == 1) {  // the common case (one call per request): no map
    std::int64_t next = lasts[0] - bumps[0].count + 1;
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      if (fresh[i]->sequenced) out[i] = next++;
    }
    return out;
  }
  std::map<std::pair<std::string_view, std::string_view>, std::int64_t> next;
  for (std::size_t k = 0; k < bumps.size(); ++k) {
    next[{bumps[k].company_id, bumps[k].sequence_key}] = lasts[k] - bumps[k].count + 1;
  }
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    if (fresh[i]->sequenced) out[i] = next.at({fresh[i]->event.company_id, fresh[i]->event.sequence_key})++;
  }
  return out;
}

int fan_out(const model::Event& event, const model::EventAttributes& attributes,
            const std::vector<IngestSubscriber>& subscribers, const std::vector<std::string>& delivery_ids,
            ChainsSeen* chains, std::vector<model::Delivery>& deliveries, std::vector<bool>& follows) {
  int created = 0;
  std::size_t next_id = 0;
  for (const IngestSubscriber& webhook : subscribers) {
    if (!model::webhook_accepts(webhook.spec, event.type, attributes)) continue;
    // Callers may pass an id per possible webhook; should they run short, make more.
    std::string id =
        next_id < delivery_ids.size() ? delivery_ids[next_id++] : new_id("dlv", event.created_at);
    model::Delivery delivery =
        model::pending_delivery(std::move(id), event, webhook.id, event.created_at, event.occurred_at);
    const std::string& key = delivery.ordering_key;
    follows.push_back(chains && !key.empty() && !chains->emplace(delivery.webhook_id, key).second);
    deliveries.push_back(std::move(delivery));
    ++created;
  }
  return created;
}

}  // namespace ingest_rules

namespace {

Result<std::optional<model::Agent>> find_agent(IngestPort& port, const std::string& company_id,
                                               const std::string& agent_id) {
  return port.find_agent(company_id, agent_id);
}

Result<std::optional<model::Department>> find_department(IngestPort& port, const std::string& company_id,
                                                         const std::string& department_id) {
  return port.find_department(company_id, department_id);
}

// What one ingest_events() call reads once and reuses across its events:
// inside its transaction webhooks and the directory cannot change. Reads
// only, so they stay true when a savepoint is undone.
struct IngestCaches {
  std::unordered_map<std::string, std::vector<IngestSubscriber>> subscribers;
  DirectoryCache<IngestPort> directory{&find_agent, &find_department};

  Result<const std::vector<IngestSubscriber>*> active_subscribers(IngestPort& port,
                                                                  const std::string& company_id) {
    auto it = subscribers.find(company_id);
    if (it == subscribers.end()) {
      auto loaded = port.active_subscribers(company_id);
      if (!loaded) return forward_error(loaded);
      it = subscribers.emplace(company_id, std::move(*loaded)).first;
    }
    return &it->second;
  }
};

// Writes `events` (all valid) set by set; appends one outcome per event to
// `out`. Any error fails them all (the caller undoes the savepoint).
Result<void> write_events(IngestPort& port, IngestCaches& caches, std::span<const NewEvent> events,
                          std::vector<Result<IngestOutcome>>& out) {
  using namespace ingest_rules;
  const std::size_t n = events.size();
  std::vector<std::optional<IngestOutcome>> answers(n);

  // Idempotency: earlier answers from the store, then repeats within the call.
  std::vector<const model::Event*> keyed;
  std::vector<std::size_t> keyed_at;
  for (std::size_t i = 0; i < n; ++i) {
    if (events[i].event.idempotency_key) {
      keyed.push_back(&events[i].event);
      keyed_at.push_back(i);
    }
  }
  std::vector<std::optional<std::size_t>> repeat_of;
  if (!keyed.empty()) {
    auto earlier = port.find_idempotent(keyed);
    if (!earlier) return forward_error(earlier);
    for (std::size_t k = 0; k < keyed.size(); ++k) answers[keyed_at[k]] = std::move((*earlier)[k]);
    if (keyed.size() > 1) repeat_of = repeats_within_batch(events);
  }
  const auto is_repeat = [&](std::size_t i) { return !repeat_of.empty() && repeat_of[i].has_value(); };

  std::vector<const NewEvent*> fresh;
  std::vector<std::size_t> fresh_at;
  fresh.reserve(n);
  fresh_at.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (answers[i] || is_repeat(i)) continue;
    fresh.push_back(&events[i]);
    fresh_at.push_back(i);
  }

  // Sequences: one bump per call, numbers handed out in batch order.
  std::vector<SequenceBump> bumps = sequence_bumps(fresh);
  std::vector<std::int64_t> lasts;
  if (!bumps.empty()) {
    auto bumped = port.bump_sequences(bumps);
    if (!bumped) return forward_error(bumped);
    lasts = std::move(*bumped);
  }
  const std::vector<std::optional<std::int64_t>> sequences = assign_sequences(fresh, bumps, lasts);

  // The events, each with its envelope, and their deliveries.
  std::vector<EventRow> rows;
  rows.reserve(fresh.size());
  std::vector<model::Delivery> deliveries;
  std::vector<bool> follows;
  ChainsSeen chains;
  for (std::size_t f = 0; f < fresh.size(); ++f) {
    const NewEvent& in = *fresh[f];
    auto data = caches.directory.enriched_data(port, in);
    if (!data) return forward_error(data);
    auto webhooks = caches.active_subscribers(port, in.event.company_id);
    if (!webhooks) return forward_error(webhooks);
    EventRow& row = rows.emplace_back(EventRow{in.event, &in.attributes});
    row.event.sequence = sequences[f];
    row.event.payload = model::compose_envelope(row.event, *data);
    const std::size_t first_delivery = deliveries.size();
    const int created = fan_out(row.event, in.attributes, **webhooks, in.delivery_ids,
                                fresh.size() > 1 ? &chains : nullptr, deliveries, follows);
    answers[fresh_at[f]] = IngestOutcome{row.event.id, row.event.sequence, false, created};
    for (std::size_t d = first_delivery; d < deliveries.size(); ++d) {
      answers[fresh_at[f]]->queued.push_back(pending_of(deliveries[d]));  // the engine's wake-up (issue 14)
    }
  }
  if (!rows.empty()) {
    if (auto inserted = port.insert_events(rows); !inserted) return inserted;
  }
  if (!deliveries.empty()) {
    if (auto queued = port.insert_deliveries(deliveries, follows); !queued) return queued;
  }
  for (std::size_t f = 0; f < rows.size(); ++f) {
    auto v1 = port.queue_v1_deliveries(rows[f].event);
    if (!v1) return forward_error(v1);
    answers[fresh_at[f]]->deliveries += *v1;
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (is_repeat(i)) {
      const IngestOutcome& first = *answers[*repeat_of[i]];
      answers[i] = IngestOutcome{first.event_id, first.sequence, true, 0};
    }
  }
  for (std::optional<IngestOutcome>& answer : answers) out.push_back(std::move(*answer));
  return {};
}

// One event alone in its own savepoint. The outer error fails the whole call.
Result<Result<IngestOutcome>> write_alone(IngestPort& port, IngestCaches& caches, const NewEvent& in) {
  using Outcome = Result<IngestOutcome>;
  if (auto valid = ingest_rules::check_new_event(in); !valid) return Outcome(forward_error(valid));
  std::vector<Outcome> one;
  auto done = port.in_savepoint(SavepointLevel::kEvent,
                                [&] { return write_events(port, caches, std::span(&in, 1), one); });
  if (!done) return forward_error(done);
  if (*done) return std::move(one.front());
  if (done->error().code == ErrorCode::kConflict && in.event.idempotency_key) {
    // Another transaction (this node's or another's) committed the same
    // idempotency key first: answer with its event.
    auto winner = port.find_idempotent({&in.event});
    if (winner && winner->front()) return Outcome(std::move(*winner->front()));
  }
  return Outcome(tl::unexpected(done->error()));
}

}  // namespace

Result<std::vector<Result<IngestOutcome>>> write_ingest(IngestPort& port,
                                                        const std::vector<NewEvent>& events) {
  IngestCaches caches;
  std::vector<Result<IngestOutcome>> outcomes;
  outcomes.reserve(events.size());
  if (events.size() > 1) {
    // Fast path: the whole batch in one savepoint. Events almost never fail,
    // so the per-event savepoints below are paid only when one does.
    bool valid = true;
    for (const NewEvent& in : events) valid = valid && ingest_rules::check_new_event(in).has_value();
    if (valid) {
      auto batch = port.in_savepoint(SavepointLevel::kBatch,
                                     [&] { return write_events(port, caches, events, outcomes); });
      if (!batch) return forward_error(batch);
      if (*batch) return outcomes;
      outcomes.clear();
    }
  }
  for (const NewEvent& in : events) {
    auto outcome = write_alone(port, caches, in);
    if (!outcome) return forward_error(outcome);
    outcomes.push_back(std::move(*outcome));
  }
  return outcomes;
}

}  // namespace switchboard::store
