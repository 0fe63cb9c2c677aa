// DirectoryCache: the directory entries ingest enrichment looks up (agent{}
// and department{} added to call.summary), read once per (company, id) per
// ingest_events() call, so that a batch of call summaries naming the same few
// agents costs one query per distinct id. Inside the write transaction the
// directory cannot change. Shared by both stores: `Session` is the store's
// connection or transaction type, and the lookups are the store's own.
//
// Thread-safety: one per ingest_events() call, used by one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/result.h"
#include "model/directory.h"
#include "store/store.h"

namespace switchboard::store {

template <typename Session>
class DirectoryCache {
 public:
  using FindAgent = Result<std::optional<model::Agent>> (*)(Session&, const std::string& company_id,
                                                            const std::string& agent_id);
  using FindDepartment = Result<std::optional<model::Department>> (*)(Session&, const std::string& company_id,
                                                                      const std::string& department_id);

  DirectoryCache(FindAgent find_agent, FindDepartment find_department)
      : find_agent_(find_agent), find_department_(find_department) {}

  // The event's data with agent{} / department{} from the directory when
  // asked for (NewEvent::enrich_from_directory); unknown ids leave it as
  // published.
  Result<std::string> enriched_data(Session& session, const NewEvent& in) {
    if (!in.enrich_from_directory) return in.data_json;
    const std::string& company_id = in.event.company_id;
    auto agent = lookup(agents_, company_id, in.attributes.agent_id,
                        [&] { return find_agent_(session, company_id, in.attributes.agent_id); });
    if (!agent) return forward_error(agent);
    auto department = lookup(departments_, company_id, in.attributes.department_id, [&] {
      return find_department_(session, company_id, in.attributes.department_id);
    });
    if (!department) return forward_error(department);
    return model::add_directory_objects(in.data_json, *agent, *department);
  }

 private:
  template <typename T>
  using Map = std::map<std::pair<std::string, std::string>, std::optional<T>>;

  template <typename T, typename Find>
  static Result<const T*> lookup(Map<T>& map, const std::string& company_id, const std::string& id,
                                 Find find) {
    if (id.empty()) return static_cast<const T*>(nullptr);
    auto key = std::make_pair(company_id, id);
    auto it = map.find(key);
    if (it == map.end()) {
      auto found = find();
      if (!found) return forward_error(found);
      it = map.emplace(std::move(key), std::move(*found)).first;
    }
    return it->second ? &*it->second : static_cast<const T*>(nullptr);
  }

  FindAgent find_agent_;
  FindDepartment find_department_;
  Map<model::Agent> agents_;
  Map<model::Department> departments_;
};

}  // namespace switchboard::store
