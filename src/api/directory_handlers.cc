// Directory routes (api.md "Bootstrap and identity"): agents and departments
// of the company, named by the ids the telephony side publishes in events.
// Writes: owner and admin (model::Action::kManageDirectory); reads: every
// signed-in user of the company, not ingest tokens (kReadDirectory).
#include <boost/json.hpp>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/request_json.h"
#include "common/ids.h"
#include "common/time_format.h"
#include "model/directory.h"
#include "model/error_codes.h"
#include "model/limits.h"

namespace switchboard::api {

namespace json = boost::json;

namespace {

json::value optional_json(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object department_json(const model::Department& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"created_at", format_rfc3339(d.created_at)},
          {"updated_at", format_rfc3339(d.updated_at)}};
}

json::object agent_json(const model::Agent& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"email", optional_json(a.email)},
          {"extension", optional_json(a.extension)},
          {"number", optional_json(a.number)},
          {"department_id", optional_json(a.department_id)},
          {"created_at", format_rfc3339(a.created_at)},
          {"updated_at", format_rfc3339(a.updated_at)}};
}

// The answers a directory write gives for store errors that name a field.
Response write_error(const Error& error, std::string_view what) {
  switch (error.code) {
    case ErrorCode::kConflict:
      return error_response(409, error_codes::kConflict,
                            "This " + std::string(what) + " id is already taken.", "id");
    case ErrorCode::kInvalidArgument:
      return error_response(422, error_codes::kUnknownDepartment,
                            "department_id names no department of this company.", "department_id");
    default:
      return error_response(error);
  }
}

// The resource-specific parts of the generic handlers below.
struct DepartmentKind {
  using T = model::Department;
  static constexpr std::string_view kPrefix = "dep";
  static constexpr std::string_view kName = "department";
  static constexpr int kMax = model::limits::kMaxDepartmentsPerCompany;
  static auto parse_create(const json::value& v) { return model::parse_department_create(v); }
  static auto parse_patch(const json::value& v, const T& t) { return model::parse_department_patch(v, t); }
  static json::object to_json(const T& t) { return department_json(t); }
  static auto create(store::DirectoryStore& s, const T& t) { return s.create_department(t, kMax); }
  static auto get(store::DirectoryStore& s, const std::string& c, const std::string& id) {
    return s.get_department(c, id);
  }
  static auto list(store::DirectoryStore& s, const std::string& c, const store::PageRequest& p) {
    return s.list_departments(c, p);
  }
  static auto update(store::DirectoryStore& s, const T& t) { return s.update_department(t); }
  static auto remove(store::DirectoryStore& s, const std::string& c, const std::string& id) {
    return s.delete_department(c, id);
  }
};

struct AgentKind {
  using T = model::Agent;
  static constexpr std::string_view kPrefix = "agt";
  static constexpr std::string_view kName = "agent";
  static constexpr int kMax = model::limits::kMaxAgentsPerCompany;
  static auto parse_create(const json::value& v) { return model::parse_agent_create(v); }
  static auto parse_patch(const json::value& v, const T& t) { return model::parse_agent_patch(v, t); }
  static json::object to_json(const T& t) { return agent_json(t); }
  static auto create(store::DirectoryStore& s, const T& t) { return s.create_agent(t, kMax); }
  static auto get(store::DirectoryStore& s, const std::string& c, const std::string& id) {
    return s.get_agent(c, id);
  }
  static auto list(store::DirectoryStore& s, const std::string& c, const store::PageRequest& p) {
    return s.list_agents(c, p);
  }
  static auto update(store::DirectoryStore& s, const T& t) { return s.update_agent(t); }
  static auto remove(store::DirectoryStore& s, const std::string& c, const std::string& id) {
    return s.delete_agent(c, id);
  }
};

template <typename Kind>
Response not_found() {
  return error_response(404, error_codes::kNotFound, "No " + std::string(Kind::kName) + " with this id.");
}

template <typename Kind>
Response create(const ApiDeps& deps, RequestContext& ctx) {
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto input = Kind::parse_create(*body);
  if (!input) return input_failure_response(input.error());
  typename Kind::T item = std::move(*input);
  const TimePoint now = deps.clock.now();
  if (item.id.empty()) item.id = new_id(Kind::kPrefix, now);
  item.company_id = ctx.company_id();
  item.created_at = item.updated_at = now;
  if (auto created = Kind::create(deps.store, item); !created) {
    return write_error(created.error(), Kind::kName);
  }
  return json_response(201, json::serialize(Kind::to_json(item)));
}

template <typename Kind>
Response list(const ApiDeps& deps, RequestContext& ctx) {
  auto page = parse_page_request(ctx.request);
  if (!page) return page.error();
  auto items = Kind::list(deps.store, ctx.company_id(), *page);
  if (!items) return error_response(items.error());
  return json_response(200,
                       page_response<typename Kind::T>(
                           *items, [](const typename Kind::T& t) { return json::value(Kind::to_json(t)); },
                           [](const typename Kind::T& t) { return t.id; }));
}

template <typename Kind>
Response get(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!model::is_valid_directory_id(id)) return not_found<Kind>();
  auto item = Kind::get(deps.store, ctx.company_id(), id);
  if (!item)
    return item.error().code == ErrorCode::kNotFound ? not_found<Kind>() : error_response(item.error());
  return json_response(200, json::serialize(Kind::to_json(*item)));
}

template <typename Kind>
Response patch(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!model::is_valid_directory_id(id)) return not_found<Kind>();
  auto current = Kind::get(deps.store, ctx.company_id(), id);
  if (!current) {
    return current.error().code == ErrorCode::kNotFound ? not_found<Kind>() : error_response(current.error());
  }
  auto body = parse_json_body(ctx.request);
  if (!body) return body.error();
  auto input = Kind::parse_patch(*body, *current);
  if (!input) return input_failure_response(input.error());
  typename Kind::T item = std::move(*input);
  item.updated_at = deps.clock.now();
  if (auto updated = Kind::update(deps.store, item); !updated) {
    if (updated.error().code == ErrorCode::kNotFound) return not_found<Kind>();  // deleted meanwhile
    return write_error(updated.error(), Kind::kName);
  }
  return json_response(200, json::serialize(Kind::to_json(item)));
}

template <typename Kind>
Response remove(const ApiDeps& deps, RequestContext& ctx) {
  const std::string& id = ctx.params.at(0);
  if (!model::is_valid_directory_id(id)) return not_found<Kind>();
  auto removed = Kind::remove(deps.store, ctx.company_id(), id);
  if (!removed) {
    return removed.error().code == ErrorCode::kNotFound ? not_found<Kind>() : error_response(removed.error());
  }
  return no_content();
}

template <typename Kind>
void add_resource(Router& router, const ApiDeps& deps, const std::string& collection) {
  const std::string item = collection + "/{id}";
  router.add({"POST", collection, model::Action::kManageDirectory,
              [&deps](RequestContext& ctx) { return create<Kind>(deps, ctx); }});
  router.add({"GET", collection, model::Action::kReadDirectory,
              [&deps](RequestContext& ctx) { return list<Kind>(deps, ctx); }});
  router.add({"GET", item, model::Action::kReadDirectory,
              [&deps](RequestContext& ctx) { return get<Kind>(deps, ctx); }});
  router.add({"PATCH", item, model::Action::kManageDirectory,
              [&deps](RequestContext& ctx) { return patch<Kind>(deps, ctx); }});
  router.add({"DELETE", item, model::Action::kManageDirectory,
              [&deps](RequestContext& ctx) { return remove<Kind>(deps, ctx); }});
}

}  // namespace

void add_directory_routes(Router& router, const ApiDeps& deps) {
  add_resource<DepartmentKind>(router, deps, "/api/v2/departments");
  add_resource<AgentKind>(router, deps, "/api/v2/agents");
}

}  // namespace switchboard::api
