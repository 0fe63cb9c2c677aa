// SqliteStore: recover jobs (RecoverJobs): a webhook's exhausted deliveries
// resent as new pending deliveries, with the job's final state, in one write.
#include <string>
#include <vector>

#include "common/ids.h"
#include "store/sqlite/sqlite_delivery_queue.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

constexpr std::string_view kJobColumns =
    "id, company_id, webhook_id, since, status, queued, total, capped, error, created_at, finished_at";

Result<model::RecoverJob> job_from_row(const Statement& row) {
  model::RecoverJob job;
  job.id = row.text(0);
  job.company_id = row.text(1);
  job.webhook_id = row.text(2);
  job.since = row.time(3);
  auto status = model::parse_recover_status(row.text(4));
  if (!status) return make_error(ErrorCode::kInternal, "recover job " + job.id + " has an unknown status");
  job.status = *status;
  job.queued = static_cast<int>(row.integer(5));
  job.total = static_cast<int>(row.integer(6));
  job.capped = row.boolean(7);
  job.error = row.text(8);
  job.created_at = row.time(9);
  job.finished_at = row.optional_time(10);
  return job;
}

Result<std::optional<model::RecoverJob>> find_job(Connection& connection, const std::string& company_id,
                                                  const std::string& job_id) {
  auto query = connection.query(
      "SELECT " + std::string(kJobColumns) + " FROM recover_jobs WHERE company_id = ? AND id = ?", company_id,
      job_id);
  if (!query) return forward_error(query);
  auto found = query->step();
  if (!found) return forward_error(found);
  if (!*found) return std::optional<model::RecoverJob>();
  auto job = job_from_row(*query);
  if (!job) return forward_error(job);
  return std::optional<model::RecoverJob>(std::move(*job));
}

Result<void> save_outcome(Connection& connection, const model::RecoverJob& job) {
  auto update = connection.query(
      "UPDATE recover_jobs SET status = ?, queued = ?, total = ?, capped = ?, error = ?, finished_at = ? "
      "WHERE id = ?",
      std::string(model::to_string(job.status)), job.queued, job.total, job.capped, job.error,
      job.finished_at, job.id);
  if (!update) return forward_error(update);
  return update->run();
}

// The webhook's exhausted deliveries since the job's `since`: how many, and the first `max`.
Result<std::vector<model::Delivery>> exhausted_since(Connection& connection, const model::RecoverJob& job,
                                                     int max, int& total) {
  auto count = connection.query(
      "SELECT COUNT(*) FROM deliveries WHERE company_id = ? AND webhook_id = ? AND state = 'exhausted' "
      "AND created_at >= ?",
      job.company_id, job.webhook_id, job.since);
  if (!count) return forward_error(count);
  auto counted = count->step();
  if (!counted) return forward_error(counted);
  total = *counted ? static_cast<int>(count->integer(0)) : 0;
  auto query = connection.query("SELECT " + std::string(kDeliveryColumns) +
                                    " FROM deliveries d WHERE d.company_id = ? AND d.webhook_id = ? "
                                    "AND d.state = 'exhausted' AND d.created_at >= ? "
                                    "ORDER BY d.created_at, d.id LIMIT ?",
                                job.company_id, job.webhook_id, job.since, max);
  if (!query) return forward_error(query);
  std::vector<model::Delivery> out;
  for (;;) {
    auto found = query->step();
    if (!found) return forward_error(found);
    if (!*found) return out;
    auto delivery = delivery_from_row(*query);
    if (!delivery) return forward_error(delivery);
    out.push_back(std::move(*delivery));
  }
}

}  // namespace

Result<void> SqliteStore::create_recover_job(const model::RecoverJob& job) {
  return write([&](Connection& connection) -> Result<void> {
    auto insert = connection.query("INSERT INTO recover_jobs (" + std::string(kJobColumns) +
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   job.id, job.company_id, job.webhook_id, job.since,
                                   std::string(model::to_string(job.status)), job.queued, job.total,
                                   job.capped, job.error, job.created_at, job.finished_at);
    if (!insert) return forward_error(insert);
    auto done = insert->run();
    if (!done && done.error().code == ErrorCode::kNotFound) {
      return make_error(ErrorCode::kNotFound, "webhook not found");
    }
    return done;
  });
}

Result<model::RecoverJob> SqliteStore::get_recover_job(const std::string& company_id,
                                                       const std::string& webhook_id,
                                                       const std::string& job_id) {
  return read([&](Connection& connection) -> Result<model::RecoverJob> {
    auto job = find_job(connection, company_id, job_id);
    if (!job) return forward_error(job);
    if (!*job || (*job)->webhook_id != webhook_id) {
      return make_error(ErrorCode::kNotFound, "recover job not found");
    }
    return std::move(**job);
  });
}

Result<std::vector<model::RecoverJob>> SqliteStore::list_running_recover_jobs(int max) {
  return read([&](Connection& connection) -> Result<std::vector<model::RecoverJob>> {
    auto query =
        connection.query("SELECT " + std::string(kJobColumns) +
                             " FROM recover_jobs WHERE status = 'running' ORDER BY created_at, id LIMIT ?",
                         max);
    if (!query) return forward_error(query);
    std::vector<model::RecoverJob> out;
    for (;;) {
      auto found = query->step();
      if (!found) return forward_error(found);
      if (!*found) return out;
      auto job = job_from_row(*query);
      if (!job) return forward_error(job);
      out.push_back(std::move(*job));
    }
  });
}

Result<model::RecoverJob> SqliteStore::run_recover_job(const std::string& company_id,
                                                       const std::string& job_id, TimePoint now, int max) {
  if (max < 1) return make_error(ErrorCode::kInvalidArgument, "recover needs max >= 1");
  model::RecoverJob result;
  auto written = write([&](Connection& connection) -> Result<void> {
    auto found = find_job(connection, company_id, job_id);
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "recover job not found");
    result = std::move(**found);
    if (result.status != model::RecoverStatus::kRunning) return {};
    auto webhook = connection.query("SELECT status FROM webhooks WHERE company_id = ? AND id = ?", company_id,
                                    result.webhook_id);
    if (!webhook) return forward_error(webhook);
    auto exists = webhook->step();
    if (!exists) return forward_error(exists);
    result.finished_at = now;
    if (!*exists || webhook->text(0) != "active") {
      result.status = model::RecoverStatus::kFailed;
      result.error = "webhook_not_active";
      return save_outcome(connection, result);
    }
    int total = 0;
    auto exhausted = exhausted_since(connection, result, max, total);
    if (!exhausted) return forward_error(exhausted);
    for (const model::Delivery& original : *exhausted) {
      const model::Delivery created = model::redelivery_of(original, new_id("dlv", now), now);
      if (auto queued = insert_pending_delivery(connection, created, /*paused=*/false, now); !queued) {
        return queued;
      }
    }
    result.status = model::RecoverStatus::kDone;
    result.queued = static_cast<int>(exhausted->size());
    result.total = total;
    result.capped = total > result.queued;
    return save_outcome(connection, result);
  });
  if (!written) return forward_error(written);
  return result;
}

}  // namespace switchboard::store::sqlite
