// write_ingest: the per-event ingest algorithm, written once for both
// backends over their IngestPort (ingest_port.h). For each event, inside the
// backend's one transaction: validate it; answer an idempotency hit with the
// earlier answer (duplicate, nothing new); otherwise take the next
// event_sequence of its call when it is sequenced, add agent{} /
// department{} from the directory when asked (NewEvent::enrich_from_directory),
// compose the envelope, store the event, and queue one pending delivery (due
// at created_at) per ACTIVE webhook whose spec accepts it, then its v1
// deliveries.
//
// It lives in the store layer (store/common), not in src/ingest, because it
// runs inside a store transaction and is the store's contract
// (EventStore::ingest_events): the contract tests hold both backends to it,
// while src/ingest owns what happens around the call (stamping, after-commit
// notifications).
//
// A batch is first written whole inside one savepoint, set by set (one
// idempotency lookup, one sequence bump per call, one insert of the events,
// one of the deliveries), so a batch costs a few statements. If anything in
// it fails, that is undone and each event runs inside its own savepoint, so
// one failing event (a taken id, an unknown company) fails alone. An event
// whose insert lost a race for its idempotency key (another node committed
// it first) is answered with the winner's event.
//
// The rules are pure functions below, unit-tested in ingest_writer_test.cc.
//
// Thread-safety: runs on the thread that owns the port's transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/common/ingest_port.h"
#include "store/store.h"

namespace switchboard::store {

// One outcome per event, in order; the outer error fails the whole call.
Result<std::vector<Result<IngestOutcome>>> write_ingest(IngestPort& port,
                                                        const std::vector<NewEvent>& events);

namespace ingest_rules {

// An event the store can take: id, company and type set; a sequence key when sequenced.
Result<void> check_new_event(const NewEvent& in);

// For each event, the index of an EARLIER event of `events` with the same
// (company_id, idempotency_key), if any: it is answered with that one's
// outcome as a duplicate, exactly as if they had been ingested one by one.
std::vector<std::optional<std::size_t>> repeats_within_batch(std::span<const NewEvent> events);

// The sequence bumps of the `fresh` events that are sequenced: one per
// (company, sequence key) with how many events it numbers, sorted.
std::vector<SequenceBump> sequence_bumps(const std::vector<const NewEvent*>& fresh);

// The event_sequence of each `fresh` event, given each bump's new last
// number (aligned with `bumps`): a call's numbers go out in batch order,
// ending at its last. nullopt for an unsequenced event.
std::vector<std::optional<std::int64_t>> assign_sequences(const std::vector<const NewEvent*>& fresh,
                                                          const std::vector<SequenceBump>& bumps,
                                                          const std::vector<std::int64_t>& lasts);

// Which (webhook, ordering key) chains already have a delivery in this call.
using ChainsSeen = std::set<std::pair<std::string, std::string>>;

// Appends the pending deliveries of a stored `event` (sequence set): one per
// subscriber whose spec accepts it, in subscriber order, with ids from
// `delivery_ids` while they last and new ones after. `follows` gets, per
// delivery, whether its chain already had one in this call (`chains` tracks
// them; null when the call holds one event). Returns how many.
int fan_out(const model::Event& event, const model::EventAttributes& attributes,
            const std::vector<IngestSubscriber>& subscribers, const std::vector<std::string>& delivery_ids,
            ChainsSeen* chains, std::vector<model::Delivery>& deliveries, std::vector<bool>& follows);

}  // namespace ingest_rules
}  // namespace switchboard::store
