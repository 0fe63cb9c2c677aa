// PostgresStore: the Store implementation behind open_postgres_store(), for
// cluster mode (several Switchboard nodes sharing one PostgreSQL database).
// Private to src/store/postgres; its methods are split by subject across
// postgres_store.cc (lifecycle, ping, shared helpers),
// postgres_store_identity.cc, postgres_store_webhooks.cc,
// postgres_store_directory.cc, postgres_store_v1.cc, and
// postgres_store_events.cc / postgres_store_deliveries.cc /
// postgres_store_attempts.cc (ingest, the queue, attempt results).
//
// Every method runs one short transaction on a pooled connection through
// transact() / read(). Unlike the SQLite store there is no single writer:
// nodes race, so every rule that spans rows (per-company limits, chain heads,
// claims) is enforced with row locks inside the transaction (SELECT … FOR
// UPDATE on the company row, FOR UPDATE SKIP LOCKED for claims).
//
// Thread-safety: as Store.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "store/alert_store.h"
#include "store/console_reads.h"
#include "store/node_membership.h"
#include "store/postgres/postgres_pool.h"
#include "store/postgres/postgres_store.h"
#include "store/retention_store.h"
// What is not SQL is shared with the SQLite store (store/common/): the
// column spellings, the column codecs, row mapping, the checks and messages.
#include "store/common/attempt_rules.h"
#include "store/common/column_codec.h"
#include "store/common/errors.h"
#include "store/common/rows.h"
#include "store/common/token_rules.h"
#include "store/common/webhook_codec.h"

namespace switchboard::store::postgres {

class PostgresStore final : public Store,
                            public NodeMembership,
                            public ConsoleReads,
                            public RetentionStore,
                            public AlertStore {
 public:
  PostgresStore(crypto::SecretBox secrets, std::unique_ptr<ConnectionPool> pool)
      : secrets_(std::move(secrets)), pool_(std::move(pool)) {}

  Result<void> create_company(const model::Company& company, const model::User& owner,
                              const model::ApiToken& owner_token) override;
  Result<std::vector<model::Company>> list_companies() override;
  Result<model::Company> get_company(const std::string& company_id) override;
  Result<void> set_managers_can_manage_webhooks(const std::string& company_id, bool allowed) override;

  Result<void> create_user(const model::User& user, const std::optional<model::ApiToken>& token) override;
  Result<model::User> get_user(const std::string& company_id, const std::string& user_id) override;
  Result<Page<model::User>> list_users(const std::string& company_id, const PageRequest& page) override;

  Result<void> create_token(const model::ApiToken& token) override;
  Result<model::Principal> find_principal_by_token_hash(const std::string& token_hash) override;
  Result<model::ApiToken> get_token(const std::string& company_id, const std::string& token_id) override;
  Result<Page<model::ApiToken>> list_tokens(const std::string& company_id,
                                            const std::optional<std::string>& user_id,
                                            const PageRequest& page) override;
  Result<model::ApiToken> revoke_token(const std::string& company_id, const std::string& token_id,
                                       TimePoint now) override;
  Result<void> record_token_use(const std::vector<TokenUse>& uses) override;
  Result<model::User> deactivate_user(const std::string& company_id, const std::string& user_id,
                                      TimePoint now) override;

  Result<void> create_webhook(const model::Webhook& webhook, int max_per_company) override;
  Result<model::Webhook> get_webhook(const std::string& company_id, const std::string& webhook_id) override;
  Result<Page<model::Webhook>> list_webhooks(const std::string& company_id, const PageRequest& page) override;
  Result<model::Webhook> update_webhook_spec(const std::string& company_id, const std::string& webhook_id,
                                             const model::WebhookSpec& spec,
                                             const std::optional<model::WebhookSecrets>& secrets,
                                             TimePoint updated_at) override;
  Result<model::Webhook> set_webhook_status(const std::string& company_id, const std::string& webhook_id,
                                            const model::StatusChange& change, TimePoint updated_at) override;
  Result<model::Webhook> rotate_webhook_secret(const std::string& company_id, const std::string& webhook_id,
                                               const model::WebhookSecrets& secrets,
                                               TimePoint updated_at) override;
  Result<void> delete_webhook(const std::string& company_id, const std::string& webhook_id) override;
  // Issue 16 item 5.
  Result<model::Webhook> set_webhook_client_certificate(
      const std::string& company_id, const std::string& webhook_id,
      const std::shared_ptr<const model::ClientCertificate>& certificate, TimePoint updated_at) override;
  Result<model::Webhook> set_webhook_signing_keys(const std::string& company_id,
                                                  const std::string& webhook_id,
                                                  const model::SigningKeys& keys,
                                                  TimePoint updated_at) override;

  Result<std::vector<Result<IngestOutcome>>> ingest_events(const std::vector<NewEvent>& events) override;
  Result<std::vector<DueDelivery>> claim_due_deliveries(TimePoint now, int limit, TimePoint lease_until,
                                                        int chain_depth) override;
  Result<void> release_leases(const std::vector<LeaseRelease>& leases) override;
  Result<void> release_all_leases() override;
  Result<std::optional<TimePoint>> next_due_time() override;
  Result<void> record_attempts(const std::vector<AttemptOutcome>& outcomes) override;
  Result<Page<model::Attempt>> list_failed_attempts(const AttemptQuery& query) override;
  Result<model::Attempt> get_attempt(const std::string& company_id, const std::string& webhook_id,
                                     const std::string& attempt_id) override;
  Result<Page<model::Delivery>> list_deliveries(const std::string& company_id, const std::string& webhook_id,
                                                std::optional<model::DeliveryState> state,
                                                const PageRequest& page) override;
  Result<model::Delivery> get_delivery(const std::string& company_id,
                                       const std::string& delivery_id) override;
  Result<model::Event> get_event(const std::string& company_id, const std::string& event_id) override;
  Result<std::vector<model::Event>> list_recent_call_events(const std::string& company_id, TimePoint since,
                                                            int max) override;
  Result<std::vector<model::Delivery>> list_event_deliveries(const std::string& company_id,
                                                             const std::string& event_id) override;
  Result<model::Delivery> redeliver(const std::string& company_id, const std::string& delivery_id,
                                    const std::string& new_delivery_id, TimePoint now) override;
  Result<int> replay(const std::string& company_id, const std::string& webhook_id, TimePoint since,
                     TimePoint until, TimePoint now, int max) override;

  // RecoverJobs (sqlite_store_recover.cc / postgres_store_recover.cc).
  Result<void> create_recover_job(const model::RecoverJob& job) override;
  Result<model::RecoverJob> get_recover_job(const std::string& company_id, const std::string& webhook_id,
                                            const std::string& job_id) override;
  Result<std::vector<model::RecoverJob>> list_running_recover_jobs(int max) override;
  Result<model::RecoverJob> run_recover_job(const std::string& company_id, const std::string& job_id,
                                            TimePoint now, int max) override;
  // HealthStats (sqlite_store_stats.cc / postgres_store_stats.cc).
  Result<std::vector<model::HealthCounts>> webhook_health(const std::string& company_id,
                                                          const std::string& webhook_id,
                                                          const model::WindowShape& shape,
                                                          TimePoint start) override;

  Result<void> create_department(const model::Department& department, int max_per_company) override;
  Result<model::Department> get_department(const std::string& company_id,
                                           const std::string& department_id) override;
  Result<Page<model::Department>> list_departments(const std::string& company_id,
                                                   const PageRequest& page) override;
  Result<void> update_department(const model::Department& department) override;
  Result<void> delete_department(const std::string& company_id, const std::string& department_id) override;
  Result<void> create_agent(const model::Agent& agent, int max_per_company) override;
  Result<model::Agent> get_agent(const std::string& company_id, const std::string& agent_id) override;
  Result<Page<model::Agent>> list_agents(const std::string& company_id, const PageRequest& page) override;
  Result<void> update_agent(const model::Agent& agent) override;
  Result<void> delete_agent(const std::string& company_id, const std::string& agent_id) override;

  Result<void> create_v1_webhook(const model::V1Webhook& webhook) override;
  Result<model::V1Webhook> get_v1_webhook(const std::string& company_id,
                                          const std::string& webhook_id) override;
  Result<Page<model::V1Webhook>> list_v1_webhooks(const std::string& company_id,
                                                  const PageRequest& page) override;
  Result<void> update_v1_webhook(const model::V1Webhook& webhook) override;
  Result<void> delete_v1_webhook(const std::string& company_id, const std::string& webhook_id) override;
  Result<std::vector<V1DueDelivery>> claim_due_v1_deliveries(TimePoint now, int limit,
                                                             TimePoint lease_until) override;
  Result<std::optional<TimePoint>> next_v1_due_time() override;
  Result<void> record_v1_attempts(const std::vector<V1AttemptOutcome>& outcomes) override;
  Result<Page<model::V1Delivery>> list_v1_deliveries(const std::string& company_id,
                                                     const std::string& webhook_id,
                                                     std::optional<model::V1DeliveryState> state,
                                                     const PageRequest& page) override;

  Result<void> ping() override;

  // ConsoleReads (postgres_store_search.cc).
  Result<std::map<std::string, std::string>> chain_heads(
      const std::string& company_id, const std::string& webhook_id,
      const std::vector<std::string>& delivery_ids) override;
  Result<std::optional<TimePoint>> failing_since(const std::string& company_id,
                                                 const std::string& webhook_id) override;
  Result<std::vector<model::Attempt>> list_delivery_attempts(const std::string& company_id,
                                                             const std::string& delivery_id) override;
  Result<std::vector<EventHit>> find_events_by_call(const std::string& company_id, const std::string& call_id,
                                                    int limit) override;
  Result<std::vector<EventHit>> find_events_by_number(const std::string& company_id,
                                                      const std::string& number, int limit) override;
  Result<std::vector<CallEventRef>> list_recent_call_event_refs(const std::string& company_id,
                                                                TimePoint since, int max) override;
  Result<std::vector<model::Event>> get_events(const std::string& company_id,
                                               const std::vector<std::string>& ids) override;
  Result<std::int64_t> count_events_since(const std::string& company_id, TimePoint since) override;
  // RetentionStore (postgres_store_retention.cc).
  Result<std::optional<std::chrono::seconds>> get_retention(const std::string& company_id) override;
  Result<void> set_retention(const std::string& company_id,
                             const std::optional<std::chrono::seconds>& retention) override;
  Result<std::vector<CompanyRetention>> list_retentions() override;
  Result<int> purge_expired_events(const PurgeRequest& request) override;
  Result<void> reclaim_space(int pages) override;
  // AlertStore (*_store_alerts.cc).
  Result<void> create_alert_channel(const AlertChannel& channel, const std::optional<model::Webhook>& carrier,
                                    int max_per_company) override;
  Result<AlertChannel> get_alert_channel(const std::string& company_id,
                                         const std::string& channel_id) override;
  Result<std::vector<AlertChannel>> list_alert_channels(const std::string& company_id) override;
  Result<void> update_alert_channel(const AlertChannel& channel) override;
  Result<void> delete_alert_channel(const std::string& company_id, const std::string& channel_id) override;
  Result<void> record_alert_outcome(const std::string& company_id, const std::string& channel_id,
                                    const std::string& error, TimePoint at) override;
  Result<DegradedThreshold> get_degraded_threshold(const std::string& company_id) override;
  Result<void> set_degraded_threshold(const std::string& company_id,
                                      const DegradedThreshold& threshold) override;
  Result<WebhookEpisodes> get_episodes(const std::string& company_id, const std::string& webhook_id) override;
  Result<bool> save_episodes(const WebhookEpisodes& episodes) override;
  Result<std::vector<WebhookEpisodes>> list_open_episodes(int max) override;

  // Cluster membership (postgres_store_nodes.cc).
  Result<Beat> heartbeat(TimePoint now, const model::NodeLiveness& rule) override;
  Result<std::int64_t> leave(TimePoint now) override;
  // This node's id, made on first use (`now` only orders ids). Every claim
  // leases under it; recording and releasing touch only its own leases.
  const std::string& node_id(TimePoint now);
  // Inside a claim or beat: renews this node's heartbeat row at `now`, or
  // creates it (first use, or after another node removed it as stale: then
  // returns true). Holding the row until COMMIT serializes this node's claims
  // with a takeover of it: a takeover waiting on the row sees the renewed
  // heartbeat and leaves the node alone; a claim after a takeover recreates
  // the row and leases only rows the takeover already released.
  bool renew_membership(pqxx::work& tx, TimePoint now);

  // --- helpers for the subject files -------------------------------------
  // (Public only so that free functions of the subject files may take a
  // PostgresStore&; nothing outside src/store/postgres sees this class.)

  // Runs fn(pqxx::work&) -> Result<T> in a READ COMMITTED transaction on a
  // pooled connection and commits when fn returns a value (aborts when it
  // returns an error). Retries the whole fn in a fresh transaction on
  // serialization failures, deadlocks and broken connections (that pool
  // slot reconnects), up to kMaxTries times with a short backoff: fn must
  // therefore reset whatever it accumulates outside the transaction. Any
  // other pqxx exception becomes kInternal (SQL errors) or kUnavailable
  // (connection trouble, an in-doubt commit) with the message.
  // pqxx::unique_violation is NOT caught here as a conflict: fn catches it
  // itself where it means kConflict (it does reach here as kInternal).
  template <typename Fn>
  auto transact(Fn&& fn) -> decltype(fn(std::declval<pqxx::work&>())) {
    return run(fn);
  }
  // Same, for reads (a READ COMMITTED work as well: one statement sees one
  // snapshot, which is all the reads need).
  template <typename Fn>
  auto read(Fn&& fn) -> decltype(fn(std::declval<pqxx::work&>())) {
    return run(fn);
  }
  const crypto::SecretBox& secrets() const { return secrets_; }

  static constexpr int kMaxTries = 5;

 private:
  template <typename Fn>
  auto run(Fn& fn) -> decltype(fn(std::declval<pqxx::work&>())) {
    using R = decltype(fn(std::declval<pqxx::work&>()));
    for (int attempt = 1;; ++attempt) {
      Error error;
      {  // the slot goes back to the pool before the backoff sleep
        ConnectionPool::Lease lease = pool_->acquire();
        try {
          pqxx::work tx(lease.connection());
          R result = fn(tx);
          if (result) tx.commit();
          return result;  // an error result: ~work aborts
        } catch (const pqxx::in_doubt_error& e) {
          // The COMMIT's fate is unknown: retrying could apply fn twice.
          lease.mark_broken();
          return make_error(ErrorCode::kUnavailable, std::string("PostgreSQL commit in doubt: ") + e.what());
        } catch (const pqxx::broken_connection& e) {
          lease.mark_broken();
          error = Error{ErrorCode::kUnavailable, std::string("PostgreSQL connection lost: ") + e.what()};
        } catch (const pqxx::transaction_rollback& e) {
          // serialization_failure, deadlock_detected and their kin: the server
          // rolled back a transaction that may succeed when run again.
          error =
              Error{ErrorCode::kUnavailable, std::string("PostgreSQL transaction rolled back: ") + e.what()};
        } catch (const pqxx::sql_error& e) {
          return make_error(ErrorCode::kInternal, describe_sql_error(e));
        } catch (const pqxx::failure& e) {
          lease.mark_broken();
          return make_error(ErrorCode::kUnavailable, std::string("PostgreSQL: ") + e.what());
        } catch (const std::exception& e) {  // pqxx usage, conversion and range errors: bugs
          return make_error(ErrorCode::kInternal, std::string("PostgreSQL store: ") + e.what());
        }
      }
      if (attempt >= kMaxTries) return tl::unexpected(std::move(error));
      backoff(attempt);
    }
  }

  static std::string describe_sql_error(const pqxx::sql_error& e);
  static void backoff(int attempt);

  const crypto::SecretBox secrets_;
  std::unique_ptr<ConnectionPool> pool_;
  std::once_flag node_id_once_;
  std::string node_id_;  // written once under node_id_once_, then read-only
  // The row has been committed at least once: its absence later means a takeover.
  std::atomic<bool> joined_{false};
};

// --- shared helpers (postgres_store.cc) ------------------------------------

// Times are BIGINT unix milliseconds (UTC), as in the SQLite store.
inline std::int64_t to_ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_ms(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
inline std::optional<std::int64_t> to_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_ms(*t);
}

// Reading columns. A NULL read through a non-optional helper throws
// pqxx::conversion_error (a schema bug, never data).
inline std::string text(const pqxx::field& f) { return f.c_str(); }
inline std::int64_t integer(const pqxx::field& f) { return f.as<std::int64_t>(); }
inline bool boolean(const pqxx::field& f) { return f.as<bool>(); }
inline TimePoint time(const pqxx::field& f) { return from_ms(f.as<std::int64_t>()); }
inline double real(const pqxx::field& f) { return f.as<double>(); }
inline std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return std::string(f.c_str());
}
inline std::optional<std::int64_t> optional_integer(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::int64_t>();
}
inline std::optional<TimePoint> optional_time(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return from_ms(f.as<std::int64_t>());
}

// A pqxx::row as the column reader that the shared row mappers read
// (store/common/rows.h): `company_from_row(PgRow(row))`. Holds a reference:
// use it while the row lives.
class PgRow {
 public:
  explicit PgRow(const pqxx::row& row) : row_(row) {}
  std::string text(int column) const { return postgres::text(row_[column]); }
  std::optional<std::string> optional_text(int column) const { return postgres::optional_text(row_[column]); }
  std::int64_t integer(int column) const { return postgres::integer(row_[column]); }
  std::optional<std::int64_t> optional_integer(int column) const {
    return postgres::optional_integer(row_[column]);
  }
  double real(int column) const { return postgres::real(row_[column]); }
  bool boolean(int column) const { return postgres::boolean(row_[column]); }
  TimePoint time(int column) const { return postgres::time(row_[column]); }
  std::optional<TimePoint> optional_time(int column) const { return postgres::optional_time(row_[column]); }

 private:
  const pqxx::row& row_;
};

// Parameters: exec_params passes an empty std::optional<T> (std::string,
// std::int64_t, int, …) as SQL NULL, so optional columns bind directly:
//   tx.exec_params("… $1, $2 …", webhook.secret_sealed, to_ms(opt_time));
// Cast parameters in SQL where the type is not evident ($1::bigint).

// True when the pqxx::sql_error is the given SQLSTATE (e.g. "23503" foreign
// key violation, "23505" unique violation).
bool has_sqlstate(const pqxx::sql_error& e, std::string_view sqlstate);

// Seals the custom header values that rows written before they were sealed
// still hold in clear (postgres_store_webhooks.cc). Run at open, after the
// migrations; returns how many rows it resealed. Safe with other nodes doing
// the same or writing the rows meanwhile (each update checks the row is
// unchanged).
Result<int> reseal_webhook_headers(pqxx::connection& connection, const crypto::SecretBox& secrets);

// Locks the company row for the rest of the transaction (SELECT … FOR
// UPDATE): serializes per-company limit checks across nodes. kNotFound
// when the company does not exist.
Result<void> lock_company(pqxx::work& tx, const std::string& company_id);

// --- directory lookups (postgres_store_directory.cc), shared with ingest,
// which enriches call.summary inside its own transaction.
Result<std::optional<model::Department>> find_department(pqxx::work& tx, const std::string& company_id,
                                                         const std::string& department_id);
Result<std::optional<model::Agent>> find_agent(pqxx::work& tx, const std::string& company_id,
                                               const std::string& agent_id);

// --- webhook subscriptions (postgres_store_webhooks.cc), shared with ingest
// and replay: what matching an event needs of a webhook, no secrets.
struct Subscriber {
  std::string id;
  model::WebhookSpec spec;  // events and filters only
};
// The spec (events + filters) from the two JSON columns of `webhooks`.
Result<model::WebhookSpec> subscription_from(std::string_view events_column, std::string_view filters_column);
// ACTIVE webhooks of the company, ordered by id.
Result<std::vector<Subscriber>> load_active_subscribers(pqxx::work& tx, const std::string& company_id);
// One webhook's status and subscription (replay); nullopt when it is not the company's.
struct WebhookSubscription {
  model::WebhookStatus status = model::WebhookStatus::kActive;
  model::WebhookSpec spec;  // events and filters only
};
Result<std::optional<WebhookSubscription>> load_subscription(pqxx::work& tx, const std::string& company_id,
                                                             const std::string& webhook_id);
// A full webhook row decoded (secrets opened), by company + id; nullopt when missing.
Result<std::optional<model::Webhook>> find_webhook(pqxx::work& tx, const crypto::SecretBox& secrets,
                                                   const std::string& company_id,
                                                   const std::string& webhook_id);

// --- calling webhooks v1 (postgres_store_v1.cc), shared with ingest.
// Enabled v1 webhooks per company (id and type), read once per ingest call.
class V1SubscriberCache {
 public:
  struct Subscriber {
    std::string id;
    model::V1Type type;
  };
  Result<const std::vector<Subscriber>*> get(pqxx::work& tx, const std::string& company_id);

 private:
  std::unordered_map<std::string, std::vector<Subscriber>> by_company_;
};
// Queues one pending v1 delivery of `event` (already stored) per enabled v1
// webhook whose type the event feeds, due at event.created_at. Returns how many.
Result<int> queue_v1_deliveries(pqxx::work& tx, V1SubscriberCache& subscribers, const model::Event& event);

}  // namespace switchboard::store::postgres
