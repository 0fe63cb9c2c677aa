#include "model/directory.h"

#include <array>
#include <boost/json.hpp>
#include <span>

#include "common/result.h"
#include "model/envelope.h"
#include "model/error_codes.h"
#include "model/event_input_json.h"
#include "model/event_schema.h"
#include "model/limits.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

bool looks_like_email(std::string_view email) {
  auto at = email.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string_view::npos &&
         email.find_first_of(" \t\r\n<>\"") == std::string_view::npos;
}

// Collects field errors while reading one request object.
class FieldReader {
 public:
  explicit FieldReader(const json::object& body) : body_(body) {}

  bool has(std::string_view key) const { return body_.contains(key); }

  // A required (or, when present, non-null) string of 1..max characters.
  std::string required(std::string_view key, std::size_t max) {
    const json::value* v = body_.if_contains(key);
    if (!v || v->is_null()) {
      add(key, error_codes::kRequired, " is required.");
      return {};
    }
    return text(key, *v, max).value_or("");
  }

  // An optional string: absent or null gives nullopt.
  std::optional<std::string> optional(std::string_view key, std::size_t max) {
    const json::value* v = body_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    return text(key, *v, max);
  }

  void add(std::string_view key, std::string code, std::string_view message_tail) {
    failure.errors.push_back(
        {std::string(key), std::move(code), std::string(key) + std::string(message_tail)});
  }

  InputFailure failure;

 private:
  std::optional<std::string> text(std::string_view key, const json::value& v, std::size_t max) {
    if (!v.is_string()) {
      add(key, error_codes::kInvalidType, " must be a string.");
      return std::nullopt;
    }
    std::string s(v.get_string());
    if (s.empty()) {
      add(key, error_codes::kInvalidValue, " must not be empty.");
      return std::nullopt;
    }
    if (s.size() > max) {
      add(key, error_codes::kTooLong, " must be at most " + std::to_string(max) + " characters.");
      return std::nullopt;
    }
    return s;
  }

  const json::object& body_;
};

InputFailure malformed(std::string field, std::string code, std::string message) {
  InputFailure failure;
  failure.kind = InputFailure::Kind::kMalformed;
  failure.errors.push_back({std::move(field), std::move(code), std::move(message)});
  return failure;
}

// The body as an object with only `known` fields, or the 400 failure.
tl::expected<const json::object*, InputFailure> object_with(const json::value& body,
                                                            std::span<const std::string_view> known) {
  if (!body.is_object())
    return tl::unexpected(malformed("", error_codes::kInvalidBody, "The body must be a JSON object."));
  for (const auto& field : body.get_object()) {
    bool ok = false;
    for (auto k : known) ok = ok || field.key() == k;
    if (!ok) {
      return tl::unexpected(malformed(std::string(field.key()), error_codes::kUnknownField,
                                      "Unknown field \"" + std::string(field.key()) + "\"."));
    }
  }
  return &body.get_object();
}

void check_id(FieldReader& reader, std::string_view key, const std::optional<std::string>& id) {
  if (id && !is_valid_directory_id(*id)) {
    reader.add(key, error_codes::kInvalidValue, " must be 1-128 characters of letters, digits, _ . : -");
  }
}

// Reads the agent fields present in `reader` into `agent` (all of them when
// `create`).
void read_agent_fields(FieldReader& reader, Agent& agent, bool create) {
  if (create || reader.has("name")) agent.name = reader.required("name", limits::kMaxDirectoryNameLength);
  if (create || reader.has("email")) {
    agent.email = reader.optional("email", limits::kMaxEmailLength);
    if (agent.email && !looks_like_email(*agent.email)) {
      reader.add("email", error_codes::kInvalidValue, " must be an e-mail address.");
    }
  }
  if (create || reader.has("extension")) {
    agent.extension = reader.optional("extension", limits::kMaxExtensionLength);
  }
  if (create || reader.has("number")) {
    agent.number = reader.optional("number", limits::kMaxAgentNumberLength);
    if (agent.number && !is_valid_phone(*agent.number)) {
      reader.add("number", error_codes::kInvalidPhone,
                 " must be a phone number: an optional + and 1-20 digits.");
    }
  }
  if (create || reader.has("department_id")) {
    agent.department_id = reader.optional("department_id", limits::kMaxDirectoryIdLength);
    check_id(reader, "department_id", agent.department_id);
  }
}

constexpr std::array<std::string_view, 6> kAgentFields = {"id",        "name",   "email",
                                                          "extension", "number", "department_id"};
constexpr std::array<std::string_view, 2> kDepartmentFields = {"id", "name"};

void read_id(FieldReader& reader, std::string& id) {
  auto given = reader.optional("id", limits::kMaxDirectoryIdLength);
  check_id(reader, "id", given);
  id = given.value_or("");
}

// PATCH may repeat the id, but not change it.
void check_same_id(FieldReader& reader, const json::object& body, const std::string& current) {
  const json::value* v = body.if_contains("id");
  if (v && !(v->is_string() && v->get_string() == current)) {
    reader.add("id", error_codes::kImmutable, " cannot be changed.");
  }
}

}  // namespace

bool is_valid_directory_id(std::string_view id) {
  if (id.empty() || id.size() > limits::kMaxDirectoryIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

InputResult<Department> parse_department_create(const json::value& body) {
  auto obj = object_with(body, kDepartmentFields);
  if (!obj) return forward_error(obj);
  FieldReader reader(**obj);
  Department department;
  read_id(reader, department.id);
  department.name = reader.required("name", limits::kMaxDirectoryNameLength);
  if (!reader.failure.errors.empty()) return tl::unexpected(reader.failure);
  return department;
}

InputResult<Agent> parse_agent_create(const json::value& body) {
  auto obj = object_with(body, kAgentFields);
  if (!obj) return forward_error(obj);
  FieldReader reader(**obj);
  Agent agent;
  read_id(reader, agent.id);
  read_agent_fields(reader, agent, /*create=*/true);
  if (!reader.failure.errors.empty()) return tl::unexpected(reader.failure);
  return agent;
}

InputResult<Department> parse_department_patch(const json::value& body, const Department& current) {
  auto obj = object_with(body, kDepartmentFields);
  if (!obj) return forward_error(obj);
  FieldReader reader(**obj);
  check_same_id(reader, **obj, current.id);
  Department department = current;
  if (reader.has("name")) department.name = reader.required("name", limits::kMaxDirectoryNameLength);
  if (!reader.failure.errors.empty()) return tl::unexpected(reader.failure);
  return department;
}

InputResult<Agent> parse_agent_patch(const json::value& body, const Agent& current) {
  auto obj = object_with(body, kAgentFields);
  if (!obj) return forward_error(obj);
  FieldReader reader(**obj);
  check_same_id(reader, **obj, current.id);
  Agent agent = current;
  read_agent_fields(reader, agent, /*create=*/false);
  if (!reader.failure.errors.empty()) return tl::unexpected(reader.failure);
  return agent;
}

bool is_enriched_from_directory(std::string_view event_type) { return event_type == "call.summary"; }

std::string add_directory_objects(std::string_view data_json, const Agent* agent,
                                  const Department* department) {
  if (!agent && !department) return std::string(data_json);
  boost::system::error_code ec;
  // Read exactly (Boost.JSON's own double parsing may be off by an ulp), so
  // that to_js_json() below writes every published number as it was accepted.
  json::value data = parse_ingest_json(data_json, limits::kMaxJsonDepth, ec);
  if (ec || !data.is_object()) return std::string(data_json);  // not ours to fix: leave as published
  json::object& obj = data.get_object();
  bool changed = false;
  if (agent && !obj.contains("agent")) {
    json::object a{{"id", agent->id}, {"name", agent->name}};
    if (agent->email) a["email"] = *agent->email;
    if (agent->extension) a["extension"] = *agent->extension;
    obj["agent"] = std::move(a);
    changed = true;
  }
  if (department && !obj.contains("department")) {
    obj["department"] = json::object{{"id", department->id}, {"name", department->name}};
    changed = true;
  }
  return changed ? to_js_json(data) : std::string(data_json);
}

}  // namespace switchboard::model
