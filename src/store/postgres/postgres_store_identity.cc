// PostgresStore: companies, users and API tokens.
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {
namespace {

std::string sql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out(a);
  out += b;
  out += c;
  return out;
}

Result<model::ApiToken> find_token(pqxx::work& tx, const std::string& company_id,
                                   const std::string& token_id) {
  auto rows =
      tx.exec_params(sql("SELECT ", kTokenColumns, " FROM api_tokens WHERE company_id = $1 AND id = $2"),
                     company_id, token_id);
  if (rows.empty()) return make_error(ErrorCode::kNotFound, "token not found");
  return token_from_row(PgRow(rows[0]));
}

// `lock`: FOR UPDATE, so that the row cannot change until the transaction ends.
Result<model::User> find_user(pqxx::work& tx, const std::string& company_id, const std::string& user_id,
                              bool lock = false) {
  std::string query = sql("SELECT ", kUserColumns, " FROM users WHERE company_id = $1 AND id = $2");
  if (lock) query += " FOR UPDATE";
  auto rows = tx.exec_params(query, company_id, user_id);
  if (rows.empty()) return make_error(ErrorCode::kNotFound, "user not found");
  return user_from_row(PgRow(rows[0]), 0);
}

Result<void> insert_company(pqxx::work& tx, const model::Company& company) {
  try {
    tx.exec_params(sql("INSERT INTO companies (", kCompanyColumns, ") VALUES ($1, $2, $3, $4)"), company.id,
                   company.name, company.managers_can_manage_webhooks, to_ms(company.created_at));
  } catch (const pqxx::unique_violation&) {
    return make_error(ErrorCode::kConflict, messages::kCompanyExists);
  }
  return {};
}

Result<void> insert_user(pqxx::work& tx, const model::User& user) {
  try {
    tx.exec_params(sql("INSERT INTO users (", kUserColumns, ") VALUES ($1, $2, $3, $4, $5, $6, $7)"), user.id,
                   user.company_id, user.name, user.email, std::string(role_column(user.role)),
                   to_ms(user.created_at), to_ms(user.deactivated_at));
  } catch (const pqxx::unique_violation& e) {
    // Two nodes adding the same email race on the unique index; the loser lands here.
    if (std::string_view(e.what()).find("users_company_email") != std::string_view::npos) {
      return make_error(ErrorCode::kConflict, messages::kUserEmailTaken);
    }
    return make_error(ErrorCode::kConflict, messages::kUserExists);
  } catch (const pqxx::foreign_key_violation&) {
    return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
  }
  return {};
}

Result<void> insert_token(pqxx::work& tx, const model::ApiToken& token) {
  if (token.user_id) {
    // A deactivated user gets no new token. The user row is locked (FOR SHARE)
    // so a deactivation running at the same time waits for this insert and
    // then revokes the new token with the others.
    auto rows = tx.exec_params("SELECT deactivated_at FROM users WHERE company_id = $1 AND id = $2 FOR SHARE",
                               token.company_id, *token.user_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, messages::kTokenOwnerNotFound);
    if (!rows[0][0].is_null()) return make_error(ErrorCode::kConflict, "the user is deactivated");
  }
  try {
    tx.exec_params(
        sql("INSERT INTO api_tokens (", kTokenColumns, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
        token.id, token.company_id, token.user_id, std::string(token_kind_column(token.kind)),
        token.token_hash, to_ms(token.created_at), token.hint, to_ms(token.expires_at),
        to_ms(token.last_used_at), to_ms(token.revoked_at));
  } catch (const pqxx::unique_violation&) {
    return make_error(ErrorCode::kConflict, messages::kTokenExists);
  } catch (const pqxx::foreign_key_violation&) {
    return make_error(ErrorCode::kNotFound, messages::kTokenOwnerNotFound);
  }
  return {};
}

}  // namespace

Result<void> PostgresStore::create_company(const model::Company& company, const model::User& owner,
                                           const model::ApiToken& owner_token) {
  if (auto valid = check_new_company(company, owner, owner_token); !valid) return valid;
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (auto done = insert_company(tx, company); !done) return done;
    if (auto done = insert_user(tx, owner); !done) return done;
    return insert_token(tx, owner_token);
  });
}

Result<std::vector<model::Company>> PostgresStore::list_companies() {
  return read([](pqxx::work& tx) -> Result<std::vector<model::Company>> {
    std::vector<model::Company> companies;
    for (const pqxx::row& row : tx.exec(sql("SELECT ", kCompanyColumns, " FROM companies ORDER BY id"))) {
      companies.push_back(company_from_row(PgRow(row)));
    }
    return companies;
  });
}

Result<model::Company> PostgresStore::get_company(const std::string& company_id) {
  return read([&](pqxx::work& tx) -> Result<model::Company> {
    auto rows = tx.exec_params(sql("SELECT ", kCompanyColumns, " FROM companies WHERE id = $1"), company_id);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    return company_from_row(PgRow(rows[0]));
  });
}

Result<void> PostgresStore::set_managers_can_manage_webhooks(const std::string& company_id, bool allowed) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    auto done = tx.exec_params("UPDATE companies SET managers_can_manage_webhooks = $1 WHERE id = $2",
                               allowed, company_id);
    if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    return {};
  });
}

Result<void> PostgresStore::create_user(const model::User& user,
                                        const std::optional<model::ApiToken>& token) {
  if (token) {
    if (auto valid = check_new_user_token(user, *token); !valid) return valid;
  }
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (auto done = insert_user(tx, user); !done) return done;
    if (token) return insert_token(tx, *token);
    return {};
  });
}

Result<model::User> PostgresStore::get_user(const std::string& company_id, const std::string& user_id) {
  return read([&](pqxx::work& tx) { return find_user(tx, company_id, user_id); });
}

Result<Page<model::User>> PostgresStore::list_users(const std::string& company_id, const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) -> Result<Page<model::User>> {
    auto rows = tx.exec_params(
        sql("SELECT ", kUserColumns, " FROM users WHERE company_id = $1 AND id > $2 ORDER BY id LIMIT $3"),
        company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    Page<model::User> result;
    for (const pqxx::row& row : rows) {
      if (result.items.size() == static_cast<std::size_t>(page.limit)) {
        result.has_more = true;
        break;
      }
      auto user = user_from_row(PgRow(row), 0);
      if (!user) return forward_error(user);
      result.items.push_back(std::move(*user));
    }
    return result;
  });
}

Result<void> PostgresStore::create_token(const model::ApiToken& token) {
  if (auto shape = check_token_shape(token); !shape) return shape;
  return transact([&](pqxx::work& tx) { return insert_token(tx, token); });
}

Result<model::Principal> PostgresStore::find_principal_by_token_hash(const std::string& token_hash) {
  return read([&](pqxx::work& tx) -> Result<model::Principal> {
    auto rows = tx.exec_params(
        "SELECT t.id, t.company_id, t.kind, t.expires_at, t.last_used_at, t.revoked_at, "
        "u.id, u.company_id, u.name, u.email, u.role, u.created_at, u.deactivated_at "
        "FROM api_tokens t LEFT JOIN users u ON u.company_id = t.company_id AND u.id = t.user_id "
        "WHERE t.token_hash = $1",
        token_hash);
    if (rows.empty()) return make_error(ErrorCode::kNotFound, "token not found");
    const pqxx::row& row = rows[0];
    auto kind = token_kind_from_column(row[2].c_str());
    if (!kind) return make_error(ErrorCode::kInternal, "stored token has an unknown kind");
    model::Principal principal{text(row[1]), text(row[0]), *kind, std::nullopt};
    principal.expires_at = optional_time(row[3]);
    principal.last_used_at = optional_time(row[4]);
    principal.revoked_at = optional_time(row[5]);
    if (*kind == model::TokenKind::kUser) {
      if (row[6].is_null()) return make_error(ErrorCode::kNotFound, "token not found");  // its user is gone
      auto user = user_from_row(PgRow(row), 6);
      if (!user) return forward_error(user);
      principal.user = std::move(*user);
    }
    return principal;
  });
}

Result<model::ApiToken> PostgresStore::get_token(const std::string& company_id, const std::string& token_id) {
  return read([&](pqxx::work& tx) { return find_token(tx, company_id, token_id); });
}

Result<Page<model::ApiToken>> PostgresStore::list_tokens(const std::string& company_id,
                                                         const std::optional<std::string>& user_id,
                                                         const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) -> Result<Page<model::ApiToken>> {
    const auto limit = static_cast<std::int64_t>(page.limit) + 1;
    auto rows =
        user_id ? tx.exec_params(sql("SELECT ", kTokenColumns,
                                     " FROM api_tokens WHERE company_id = $1 AND user_id = $2 AND id > $3 "
                                     "ORDER BY id LIMIT $4"),
                                 company_id, *user_id, page.after_id, limit)
                : tx.exec_params(sql("SELECT ", kTokenColumns,
                                     " FROM api_tokens WHERE company_id = $1 AND id > $2 "
                                     "ORDER BY id LIMIT $3"),
                                 company_id, page.after_id, limit);
    Page<model::ApiToken> result;
    for (const pqxx::row& row : rows) {
      if (result.items.size() == static_cast<std::size_t>(page.limit)) {
        result.has_more = true;
        break;
      }
      auto token = token_from_row(PgRow(row));
      if (!token) return forward_error(token);
      result.items.push_back(std::move(*token));
    }
    return result;
  });
}

Result<model::ApiToken> PostgresStore::revoke_token(const std::string& company_id,
                                                    const std::string& token_id, TimePoint now) {
  return transact([&](pqxx::work& tx) -> Result<model::ApiToken> {
    tx.exec_params(
        "UPDATE api_tokens SET revoked_at = $1 WHERE company_id = $2 AND id = $3 AND revoked_at IS NULL",
        to_ms(now), company_id, token_id);
    return find_token(tx, company_id, token_id);
  });
}

Result<void> PostgresStore::record_token_use(const std::vector<TokenUse>& uses) {
  if (uses.empty()) return {};
  return transact([&](pqxx::work& tx) -> Result<void> {
    for (const TokenUse& use : uses) {
      tx.exec_params(
          "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < "
          "$1)",
          to_ms(use.at), use.token_id);
    }
    return {};
  });
}

Result<model::User> PostgresStore::deactivate_user(const std::string& company_id, const std::string& user_id,
                                                   TimePoint now) {
  return transact([&](pqxx::work& tx) -> Result<model::User> {
    // One deactivation per company at a time: two owners deactivating each
    // other at once must not leave the company without an active owner.
    tx.exec_params("SELECT 1 FROM companies WHERE id = $1 FOR UPDATE", company_id);
    auto user = find_user(tx, company_id, user_id, /*lock=*/true);
    if (!user) return user;
    if (!user->deactivated_at) {
      if (user->role == model::Role::kOwner) {
        auto others = tx.exec_params(
            "SELECT count(*) FROM users WHERE company_id = $1 AND role = 'owner' AND deactivated_at IS NULL "
            "AND id <> $2",
            company_id, user_id);
        if (others[0][0].as<std::int64_t>() == 0) {
          return make_error(ErrorCode::kConflict, "the company's last active owner cannot be deactivated");
        }
      }
      tx.exec_params("UPDATE users SET deactivated_at = $1 WHERE company_id = $2 AND id = $3", to_ms(now),
                     company_id, user_id);
      user->deactivated_at = now;
    }
    // Also when already deactivated: a token that slipped in is revoked now.
    tx.exec_params(
        "UPDATE api_tokens SET revoked_at = $1 WHERE company_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        to_ms(now), company_id, user_id);
    return user;
  });
}

}  // namespace switchboard::store::postgres
