// Store: durable state of Switchboard. One interface, two implementations
// (SQLite now, PostgreSQL for cluster mode); the same contract tests run
// against both.
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

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/identity.h"
#include "model/webhook.h"

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

class Store {
 public:
  virtual ~Store() = default;

  // --- companies, users, tokens -------------------------------------------
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

  virtual Result<void> create_token(const model::ApiToken& token) = 0;
  // Resolves a token hash to the principal it authenticates; kNotFound if none.
  virtual Result<model::Principal> find_principal_by_token_hash(const std::string& token_hash) = 0;

  // --- webhooks v2 --------------------------------------------------------
  // kLimitReached when the company already has `max_per_company` webhooks
  // (checked inside the write transaction, so concurrent creates cannot exceed it).
  virtual Result<void> create_webhook(const model::Webhook& webhook, int max_per_company) = 0;
  virtual Result<model::Webhook> get_webhook(const std::string& company_id,
                                             const std::string& webhook_id) = 0;
  virtual Result<Page<model::Webhook>> list_webhooks(const std::string& company_id,
                                                     const PageRequest& page) = 0;
  // Replaces the stored webhook (matched by company_id + id) with `webhook`.
  virtual Result<void> update_webhook(const model::Webhook& webhook) = 0;
  virtual Result<void> delete_webhook(const std::string& company_id, const std::string& webhook_id) = 0;

  // Liveness: the store answers a trivial query.
  virtual Result<void> ping() = 0;
};

}  // namespace switchboard::store
