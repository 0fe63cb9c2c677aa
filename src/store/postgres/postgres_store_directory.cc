// PostgresStore: the company directory (agents, departments), and the lookups
// that call.summary enrichment runs inside the ingest transaction.
#include <cstdint>
#include <string>
#include <utility>

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

// Locks the company, then counts: concurrent creates on any node wait for
// the lock and count what the winner inserted, so the limit holds cluster-wide.
Result<void> check_limit(pqxx::work& tx, std::string_view table, const std::string& company_id,
                         int max_per_company, std::string_view what) {
  if (auto locked = lock_company(tx, company_id); !locked) return locked;
  auto count = tx.exec_params(sql("SELECT count(*) FROM ", table, " WHERE company_id = $1"), company_id);
  if (integer(count[0][0]) >= max_per_company) {
    return make_error(ErrorCode::kLimitReached, "the company already has the maximum of " +
                                                    std::to_string(max_per_company) + " " +
                                                    std::string(what));
  }
  return {};
}

// kInvalidArgument unless the agent's department (if any) exists in its
// company. The row is locked FOR KEY SHARE so that a concurrent
// delete_department cannot remove it before this transaction commits (which
// would leave the agent pointing at a deleted department).
Result<void> check_department(pqxx::work& tx, const model::Agent& agent) {
  if (!agent.department_id) return {};
  auto rows = tx.exec_params("SELECT 1 FROM departments WHERE company_id = $1 AND id = $2 FOR KEY SHARE",
                             agent.company_id, *agent.department_id);
  if (rows.empty())
    return make_error(ErrorCode::kInvalidArgument, "no department with id " + *agent.department_id);
  return {};
}

template <typename T, typename FromRow>
Result<Page<T>> list_page(pqxx::work& tx, std::string_view columns, std::string_view table,
                          const std::string& company_id, const PageRequest& page, FromRow from_row) {
  auto rows = tx.exec_params(sql(sql("SELECT ", columns, " FROM "), table,
                                 " WHERE company_id = $1 AND id > $2 ORDER BY id LIMIT $3"),
                             company_id, page.after_id, static_cast<std::int64_t>(page.limit) + 1);
  Page<T> result;
  for (const pqxx::row& row : rows) {
    if (result.items.size() == static_cast<std::size_t>(page.limit)) {
      result.has_more = true;
      break;
    }
    result.items.push_back(from_row(PgRow(row)));
  }
  return result;
}

Result<void> expect_change(const pqxx::result& done, std::string_view not_found) {
  if (done.affected_rows() == 0) return make_error(ErrorCode::kNotFound, std::string(not_found));
  return {};
}

}  // namespace

Result<std::optional<model::Department>> find_department(pqxx::work& tx, const std::string& company_id,
                                                         const std::string& department_id) {
  auto rows = tx.exec_params(
      sql("SELECT ", kDepartmentColumns, " FROM departments WHERE company_id = $1 AND id = $2"), company_id,
      department_id);
  if (rows.empty()) return std::optional<model::Department>();
  return std::optional<model::Department>(department_from_row(PgRow(rows[0])));
}

Result<std::optional<model::Agent>> find_agent(pqxx::work& tx, const std::string& company_id,
                                               const std::string& agent_id) {
  auto rows = tx.exec_params(sql("SELECT ", kAgentColumns, " FROM agents WHERE company_id = $1 AND id = $2"),
                             company_id, agent_id);
  if (rows.empty()) return std::optional<model::Agent>();
  return std::optional<model::Agent>(agent_from_row(PgRow(rows[0])));
}

Result<void> PostgresStore::create_department(const model::Department& department, int max_per_company) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (auto ok = check_limit(tx, "departments", department.company_id, max_per_company, "departments"); !ok)
      return ok;
    try {
      tx.exec_params(sql("INSERT INTO departments (", kDepartmentColumns, ") VALUES ($1, $2, $3, $4, $5)"),
                     department.company_id, department.id, department.name, to_ms(department.created_at),
                     to_ms(department.updated_at));
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, "a department with id " + department.id + " exists");
    }
    return {};
  });
}

Result<model::Department> PostgresStore::get_department(const std::string& company_id,
                                                        const std::string& department_id) {
  return read([&](pqxx::work& tx) -> Result<model::Department> {
    auto found = find_department(tx, company_id, department_id);
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "department not found");
    return std::move(**found);
  });
}

Result<Page<model::Department>> PostgresStore::list_departments(const std::string& company_id,
                                                                const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) {
    return list_page<model::Department>(tx, kDepartmentColumns, "departments", company_id, page,
                                        department_from_row<PgRow>);
  });
}

Result<void> PostgresStore::update_department(const model::Department& department) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    return expect_change(
        tx.exec_params("UPDATE departments SET name = $1, updated_at = $2 WHERE company_id = $3 AND id = $4",
                       department.name, to_ms(department.updated_at), department.company_id, department.id),
        "department not found");
  });
}

Result<void> PostgresStore::delete_department(const std::string& company_id,
                                              const std::string& department_id) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    // Deleting first takes the row lock that concurrent agent writes naming
    // this department (check_department's FOR KEY SHARE) wait on; once we
    // commit they find it gone. Then the agents that already name it are cleared.
    auto removed = tx.exec_params("DELETE FROM departments WHERE company_id = $1 AND id = $2", company_id,
                                  department_id);
    if (auto done = expect_change(removed, "department not found"); !done) return done;
    tx.exec_params("UPDATE agents SET department_id = NULL WHERE company_id = $1 AND department_id = $2",
                   company_id, department_id);
    return {};
  });
}

Result<void> PostgresStore::create_agent(const model::Agent& agent, int max_per_company) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (auto ok = check_limit(tx, "agents", agent.company_id, max_per_company, "agents"); !ok) return ok;
    if (auto ok = check_department(tx, agent); !ok) return ok;
    try {
      tx.exec_params(
          sql("INSERT INTO agents (", kAgentColumns, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
          agent.company_id, agent.id, agent.name, agent.email, agent.extension, agent.number,
          agent.department_id, to_ms(agent.created_at), to_ms(agent.updated_at));
    } catch (const pqxx::unique_violation&) {
      return make_error(ErrorCode::kConflict, "an agent with id " + agent.id + " exists");
    }
    return {};
  });
}

Result<model::Agent> PostgresStore::get_agent(const std::string& company_id, const std::string& agent_id) {
  return read([&](pqxx::work& tx) -> Result<model::Agent> {
    auto found = find_agent(tx, company_id, agent_id);
    if (!found) return forward_error(found);
    if (!*found) return make_error(ErrorCode::kNotFound, "agent not found");
    return std::move(**found);
  });
}

Result<Page<model::Agent>> PostgresStore::list_agents(const std::string& company_id,
                                                      const PageRequest& page) {
  if (auto valid = check_page(page); !valid) return forward_error(valid);
  return read([&](pqxx::work& tx) {
    return list_page<model::Agent>(tx, kAgentColumns, "agents", company_id, page, agent_from_row<PgRow>);
  });
}

Result<void> PostgresStore::update_agent(const model::Agent& agent) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    if (auto ok = check_department(tx, agent); !ok) return ok;
    return expect_change(
        tx.exec_params(
            "UPDATE agents SET name = $1, email = $2, extension = $3, number = $4, department_id = $5, "
            "updated_at = $6 WHERE company_id = $7 AND id = $8",
            agent.name, agent.email, agent.extension, agent.number, agent.department_id,
            to_ms(agent.updated_at), agent.company_id, agent.id),
        "agent not found");
  });
}

Result<void> PostgresStore::delete_agent(const std::string& company_id, const std::string& agent_id) {
  return transact([&](pqxx::work& tx) -> Result<void> {
    return expect_change(
        tx.exec_params("DELETE FROM agents WHERE company_id = $1 AND id = $2", company_id, agent_id),
        "agent not found");
  });
}

}  // namespace switchboard::store::postgres
