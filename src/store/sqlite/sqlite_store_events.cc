// SqliteStore: ingesting events (sequence, idempotency, directory enrichment,
// envelope, fan-out to webhooks), reading them back, and replaying them to a webhook.
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
#include "model/directory.h"
#include "model/envelope.h"
#include "model/live_call.h"
#include "store/directory_cache.h"
#include "store/sqlite/sqlite_delivery_queue.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/sqlite/sqlite_store_v1.h"
#include "store/sqlite/webhook_codec.h"

namespace switchboard::store::sqlite {
namespace {

// What matching an event needs of a webhook: its subscription, no secrets.
struct Subscriber {
  std::string id;
  model::WebhookSpec spec;  // events and filters only
};

Result<model::WebhookSpec> subscription_from(std::string_view events_column,
                                             std::string_view filters_column) {
  model::WebhookSpec spec;
  auto events = decode_strings(events_column);
  if (!events) return tl::unexpected(events.error());
  spec.events = std::move(*events);
  auto filters = decode_filters(filters_column);
  if (!filters) return tl::unexpected(filters.error());
  spec.filters = std::move(*filters);
  return spec;
}

Result<std::vector<Subscriber>> active_subscribers(Connection& connection, const std::string& company_id) {
  auto query = connection.query(
      "SELECT id, events, filters FROM webhooks WHERE company_id = ? AND status = 'active' ORDER BY id",
      company_id);
  if (!query) return tl::unexpected(query.error());
  std::vector<Subscriber> out;
  for (;;) {
    auto found = query->step();
    if (!found) return tl::unexpected(found.error());
    if (!*found) return out;
    auto spec = subscription_from(query->text(1), query->text(2));
    if (!spec) return tl::unexpected(spec.error());
    out.push_back(Subscriber{query->text(0), std::move(*spec)});
  }
}

// Active webhooks per company, read once per ingest_events() call: inside its
// transaction they cannot change.
class SubscriberCache {
 public:
  Result<const std::vector<Subscriber>*> get(Connection& connection, const std::string& company_id) {
    auto it = by_company_.find(company_id);
    if (it == by_company_.end()) {
      auto loaded = active_subscribers(connection, company_id);
      if (!loaded) return tl::unexpected(loaded.error());
      it = by_company_.emplace(company_id, std::move(*loaded)).first;
    }
    return &it->second;
  }

 private:
  std::unordered_map<std::string, std::vector<Subscriber>> by_company_;
};

using DirectoryCache = store::DirectoryCache<Connection>;

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
Result<std::optional<IngestOutcome>> find_idempotent(Connection& connection, const model::Event& event) {
  if (!event.idempotency_key) return std::optional<IngestOutcome>();
  auto query =
      connection.query("SELECT id, sequence FROM events WHERE company_id = ? AND idempotency_key = ?",
                       event.company_id, *event.idempotency_key);
  if (!query) return tl::unexpected(query.error());
  auto found = query->step();
  if (!found) return tl::unexpected(found.error());
  if (!*found) return std::optional<IngestOutcome>();
  return std::optional<IngestOutcome>(IngestOutcome{query->text(0), query->optional_integer(1), true, 0});
}

Result<std::int64_t> next_sequence(Connection& connection, const model::Event& event) {
  auto upsert = connection.query(
      "INSERT INTO event_sequences (company_id, sequence_key, last) VALUES (?, ?, 1) "
      "ON CONFLICT (company_id, sequence_key) DO UPDATE SET last = last + 1 RETURNING last",
      event.company_id, event.sequence_key);
  if (!upsert) return tl::unexpected(upsert.error());
  auto row = upsert->step();
  if (!row) {
    Error error = row.error();
    if (error.code == ErrorCode::kNotFound) error.message = "company not found";
    return tl::unexpected(std::move(error));
  }
  if (!*row) return make_error(ErrorCode::kInternal, "the sequence upsert returned nothing");
  return upsert->integer(0);
}

Result<void> insert_event(Connection& connection, const model::Event& event,
                          const model::EventAttributes& attributes) {
  auto insert = connection.query(
      "INSERT INTO events (id, company_id, type, sequence, sequence_key, occurred_at, created_at, "
      "idempotency_key, direction, department_id, agent_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?)",
      event.id, event.company_id, event.type, event.sequence, event.sequence_key, event.occurred_at,
      event.created_at, event.idempotency_key, attributes.direction, attributes.department_id,
      attributes.agent_id, event.payload);
  if (!insert) return tl::unexpected(insert.error());
  if (auto done = insert->run(); !done) {
    Error error = done.error();
    if (error.code == ErrorCode::kConflict) error.message = "an event with id " + event.id + " exists";
    if (error.code == ErrorCode::kNotFound) error.message = "company not found";
    return tl::unexpected(std::move(error));
  }
  return {};
}

// Ingests one event; runs inside its own savepoint.
Result<IngestOutcome> ingest_one(Connection& connection, SubscriberCache& subscribers,
                                 DirectoryCache& directory, V1SubscriberCache& v1_subscribers,
                                 const NewEvent& in) {
  if (auto valid = check_new_event(in); !valid) return tl::unexpected(valid.error());
  auto earlier = find_idempotent(connection, in.event);
  if (!earlier) return tl::unexpected(earlier.error());
  if (*earlier) return std::move(**earlier);

  model::Event event = in.event;
  event.sequence.reset();
  if (in.sequenced) {
    auto sequence = next_sequence(connection, event);
    if (!sequence) return tl::unexpected(sequence.error());
    event.sequence = *sequence;
  }
  auto data = directory.enriched_data(connection, in);
  if (!data) return tl::unexpected(data.error());
  event.payload = model::compose_envelope(event, *data);
  if (auto stored = insert_event(connection, event, in.attributes); !stored) {
    return tl::unexpected(stored.error());
  }

  auto webhooks = subscribers.get(connection, event.company_id);
  if (!webhooks) return tl::unexpected(webhooks.error());
  IngestOutcome outcome{event.id, event.sequence, false, 0};
  std::size_t next_id = 0;
  for (const Subscriber& webhook : **webhooks) {
    if (!model::webhook_accepts(webhook.spec, event.type, in.attributes)) continue;
    // Callers pass an id per possible webhook; should they run short, make more.
    std::string id =
        next_id < in.delivery_ids.size() ? in.delivery_ids[next_id++] : new_id("dlv", event.created_at);
    model::Delivery delivery =
        model::pending_delivery(std::move(id), event, webhook.id, event.created_at, event.occurred_at);
    if (auto queued = insert_pending_delivery(connection, delivery, /*paused=*/false, event.created_at);
        !queued) {
      return tl::unexpected(queued.error());
    }
    ++outcome.deliveries;
  }
  auto v1 = queue_v1_deliveries(connection, v1_subscribers, event);
  if (!v1) return tl::unexpected(v1.error());
  outcome.deliveries += *v1;
  return outcome;
}

model::Event event_from_row(const Statement& row) {
  model::Event event;
  event.id = row.text(0);
  event.company_id = row.text(1);
  event.type = row.text(2);
  event.sequence = row.optional_integer(3);
  event.sequence_key = row.text(4);
  event.occurred_at = row.time(5);
  event.created_at = row.time(6);
  event.idempotency_key = row.optional_text(7);
  event.payload = row.text(8);
  return event;
}

// An event as replay needs it: enough to match and to queue a delivery.
struct ReplayCandidate {
  model::Event event;  // without payload
  model::EventAttributes attributes;
};

}  // namespace

Result<std::vector<Result<IngestOutcome>>> SqliteStore::ingest_events(const std::vector<NewEvent>& events) {
  std::vector<Result<IngestOutcome>> outcomes;
  outcomes.reserve(events.size());
  auto written = write([&](Connection& connection) -> Result<void> {
    SubscriberCache subscribers;
    V1SubscriberCache v1_subscribers;
    DirectoryCache directory(find_agent, find_department);
    // Fast path: the whole batch in one savepoint. A savepoint per event would
    // copy every page each event touches into the sub-journal; events almost
    // never fail, so that is paid only when one does.
    outcomes.clear();
    auto all = in_savepoint(connection, kBatchSavepoint, [&]() -> Result<void> {
      for (const NewEvent& event : events) {
        auto outcome = ingest_one(connection, subscribers, directory, v1_subscribers, event);
        if (!outcome) return tl::unexpected(outcome.error());
        outcomes.push_back(std::move(outcome));
      }
      return {};
    });
    if (all) return {};
    if (!connection.in_transaction()) return tl::unexpected(transaction_aborted(all.error()));
    // Some event failed and everything was undone: again, each event alone.
    outcomes.clear();
    for (const NewEvent& event : events) {
      auto outcome = in_savepoint(connection, kItemSavepoint, [&] {
        return ingest_one(connection, subscribers, directory, v1_subscribers, event);
      });
      if (!outcome && !connection.in_transaction())
        return tl::unexpected(transaction_aborted(outcome.error()));
      outcomes.push_back(std::move(outcome));
    }
    return {};
  });
  if (!written) return tl::unexpected(written.error());
  return outcomes;
}

Result<model::Event> SqliteStore::get_event(const std::string& company_id, const std::string& event_id) {
  return read([&](Connection& connection) -> Result<model::Event> {
    auto query = connection.query(
        "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
        "payload "
        "FROM events WHERE id = ? AND company_id = ?",
        event_id, company_id);
    if (!query) return tl::unexpected(query.error());
    auto found = query->step();
    if (!found) return tl::unexpected(found.error());
    if (!*found) return make_error(ErrorCode::kNotFound, "event not found");
    return event_from_row(*query);
  });
}

Result<std::vector<model::Event>> SqliteStore::list_recent_call_events(const std::string& company_id,
                                                                       TimePoint since, int max) {
  return read([&](Connection& connection) -> Result<std::vector<model::Event>> {
    // Newest first through the index, so that LIMIT stops the scan early. The
    // types are model::kLiveCallEventTypes, one bound parameter each.
    static const std::string sql = [] {
      std::string placeholders;
      for (std::size_t i = 0; i < model::kLiveCallEventTypes.size(); ++i) placeholders += i ? ", ?" : "?";
      return "SELECT id, company_id, type, sequence, sequence_key, occurred_at, created_at, idempotency_key, "
             "payload FROM events WHERE company_id = ? AND created_at >= ? AND type IN (" +
             placeholders + ") ORDER BY created_at DESC, id DESC LIMIT ?";
    }();
    auto query = std::apply(
        [&](auto... types) {
          return connection.query(sql, company_id, since, types...,
                                  static_cast<std::int64_t>(std::max(0, max)));
        },
        model::kLiveCallEventTypes);
    if (!query) return tl::unexpected(query.error());
    std::vector<model::Event> events;
    for (;;) {
      auto found = query->step();
      if (!found) return tl::unexpected(found.error());
      if (!*found) break;
      events.push_back(event_from_row(*query));
    }
    std::reverse(events.begin(), events.end());
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
    if (!webhook) return tl::unexpected(webhook.error());
    auto found = webhook->step();
    if (!found) return tl::unexpected(found.error());
    if (!*found) return make_error(ErrorCode::kNotFound, "webhook not found");
    const bool paused = webhook->text(0) != "active";
    auto spec = subscription_from(webhook->text(1), webhook->text(2));
    if (!spec) return tl::unexpected(spec.error());

    // Collected first: the chain bookkeeping below runs its own statements.
    std::vector<ReplayCandidate> accepted;
    {
      auto events = connection.query(
          "SELECT id, type, sequence, sequence_key, direction, department_id, agent_id FROM events "
          "WHERE company_id = ? AND created_at >= ? AND created_at <= ? ORDER BY created_at, id",
          company_id, since, until);
      if (!events) return tl::unexpected(events.error());
      while (accepted.size() < static_cast<std::size_t>(max)) {
        auto row = events->step();
        if (!row) return tl::unexpected(row.error());
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
  if (!written) return tl::unexpected(written.error());
  return created;
}

}  // namespace switchboard::store::sqlite
