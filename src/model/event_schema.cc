// Validation of event data against its schema (event_schema.h).
#include "model/event_schema.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cmath>

#include "common/time_format.h"
#include "model/error_codes.h"
#include "model/limits.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

std::string join(const std::vector<std::string_view>& values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::size_t max_length_of(const FieldSpec& spec) {
  if (spec.max_length) return spec.max_length;
  return spec.kind == FieldKind::kId ? kMaxIdLength : kDefaultMaxStringLength;
}

std::size_t max_items_of(const FieldSpec& spec) { return spec.max_items ? spec.max_items : kDefaultMaxItems; }

bool is_integer(const json::value& v) {
  if (v.is_int64()) return v.get_int64() >= 0;
  if (v.is_uint64()) return true;
  if (v.is_double()) {
    const double d = v.get_double();
    return d >= 0 && std::isfinite(d) && d == std::floor(d);
  }
  return false;
}

class Validator {
 public:
  explicit Validator(std::vector<FieldError>& errors) : errors_(errors) {}

  void object_fields(const std::vector<FieldSpec>& fields, const json::object& object,
                     const std::string& path) {
    for (const FieldSpec& spec : fields) {
      const std::string field_path = path + "." + spec.name;
      const json::value* value = object.if_contains(spec.name);
      if (!value || value->is_null()) {
        if (spec.required) add(field_path, error_codes::kRequired, field_path + " is required.");
        continue;
      }
      check_value(spec, *value, field_path);
    }
  }

 private:
  void add(std::string field, std::string code, std::string message) {
    if (errors_.size() < kMaxDataErrors)
      errors_.push_back({std::move(field), std::move(code), std::move(message)});
  }

  void check_string(const FieldSpec& spec, const json::value& value, const std::string& path) {
    if (!value.is_string()) return add(path, error_codes::kInvalidType, path + " must be a string.");
    const auto& s = value.get_string();
    if (s.empty()) {
      return add(path, spec.required ? error_codes::kRequired : error_codes::kInvalidValue,
                 path + " must not be empty.");
    }
    const std::size_t max = max_length_of(spec);
    if (s.size() > max) {
      add(path, error_codes::kTooLong, path + " must be at most " + std::to_string(max) + " characters.");
    }
  }

  void check_value(const FieldSpec& spec, const json::value& value, const std::string& path) {
    switch (spec.kind) {
      case FieldKind::kId:
      case FieldKind::kString:
        return check_string(spec, value, path);
      case FieldKind::kInteger:
        if (!is_integer(value))
          add(path, error_codes::kInvalidType, path + " must be an integer of 0 or more.");
        return;
      case FieldKind::kBoolean:
        if (!value.is_bool()) add(path, error_codes::kInvalidType, path + " must be true or false.");
        return;
      case FieldKind::kTime:
        if (!value.is_string()) return add(path, error_codes::kInvalidType, path + " must be a string.");
        if (!parse_rfc3339(value.get_string())) {
          add(path, error_codes::kInvalidTime,
              path + " must be an RFC 3339 time, e.g. 2026-11-22T10:03:59.120Z.");
        }
        return;
      case FieldKind::kPhone:
        if (!value.is_string()) return add(path, error_codes::kInvalidType, path + " must be a string.");
        if (!is_valid_phone(value.get_string())) {
          add(path, error_codes::kInvalidPhone,
              path +
                  " must be a phone number: an optional + and 1 to 20 digits "
                  "(e.g. +919876543210), or "
                  "\"anonymous\".");
        }
        return;
      case FieldKind::kUrl:
        if (!value.is_string()) return add(path, error_codes::kInvalidType, path + " must be a string.");
        if (!is_valid_event_url(value.get_string())) {
          add(path, error_codes::kInvalidUrl,
              path +
                  " must be an absolute http or https URL of at most 2048 "
                  "characters.");
        }
        return;
      case FieldKind::kEnum:
        if (!value.is_string()) return add(path, error_codes::kInvalidType, path + " must be a string.");
        for (std::string_view allowed : spec.values) {
          if (value.get_string() == allowed) return;
        }
        if (spec.values.size() == 1) {
          add(path, error_codes::kInvalidValue, path + " must be \"" + std::string(spec.values[0]) + "\".");
        } else {
          add(path, error_codes::kInvalidValue, path + " must be one of: " + join(spec.values) + ".");
        }
        return;
      case FieldKind::kObject:
        if (!value.is_object()) return add(path, error_codes::kInvalidType, path + " must be an object.");
        return object_fields(spec.fields, value.get_object(), path);
      case FieldKind::kObjectArray:
      case FieldKind::kStringArray:
        return check_array(spec, value, path);
    }
  }

  void check_array(const FieldSpec& spec, const json::value& value, const std::string& path) {
    if (!value.is_array()) return add(path, error_codes::kInvalidType, path + " must be an array.");
    const auto& items = value.get_array();
    if (items.size() < spec.min_items) {
      return add(path, error_codes::kTooFew,
                 path + " must have at least " + std::to_string(spec.min_items) + " item" +
                     (spec.min_items == 1 ? "." : "s."));
    }
    if (items.size() > max_items_of(spec)) {
      return add(path, error_codes::kTooMany,
                 path + " must have at most " + std::to_string(max_items_of(spec)) + " items.");
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (spec.kind == FieldKind::kStringArray) {
        FieldSpec item{.name = spec.name, .kind = FieldKind::kString, .max_length = spec.max_length};
        check_string(item, items[i], item_path);
      } else if (!items[i].is_object()) {
        add(item_path, error_codes::kInvalidType, item_path + " must be an object.");
      } else {
        object_fields(spec.fields, items[i].get_object(), item_path);
      }
    }
  }

  std::vector<FieldError>& errors_;
};

}  // namespace

bool is_valid_phone(std::string_view text) {
  if (text == "anonymous") return true;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.size() > kMaxPhoneDigits) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_valid_event_url(std::string_view text) {
  if (text.size() > limits::kMaxUrlLength) return false;
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url) return false;
  const auto scheme = url->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return false;
  return url->has_authority() && !url->encoded_host().empty();
}

std::vector<FieldError> validate_event_data(const EventSchema& schema, const json::object& data) {
  std::vector<FieldError> errors;
  Validator(errors).object_fields(schema.fields, data, "data");
  for (const DataRule& rule : schema.rules) {
    if (errors.size() >= kMaxDataErrors) break;
    rule.check(data, errors);
  }
  if (errors.size() > kMaxDataErrors) errors.resize(kMaxDataErrors);
  return errors;
}

}  // namespace switchboard::model
