// SqliteStore: ingesting events (the IngestPort in SQLite's dialect; the
// algorithm is store/common/ingest_writer.h), reading them back, and
// replaying them to a webhook.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
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
#include "store/common/webhook_codec.h"
#include "store/sqlite/sqlite_delivery_queue.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/sqlite/sqlite_store_v1.h"

namespace switchboard::store::sqlite {
namespace {

Result<model::WebhookSpec> subscription_from(std::string_view events_column,
                                             std::string_view filters_column) {
  model::WebhookSpec spec;
  auto events = decode_strings(events_column);
  if (!events) return forward_error(events);
  spec.events = std::move(*events);
  auto filters = decode_filters(filters_column);
  if (!filters) return forward_error(filters);
  spec.filters = std::move(*filters);
  return spec;
}

// The ingest port in SQLite's dialect, on the writer's connection inside its
// group-committed transaction: one prepared statement per row.
class SqliteIngestPort final : public IngestPort {
 public:
  explicit SqliteIngestPort(Connection& connection) : connection_(connection) {}

  Result<std::vector<std::optional<IngestOutcome>>> find_idempotent(
      const std::vector<const model::Event*>& events) override {
    std::vector<std::optional<IngestOutcome>> out;
    out.reserve(events.size());
    for (const model::Event* event : events) {
      auto query =
          connection_.query("SELECT id, sequence FROM events WHERE company_id = ? AND idempotency_key = ?",
                            event->company_id, *event->idempotency_key);
      if (!query) return forward_error(query);
      auto found = query->step();
      if (!found) return forward_error(found);
      if (*found) {
        out.emplace_back(IngestOutcome{query->text(0), query->optional_integer(1), true, 0});
      } else {
        out.emplace_back();
      }
    }
    return out;
  }

  Result<std::vector<std::int64_t>> bump_sequences(const std::vector<SequenceBump>& bumps) override {
    std::vector<std::int64_t> lasts;
    lasts.reserve(bumps.size());
    for (const SequenceBump& bump : bumps) {
      auto upsert = connection_.query(
          "INSERT INTO event_sequences (company_id, sequence_key, last) VALUES (?, ?, ?) "
          "ON CONFLICT (company_id, sequence_key) DO UPDATE SET last = last + excluded.last RETURNING last",
          bump.company_id, bump.sequence_key, bump.count);
      if (!upsert) return forward_error(upsert);
      auto row = upsert->step();
      if (!row) {
        Error error = row.error();
        if (error.code == ErrorCode::kNotFound) error.message = "company not found";
        return tl::unexpected(std::move(error));
      }
      if (!*row) return make_error(ErrorCode::kInternal, "the sequence upsert returned nothing");
      lasts.push_back(upsert->integer(0));
    }
    return lasts;
  }

  Result<std::vector<IngestSubscriber>> active_subscribers(const std::string& company_id) override {
    auto query = connection_.query(
        "SELECT id, events, filters FROM webhooks WHERE company_id = ? AND status = 'active' ORDER BY id",
        company_id);
    if (!query) return forward_error(query);
    std::vector<IngestSubscriber> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      auto spec = subscription_from(query->text(1), query->text(2));
      if (!spec) return forward_error(spec);
      out.push_back(IngestSubscriber{query->text(0), std::move(*spec)});
    }
  }

  Result<std::optional<model::Agent>> find_agent(const std::string& company_id,
                                                 const std::string& agent_id) override {
    return sqlite::find_agent(connection_, company_id, agent_id);
  }

  Result<std::optional<model::Department>> find_department(const std::string& company_id,
                                                           const std::string& department_id) override {
    return sqlite::find_department(connection_, company_id, department_id);
  }

  Result<void> insert_events(const std::vector<EventRow>& rows) override {
    for (const EventRow& row : rows) {
      const model::Event& event = row.event;
      const model::EventAttributes& attributes = *row.attributes;
      auto insert = connection_.query(
          "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
          "idempotency_key, direction, department_id, agent_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?)",
          event.id, event.company_id, event.type, event.sequence, event.sequence_key, event.occurred_at,
          event.created_at, event.idempotency_key, attributes.direction, attributes.department_id,
          attributes.agent_id, event.payload);
      if (!insert) return forward_error(insert);
      if (auto done = insert->run(); !done) {
        Error error = done.error();
        if (error.code == ErrorCode::kConflict) error.message = "an event with id " + event.id + " exists";
        if (error.code == ErrorCode::kNotFound) error.message = "company not found";
        return tl::unexpected(std::move(error));
      }
    }
    return {};
  }

  // Each delivery takes its place in its chain as it is inserted
  // (insert_pending_delivery), so `follows` is not needed here.
  Result<void> insert_deliveries(const std::vector<model::Delivery>& deliveries,
                                 const std::vector<bool>& /*follows*/) override {
    for (const model::Delivery& delivery : deliveries) {
      if (auto queued = insert_pending_delivery(connection_, delivery, /*paused=*/false, delivery.created_at);
          !queued) {
        return queued;
      }
    }
    return {};
  }

  Result<int> queue_v1_deliveries(const model::Event& event) override {
    return sqlite::queue_v1_deliveries(connection_, v1_subscribers_, event);
  }

  Result<Result<void>> in_savepoint(SavepointLevel level,
                                    const std::function<Result<void>()>& body) override {
    auto done = sqlite::in_savepoint(
        connection_, level == SavepointLevel::kBatch ? kBatchSavepoint : kItemSavepoint, body);
    if (!done && !connection_.in_transaction()) return tl::unexpected(transaction_aborted(done.error()));
    return done;
  }

 private:
  Connection& connection_;
  V1SubscriberCache v1_subscribers_;
};

// An event as replay needs it: enough to match and to queue a delivery.
struct ReplayCandidate {
  model::Event event;  // without payload
  model::EventAttributes attributes;
};

}  // namespace

Result<std::vector<Result<IngestOutcome>>> SqliteStore::ingest_events(const std::vector<NewEvent>& events) {
  std::vector<Result<IngestOutcome>> outcomes;
  auto written = write([&](Connection& connection) -> Result<void> {
    SqliteIngestPort port(connection);
    auto ingested = write_ingest(port, events);
    if (!ingested) return forward_error(ingested);
    outcomes = std::move(*ingested);
    return {};
  });
  if (!written) return forward_error(written);
  return outcomes;
}

// The writer answers after COMMIT on its thread; the events and their
// outcomes live in one block that the write and its answer share.
void SqliteStore::ingest_events_async(std::shared_ptr<const std::vector<NewEvent>> events, IngestDone done) {
  struct Call {
    std::shared_ptr<const std::vector<NewEvent>> events;
    std::vector<Result<IngestOutcome>> outcomes;
  };
  auto call = std::make_shared<Call>(Call{std::move(events), {}});
  writer_->submit(
      [call](Connection& connection) -> Result<void> {
        SqliteIngestPort port(connection);
        auto ingested = write_ingest(port, *call->events);
        if (!ingested) return forward_error(ingested);
        call->outcomes = std::move(*ingested);
        return {};
      },
      [call, done = std::move(done)](const Result<void>& written) {
        if (!written) return done(forward_error(written));
        done(std::move(call->outcomes));
      });
}

Result<model::Event> SqliteStore::get_event(const std::string& company_id, const std::string& event_id) {
  return read([&](Connection& connection) -> Result<model::Event> {
    auto query = connection.query(
        "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
        "payload "
        "FROM events WHERE id = ? AND company_id = ?",
        event_id, company_id);
    if (!query) return forward_error(query);
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "event not found");
    return event_from_row(*query);
  });
}

Result<Statement> query_recent_call_events(Connection& connection, std::string_view columns,
                                           const std::string& company_id, TimePoint since, int max) {
  std::string sql = "SELECT ";
  sql += columns;
  sql += " FROM events WHERE company_id = ? AND created_at >= ? AND type IN (";
  for (std::size_t i = 0; i < model::kLiveCallEventTypes.size(); ++i) sql += i ? ", ?" : "?";
  sql += ") ORDER BY created_at DESC, id DESC LIMIT ?";
  return std::apply(
      [&](auto... types) {
        return connection.query(sql, company_id, since, types...,
                                static_cast<std::int64_t>(std::max(0, max)));
      },
      model::kLiveCallEventTypes);
}

Result<std::vector<model::Event>> SqliteStore::list_recent_call_events(const std::string& company_id,
                                                                       TimePoint since, int max) {
  return read([&](Connection& connection) -> Result<std::vector<model::Event>> {
    auto query = query_recent_call_events(
        connection,
        "id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, payload",
        company_id, since, max);
    if (!query) return forward_error(query);
    auto events = read_all<model::Event>(*query, [](const Statement& row) { return event_from_row(row); });
    if (events) std::reverse(events->begin(), events->end());
    return events;
  });
}

Result<int> SqliteStore::replay(const std::string& company_id, const std::string& webhook_id, TimePoint since,
                                TimePoint until, TimePoint now, int max) {
  if (max < 1) return make_error(ErrorCode::kInvalidArgument, "replay needs max >= 1");
  int created = 0;
  auto written = write([&](Connection& connection) -> Result<void> {
    created = 0;
    auto webhook =
        connection.query("SELECT status, events, filters FROM webhooks WHERE company_id = ? AND id = ?",
                         company_id, webhook_id);
    if (!webhook) return forward_error(webhook);
    auto found = webhook->step();
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "webhook not found");
    const bool paused = webhook->text(0) != "active";
    auto spec = subscription_from(webhook->text(1), webhook->text(2));
    if (!spec) return forward_error(spec);

    // Collected first: the chain bookkeeping below runs its own statements.
    std::vector<ReplayCandidate> accepted;
    {
      auto events = connection.query(
          "SELECT id, type, sequence, sequence_key, direction, department_id, agent_id FROM events "
          "WHERE company_id = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at, id",
          company_id, since, until);
      if (!events) return forward_error(events);
      while (accepted.size() < static_cast<std::size_t>(max)) {
        auto row = events->step();
        if (!row) return forward_error(row);
        if (!*row) break;
        ReplayCandidate candidate;
        candidate.event.id = events->text(0);
        candidate.event.company_id = company_id;
        candidate.event.type = events->text(1);
        candidate.event.sequence = events->optional_integer(2);
        candidate.event.sequence_key = events->text(3);
        candidate.attributes = {events->text(4), events->text(5), events->text(6)};
        if (!model::webhook_accepts(*spec, candidate.event.type, candidate.attributes)) continue;
        accepted.push_back(std::move(candidate));
      }
    }
    for (const ReplayCandidate& candidate : accepted) {
      model::Delivery delivery =
          model::pending_delivery(new_id("dlv", now), candidate.event, webhook_id, now, now);
      if (auto queued = insert_pending_delivery(connection, delivery, paused, now); !queued) return queued;
      ++created;
    }
    return {};
  });
  if (!written) return forward_error(written);
  return created;
}

}  // namespace switchboard::store::sqlite
