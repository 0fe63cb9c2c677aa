// SqliteStore: the Store implementation behind open_sqlite_store(). Private
// to src/store/sqlite; its methods are split by subject across
// sqlite_store.cc (lifecycle), sqlite_store_identity.cc,
// sqlite_store_webhooks.cc, sqlite_store_events.cc (ingest, replay),
// sqlite_store_deliveries.cc (the queue, delivery logs, redelivery) and
// sqlite_store_attempts.cc (attempt results, failure log) and
// sqlite_store_directory.cc (agents, departments).
//
// Thread-safety: as Store. Writes go through the Writer (one thread, group
// commit); reads lease a connection from the ReadPool.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "common/crypto.h"
#include "common/result.h"
#include "store/alert_store.h"
#include "store/async_ingest.h"
#include "store/common/attempt_rules.h"
#include "store/common/column_codec.h"
#include "store/common/errors.h"
#include "store/common/rows.h"
#include "store/common/token_rules.h"
#include "store/common/webhook_codec.h"
#include "store/console_reads.h"
#include "store/retention_store.h"
#include "store/sqlite/sqlite_read_pool.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_writer.h"

namespace switchboard::store::sqlite {

class SqliteStore final : public Store,
                          public AsyncEventIngest,
                          public ConsoleReads,
                          public RetentionStore,
                          public AlertStore {
 public:
  SqliteStore(crypto::SecretBox secrets, std::unique_ptr<Writer> writer, std::unique_ptr<ReadPool> readers)
      : secrets_(std::move(secrets)), readers_(std::move(readers)), writer_(std::move(writer)) {}

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
  // AsyncEventIngest: through the writer's submit().
  void ingest_events_async(std::shared_ptr<const std::vector<NewEvent>> events, IngestDone done) override;
  Result<std::vector<DueDelivery>> claim_due_deliveries(TimePoint now, int limit, TimePoint lease_until,
                                                        int chain_depth) override;
  Result<void> release_leases(const std::vector<LeaseRelease>& leases) override;
  Result<void> release_all_leases() override;
  Result<std::optional<TimePoint>> next_due_time() override;
  Result<void> record_attempts(const std::vector<AttemptOutcome>& outcomes) override;
  // The single-node queue's reads (sqlite_delivery_queue_pending.cc).
  bool offers_pending_reads() const override { return true; }
  Result<void> scan_pending(const std::string& webhook_id, const PendingChunk& chunk) override;
  Result<std::vector<DueDelivery>> load_pending(const std::vector<std::string>& ids) override;
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

  // ConsoleReads (sqlite_store_search.cc).
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
  // RetentionStore (sqlite_store_retention.cc).
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

 private:
  // Runs `fn(Connection&)` on a leased read connection.
  template <typename Fn>
  auto read(Fn&& fn) {
    ReadPool::Lease lease = readers_->acquire();
    return std::forward<Fn>(fn)(*lease);
  }
  Result<void> write(Writer::WriteFn fn) { return writer_->write(std::move(fn)); }
  // An UPDATE of one webhook (`change` prepares it), then the row as stored
  // after it, read in the same transaction (sqlite_store_webhooks.cc).
  Result<model::Webhook> update_and_read(const std::string& company_id, const std::string& webhook_id,
                                         const std::function<Result<Statement>(Connection&)>& change);

  const crypto::SecretBox secrets_;
  std::unique_ptr<ReadPool> readers_;
  std::unique_ptr<Writer> writer_;  // destroyed first: drains pending writes while readers still exist
};

// The rows of a page query (`… ORDER BY id LIMIT page.limit + 1`): at most
// page.limit items, and has_more when the extra row was there. `from_row` maps
// the current row to a T, or to a Result<T> whose error ends the read.
template <typename T, typename FromRow>
Result<Page<T>> read_page(Statement& query, const PageRequest& page, FromRow from_row) {
  Page<T> result;
  for (;;) {
    auto row = query.step();
    if (!row) return forward_error(row);
    if (!*row) return result;
    if (result.items.size() == static_cast<std::size_t>(page.limit)) {
      result.has_more = true;
      return result;
    }
    if constexpr (std::is_same_v<decltype(from_row(query)), Result<T>>) {
      auto item = from_row(query);
      if (!item) return forward_error(item);
      result.items.push_back(std::move(*item));
    } else {
      result.items.push_back(from_row(query));
    }
  }
}

// Every row of `query`, each mapped to a T by `from_row(query)`.
template <typename T, typename FromRow>
Result<std::vector<T>> read_all(Statement& query, FromRow from_row) {
  std::vector<T> out;
  for (;;) {
    auto row = query.step();
    if (!row) return forward_error(row);
    if (!*row) return out;
    out.push_back(from_row(query));
  }
}

// The query for a company's live-call events (model::kLiveCallEventTypes)
// created since `since`, newest first through the index so that the LIMIT
// (`max`) stops the scan early, selecting `columns` of events
// (sqlite_store_events.cc).
Result<Statement> query_recent_call_events(Connection& connection, std::string_view columns,
                                           const std::string& company_id, TimePoint since, int max);

// Seals the custom header values that rows written before they were sealed
// still hold in clear (sqlite_store_webhooks.cc). Run at open on the write
// connection; returns how many rows it resealed.
Result<int> reseal_webhook_headers(Connection& connection, const crypto::SecretBox& secrets);

// Directory lookups on a connection (sqlite_store_directory.cc), shared with
// ingest, which enriches call.summary inside its own transaction.
Result<std::optional<model::Department>> find_department(Connection& connection,
                                                         const std::string& company_id,
                                                         const std::string& department_id);
Result<std::optional<model::Agent>> find_agent(Connection& connection, const std::string& company_id,
                                               const std::string& agent_id);

}  // namespace switchboard::store::sqlite
