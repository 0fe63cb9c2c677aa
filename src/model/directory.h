// The company directory: agents and departments that telephony events name by
// id (agent_id, department_id). Used for enrichment of call.summary at ingest
// and for the department/agent webhook filters. Value types, request parsing
// and validation, and the enrichment of an event's data. Pure, no I/O.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "model/webhook_input.h"

namespace switchboard::model {

struct Department {
  std::string id;  // client-chosen (see is_valid_directory_id) or dep_…
  std::string company_id;
  std::string name;
  TimePoint created_at{};
  TimePoint updated_at{};
};

struct Agent {
  std::string id;  // client-chosen or agt_…
  std::string company_id;
  std::string name;
  std::optional<std::string> email;
  std::optional<std::string> extension;
  std::optional<std::string> number;
  std::optional<std::string> department_id;  // a department of the same company
  TimePoint created_at{};
  TimePoint updated_at{};
};

// 1-128 characters of [A-Za-z0-9_.:-]: the ids the telephony side publishes.
bool is_valid_directory_id(std::string_view id);

// POST bodies. `id` is optional (empty when absent: the API generates one);
// unknown fields are refused (400), rule violations listed (422).
InputResult<Department> parse_department_create(const boost::json::value& body);
InputResult<Agent> parse_agent_create(const boost::json::value& body);

// PATCH bodies: fields present replace the current ones (null clears an
// optional agent field); `id` cannot change.
InputResult<Department> parse_department_patch(const boost::json::value& body, const Department& current);
InputResult<Agent> parse_agent_patch(const boost::json::value& body, const Agent& current);

// Whether ingest adds agent{} / department{} from the directory to this event
// type's data (docs/events.md: call.summary only).
bool is_enriched_from_directory(std::string_view event_type);

// `data_json` (a JSON object in to_js_json form) with "agent":{id,name,email,
// extension} and "department":{id,name} appended for the given directory
// entries, in to_js_json form. An object the publisher already sent is kept as
// published; absent optional agent fields are left out. Returns data_json
// unchanged when there is nothing to add.
std::string add_directory_objects(std::string_view data_json, const Agent* agent,
                                  const Department* department);

}  // namespace switchboard::model
