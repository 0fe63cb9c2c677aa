// PostgresStore: recover jobs (RecoverJobs): a webhook's exhausted deliveries
// resent as new pending deliveries, with the job's final state, in one
// transaction. The job row is locked (FOR UPDATE) so two nodes running the
// same job queue its deliveries once; the webhook row is read FOR SHARE so a
// concurrent status change waits (as replay does).
#include <algorithm>
#include <string>
#include <vector>

#include "common/ids.h"
#include "store/postgres/postgres_queue_rows.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

constexpr std::string_view kJobColumns =
    "id, company_id, webhook_id, since, status, queued, total, capped, error, created_at, finished_at";

Result<model::RecoverJob> job_from_row(const pqxx::row& row) {
  model::RecoverJob job;
  job.id = text(row[0]);
  job.company_id = text(row[1]);
  job.webhook_id = text(row[2]);
  job.since = TimePoint(std::chrono::milliseconds(integer(row[3])));
  auto status = model::parse_recover_status(text(row[4]));
  if (!status) return make_error(ErrorCode::kInternal, "recover job " + job.id + " has an unknown status");
  job.status = *status;
  job.queued = static_cast<int>(integer(row[5]));
  job.total = static_cast<int>(integer(row[6]));
  job.capped = row[7].as<bool>();
  job.error = text(row[8]);
  job.created_at = TimePoint(std::chrono::milliseconds(integer(row[9])));
  if (auto finished = optional_integer(row[10]))
    job.finished_at = TimePoint(std::chrono::milliseconds(*finished));
  return job;
}

void save_outcome(pqxx::work& tx, const model::RecoverJob& job) {
  tx.exec_params(
      "UPDATE recover_jobs SET status = $1, queued = $2, total = $3, capped = $4, error = $5, finished_at = "
      "$6 "
      "WHERE id = $7",
      std::string(model::to_string(job.status)), job.queued, job.total, job.capped, job.error,
      to_ms(job.finished_at), job.id);
}

}  // namespace

Result<void> PostgresStore::create_recover_job(const model::RecoverJob& job) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    try {
      tx.exec_params("INSERT INTO recover_jobs (" + std::string(kJobColumns) +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                     job.id, job.company_id, job.webhook_id, to_ms(job.since),
                     std::string(model::to_string(job.status)), job.queued, job.total, job.capped, job.error,
                     to_ms(job.created_at), to_ms(job.finished_at));
    } catch (const pqxx::foreign_key_violation&) {
      return make_error(ErrorCode::kNotFound, "webhook not found");
    }
    return {};
  });
}

Result<model::RecoverJob> PostgresStore::get_recover_job(const std::string& company_id,
                                                         const std::string& webhook_id,
                                                         const std::string& job_id) {
  return read([&](pqxx::work& tx) -> Result<model::RecoverJob> {
    pqxx::result rows =
        tx.exec_params("SELECT " + std::string(kJobColumns) +
                           " FROM recover_jobs WHERE company_id = $1 AND webhook_id = $2 AND id = $3",
                       company_id, webhook_id, job_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, "recover job not found");
    return job_from_row(rows[0]);
  });
}

Result<std::vector<model::RecoverJob>> PostgresStore::list_running_recover_jobs(int max) {
  return read([&](pqxx::work& tx) -> Result<std::vector<model::RecoverJob>> {
    pqxx::result rows =
        tx.exec_params("SELECT " + std::string(kJobColumns) +
                           " FROM recover_jobs WHERE status = 'running' ORDER BY created_at, id "
                           "LIMIT $1",
                       max);
    std::vector<model::RecoverJob> out;
    for (const pqxx::row& row : rows) {
      auto job = job_from_row(row);
      if (!job) return forward_error(job);
      out.push_back(std::move(*job));
    }
    return out;
  });
}

Result<model::RecoverJob> PostgresStore::run_recover_job(const std::string& company_id,
                                                         const std::string& job_id, TimePoint now, int max) {
  if (max < 1) return make_error(ErrorCode::kInvalidArgument, "recover needs max >= 1");
  return transact([&](pqxx::work& tx) -> Result<model::RecoverJob> {
    pqxx::result found = tx.exec_params("SELECT " + std::string(kJobColumns) +
                                            " FROM recover_jobs WHERE company_id = $1 AND id = $2 FOR UPDATE",
                                        company_id, job_id);
    if (found.empty()) return make_error(ErrorCode::kNotFound, "recover job not found");
    auto job = job_from_row(found[0]);
    if (!job) return forward_error(job);
    if (job->status != model::RecoverStatus::kRunning) return job;
    pqxx::result webhook =
        tx.exec_params("SELECT status FROM webhooks WHERE company_id = $1 AND id = $2 FOR SHARE", company_id,
                       job->webhook_id);
    job->finished_at = now;
    if (webhook.empty() || text(webhook[0][0]) != "active") {
      job->status = model::RecoverStatus::kFailed;
      job->error = "webhook_not_active";
      save_outcome(tx, *job);
      return job;
    }
    pqxx::result count = tx.exec_params(
        "SELECT COUNT(*) FROM deliveries WHERE company_id = $1 AND webhook_id = $2 AND state = 'exhausted' "
        "AND created_at >= $3",
        company_id, job->webhook_id, to_ms(job->since));
    const int total = static_cast<int>(integer(count[0][0]));
    pqxx::result rows = tx.exec_params("SELECT " + delivery_columns("d") +
                                           " FROM deliveries d WHERE d.company_id = $1 AND d.webhook_id = $2 "
                                           "AND d.state = 'exhausted' AND d.created_at >= $3 "
                                           "ORDER BY d.created_at, d.id LIMIT $4",
                                       company_id, job->webhook_id, to_ms(job->since), max);
    std::vector<model::Delivery> deliveries;
    std::vector<Chain> chains;
    for (const pqxx::row& row : rows) {
      auto original = delivery_from_row(PgRow(row));
      if (!original) return forward_error(original);
      deliveries.push_back(model::redelivery_of(*original, new_id("dlv", now), now));
      chains.push_back(Chain{company_id, job->webhook_id, deliveries.back().ordering_key});
    }
    // As replay: what is queued may sort before its chains' pending
    // deliveries; under the chains' locks each chain's lowest becomes its head.
    std::sort(chains.begin(), chains.end());
    chains.erase(std::unique(chains.begin(), chains.end()), chains.end());
    lock_chains(tx, chains);
    try {
      insert_pending(tx, deliveries, /*paused=*/false);
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, "a recovered delivery id exists");
    }
    normalize_chains(tx, std::move(chains));
    job->status = model::RecoverStatus::kDone;
    job->queued = static_cast<int>(deliveries.size());
    job->total = total;
    job->capped = total > job->queued;
    save_outcome(tx, *job);
    return job;
  });
}

}  // namespace switchboard::store::postgres
