// SqliteStore: the company directory (agents, departments), and the lookups
// that call.summary enrichment runs inside the ingest transaction.
#include <cstdint>
#include <string>
#include <utility>

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

Result<std::int64_t> count_rows(Connection& connection, std::string_view table,
                                const std::string& company_id) {
  auto query = connection.query(sql("SELECT count(*) FROM ", table, " WHERE company_id = ?"), company_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  return *row ? query->integer(0) : 0;
}

Result<void> check_limit(Connection& connection, std::string_view table, const std::string& company_id,
                         int max_per_company, std::string_view what) {
  // Counted inside the write transaction: concurrent creates cannot exceed it.
  auto count = count_rows(connection, table, company_id);
  if (!count) return forward_error(count);
  if (*count >= max_per_company) {
    return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                    std::to_string(max_per_company) + " " +
                                                    std::string(what));
  }
  return {};
}

// kInvalidArgument unless the agent's department (if any) exists in its company.
Result<void> check_department(Connection& connection, const model::Agent& agent) {
  if (!agent.department_id) return {};
  auto found = find_department(connection, agent.company_id, *agent.department_id);
  if (!found) return forward_error(found);
  if (!*found)
    return make_error(ErrorCode::kInvalidArgument, "no department with id " + *agent.department_id);
  return {};
}

Result<void> run_and_expect_change(Statement& statement, Connection& connection, std::string_view not_found) {
  if (auto done = statement.run(); !done) return done;
  if (connection.changes() == 0) return make_error(ErrorCode::kNotFound, std::string(not_found));
  return {};
}

template <typename T, typename FromRow>
Result<Page<T>> list_page(Connection& connection, std::string_view columns, std::string_view table,
                          const std::string& company_id, const PageRequest& page, FromRow from_row) {
  auto query = connection.query(
      sql(sql("SELECT ", columns, " FROM "), table, " WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?"),
      company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
  if (!query) return forward_error(query);
  return read_page<T>(*query, page, from_row);
}

}  // namespace

Result<std::optional<model::Department>> find_department(Connection& connection,
                                                         const std::string& company_id,
                                                         const std::string& department_id) {
  auto query = connection.query(
      sql("SELECT ", kDepartmentColumns, " FROM departments WHERE company_id = ? AND id = ?"), company_id,
      department_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  if (!*row) return std::optional<model::Department>();
  return std::optional<model::Department>(department_from_row(*query));
}

Result<std::optional<model::Agent>> find_agent(Connection& connection, const std::string& company_id,
                                               const std::string& agent_id) {
  auto query = connection.query(sql("SELECT ", kAgentColumns, " FROM agents WHERE company_id = ? AND id = ?"),
                                company_id, agent_id);
  if (!query) return forward_error(query);
  auto row = query->step();
  if (!row) return forward_error(row);
  if (!*row) return std::optional<model::Agent>();
  return std::optional<model::Agent>(agent_from_row(*query));
}

Result<void> SqliteStore::create_department(const model::Department& department, int max_per_company) {
  return write([&](Connection& connection) -> Result<void> {
    if (auto ok =
            check_limit(connection, "departments", department.company_id, max_per_company, "departments");
        !ok)
      return ok;
    auto insert = connection.query(
        sql("INSERT INTO departments (", kDepartmentColumns, ") VALUES (?, ?, ?, ?, ?)"),
        department.company_id, department.id, department.name, department.created_at, department.updated_at);
    if (!insert) return forward_error(insert);
    if (auto done = insert->run(); !done) {
      Error error = done.error();
      if (error.code == ErrorCode::kConflict)
        error.message = "a department with id " + department.id + " exists";
      error = messages::explain(std::move(error), ErrorCode::kNotFound, messages::kCompanyNotFound);
      return tl::unexpected(std::move(error));
    }
    return {};
  });
}

Result<model::Department> SqliteStore::get_department(const std::string& company_id,
                                                      const std::string& department_id) {
  return read([&](Connection& connection) -> Result<model::Department> {
    auto found = find_department(connection, company_id, department_id);
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "department not found");
    return std::move(**found);
  });
}

Result<Page<model::Department>> SqliteStore::list_departments(const std::string& company_id,
                                                              const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](Connection& connection) {
    return list_page<model::Department>(connection, kDepartmentColumns, "departments", company_id, page,
                                        department_from_row<Statement>);
  });
}

Result<void> SqliteStore::update_department(const model::Department& department) {
  return write([&](Connection& connection) -> Result<void> {
    auto update =
        connection.query("UPDATE departments SET name = ?, updated_at = ? WHERE company_id = ? AND id = ?",
                         department.name, department.updated_at, department.company_id, department.id);
    if (!update) return forward_error(update);
    return run_and_expect_change(*update, connection, "department not found");
  });
}

Result<void> SqliteStore::delete_department(const std::string& company_id, const std::string& department_id) {
  return write([&](Connection& connection) -> Result<void> {
    auto remove = connection.query("DELETE FROM departments WHERE company_id = ? AND id = ?", company_id,
                                   department_id);
    if (!remove) return forward_error(remove);
    if (auto done = run_and_expect_change(*remove, connection, "department not found"); !done) return done;
    auto clear =
        connection.query("UPDATE agents SET department_id = NULL WHERE company_id = ? AND department_id = ?",
                         company_id, department_id);
    if (!clear) return forward_error(clear);
    return clear->run();
  });
}

Result<void> SqliteStore::create_agent(const model::Agent& agent, int max_per_company) {
  return write([&](Connection& connection) -> Result<void> {
    if (auto ok = check_limit(connection, "agents", agent.company_id, max_per_company, "agents"); !ok)
      return ok;
    if (auto ok = check_department(connection, agent); !ok) return ok;
    auto insert =
        connection.query(sql("INSERT INTO agents (", kAgentColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                         agent.company_id, agent.id, agent.name, agent.email, agent.extension, agent.number,
                         agent.department_id, agent.created_at, agent.updated_at);
    if (!insert) return forward_error(insert);
    if (auto done = insert->run(); !done) {
      Error error = done.error();
      if (error.code == ErrorCode::kConflict) error.message = "an agent with id " + agent.id + " exists";
      error = messages::explain(std::move(error), ErrorCode::kNotFound, messages::kCompanyNotFound);
      return tl::unexpected(std::move(error));
    }
    return {};
  });
}

Result<model::Agent> SqliteStore::get_agent(const std::string& company_id, const std::string& agent_id) {
  return read([&](Connection& connection) -> Result<model::Agent> {
    auto found = find_agent(connection, company_id, agent_id);
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "agent not found");
    return std::move(**found);
  });
}

Result<Page<model::Agent>> SqliteStore::list_agents(const std::string& company_id, const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](Connection& connection) {
    return list_page<model::Agent>(connection, kAgentColumns, "agents", company_id, page,
                                   agent_from_row<Statement>);
  });
}

Result<void> SqliteStore::update_agent(const model::Agent& agent) {
  return write([&](Connection& connection) -> Result<void> {
    if (auto ok = check_department(connection, agent); !ok) return ok;
    auto update = connection.query(
        "UPDATE agents SET name = ?, email = ?, extension = ?, number = ?, department_id = ?, updated_at = ? "
        "WHERE company_id = ? AND id = ?",
        agent.name, agent.email, agent.extension, agent.number, agent.department_id, agent.updated_at,
        agent.company_id, agent.id);
    if (!update) return forward_error(update);
    return run_and_expect_change(*update, connection, "agent not found");
  });
}

Result<void> SqliteStore::delete_agent(const std::string& company_id, const std::string& agent_id) {
  return write([&](Connection& connection) -> Result<void> {
    auto remove =
        connection.query("DELETE FROM agents WHERE company_id = ? AND id = ?", company_id, agent_id);
    if (!remove) return forward_error(remove);
    return run_and_expect_change(*remove, connection, "agent not found");
  });
}

}  // namespace switchboard::store::sqlite
