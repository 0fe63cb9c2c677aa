// SqliteStore: companies, users and API tokens.
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/column_codec.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

constexpr std::string_view kCompanyColumns = "id, name, managers_can_manage_webhooks, created_at";
constexpr std::string_view kUserColumns = "id, company_id, name, email, role, created_at, deactivated_at";
constexpr std::string_view kTokenColumns =
    "id, company_id, user_id, kind, token_hash, created_at, hint, expires_at, last_used_at, revoked_at";

std::string sql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out(a);
  out += b;
  out += c;
  return out;
}

// Replaces the generic message of `error` when it has the given code.
Error explain(Error error, ErrorCode code, std::string_view message) {
  if (error.code == code) error.message = std::string(message);
  return error;
}

model::Company company_from_row(const Statement& row) {
  return model::Company{row.text(0), row.text(1), row.boolean(2), row.time(3)};
}

// Reads kUserColumns starting at column `first`.
Result<model::User> user_from_row(const Statement& row, int first) {
  auto role = role_from_column(row.text(first + 4));
  if (!role) return make_error(ErrorCode::kInternal, "stored user has an unknown role");
  return model::User{row.text(first), row.text(first + 1), row.text(first + 2),         row.text(first + 3),
                     *role,           row.time(first + 5), row.optional_time(first + 6)};
}

Result<model::ApiToken> token_from_row(const Statement& row) {
  auto kind = token_kind_from_column(row.text(3));
  if (!kind) return make_error(ErrorCode::kInternal, "stored token has an unknown kind");
  model::ApiToken token{row.text(0), row.text(1), row.optional_text(2), *kind, row.text(4), row.time(5)};
  token.hint = row.text(6);
  token.expires_at = row.optional_time(7);
  token.last_used_at = row.optional_time(8);
  token.revoked_at = row.optional_time(9);
  return token;
}

Result<model::ApiToken> find_token(Connection& connection, const std::string& company_id,
                                   const std::string& token_id) {
  auto query =
      connection.query(sql("SELECT ", kTokenColumns, " FROM api_tokens WHERE company_id = ? AND id = ?"),
                       company_id, token_id);
  if (!query) return tl::unexpected(query.error());
  auto row = query->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return make_error(ErrorCode::kNotFound, "token not found");
  return token_from_row(*query);
}

Result<model::User> find_user(Connection& connection, const std::string& company_id,
                              const std::string& user_id) {
  auto query = connection.query(sql("SELECT ", kUserColumns, " FROM users WHERE company_id = ? AND id = ?"),
                                company_id, user_id);
  if (!query) return tl::unexpected(query.error());
  auto row = query->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return make_error(ErrorCode::kNotFound, "user not found");
  return user_from_row(*query, 0);
}

Result<void> insert_company(Connection& connection, const model::Company& company) {
  auto insert =
      connection.query(sql("INSERT INTO companies (", kCompanyColumns, ") VALUES (?, ?, ?, ?)"), company.id,
                       company.name, company.managers_can_manage_webhooks, company.created_at);
  if (!insert) return tl::unexpected(insert.error());
  auto done = insert->run();
  if (!done) {
    return tl::unexpected(
        explain(done.error(), ErrorCode::kConflict, "a company with this id already exists"));
  }
  return {};
}

Result<void> insert_user(Connection& connection, const model::User& user) {
  auto insert = connection.query(sql("INSERT INTO users (", kUserColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?)"),
                                 user.id, user.company_id, user.name, user.email, role_column(user.role),
                                 user.created_at, user.deactivated_at);
  if (!insert) return tl::unexpected(insert.error());
  auto done = insert->run();
  if (!done) {
    Error error =
        explain(done.error(), ErrorCode::kConflict, "a user with this email already exists in the company");
    return tl::unexpected(explain(std::move(error), ErrorCode::kNotFound, "company not found"));
  }
  return {};
}

Result<void> check_token_shape(const model::ApiToken& token) {
  if ((token.kind == model::TokenKind::kUser) != token.user_id.has_value()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a user token needs a user_id and an ingest token must not have one");
  }
  return {};
}

Result<void> insert_token(Connection& connection, const model::ApiToken& token) {
  if (token.user_id) {
    // A deactivated user gets no new token (checked in the write transaction).
    auto user = find_user(connection, token.company_id, *token.user_id);
    if (!user) {
      return tl::unexpected(user.error().code == ErrorCode::kNotFound
                                ? Error{ErrorCode::kNotFound, "the token's company or user was not found"}
                                : user.error());
    }
    if (user->deactivated_at) return make_error(ErrorCode::kConflict, "the user is deactivated");
  }
  auto insert = connection.query(
      sql("INSERT INTO api_tokens (", kTokenColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), token.id,
      token.company_id, token.user_id, token_kind_column(token.kind), token.token_hash, token.created_at,
      token.hint, token.expires_at, token.last_used_at, token.revoked_at);
  if (!insert) return tl::unexpected(insert.error());
  auto done = insert->run();
  if (!done) {
    Error error = explain(done.error(), ErrorCode::kConflict, "a token with this id or hash already exists");
    return tl::unexpected(
        explain(std::move(error), ErrorCode::kNotFound, "the token's company or user was not found"));
  }
  return {};
}

}  // namespace

Result<void> SqliteStore::create_company(const model::Company& company, const model::User& owner,
                                         const model::ApiToken& owner_token) {
  if (owner.company_id != company.id || owner_token.company_id != company.id) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the owner and the owner's token must belong to the new company");
  }
  if (auto shape = check_token_shape(owner_token); !shape) return shape;
  return write([&](Connection& connection) -> Result<void> {
    if (auto done = insert_company(connection, company); !done) return done;
    if (auto done = insert_user(connection, owner); !done) return done;
    return insert_token(connection, owner_token);
  });
}

Result<std::vector<model::Company>> SqliteStore::list_companies() {
  return read([](Connection& connection) -> Result<std::vector<model::Company>> {
    auto query = connection.prepare(sql("SELECT ", kCompanyColumns, " FROM companies ORDER BY id"));
    if (!query) return tl::unexpected(query.error());
    std::vector<model::Company> companies;
    for (;;) {
      auto row = query->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return companies;
      companies.push_back(company_from_row(*query));
    }
  });
}

Result<model::Company> SqliteStore::get_company(const std::string& company_id) {
  return read([&](Connection& connection) -> Result<model::Company> {
    auto query =
        connection.query(sql("SELECT ", kCompanyColumns, " FROM companies WHERE id = ?"), company_id);
    if (!query) return tl::unexpected(query.error());
    auto row = query->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return make_error(ErrorCode::kNotFound, "company not found");
    return company_from_row(*query);
  });
}

Result<void> SqliteStore::set_managers_can_manage_webhooks(const std::string& company_id, bool allowed) {
  return write([&](Connection& connection) -> Result<void> {
    auto update = connection.query("UPDATE companies SET managers_can_manage_webhooks = ? WHERE id = ?",
                                   allowed, company_id);
    if (!update) return tl::unexpected(update.error());
    if (auto done = update->run(); !done) return done;
    if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, "company not found");
    return {};
  });
}

Result<void> SqliteStore::create_user(const model::User& user, const std::optional<model::ApiToken>& token) {
  if (token) {
    if (token->company_id != user.company_id || token->user_id != user.id) {
      return make_error(ErrorCode::kInvalidArgument, "the token must belong to the new user");
    }
    if (auto shape = check_token_shape(*token); !shape) return shape;
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
  if (auto valid = check_page(page); !valid) return tl::unexpected(valid.error());
  return read([&](Connection& connection) -> Result<Page<model::User>> {
    auto query = connection.query(
        sql("SELECT ", kUserColumns, " FROM users WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?"),
        company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return tl::unexpected(query.error());
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
    if (!query) return tl::unexpected(query.error());
    auto row = query->step();
    if (!row) return tl::unexpected(row.error());
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
      if (!user) return tl::unexpected(user.error());
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
  if (auto valid = check_page(page); !valid) return tl::unexpected(valid.error());
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
    if (!query) return tl::unexpected(query.error());
    return read_page<model::ApiToken>(*query, page, token_from_row);
  });
}

Result<model::ApiToken> SqliteStore::revoke_token(const std::string& company_id, const std::string& token_id,
                                                  TimePoint now) {
  model::ApiToken revoked;
  auto done = write([&](Connection& connection) -> Result<void> {
    auto update = connection.query(
        "UPDATE api_tokens SET revoked_at = ? WHERE company_id = ? AND id = ? AND revoked_at IS NULL", now,
        company_id, token_id);
    if (!update) return tl::unexpected(update.error());
    if (auto ran = update->run(); !ran) return ran;
    auto token = find_token(connection, company_id, token_id);
    if (!token) return tl::unexpected(token.error());
    revoked = std::move(*token);
    return {};
  });
  if (!done) return tl::unexpected(done.error());
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
      if (!update) return tl::unexpected(update.error());
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
    if (!user) return tl::unexpected(user.error());
    if (!user->deactivated_at) {
      if (user->role == model::Role::kOwner) {
        auto owners = connection.query(
            "SELECT count(*) FROM users WHERE company_id = ? AND role = 'owner' AND deactivated_at IS NULL "
            "AND id != ?",
            company_id, user_id);
        if (!owners) return tl::unexpected(owners.error());
        auto row = owners->step();
        if (!row) return tl::unexpected(row.error());
        if (owners->integer(0) == 0) {
          return make_error(ErrorCode::kConflict, "the company's last active owner cannot be deactivated");
        }
      }
      auto update = connection.query("UPDATE users SET deactivated_at = ? WHERE company_id = ? AND id = ?",
                                     now, company_id, user_id);
      if (!update) return tl::unexpected(update.error());
      if (auto ran = update->run(); !ran) return ran;
      user->deactivated_at = now;
    }
    // Also when already deactivated: a token that slipped in is revoked now.
    auto revoke = connection.query(
        "UPDATE api_tokens SET revoked_at = ? WHERE company_id = ? AND user_id = ? AND revoked_at IS NULL",
        now, company_id, user_id);
    if (!revoke) return tl::unexpected(revoke.error());
    if (auto ran = revoke->run(); !ran) return ran;
    deactivated = std::move(*user);
    return {};
  });
  if (!done) return tl::unexpected(done.error());
  return deactivated;
}

}  // namespace switchboard::store::sqlite
