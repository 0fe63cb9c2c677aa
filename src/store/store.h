// Store: durable state of Switchboard, as role interfaces (identity,
// webhooks, events, the delivery queue, the delivery log, the directory, v1
// webhooks, the v1 queue) that `Store` brings together. Two implementations
// (SQLite, PostgreSQL for cluster mode); the same contract tests run against
// both.
//
// Thread-safety: every method may be called from any thread concurrently.
// Writes are durable when the call returns successfully (group-committed:
// concurrent writes share one transaction and one fsync, and each caller is
// answered only after COMMIT).
//
// Object-level authorization: every method that reads or changes a
// company-owned object takes the company id and treats an object of another
// company exactly like a missing one (kNotFound).
//
// Secrets inside model objects (webhook signing secrets, basic-auth passwords,
// API key values) are passed in clear; implementations encrypt them at rest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/delivery.h"
#include "model/directory.h"
#include "model/health_stats.h"
#include "model/identity.h"
#include "model/recover_job.h"
#include "model/v1_webhook.h"
#include "model/webhook.h"
#include "model/webhook_changes.h"
#include "model/webhook_match.h"

namespace switchboard::store {

struct PageRequest {
  int limit = 50;
  std::string after_id;  // exclusive; "" = from the start. Items are ordered by id.
};

template <typename T>
struct Page {
  std::vector<T> items;
  bool has_more = false;  // more items exist after the last one returned
};

// One event to ingest. `event` has id, company_id, type, sequence_key,
// occurred_at, created_at and idempotency_key set; the store fills sequence
// and payload. `data_json` is the normalized, compact `data` object.
struct NewEvent {
  model::Event event;
  std::string data_json;
  bool sequenced = true;
  model::EventAttributes attributes;  // what webhook filters look at
  // Add agent{} / department{} from the company directory to `data_json`
  // before the envelope is composed, looked up by attributes.agent_id and
  // department_id (model::add_directory_objects; unknown ids add nothing).
  bool enrich_from_directory = false;
  // Optional ids for the deliveries the store creates, used in order; the
  // store makes new ones (new_id("dlv", created_at)) when these run out, so
  // callers normally leave it empty and pay for ids only for real deliveries.
  std::vector<std::string> delivery_ids;
};

// A pending delivery as a single-node engine keeps it in memory (issue 14):
// what ordering and timing need, no payload (DeliveryQueue::scan_pending).
struct PendingDelivery {
  std::string id;
  std::string company_id;
  std::string webhook_id;
  std::string ordering_key;  // "" = not ordered
  std::int64_t sequence = 0;
  TimePoint next_attempt_at{};
  bool paused = false;  // its webhook is not active
};

// The in-memory view of a pending `delivery` (ingest, redelivery).
inline PendingDelivery pending_of(const model::Delivery& delivery) {
  return PendingDelivery{delivery.id,
                         delivery.company_id,
                         delivery.webhook_id,
                         delivery.ordering_key,
                         delivery.sequence.value_or(0),
                         delivery.next_attempt_at.value_or(TimePoint{}),
                         false};
}

struct IngestOutcome {
  std::string event_id;
  std::optional<std::int64_t> sequence;
  bool duplicate = false;  // answered from the idempotency key
  int deliveries = 0;      // deliveries created
  // The v2 deliveries created (issue 14: the single-node engine's wake-up
  // carries them, so it never scans the store for new work).
  std::vector<PendingDelivery> queued;
};

struct DueDelivery {
  model::Delivery delivery;
  std::string payload;  // the event's envelope bytes
  // Claimed behind its chain's head (chain_depth > 1): it may be attempted
  // only after the delivery before it in the claimed list has succeeded.
  bool follows = false;
};

// A lease to give back: the delivery and the lease_until its claim set.
struct LeaseRelease {
  std::string delivery_id;
  TimePoint lease_until;
};

struct AttemptOutcome {
  model::Attempt attempt;                    // id, delivery_id, … all set
  std::optional<TimePoint> next_attempt_at;  // failures only: nullopt = exhausted
  // Exhausted only: whether it counts toward the webhook's consecutive
  // exhausted deliveries (model::RetryPolicy::had_full_schedule). A delivery
  // that did not count leaves the counter as it was.
  bool counts_toward_failure = true;
  // The receiver answered 410 Gone (model/receiver_signals.h): the webhook is
  // set `inactive` with disabled_reason `gone` in the same transaction.
  bool disables_webhook = false;
};

struct AttemptQuery {
  std::string company_id;
  std::string webhook_id;
  std::optional<TimePoint> since;  // at >= since
  std::optional<TimePoint> until;  // at < until
  std::optional<std::string> event_type;
  std::optional<int> status_code;            // exact HTTP status
  std::optional<model::AttemptError> error;  // or an error class
  PageRequest page;
};

// A v1 delivery claimed for sending, with what building the request needs.
struct V1DueDelivery {
  model::V1Delivery delivery;
  model::V1WebhookSpec spec;  // secrets in clear
  std::string payload;        // the event's envelope; the legacy body is built from its `data`
};

struct V1AttemptOutcome {
  std::string delivery_id;
  bool delivered = false;
  std::optional<int> status_code;
  std::string error;                         // failures: what went wrong
  std::optional<TimePoint> next_attempt_at;  // failures: nullopt = retries spent, drop it
  TimePoint at;
};

// Companies, users and API tokens: authentication and the identity routes.
class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // Creates a company with its first owner and that owner's token, atomically.
  virtual Result<void> create_company(const model::Company& company, const model::User& owner,
                                      const model::ApiToken& owner_token) = 0;
  virtual Result<std::vector<model::Company>> list_companies() = 0;
  virtual Result<model::Company> get_company(const std::string& company_id) = 0;
  virtual Result<void> set_managers_can_manage_webhooks(const std::string& company_id, bool allowed) = 0;

  // kConflict when the email (case-insensitive) is taken in the company.
  // When `token` is given it is created in the same transaction.
  virtual Result<void> create_user(const model::User& user, const std::optional<model::ApiToken>& token) = 0;
  virtual Result<model::User> get_user(const std::string& company_id, const std::string& user_id) = 0;
  virtual Result<Page<model::User>> list_users(const std::string& company_id, const PageRequest& page) = 0;

  // kConflict when a user token names a deactivated user.
  virtual Result<void> create_token(const model::ApiToken& token) = 0;
  // Resolves a token hash to the principal it authenticates; kNotFound if none.
  // Revoked and expired tokens are found too, with their revoked_at /
  // expires_at (and the user's deactivated_at): the caller refuses them
  // (model::principal_status). Nothing is cached: a revocation written by any
  // node or by the offline CLI is seen by the next lookup.
  virtual Result<model::Principal> find_principal_by_token_hash(const std::string& token_hash) = 0;

  // --- token lifecycle ---------------------------------------------------
  virtual Result<model::ApiToken> get_token(const std::string& company_id, const std::string& token_id) = 0;
  // The company's tokens ordered by id, revoked and expired ones included;
  // only those of `user_id` when given.
  virtual Result<Page<model::ApiToken>> list_tokens(const std::string& company_id,
                                                    const std::optional<std::string>& user_id,
                                                    const PageRequest& page) = 0;
  // Sets revoked_at = now unless already revoked (then the first revocation
  // stays). Returns the token as stored after it.
  virtual Result<model::ApiToken> revoke_token(const std::string& company_id, const std::string& token_id,
                                               TimePoint now) = 0;
  struct TokenUse {
    std::string token_id;
    TimePoint at;
  };
  // Moves last_used_at forward (never back) for each token; unknown ids are skipped.
  virtual Result<void> record_token_use(const std::vector<TokenUse>& uses) = 0;
  // In one transaction: sets the user's deactivated_at = now and revokes every
  // token of theirs not yet revoked. kConflict when the user is the company's
  // last active owner; an already deactivated user is answered as is.
  // Returns the user as stored after it.
  virtual Result<model::User> deactivate_user(const std::string& company_id, const std::string& user_id,
                                              TimePoint now) = 0;
};

// Webhook v2 configuration.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // kLimitReached when the company already has `max_per_company` webhooks
  // (checked inside the write transaction, so concurrent creates cannot exceed it).
  virtual Result<void> create_webhook(const model::Webhook& webhook, int max_per_company) = 0;
  virtual Result<model::Webhook> get_webhook(const std::string& company_id,
                                             const std::string& webhook_id) = 0;
  virtual Result<Page<model::Webhook>> list_webhooks(const std::string& company_id,
                                                     const PageRequest& page) = 0;

  // Narrow writes. Each changes only the columns it names (and updated_at),
  // so a write based on an earlier read never puts back what another writer
  // changed meanwhile: above all the status and consecutive_exhausted that
  // the delivery engine's record_attempts sets (model/webhook_changes.h says
  // who owns which part). Each returns the webhook as stored after it;
  // kNotFound when the company has no such webhook.
  //
  // The admin-editable spec (name, description, url, auth, headers, events,
  // filters) and, when `secrets` is given, the signing secrets with it.
  virtual Result<model::Webhook> update_webhook_spec(const std::string& company_id,
                                                     const std::string& webhook_id,
                                                     const model::WebhookSpec& spec,
                                                     const std::optional<model::WebhookSecrets>& secrets,
                                                     TimePoint updated_at) = 0;
  // The status, and consecutive_exhausted when the change gives it.
  virtual Result<model::Webhook> set_webhook_status(const std::string& company_id,
                                                    const std::string& webhook_id,
                                                    const model::StatusChange& change,
                                                    TimePoint updated_at) = 0;
  // The signing secrets only (secret, previous_secret and its expiry).
  virtual Result<model::Webhook> rotate_webhook_secret(const std::string& company_id,
                                                       const std::string& webhook_id,
                                                       const model::WebhookSecrets& secrets,
                                                       TimePoint updated_at) = 0;
  virtual Result<void> delete_webhook(const std::string& company_id, const std::string& webhook_id) = 0;

  // Issue 16 item 5, narrow writes like the ones above. The client
  // certificate for mutual TLS (null removes it), its key sealed at rest.
  virtual Result<model::Webhook> set_webhook_client_certificate(
      const std::string& company_id, const std::string& webhook_id,
      const std::shared_ptr<const model::ClientCertificate>& certificate, TimePoint updated_at) = 0;
  // The Ed25519 signing keys (model/signing_keys.h), private keys sealed.
  virtual Result<model::Webhook> set_webhook_signing_keys(const std::string& company_id,
                                                          const std::string& webhook_id,
                                                          const model::SigningKeys& keys,
                                                          TimePoint updated_at) = 0;
};

// Events: ingest (with the deliveries it creates) and reading them back.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Ingests events. For each, in ONE group-committed transaction with the
  // others of the call: an idempotency hit returns the earlier answer
  // (duplicate=true, nothing new); otherwise assigns event_sequence (next
  // number for (company, sequence_key) when `sequenced`), composes the
  // envelope with model::compose_envelope, stores the event, and creates one
  // pending delivery (due at `event.created_at`) for every ACTIVE webhook of the
  // company whose spec accepts it (model::webhook_accepts), and its v1
  // deliveries. One event failing does not fail the others. Returns one
  // outcome per input, in order. The algorithm is written once for both
  // backends (store/common/ingest_writer.h over their IngestPort); callers
  // normally go through ingest::Ingestor, which stamps the events and tells
  // the live hub and the senders after COMMIT.
  virtual Result<std::vector<Result<IngestOutcome>>> ingest_events(const std::vector<NewEvent>& events) = 0;

  virtual Result<model::Event> get_event(const std::string& company_id, const std::string& event_id) = 0;
  // The company's newest events that move a live call (the types of
  // model::kLiveCallEventTypes) accepted at or after `since`, at most `max` of
  // them, oldest first. For the live call table at start
  // (live/live_call_hub.h); a range of the (company_id, created_at) index.
  virtual Result<std::vector<model::Event>> list_recent_call_events(const std::string& company_id,
                                                                    TimePoint since, int max) = 0;
};

// The v2 delivery queue as the delivery engine works it: claim due work
// under leases, give leases back, record attempt results.
class DeliveryQueue {
 public:
  virtual ~DeliveryQueue() = default;

  // Claims up to `limit` deliveries that are pending, due (next_attempt_at <=
  // now), not leased (lease_until <= now), whose webhook is active, and that are
  // the head of their (webhook_id, ordering_key) chain: no pending delivery of
  // the same chain has a lower sequence (so one call's events go to one
  // webhook in order, one at a time). Sets lease_until on them. Ordered by
  // next_attempt_at.
  //
  // With `chain_depth` > 1, each claimed head of a chain also brings up to
  // chain_depth - 1 of the pending deliveries that come after it in its chain
  // (in chain order, stopping before the first one not yet due), leased alike
  // and returned right after their head with `follows` set. The engine then
  // sends a chain's events one after another as each succeeds, without a
  // store round trip per event. `limit` counts followers too.
  virtual Result<std::vector<DueDelivery>> claim_due_deliveries(TimePoint now, int limit,
                                                                TimePoint lease_until, int chain_depth) = 0;
  // Clears the leases of these deliveries: claimed work the engine gives back
  // unattempted (a chain stopped by a failure, a stalled lane, shutdown), so it
  // can be claimed again as soon as it is due rather than when the lease ends.
  // Only a lease that is still the one given (same lease_until) is cleared: a
  // lease that lapsed and was claimed again (by another node) is not touched.
  virtual Result<void> release_leases(const std::vector<LeaseRelease>& leases) = 0;
  // Clears every lease (a single-node store at start-up: nothing is in flight).
  virtual Result<void> release_all_leases() = 0;
  // The earliest next_attempt_at among pending deliveries of active webhooks, if any.
  virtual Result<std::optional<TimePoint>> next_due_time() = 0;

  // Records attempt results in one transaction, and clears their leases:
  //  success  -> delivery delivered, webhook consecutive_exhausted = 0;
  //  failure  -> attempt row kept (the failure log); delivery pending again at
  //              next_attempt_at, or, when that is empty, exhausted: the webhook's
  //              consecutive_exhausted + 1 and status `failed` once
  //              model::should_mark_failed says so.
  // A delivery whose webhook was deleted meanwhile is skipped silently.
  virtual Result<void> record_attempts(const std::vector<AttemptOutcome>& outcomes) = 0;

  // --- The single-node queue (issue 14), read only: no leases. -------------
  // A store that only one node uses may be worked from memory: the engine
  // reads every pending delivery once (compact rows, no payloads) and later
  // loads the rows and payloads of those about to be sent. The defaults say
  // the store does not offer it (the engine then claims with leases).
  //
  // Whether scan_pending and load_pending are offered.
  virtual bool offers_pending_reads() const { return false; }
  // Every pending delivery (or those of `webhook_id`), read in one snapshot
  // and handed to `chunk` a few thousand at a time (memory stays bounded with
  // a million pending), in (webhook, ordering key, sequence, id) order.
  using PendingChunk = std::function<void(std::vector<PendingDelivery>& chunk)>;
  virtual Result<void> scan_pending(const std::string& webhook_id, const PendingChunk& chunk) {
    (void)webhook_id;
    (void)chunk;
    return make_error(ErrorCode::kInternal, "scan_pending: not offered by this store");
  }
  // The deliveries among `ids` that are still pending, with their payloads,
  // in no particular order (a missing id is settled or deleted).
  virtual Result<std::vector<DueDelivery>> load_pending(const std::vector<std::string>& ids) {
    (void)ids;
    return make_error(ErrorCode::kInternal, "load_pending: not offered by this store");
  }
};

// Deliveries and attempts as the API reads them, and the manual actions
// that queue more (redeliver, replay).
class DeliveryLog {
 public:
  virtual ~DeliveryLog() = default;

  // Failed attempts of one webhook, newest first by id (cursor = last id, descending).
  virtual Result<Page<model::Attempt>> list_failed_attempts(const AttemptQuery& query) = 0;
  virtual Result<model::Attempt> get_attempt(const std::string& company_id, const std::string& webhook_id,
                                             const std::string& attempt_id) = 0;
  // Deliveries of one webhook, newest first by id (cursor = last id, descending).
  virtual Result<Page<model::Delivery>> list_deliveries(const std::string& company_id,
                                                        const std::string& webhook_id,
                                                        std::optional<model::DeliveryState> state,
                                                        const PageRequest& page) = 0;
  virtual Result<model::Delivery> get_delivery(const std::string& company_id,
                                               const std::string& delivery_id) = 0;
  virtual Result<std::vector<model::Delivery>> list_event_deliveries(const std::string& company_id,
                                                                     const std::string& event_id) = 0;
  // Manual redelivery: a NEW pending delivery of the same event to the same
  // webhook, due now, its 24 h window starting now. kNotFound if either is gone.
  virtual Result<model::Delivery> redeliver(const std::string& company_id, const std::string& delivery_id,
                                            const std::string& new_delivery_id, TimePoint now) = 0;
  // Replay: a new pending delivery to the webhook for each event of the company
  // with created_at in [since, until] that the webhook's spec accepts, at most
  // `max` (oldest first); windows start now. Returns how many were created.
  virtual Result<int> replay(const std::string& company_id, const std::string& webhook_id, TimePoint since,
                             TimePoint until, TimePoint now, int max) = 0;
};

// Health statistics of webhooks (GET /api/v2/webhooks/{id}/stats): read from
// per-minute rollup rows that record_attempts keeps in the same transaction as
// the results it records (store/common/health_rollup.h), never from the
// attempt log. Rows older than model::limits::kHealthRollupRetention are
// purged as the webhook records new results.
class HealthStats {
 public:
  virtual ~HealthStats() = default;

  // The counts of one webhook's attempts in the window's buckets from `start`
  // (model::window_start): shape.buckets entries, oldest first, zero counts
  // where nothing was recorded. An unknown webhook reads as all zeros (the
  // caller checks that it exists and is the company's).
  virtual Result<std::vector<model::HealthCounts>> webhook_health(const std::string& company_id,
                                                                  const std::string& webhook_id,
                                                                  const model::WindowShape& shape,
                                                                  TimePoint start) = 0;
};

// Recover jobs (POST /api/v2/webhooks/{id}/recover): resending a webhook's
// exhausted deliveries since a time, in the background. The API creates the
// job; a runner (api/recover_runner.h) runs it with run_recover_job, which
// queues everything in one transaction together with the job's final state,
// so a job interrupted by a crash is still `running` with nothing queued and
// is simply run again after restart (list_running_recover_jobs).
class RecoverJobs {
 public:
  virtual ~RecoverJobs() = default;

  // Stores a new job (status running). kNotFound when the company has no such webhook.
  virtual Result<void> create_recover_job(const model::RecoverJob& job) = 0;
  // kNotFound for a job of another webhook or company.
  virtual Result<model::RecoverJob> get_recover_job(const std::string& company_id,
                                                    const std::string& webhook_id,
                                                    const std::string& job_id) = 0;
  // Running jobs of every company, oldest first, at most `max`.
  virtual Result<std::vector<model::RecoverJob>> list_running_recover_jobs(int max) = 0;
  // Runs a running job, in one transaction: when the webhook is still active,
  // a new pending delivery (model::redelivery_of, due `now`) for each of its
  // exhausted deliveries created at or after the job's `since`, in (created_at,
  // id) order, at most `max`, and the job `done` with queued/total/capped;
  // otherwise nothing queued and the job `failed` ("webhook_not_active").
  // A job no longer running is returned as it is. Returns the job after it.
  virtual Result<model::RecoverJob> run_recover_job(const std::string& company_id, const std::string& job_id,
                                                    TimePoint now, int max) = 0;
};

// The company directory: agents and departments.
class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // Agents and departments of a company, ordered by id. Ids are chosen by the
  // client (or the API): kConflict when the id is taken in the company;
  // kLimitReached at `max_per_company` (checked in the write transaction).
  // An agent's department_id must name a department of the same company
  // (kInvalidArgument otherwise). Deleting a department clears the
  // department_id of its agents in the same transaction.
  virtual Result<void> create_department(const model::Department& department, int max_per_company) = 0;
  virtual Result<model::Department> get_department(const std::string& company_id,
                                                   const std::string& department_id) = 0;
  virtual Result<Page<model::Department>> list_departments(const std::string& company_id,
                                                           const PageRequest& page) = 0;
  // Replaces name and updated_at of the stored department (company_id + id).
  virtual Result<void> update_department(const model::Department& department) = 0;
  virtual Result<void> delete_department(const std::string& company_id, const std::string& department_id) = 0;

  virtual Result<void> create_agent(const model::Agent& agent, int max_per_company) = 0;
  virtual Result<model::Agent> get_agent(const std::string& company_id, const std::string& agent_id) = 0;
  virtual Result<Page<model::Agent>> list_agents(const std::string& company_id, const PageRequest& page) = 0;
  // Replaces every field but id, company_id and created_at.
  virtual Result<void> update_agent(const model::Agent& agent) = 0;
  virtual Result<void> delete_agent(const std::string& company_id, const std::string& agent_id) = 0;
};

// Calling webhooks v1: configuration and their deliveries as the API reads them.
class V1WebhookStore {
 public:
  virtual ~V1WebhookStore() = default;

  // Ingest (ingest_events) also creates one pending v1 delivery per enabled v1
  // webhook of the company whose type model::v1_type_for_event gives, in the
  // same transaction (counted in IngestOutcome::deliveries too).
  virtual Result<void> create_v1_webhook(const model::V1Webhook& webhook) = 0;
  virtual Result<model::V1Webhook> get_v1_webhook(const std::string& company_id,
                                                  const std::string& webhook_id) = 0;
  virtual Result<Page<model::V1Webhook>> list_v1_webhooks(const std::string& company_id,
                                                          const PageRequest& page) = 0;
  virtual Result<void> update_v1_webhook(const model::V1Webhook& webhook) = 0;
  // Also removes its deliveries.
  virtual Result<void> delete_v1_webhook(const std::string& company_id, const std::string& webhook_id) = 0;
  // Deliveries of one v1 webhook, newest first by id (cursor = last id, descending).
  virtual Result<Page<model::V1Delivery>> list_v1_deliveries(const std::string& company_id,
                                                             const std::string& webhook_id,
                                                             std::optional<model::V1DeliveryState> state,
                                                             const PageRequest& page) = 0;
};

// The v1 delivery queue as the v1 dispatcher works it.
class V1Queue {
 public:
  virtual ~V1Queue() = default;

  // Claims up to `limit` pending v1 deliveries that are due and not leased, of
  // enabled webhooks, oldest due first; leases them until `lease_until`.
  virtual Result<std::vector<V1DueDelivery>> claim_due_v1_deliveries(TimePoint now, int limit,
                                                                     TimePoint lease_until) = 0;
  // The earliest next_attempt_at among pending v1 deliveries of enabled webhooks.
  virtual Result<std::optional<TimePoint>> next_v1_due_time() = 0;
  // Records results and clears leases: delivered; pending again at
  // next_attempt_at; or dropped when that is empty.
  virtual Result<void> record_v1_attempts(const std::vector<V1AttemptOutcome>& outcomes) = 0;
};

// Everything a backend keeps. One backend class implements every role; each
// consumer takes only the roles it uses (the delivery engine a DeliveryQueue
// and a WebhookStore, the v1 dispatcher a V1Queue, …), so a test fake is a
// few methods.
class Store : public IdentityStore,
              public WebhookStore,
              public EventStore,
              public DeliveryQueue,
              public DeliveryLog,
              public HealthStats,
              public RecoverJobs,
              public DirectoryStore,
              public V1WebhookStore,
              public V1Queue {
 public:
  ~Store() override = default;

  // Liveness: the store answers a trivial query.
  virtual Result<void> ping() = 0;
};

}  // namespace switchboard::store
