// SqliteStore: companies, users and API tokens.
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/column_codec.h"
#include "store/sqlite/sqlite_store_impl.h"

namespace switchboard::store::sqlite {
namespace {

constexpr std::string_view kCompanyColumns = "id, name, managers_can_manage_webhooks, created_at";
constexpr std::string_view kUserColumns = "id, company_id, name, email, role, created_at";

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
  return model::User{row.text(first), row.text(first + 1), row.text(first + 2), row.text(first + 3),
                     *role,           row.time(first + 5)};
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
  auto insert =
      connection.query(sql("INSERT INTO users (", kUserColumns, ") VALUES (?, ?, ?, ?, ?, ?)"), user.id,
                       user.company_id, user.name, user.email, role_column(user.role), user.created_at);
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
  auto insert = connection.query(
      "INSERT INTO api_tokens (id, company_id, user_id, kind, token_hash, created_at) VALUES (?, ?, ?, ?, ?, "
      "?)",
      token.id, token.company_id, token.user_id, token_kind_column(token.kind), token.token_hash,
      token.created_at);
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
  return read([&](Connection& connection) -> Result<model::User> {
    auto query = connection.query(sql("SELECT ", kUserColumns, " FROM users WHERE company_id = ? AND id = ?"),
                                  company_id, user_id);
    if (!query) return tl::unexpected(query.error());
    auto row = query->step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return make_error(ErrorCode::kNotFound, "user not found");
    return user_from_row(*query, 0);
  });
}

Result<Page<model::User>> SqliteStore::list_users(const std::string& company_id, const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return tl::unexpected(valid.error());
  return read([&](Connection& connection) -> Result<Page<model::User>> {
    auto query = connection.query(
        sql("SELECT ", kUserColumns, " FROM users WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?"),
        company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
    if (!query) return tl::unexpected(query.error());
    Page<model::User> result;
    for (;;) {
      auto row = query->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) return result;
      if (result.items.size() == static_cast<std::size_t>(page.limit)) {
        result.has_more = true;
        return result;
      }
      auto user = user_from_row(*query, 0);
      if (!user) return tl::unexpected(user.error());
      result.items.push_back(std::move(*user));
    }
  });
}

Result<void> SqliteStore::create_token(const model::ApiToken& token) {
  if (auto shape = check_token_shape(token); !shape) return shape;
  return write([&](Connection& connection) { return insert_token(connection, token); });
}

Result<model::Principal> SqliteStore::find_principal_by_token_hash(const std::string& token_hash) {
  return read([&](Connection& connection) -> Result<model::Principal> {
    auto query = connection.query(
        "SELECT t.id, t.company_id, t.kind, u.id, u.company_id, u.name, u.email, u.role, u.created_at "
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
    if (*kind == model::TokenKind::kUser) {
      if (query->is_null(3)) return make_error(ErrorCode::kNotFound, "token not found");  // its user is gone
      auto user = user_from_row(*query, 3);
      if (!user) return tl::unexpected(user.error());
      principal.user = std::move(*user);
    }
    return principal;
  });
}

}  // namespace switchboard::store::sqlite
