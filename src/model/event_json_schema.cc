// The JSON Schema form of the event schemas, for the OpenAPI document.
#include <boost/json.hpp>

#include "model/event_schema.h"
#include "model/limits.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

json::object field_schema(const FieldSpec& spec);

json::object object_schema(const std::vector<FieldSpec>& fields) {
  json::object properties;
  json::array required;
  for (const FieldSpec& field : fields) {
    properties[field.name] = field_schema(field);
    if (field.required) required.emplace_back(field.name);
  }
  json::object out{{"type", "object"}};
  if (!required.empty()) out["required"] = std::move(required);
  out["properties"] = std::move(properties);
  return out;
}

json::object string_schema(std::size_t max_length) {
  return json::object{{"type", "string"}, {"minLength", 1}, {"maxLength", max_length}};
}

json::object kind_schema(const FieldSpec& spec) {
  const std::size_t max_length = spec.max_length ? spec.max_length : kDefaultMaxStringLength;
  switch (spec.kind) {
    case FieldKind::kId:
      return string_schema(spec.max_length ? spec.max_length : kMaxIdLength);
    case FieldKind::kString:
      return string_schema(max_length);
    case FieldKind::kInteger:
      return json::object{{"type", "integer"}, {"minimum", 0}};
    case FieldKind::kBoolean:
      return json::object{{"type", "boolean"}};
    case FieldKind::kTime:
      return json::object{{"type", "string"}, {"format", "date-time"}};
    case FieldKind::kPhone:
      return json::object{{"type", "string"}, {"pattern", "^(\\+?[0-9]{1,20}|anonymous)$"}};
    case FieldKind::kUrl:
      return json::object{{"type", "string"}, {"format", "uri"}, {"maxLength", limits::kMaxUrlLength}};
    case FieldKind::kEnum: {
      json::array values;
      for (std::string_view v : spec.values) values.emplace_back(v);
      return json::object{{"type", "string"}, {"enum", std::move(values)}};
    }
    case FieldKind::kObject:
      return object_schema(spec.fields);
    case FieldKind::kObjectArray:
    case FieldKind::kStringArray: {
      json::object out{{"type", "array"},
                       {"items", spec.kind == FieldKind::kObjectArray ? object_schema(spec.fields)
                                                                      : string_schema(max_length)}};
      if (spec.min_items) out["minItems"] = spec.min_items;
      out["maxItems"] = spec.max_items ? spec.max_items : kDefaultMaxItems;
      return out;
    }
  }
  return {};
}

json::object field_schema(const FieldSpec& spec) {
  json::object out = kind_schema(spec);
  if (!spec.required) {
    // Optional fields may also be null ("not known").
    out["type"] = json::array{out["type"], "null"};
    if (auto* values = out.if_contains("enum")) values->as_array().emplace_back(nullptr);
  }
  out["description"] = spec.description;
  return out;
}

}  // namespace

json::object event_data_json_schema(const EventSchema& schema) {
  json::object out = object_schema(schema.fields);
  std::string description = "data of " + std::string(schema.type) +
                            ". Other fields are allowed and passed "
                            "through unchanged.";
  for (const DataRule& rule : schema.rules) description += " " + std::string(rule.description);
  out["description"] = std::move(description);
  return out;
}

}  // namespace switchboard::model
