// PostgresStore: ingesting events (the IngestPort in PostgreSQL's dialect;
// the algorithm, written once for both stores, is store/common/ingest_writer.h),
// reading them back, and replaying them to a webhook.
//
// An ingest_events() call is one transaction (transact(): retried whole on
// serialization failures, deadlocks and lost connections, which the port lets
// propagate as exceptions). A batch is first written whole in a few
// statements (unnest arrays); if any event fails, that is undone and each
// event runs inside its own SAVEPOINT, so one failing event (a taken id, an
// unknown company) is undone alone and the others commit. The port turns the
// per-event pqxx errors (unique, foreign key, other integrity and data
// errors) into Result errors; the savepoints are plain SQL on the call's
// pqxx::work rather than pqxx::subtransaction objects, because the shared
// helpers (directory lookups, subscriber loading, v1 fan-out) take the pqxx::work.
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
#include "common/result.h"
#include "model/directory.h"
#include "model/envelope.h"
#include "model/live_call.h"
#include "store/common/ingest_port.h"
#include "store/common/ingest_writer.h"
#include "store/common/rows.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

// Runs `write`, turning the pqxx errors that concern these rows only into
// Result errors (the caller rolls back to its savepoint). Errors that doom the
// transaction propagate so that transact() retries the call.
template <typename Write>
Result<void> rejected_as_error(const std::string& taken_message, Write&& write) {
  try {
    write();
    return {};
  } catch (const pqxx::unique_violation&) {
    return make_error(ErrorCode::kConflict, taken_message);
  } catch (const pqxx::foreign_key_violation&) {
    return make_error(ErrorCode::kNotFound, "company not found");
  } catch (const pqxx::integrity_constraint_violation& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("event rejected by the store: ") + e.what());
  } catch (const pqxx::data_exception& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("event rejected by the store: ") + e.what());
  }
}

// The ingest port in PostgreSQL's dialect, on the call's pqxx::work: one
// statement per set whatever the batch size.
class PostgresIngestPort final : public IngestPort {
 public:
  explicit PostgresIngestPort(pqxx::work& tx) : tx_(tx) {}

  Result<std::vector<std::optional<IngestOutcome>>> find_idempotent(
      const std::vector<const model::Event*>& events) override {
    std::vector<std::optional<IngestOutcome>> out(events.size());
    if (events.size() == 1) {
      pqxx::result r =
          tx_.exec_params("SELECT id, sequence FROM events WHERE company_id = $1 AND idempotency_key = $2",
                          events[0]->company_id, *events[0]->idempotency_key);
      if (!r.empty()) out[0] = IngestOutcome{text(r[0][0]), optional_integer(r[0][1]), true, 0};
      return out;
    }
    using Key = std::pair<std::string, std::string>;  // (company_id, idempotency_key)
    std::vector<std::string> companies, keys;
    for (const model::Event* event : events) {
      companies.push_back(event->company_id);
      keys.push_back(*event->idempotency_key);
    }
    std::map<Key, IngestOutcome> earlier;
    pqxx::result rows = tx_.exec_params(
        "SELECT e.company_id, e.idempotency_key, e.id, e.sequence FROM events e JOIN unnest($1::text[], "
        "$2::text[]) AS u(company_id, idempotency_key) ON e.company_id = u.company_id AND "
        "e.idempotency_key = u.idempotency_key",
        text_array(companies), text_array(keys));
    for (const pqxx::row& row : rows) {
      earlier.emplace(Key{text(row[0]), text(row[1])},
                      IngestOutcome{text(row[2]), optional_integer(row[3]), true, 0});
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (auto found = earlier.find({events[i]->company_id, *events[i]->idempotency_key});
          found != earlier.end()) {
        out[i] = found->second;
      }
    }
    return out;
  }

  Result<std::vector<std::int64_t>> bump_sequences(const std::vector<SequenceBump>& bumps) override {
    std::vector<std::int64_t> lasts(bumps.size());
    auto bumped = rejected_as_error("a sequence row exists", [&] {
      if (bumps.size() == 1) {
        pqxx::row row = tx_.exec_params1(
            "INSERT INTO call_sequences AS s (company_id, sequence_key, last_sequence) VALUES ($1, $2, $3) "
            "ON CONFLICT (company_id, sequence_key) DO UPDATE SET last_sequence = s.last_sequence + "
            "EXCLUDED.last_sequence RETURNING last_sequence",
            bumps[0].company_id, bumps[0].sequence_key, bumps[0].count);
        lasts[0] = integer(row[0]);
        return;
      }
      std::vector<std::string> companies, keys;
      std::vector<std::int64_t> adds;
      for (const SequenceBump& bump : bumps) {
        companies.push_back(bump.company_id);
        keys.push_back(bump.sequence_key);
        adds.push_back(bump.count);
      }
      pqxx::result rows = tx_.exec_params(
          "INSERT INTO call_sequences AS s (company_id, sequence_key, last_sequence) "
          "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) "
          "ON CONFLICT (company_id, sequence_key) DO UPDATE SET last_sequence = s.last_sequence + "
          "EXCLUDED.last_sequence RETURNING company_id, sequence_key, last_sequence",
          text_array(companies), text_array(keys), number_array(adds));
      std::map<std::pair<std::string, std::string>, std::int64_t> returned;
      for (const pqxx::row& row : rows) returned[{text(row[0]), text(row[1])}] = integer(row[2]);
      for (std::size_t k = 0; k < bumps.size(); ++k) {
        lasts[k] = returned.at({bumps[k].company_id, bumps[k].sequence_key});
      }
    });
    if (!bumped) return forward_error(bumped);
    return lasts;
  }

  Result<std::vector<IngestSubscriber>> active_subscribers(const std::string& company_id) override {
    auto loaded = load_active_subscribers(tx_, company_id);
    if (!loaded) return forward_error(loaded);
    std::vector<IngestSubscriber> out;
    out.reserve(loaded->size());
    for (Subscriber& webhook : *loaded)
      out.push_back(IngestSubscriber{std::move(webhook.id), std::move(webhook.spec)});
    return out;
  }

  Result<std::optional<model::Agent>> find_agent(const std::string& company_id,
                                                 const std::string& agent_id) override {
    return postgres::find_agent(tx_, company_id, agent_id);
  }

  Result<std::optional<model::Department>> find_department(const std::string& company_id,
                                                           const std::string& department_id) override {
    return postgres::find_department(tx_, company_id, department_id);
  }

  Result<void> insert_events(const std::vector<EventRow>& rows) override {
    const std::string taken =
        "an event with id " + (rows.size() == 1 ? rows[0].event.id : std::string("of the batch")) + " exists";
    return rejected_as_error(taken, [&] {
      if (rows.size() == 1) {
        const model::Event& event = rows[0].event;
        const model::EventAttributes& attributes = *rows[0].attributes;
        tx_.exec_params(
            "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
            "idempotency_key, direction, department_id, agent_id, payload) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            event.id, event.company_id, event.type, event.sequence, event.sequence_key,
            to_ms(event.occurred_at), to_ms(event.created_at), event.idempotency_key, attributes.direction,
            attributes.department_id, attributes.agent_id, event.payload);
        return;
      }
      std::vector<std::string> ids, companies, types, sequence_keys, directions, departments, agents,
          payloads;
      std::vector<std::optional<std::int64_t>> sequences;
      std::vector<std::int64_t> occurred, created;
      std::vector<std::optional<std::string>> idempotency;
      for (const EventRow& row : rows) {
        const model::Event& event = row.event;
        ids.push_back(event.id);
        companies.push_back(event.company_id);
        types.push_back(event.type);
        sequences.push_back(event.sequence);
        sequence_keys.push_back(event.sequence_key);
        occurred.push_back(to_ms(event.occurred_at));
        created.push_back(to_ms(event.created_at));
        idempotency.push_back(event.idempotency_key);
        directions.push_back(row.attributes->direction);
        departments.push_back(row.attributes->department_id);
        agents.push_back(row.attributes->agent_id);
        payloads.push_back(event.payload);
      }
      tx_.exec_params(
          "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
          "idempotency_key, direction, department_id, agent_id, payload) "
          "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], "
          "$7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])",
          text_array(ids), text_array(companies), text_array(types), number_array(sequences),
          text_array(sequence_keys), number_array(occurred), number_array(created),
          optional_text_array(idempotency), text_array(directions), text_array(departments),
          text_array(agents), text_array(payloads));
    });
  }

  Result<void> insert_deliveries(const std::vector<model::Delivery>& deliveries,
                                 const std::vector<bool>& follows) override {
    const std::string taken = "a delivery id of event " + deliveries.front().event_id + " exists";
    return rejected_as_error(taken, [&] { insert_pending(tx_, deliveries, /*paused=*/false, follows); });
  }

  Result<int> queue_v1_deliveries(const model::Event& event) override {
    Result<int> queued = 0;
    auto done = rejected_as_error("a v1 delivery id of event " + event.id + " exists", [&] {
      queued = postgres::queue_v1_deliveries(tx_, v1_subscribers_, event);
    });
    if (!done) return forward_error(done);
    return queued;
  }

  Result<Result<void>> in_savepoint(SavepointLevel level,
                                    const std::function<Result<void>()>& body) override {
    const bool batch = level == SavepointLevel::kBatch;
    tx_.exec0(batch ? "SAVEPOINT ingest_batch" : "SAVEPOINT ingest_event");
    Result<void> done = body();
    if (!done) tx_.exec0(batch ? "ROLLBACK TO SAVEPOINT ingest_batch" : "ROLLBACK TO SAVEPOINT ingest_event");
    tx_.exec0(batch ? "RELEASE SAVEPOINT ingest_batch" : "RELEASE SAVEPOINT ingest_event");
    return done;
  }

 private:
  pqxx::work& tx_;
  V1SubscriberCache v1_subscribers_;
};

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

}  // namespace

Result<std::vector<Result<IngestOutcome>>> PostgresStore::ingest_events(const std::vector<NewEvent>& events) {
  return transact([&](pqxx::work& tx) -> Result<std::vector<Result<IngestOutcome>>> {
    lock_known_sequences(tx, events);
    PostgresIngestPort port(tx);  // built afresh on every try: transact() may run this again
    return write_ingest(port, events);
  });
}

Result<model::Event> PostgresStore::get_event(const std::string& company_id, const std::string& event_id) {
  return read([&](pqxx::work& tx) -> Result<model::Event> {
    pqxx::result r = tx.exec_params(
        "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
        "payload FROM events WHERE id = $1 AND company_id = $2",
        event_id, company_id);
    if (r.empty()) return make_error(ErrorCode::kNotFound, "event not found");
    return event_from_row(PgRow(r[0]));
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
    for (auto row = rows.rbegin(); row != rows.rend(); ++row) events.push_back(event_from_row(PgRow(*row)));
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
    if (!spec) return forward_error(spec);

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
    chains.reserve(deliveries.size());
    for (const model::Delivery& d : deliveries) {
      chains.push_back(Chain{d.company_id, d.webhook_id, d.ordering_key});
    }
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
