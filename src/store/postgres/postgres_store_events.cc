// PostgresStore: ingesting events (sequence, idempotency, directory
// enrichment, envelope, fan-out to webhooks v2 and v1), reading them back,
// and replaying them to a webhook.
//
// A batch is one transaction. It is first written whole in a few statements
// (try_ingest_batch); if any event fails, that is undone and each event runs
// inside its own SAVEPOINT, so one failing event (a taken id, an unknown
// company) is undone alone and the others commit. The savepoints are plain SQL on the batch's pqxx::work
// rather than pqxx::subtransaction objects, because the shared helpers
// (directory lookups, subscriber loading, v1 fan-out) take the pqxx::work.
//
// Across nodes:
//  * event_sequence comes from an upsert on call_sequences that locks the
//    (company, sequence_key) row until the batch commits: a second node
//    ingesting the same call waits, then gets the next number. A rolled-back
//    event (its savepoint undone, or its batch aborted) gives its number
//    back, so numbers stay gapless.
//  * idempotency keys are unique per company (events_idempotency). When two
//    nodes insert the same key, the second insert waits for the first
//    transaction and then fails with unique_violation; its savepoint is
//    undone and the winner's answer is read and returned as a duplicate.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "model/directory.h"
#include "model/envelope.h"
#include "model/live_call.h"
#include "store/directory_cache.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

// Active webhooks per company, read once per ingest_events() call.
class SubscriberCache {
 public:
  Result<const std::vector<Subscriber>*> get(pqxx::work& tx, const std::string& company_id) {
    auto it = by_company_.find(company_id);
    if (it == by_company_.end()) {
      auto loaded = load_active_subscribers(tx, company_id);
      if (!loaded) return tl::unexpected(loaded.error());
      it = by_company_.emplace(company_id, std::move(*loaded)).first;
    }
    return &it->second;
  }

 private:
  std::unordered_map<std::string, std::vector<Subscriber>> by_company_;
};

// What one ingest_events() call reads once and reuses across its events.
struct IngestCaches {
  SubscriberCache subscribers;
  V1SubscriberCache v1_subscribers;
  DirectoryCache<pqxx::work> directory{find_agent, find_department};
};

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

// The earlier answer for (company, idempotency key), if any.
std::optional<IngestOutcome> find_idempotent(pqxx::work& tx, const model::Event& event) {
  if (!event.idempotency_key) return std::nullopt;
  pqxx::result r =
      tx.exec_params("SELECT id, sequence FROM events WHERE company_id = $1 AND idempotency_key = $2",
                     event.company_id, *event.idempotency_key);
  if (r.empty()) return std::nullopt;
  return IngestOutcome{text(r[0][0]), optional_integer(r[0][1]), true, 0};
}

std::int64_t next_sequence(pqxx::work& tx, const model::Event& event) {
  pqxx::row row = tx.exec_params1(
      "INSERT INTO call_sequences AS s (company_id, sequence_key, last_sequence) VALUES ($1, $2, 1) "
      "ON CONFLICT (company_id, sequence_key) DO UPDATE SET last_sequence = s.last_sequence + 1 "
      "RETURNING last_sequence",
      event.company_id, event.sequence_key);
  return integer(row[0]);
}

void insert_event(pqxx::work& tx, const model::Event& event, const model::EventAttributes& attributes) {
  tx.exec_params(
      "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
      "idempotency_key, direction, department_id, agent_id, payload) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      event.id, event.company_id, event.type, event.sequence, event.sequence_key, to_ms(event.occurred_at),
      to_ms(event.created_at), event.idempotency_key, attributes.direction, attributes.department_id,
      attributes.agent_id, event.payload);
}

// The pending deliveries of a stored event: one per active webhook whose
// subscription accepts it.
std::vector<model::Delivery> deliveries_for(const model::Event& event, const NewEvent& in,
                                            const std::vector<Subscriber>& webhooks) {
  std::vector<model::Delivery> deliveries;
  std::size_t next_id = 0;
  for (const Subscriber& webhook : webhooks) {
    if (!model::webhook_accepts(webhook.spec, event.type, in.attributes)) continue;
    // Callers pass an id per possible webhook; should they run short, make more.
    std::string id =
        next_id < in.delivery_ids.size() ? in.delivery_ids[next_id++] : new_id("dlv", event.created_at);
    deliveries.push_back(
        model::pending_delivery(std::move(id), event, webhook.id, event.created_at, event.occurred_at));
  }
  return deliveries;
}

// The writes of one event, inside its savepoint. Throws pqxx errors; the
// caller undoes the savepoint and classifies them.
Result<IngestOutcome> write_event(pqxx::work& tx, IngestCaches& caches, const NewEvent& in,
                                  const std::string& data) {
  model::Event event = in.event;
  event.sequence.reset();
  if (in.sequenced) event.sequence = next_sequence(tx, event);
  event.payload = model::compose_envelope(event, data);
  insert_event(tx, event, in.attributes);

  auto webhooks = caches.subscribers.get(tx, event.company_id);
  if (!webhooks) return tl::unexpected(webhooks.error());
  std::vector<model::Delivery> deliveries = deliveries_for(event, in, **webhooks);
  // Only active webhooks get deliveries at ingest: none starts paused.
  insert_pending(tx, deliveries, /*paused=*/false);
  IngestOutcome outcome{event.id, event.sequence, false, static_cast<int>(deliveries.size())};
  auto v1 = queue_v1_deliveries(tx, caches.v1_subscribers, event);
  if (!v1) return tl::unexpected(v1.error());
  outcome.deliveries += *v1;
  return outcome;
}

// Ingests one event in its own savepoint. Errors that concern this event
// only come back as its outcome; errors that doom the whole transaction
// (deadlock, serialization, lost connection) propagate as exceptions so that
// transact() retries the batch.
Result<IngestOutcome> ingest_one(pqxx::work& tx, IngestCaches& caches, const NewEvent& in) {
  if (auto valid = check_new_event(in); !valid) return tl::unexpected(valid.error());
  if (auto earlier = find_idempotent(tx, in.event)) return std::move(*earlier);
  // Reads that change nothing run before the savepoint.
  auto data = caches.directory.enriched_data(tx, in);
  if (!data) return tl::unexpected(data.error());
  if (auto webhooks = caches.subscribers.get(tx, in.event.company_id); !webhooks) {
    return tl::unexpected(webhooks.error());
  }

  tx.exec0("SAVEPOINT ingest_event");
  const auto undo = [&] {
    tx.exec0("ROLLBACK TO SAVEPOINT ingest_event");
    tx.exec0("RELEASE SAVEPOINT ingest_event");
  };
  try {
    auto outcome = write_event(tx, caches, in, *data);
    if (!outcome) {
      undo();
      return outcome;
    }
    tx.exec0("RELEASE SAVEPOINT ingest_event");
    return outcome;
  } catch (const pqxx::unique_violation& e) {
    undo();
    // Another transaction (this node's or another's) committed the same
    // idempotency key first: answer with its event.
    if (auto winner = find_idempotent(tx, in.event)) return std::move(*winner);
    const std::string what = e.what();
    if (what.find("deliveries_pkey") != std::string::npos) {
      return make_error(ErrorCode::kConflict, "a delivery id of event " + in.event.id + " exists");
    }
    return make_error(ErrorCode::kConflict, "an event with id " + in.event.id + " exists");
  } catch (const pqxx::foreign_key_violation&) {
    undo();
    return make_error(ErrorCode::kNotFound, "company not found");
  } catch (const pqxx::integrity_constraint_violation& e) {
    undo();
    return make_error(ErrorCode::kInvalidArgument, std::string("event rejected by the store: ") + e.what());
  } catch (const pqxx::data_exception& e) {
    undo();
    return make_error(ErrorCode::kInvalidArgument, std::string("event rejected by the store: ") + e.what());
  }
}

// Locks, in one sorted pass, the call_sequences rows that the batch's events
// will bump. Event by event the upserts would lock them in batch order, and
// two nodes ingesting batches that share calls in different orders would
// deadlock (PostgreSQL breaks it after deadlock_timeout and transact()
// retries, but each one costs a second). Calls seen for the first time have
// no row yet; their first insert is the lock.
void lock_known_sequences(pqxx::work& tx, const std::vector<NewEvent>& events) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const NewEvent& in : events) {
    if (in.sequenced && !in.event.company_id.empty() && !in.event.sequence_key.empty()) {
      keys.emplace_back(in.event.company_id, in.event.sequence_key);
    }
  }
  if (keys.size() < 2) return;  // one key: nothing to order
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<std::string> companies, sequence_keys;
  for (auto& [company_id, key] : keys) {
    companies.push_back(company_id);
    sequence_keys.push_back(key);
  }
  tx.exec_params(
      "SELECT 1 FROM call_sequences s JOIN unnest($1::text[], $2::text[]) AS u(company_id, sequence_key) "
      "ON s.company_id = u.company_id AND s.sequence_key = u.sequence_key "
      "ORDER BY s.company_id, s.sequence_key FOR UPDATE OF s",
      text_array(companies), text_array(sequence_keys));
}

// The fast path for a batch: a few statements whatever its size (the
// idempotency lookup, the sequence upsert, the events and the deliveries each
// in one statement), where the per-event path costs about six round trips
// per event. The caller runs it inside a savepoint. nullopt when the batch
// needs the per-event path: a key repeated within the batch, an event the
// store refuses, a failed read. Throws what the statements throw (the caller
// catches the per-event kinds and rolls back to its savepoint).
std::optional<std::vector<Result<IngestOutcome>>> try_ingest_batch(pqxx::work& tx, IngestCaches& caches,
                                                                   const std::vector<NewEvent>& events) {
  using Key = std::pair<std::string, std::string>;  // (company_id, idempotency or sequence key)
  std::vector<std::optional<IngestOutcome>> outcomes(events.size());

  std::set<Key> idempotency_keys;
  for (const NewEvent& in : events) {
    if (!check_new_event(in)) return std::nullopt;
    const auto& key = in.event.idempotency_key;
    if (key && !idempotency_keys.insert({in.event.company_id, *key}).second) return std::nullopt;
  }
  if (!idempotency_keys.empty()) {
    std::vector<std::string> companies, keys;
    for (const auto& [company_id, key] : idempotency_keys) {
      companies.push_back(company_id);
      keys.push_back(key);
    }
    std::map<Key, IngestOutcome> earlier;
    pqxx::result rows = tx.exec_params(
        "SELECT e.company_id, e.idempotency_key, e.id, e.sequence FROM events e JOIN unnest($1::text[], "
        "$2::text[]) AS u(company_id, idempotency_key) ON e.company_id = u.company_id AND "
        "e.idempotency_key = u.idempotency_key",
        text_array(companies), text_array(keys));
    for (const pqxx::row& row : rows) {
      earlier.emplace(Key{text(row[0]), text(row[1])},
                      IngestOutcome{text(row[2]), optional_integer(row[3]), true, 0});
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      const model::Event& event = events[i].event;
      if (!event.idempotency_key) continue;
      if (auto found = earlier.find({event.company_id, *event.idempotency_key}); found != earlier.end()) {
        outcomes[i] = found->second;
      }
    }
  }

  // Sequences: one upsert adds each call's count in the batch; the numbers
  // then go out in batch order. Keys sorted: rows are locked in one order.
  std::map<Key, std::int64_t> counts;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!outcomes[i] && events[i].sequenced)
      ++counts[{events[i].event.company_id, events[i].event.sequence_key}];
  }
  std::map<Key, std::int64_t> next_sequence_of;
  if (!counts.empty()) {
    std::vector<std::string> companies, keys;
    std::vector<std::int64_t> adds;
    for (const auto& [key, count] : counts) {
      companies.push_back(key.first);
      keys.push_back(key.second);
      adds.push_back(count);
    }
    pqxx::result rows = tx.exec_params(
        "INSERT INTO call_sequences AS s (company_id, sequence_key, last_sequence) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) "
        "ON CONFLICT (company_id, sequence_key) DO UPDATE SET last_sequence = s.last_sequence + "
        "EXCLUDED.last_sequence RETURNING company_id, sequence_key, last_sequence",
        text_array(companies), text_array(keys), number_array(adds));
    for (const pqxx::row& row : rows) {
      Key key{text(row[0]), text(row[1])};
      next_sequence_of[key] = integer(row[2]) - counts.at(key) + 1;
    }
  }

  // The events, each with its envelope.
  std::vector<std::string> ids, companies, types, sequence_keys, directions, departments, agents, payloads;
  std::vector<std::optional<std::int64_t>> sequences;
  std::vector<std::int64_t> occurred, created;
  std::vector<std::optional<std::string>> idempotency;
  std::vector<model::Delivery> deliveries;
  std::vector<bool> follows;
  std::set<std::pair<std::string, std::string>> chains_seen;  // (webhook, ordering key)
  std::vector<model::Event> written;
  std::vector<std::size_t> written_index;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (outcomes[i]) continue;
    const NewEvent& in = events[i];
    auto data = caches.directory.enriched_data(tx, in);
    if (!data) return std::nullopt;
    auto webhooks = caches.subscribers.get(tx, in.event.company_id);
    if (!webhooks) return std::nullopt;
    model::Event event = in.event;
    event.sequence.reset();
    if (in.sequenced) event.sequence = next_sequence_of.at({event.company_id, event.sequence_key})++;
    event.payload = model::compose_envelope(event, *data);
    ids.push_back(event.id);
    companies.push_back(event.company_id);
    types.push_back(event.type);
    sequences.push_back(event.sequence);
    sequence_keys.push_back(event.sequence_key);
    occurred.push_back(to_ms(event.occurred_at));
    created.push_back(to_ms(event.created_at));
    idempotency.push_back(event.idempotency_key);
    directions.push_back(in.attributes.direction);
    departments.push_back(in.attributes.department_id);
    agents.push_back(in.attributes.agent_id);
    payloads.push_back(event.payload);

    auto mine = deliveries_for(event, in, **webhooks);
    for (model::Delivery& delivery : mine) {
      const std::string& key = delivery.ordering_key;
      follows.push_back(!key.empty() && !chains_seen.insert({delivery.webhook_id, key}).second);
      deliveries.push_back(std::move(delivery));
    }
    outcomes[i] = IngestOutcome{event.id, event.sequence, false, static_cast<int>(mine.size())};
    written.push_back(std::move(event));
    written_index.push_back(i);
  }
  if (!ids.empty()) {
    tx.exec_params(
        "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
        "idempotency_key, direction, department_id, agent_id, payload) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], "
        "$7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])",
        text_array(ids), text_array(companies), text_array(types), number_array(sequences),
        text_array(sequence_keys), number_array(occurred), number_array(created),
        optional_text_array(idempotency), text_array(directions), text_array(departments), text_array(agents),
        text_array(payloads));
  }
  insert_pending(tx, deliveries, /*paused=*/false, follows);
  for (std::size_t k = 0; k < written.size(); ++k) {
    auto v1 = queue_v1_deliveries(tx, caches.v1_subscribers, written[k]);
    if (!v1) return std::nullopt;
    outcomes[written_index[k]]->deliveries += *v1;
  }
  std::vector<Result<IngestOutcome>> out;
  out.reserve(events.size());
  for (auto& outcome : outcomes) out.push_back(std::move(*outcome));
  return out;
}

model::Event event_from_row(const pqxx::row& row) {
  model::Event event;
  event.id = text(row[0]);
  event.company_id = text(row[1]);
  event.type = text(row[2]);
  event.sequence = optional_integer(row[3]);
  event.sequence_key = text(row[4]);
  event.occurred_at = time(row[5]);
  event.created_at = time(row[6]);
  event.idempotency_key = optional_text(row[7]);
  event.payload = text(row[8]);
  return event;
}

}  // namespace

Result<std::vector<Result<IngestOutcome>>> PostgresStore::ingest_events(const std::vector<NewEvent>& events) {
  return transact([&](pqxx::work& tx) -> Result<std::vector<Result<IngestOutcome>>> {
    // Built afresh on every try: transact() may run this again after a deadlock.
    IngestCaches caches;
    lock_known_sequences(tx, events);
    if (events.size() > 1) {
      tx.exec0("SAVEPOINT ingest_batch");
      std::optional<std::vector<Result<IngestOutcome>>> fast;
      try {
        fast = try_ingest_batch(tx, caches, events);
      } catch (const pqxx::integrity_constraint_violation&) {  // e.g. a taken id: per event below
      } catch (const pqxx::data_exception&) {
      }
      if (fast) {
        tx.exec0("RELEASE SAVEPOINT ingest_batch");
        return std::move(*fast);
      }
      // Undone as a whole; the caches hold reads only, still true.
      tx.exec0("ROLLBACK TO SAVEPOINT ingest_batch");
      tx.exec0("RELEASE SAVEPOINT ingest_batch");
    }
    std::vector<Result<IngestOutcome>> outcomes;
    outcomes.reserve(events.size());
    for (const NewEvent& event : events) outcomes.push_back(ingest_one(tx, caches, event));
    return outcomes;
  });
}

Result<model::Event> PostgresStore::get_event(const std::string& company_id, const std::string& event_id) {
  return read([&](pqxx::work& tx) -> Result<model::Event> {
    pqxx::result r = tx.exec_params(
        "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
        "payload FROM events WHERE id = $1 AND company_id = $2",
        event_id, company_id);
    if (r.empty()) return make_error(ErrorCode::kNotFound, "event not found");
    return event_from_row(r[0]);
  });
}

Result<std::vector<model::Event>> PostgresStore::list_recent_call_events(const std::string& company_id,
                                                                         TimePoint since, int max) {
  return read([&](pqxx::work& tx) -> Result<std::vector<model::Event>> {
    // Newest first through the index, so that LIMIT stops the scan early. The
    // types are model::kLiveCallEventTypes, one bound parameter each ($4…).
    static const std::string sql = [] {
      std::string placeholders;
      for (std::size_t i = 0; i < model::kLiveCallEventTypes.size(); ++i) {
        placeholders += (i ? ", $" : "$") + std::to_string(i + 4);
      }
      return "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
             "payload FROM events WHERE company_id = $1 AND created_at >= $2 AND type IN (" +
             placeholders + ") ORDER BY created_at DESC, id DESC LIMIT $3";
    }();
    pqxx::result rows = std::apply(
        [&](auto... types) {
          return tx.exec_params(sql, company_id, to_ms(since), std::max(0, max), std::string(types)...);
        },
        model::kLiveCallEventTypes);
    std::vector<model::Event> events;
    events.reserve(rows.size());
    for (auto row = rows.rbegin(); row != rows.rend(); ++row) events.push_back(event_from_row(*row));
    return events;
  });
}

Result<int> PostgresStore::replay(const std::string& company_id, const std::string& webhook_id,
                                  TimePoint since, TimePoint until, TimePoint now, int max) {
  if (max < 1) return make_error(ErrorCode::kInvalidArgument, "replay needs max >= 1");
  return transact([&](pqxx::work& tx) -> Result<int> {
    // FOR SHARE: a concurrent status change waits for this transaction, so
    // its trigger sees (and pauses or resumes) the deliveries queued here.
    pqxx::result webhook = tx.exec_params(
        "SELECT status, events, filters FROM webhooks WHERE company_id = $1 AND id = $2 FOR SHARE",
        company_id, webhook_id);
    if (webhook.empty()) return make_error(ErrorCode::kNotFound, "webhook not found");
    const bool paused = text(webhook[0][0]) != "active";
    auto spec = subscription_from(text(webhook[0][1]), text(webhook[0][2]));
    if (!spec) return tl::unexpected(spec.error());

    // Oldest first; only the accepted ones count towards `max`, so read in pages.
    std::vector<model::Delivery> deliveries;
    std::int64_t after_created = std::numeric_limits<std::int64_t>::min();
    std::string after_id;
    constexpr int kPage = 500;
    while (deliveries.size() < static_cast<std::size_t>(max)) {
      pqxx::result rows = tx.exec_params(
          "SELECT id, type, sequence, sequence_key, direction, department_id, agent_id, created_at FROM "
          "events "
          "WHERE company_id = $1 AND created_at >= $2 AND created_at <= $3 AND (created_at, id) > ($4, $5) "
          "ORDER BY created_at, id LIMIT $6",
          company_id, to_ms(since), to_ms(until), after_created, after_id, kPage);
      for (const pqxx::row& row : rows) {
        if (deliveries.size() >= static_cast<std::size_t>(max)) break;
        model::Event event;
        event.id = text(row[0]);
        event.company_id = company_id;
        event.type = text(row[1]);
        event.sequence = optional_integer(row[2]);
        event.sequence_key = text(row[3]);
        const model::EventAttributes attributes{text(row[4]), text(row[5]), text(row[6])};
        if (!model::webhook_accepts(*spec, event.type, attributes)) continue;
        deliveries.push_back(model::pending_delivery(new_id("dlv", now), event, webhook_id, now, now));
      }
      if (rows.size() < static_cast<std::size_t>(kPage)) break;
      after_created = integer(rows[rows.size() - 1][7]);
      after_id = text(rows[rows.size() - 1][0]);
    }
    // Replayed events may sort before what their chains have pending: under
    // the chains' locks, each chain's lowest pending delivery becomes its head.
    std::vector<Chain> chains;
    for (const model::Delivery& d : deliveries)
      chains.push_back(Chain{d.company_id, d.webhook_id, d.ordering_key});
    std::sort(chains.begin(), chains.end());
    chains.erase(std::unique(chains.begin(), chains.end()), chains.end());
    lock_chains(tx, chains);
    try {
      insert_pending(tx, deliveries, paused);
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, "a replayed delivery id exists");
    }
    normalize_chains(tx, std::move(chains));
    return static_cast<int>(deliveries.size());
  });
}

}  // namespace switchboard::store::postgres
