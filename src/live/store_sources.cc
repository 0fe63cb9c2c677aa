#include "live/store_sources.h"

#include "common/result.h"

namespace switchboard::live {

Result<std::vector<std::string>> StoreSources::company_ids() {
  auto companies = identity_.list_companies();
  if (!companies) return forward_error(companies);
  std::vector<std::string> ids;
  ids.reserve(companies->size());
  for (auto& company : *companies) ids.push_back(std::move(company.id));
  return ids;
}

Result<std::vector<model::Event>> StoreSources::list_recent_call_events(const std::string& company_id,
                                                                        TimePoint since, int max) {
  return events_.list_recent_call_events(company_id, since, max);
}

std::string StoreSources::agent_name(const std::string& company_id, const std::string& agent_id) {
  auto agent = directory_.get_agent(company_id, agent_id);
  return agent ? std::move(agent->name) : std::string();
}

std::string StoreSources::department_name(const std::string& company_id, const std::string& department_id) {
  auto department = directory_.get_department(company_id, department_id);
  return department ? std::move(department->name) : std::string();
}

}  // namespace switchboard::live
