// SqliteStore: companies, users and API tokens.
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

std::string sql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out(a);
  out += b;
  out += c;
  return out;
}

Result<model::ApiToken> find_token(Connection& connection, const std::string& company_id,
                                   const std::string& token_id) {
  auto query =
      connection.query(sql("SELECT ", kTokenColumns, " FROM api_tokens WHERE company_id = ? AND id = ?"),
                       company_id, token_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  if (!*row) return make_error(ErrorCode::kNotFound, "token not found");
  return token_from_row(*query);
}

Result<model::User> find_user(Connection& connection, const std::string& company_id,
                              const std::string& user_id) {
  auto query = connection.query(sql("SELECT ", kUserColumns, " FROM users WHERE company_id = ? AND id = ?"),
                                company_id, user_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  if (!*row) return make_error(ErrorCode::kNotFound, "user not found");
  return user_from_row(*query, 0);
}

Result<void> insert_company(Connection& connection, const model::Company& company) {
  auto insert =
      connection.query(sql("INSERT INTO companies (", kCompanyColumns, ") VALUES (?, ?, ?, ?)"), company.id,
                       company.name, company.managers_can_manage_webhooks, company.created_at);
  if (!insert) return forward_error(insert);
  auto done = insert->run();
  if (!done) {
    return tl::unexpected(messages::explain(done.error(), ErrorCode::kConflict, messages::kCompanyExists));
  }
  return {};
}

Result<void> insert_user(Connection& connection, const model::User& user) {
  auto insert = connection.query(sql("INSERT INTO users (", kUserColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?)"),
                                 user.id, user.company_id, user.name, user.email, role_column(user.role),
                                 user.created_at, user.deactivated_at);
  if (!insert) return forward_error(insert);
  auto done = insert->run();
  if (!done) {
    Error error = messages::explain(done.error(), ErrorCode::kConflict, messages::kUserEmailTaken);
    return tl::unexpected(
        messages::explain(std::move(error), ErrorCode::kNotFound, messages::kCompanyNotFound));
  }
  return {};
}

Result<void> insert_token(Connection& connection, const model::ApiToken& token) {
  if (token.user_id) {
    // A deactivated user gets no new token (checked in the write transaction).
    auto user = find_user(connection, token.company_id, *token.user_id);
    if (!user) {
      return tl::unexpected(user.error().code == ErrorCode::kNotFound
                                ? Error{ErrorCode::kNotFound, messages::kTokenOwnerNotFound}
                                : user.error());
    }
    if (user->deactivated_at) return make_error(ErrorCode::kConflict, "the user is deactivated");
  }
  auto insert = connection.query(
      sql("INSERT INTO api_tokens (", kTokenColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), token.id,
      token.company_id, token.user_id, token_kind_column(token.kind), token.token_hash, token.created_at,
      token.hint, token.expires_at, token.last_used_at, token.revoked_at);
  if (!insert) return forward_error(insert);
  auto done = insert->run();
  if (!done) {
    Error error = messages::explain(done.error(), ErrorCode::kConflict, messages::kTokenExists);
    return tl::unexpected(
        messages::explain(std::move(error), ErrorCode::kNotFound, messages::kTokenOwnerNotFound));
  }
  return {};
}

}  // namespace

Result<void> SqliteStore::create_company(const model::Company& company, const model::User& owner,
                                         const model::ApiToken& owner_token) {
  if (auto valid = check_new_company(company, owner, owner_token); !valid) return valid;
  return write([&](Connection& connection) -> Result<void> {
    if (auto done = insert_company(connection, company); !done) return done;
    if (auto done = insert_user(connection, owner); !done) return done;
    return insert_token(connection, owner_token);
  });
}

Result<std::vector<model::Company>> SqliteStore::list_companies() {
  return read([](Connection& connection) -> Result<std::vector<model::Company>> {
    auto query = connection.prepare(sql("SELECT ", kCompanyColumns, " FROM companies ORDER BY id"));
    if (!query) return forward_error(query);
    std::vector<model::Company> companies;
    for (;;) {
      auto row = query->step();
      if (!row) return forward_error(row);
      if (!*row) return companies;
      companies.push_back(company_from_row(*query));
    }
  });
}

Result<model::Company> SqliteStore::get_company(const std::string& company_id) {
  return read([&](Connection& connection) -> Result<model::Company> {
    auto query =
        connection.query(sql("SELECT ", kCompanyColumns, " FROM companies WHERE id = ?"), company_id);
    if (!query) return forward_error(query);
    auto row = query->step();
    if (!row) return forward_error(row);
    if (!*row) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    return company_from_row(*query);
  });
}

Result<void> SqliteStore::set_managers_can_manage_webhooks(const std::string& company_id, bool allowed) {
  return write([&](Connection& connection) -> Result<void> {
    auto update = connection.query("UPDATE companies SET managers_can_manage_webhooks = ? WHERE id = ?",
                                   allowed, company_id);
    if (!update) return forward_error(update);
    if (auto done = update->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, messages::kCompanyNotFound);
    return {};
  });
}

Result<void> SqliteStore::create_user(const model::User& user, const std::optional<model::ApiToken>& token) {
  if (token) {
    if (auto valid = check_new_user_token(user, *token); !valid) return valid;
  }
  return write([&](Connection& connection) -> Result<void> {
    if (auto done = insert_user(connection, user); !done) return done;
    if (token) return insert_token(connection, *token);
    return {};
  });
}

Result<model::User> SqliteStore::get_user(const std::string& company_id, const std::string& user_id) {
  return read([&](Connection& connection) { return find_user(connection, company_id, user_id); });
}

Result<Page<model::User>> SqliteStore::list_users(const std::string& company_id, const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](Connection& connection) -> Result<Page<model::User>> {
    auto query = connection.query(
        sql("SELECT ", kUserColumns, " FROM users WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?"),
        company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return forward_error(query);
    return read_page<model::User>(*query, page, [](const Statement& row) { return user_from_row(row, 0); });
  });
}

Result<void> SqliteStore::create_token(const model::ApiToken& token) {
  if (auto shape = check_token_shape(token); !shape) return shape;
  return write([&](Connection& connection) { return insert_token(connection, token); });
}

Result<model::Principal> SqliteStore::find_principal_by_token_hash(const std::string& token_hash) {
  return read([&](Connection& connection) -> Result<model::Principal> {
    auto query = connection.query(
        "SELECT t.id, t.company_id, t.kind, t.expires_at, t.last_used_at, t.revoked_at, "
        "u.id, u.company_id, u.name, u.email, u.role, u.created_at, u.deactivated_at "
        "FROM api_tokens t LEFT JOIN users u ON u.company_id = t.company_id AND u.id = t.user_id "
        "WHERE t.token_hash = ?",
        token_hash);
    if (!query) return forward_error(query);
    auto row = query->step();
    if (!row) return forward_error(row);
    if (!*row) return make_error(ErrorCode::kNotFound, "token not found");
    auto kind = token_kind_from_column(query->text(2));
    if (!kind) return make_error(ErrorCode::kInternal, "stored token has an unknown kind");
    model::Principal principal{query->text(1), query->text(0), *kind, std::nullopt};
    principal.expires_at = query->optional_time(3);
    principal.last_used_at = query->optional_time(4);
    principal.revoked_at = query->optional_time(5);
    if (*kind == model::TokenKind::kUser) {
      if (query->is_null(6)) return make_error(ErrorCode::kNotFound, "token not found");  // its user is gone
      auto user = user_from_row(*query, 6);
      if (!user) return forward_error(user);
      principal.user = std::move(*user);
    }
    return principal;
  });
}

Result<model::ApiToken> SqliteStore::get_token(const std::string& company_id, const std::string& token_id) {
  return read([&](Connection& connection) { return find_token(connection, company_id, token_id); });
}

Result<Page<model::ApiToken>> SqliteStore::list_tokens(const std::string& company_id,
                                                       const std::optional<std::string>& user_id,
                                                       const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](Connection& connection) -> Result<Page<model::ApiToken>> {
    auto query =
        user_id
            ? connection.query(sql("SELECT ", kTokenColumns,
                                   " FROM api_tokens WHERE company_id = ? AND user_id = ? AND id > ? "
                                   "ORDER BY id LIMIT ?"),
                               company_id, *user_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1)
            : connection.query(sql("SELECT ", kTokenColumns,
                                   " FROM api_tokens WHERE company_id = ? AND id > ? "
                                   "ORDER BY id LIMIT ?"),
                               company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return forward_error(query);
    return read_page<model::ApiToken>(*query, page, token_from_row<Statement>);
  });
}

Result<model::ApiToken> SqliteStore::revoke_token(const std::string& company_id, const std::string& token_id,
                                                  TimePoint now) {
  model::ApiToken revoked;
  auto done = write([&](Connection& connection) -> Result<void> {
    auto update = connection.query(
        "UPDATE api_tokens SET revoked_at = ? WHERE company_id = ? AND id = ? AND revoked_at IS NULL", now,
        company_id, token_id);
    if (!update) return forward_error(update);
    if (auto ran = update->run(); !ran) return ran;
    auto token = find_token(connection, company_id, token_id);
    if (!token) return forward_error(token);
    revoked = std::move(*token);
    return {};
  });
  if (!done) return forward_error(done);
  return revoked;
}

Result<void> SqliteStore::record_token_use(const std::vector<TokenUse>& uses) {
  if (uses.empty()) return {};
  return write([&](Connection& connection) -> Result<void> {
    for (const TokenUse& use : uses) {
      auto update = connection.query(
          "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < "
          "?)",
          use.at, use.token_id, use.at);
      if (!update) return forward_error(update);
      if (auto ran = update->run(); !ran) return ran;
    }
    return {};
  });
}

Result<model::User> SqliteStore::deactivate_user(const std::string& company_id, const std::string& user_id,
                                                 TimePoint now) {
  model::User deactivated;
  auto done = write([&](Connection& connection) -> Result<void> {
    auto user = find_user(connection, company_id, user_id);
    if (!user) return forward_error(user);
    if (!user->deactivated_at) {
      if (user->role == model::Role::kOwner) {
        auto owners = connection.query(
            "SELECT count(*) FROM users WHERE company_id = ? AND role = 'owner' AND deactivated_at IS NULL "
            "AND id != ?",
            company_id, user_id);
        if (!owners) return forward_error(owners);
        auto row = owners->step();
        if (!row) return forward_error(row);
        if (owners->integer(0) == 0) {
          return make_error(ErrorCode::kConflict, "the company's last active owner cannot be deactivated");
        }
      }
      auto update = connection.query("UPDATE users SET deactivated_at = ? WHERE company_id = ? AND id = ?",
                                     now, company_id, user_id);
      if (!update) return forward_error(update);
      if (auto ran = update->run(); !ran) return ran;
      user->deactivated_at = now;
    }
    // Also when already deactivated: a token that slipped in is revoked now.
    auto revoke = connection.query(
        "UPDATE api_tokens SET revoked_at = ? WHERE company_id = ? AND user_id = ? AND revoked_at IS NULL",
        now, company_id, user_id);
    if (!revoke) return forward_error(revoke);
    if (auto ran = revoke->run(); !ran) return ran;
    deactivated = std::move(*user);
    return {};
  });
  if (!done) return forward_error(done);
  return deactivated;
}

}  // namespace switchboard::store::sqlite
