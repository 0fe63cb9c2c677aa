// Private to src/model/webhook_input*.cc: the pieces the webhook body parser
// is built from. Not part of the model's interface; do not include elsewhere.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/webhook.h"
#include "model/webhook_input.h"

namespace switchboard::model::input_detail {

// Collects every error found while a body is walked, in walk order. Errors
// that make the body unintelligible (not an object, unknown field) are kept
// apart: when there is one, the request is kMalformed and only they are reported.
class ErrorSink {
 public:
  void malformed(std::string field, std::string code, std::string message);
  void invalid(std::string field, std::string code, std::string message);
  void invalid_type(std::string field, std::string_view expected);  // "… must be a string."
  // Number of errors recorded so far (both kinds), to tell whether a step added one.
  std::size_t size() const { return malformed_.size() + invalid_.size(); }
  bool empty() const { return size() == 0; }
  InputFailure to_failure() &&;

 private:
  std::vector<FieldError> malformed_;
  std::vector<FieldError> invalid_;
};

// "auth" + "type" -> "auth.type"; "" + "url" -> "url".
std::string member_path(std::string_view prefix, std::string_view name);
// "headers" + 2 -> "headers[2]".
std::string index_path(std::string_view prefix, std::size_t index);

// Reports every member of `object` whose name is not in `known` as unknown_field.
void reject_unknown_fields(const boost::json::object& object, std::initializer_list<std::string_view> known,
                           std::string_view prefix, ErrorSink& errors);
void reject_unknown_fields(const boost::json::object& object, const std::vector<std::string_view>& known,
                           std::string_view prefix, ErrorSink& errors);

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);
// Characters as a user counts them: UTF-8 code points (Boost.JSON has already
// rejected invalid UTF-8).
std::size_t utf8_length(std::string_view text);

// Reads the string member `name` of a row object. Absent -> nullopt; present
// but not a string (null included) -> reports invalid_type and returns nullopt,
// setting *type_error when given.
std::optional<std::string> string_member(const boost::json::object& object, std::string_view name,
                                         const std::string& path, ErrorSink& errors,
                                         bool* type_error = nullptr);

// --- auth (webhook_input_auth.cc) --------------------------------------------
struct ParsedAuth {
  WebhookAuth auth;
  bool type_known = false;        // auth.type was valid, so cross-checks with headers can be made
  std::vector<std::string> kept;  // paths of secret values a masked value kept ("auth.password")
};
// Parses and validates the "auth" member. `current` is the stored auth that a
// masked secret value keeps; nullptr on create (a masked value is then an error).
ParsedAuth parse_auth(const boost::json::value& value, const WebhookAuth* current, ErrorSink& errors);

// --- headers (webhook_input_headers.cc) ---------------------------------------
struct HeaderRow {
  std::string key;
  std::string value;
  bool key_ok = true;  // false when the key had a type error (already reported)
  bool value_ok = true;
};
// Reads the "headers" member into rows (shape only: types, unknown fields).
std::vector<HeaderRow> read_header_rows(const boost::json::value& value, ErrorSink& errors);
// Replaces each masked value by the stored value of the header with the same
// key (case-insensitive) in `current` and adds its path ("headers[1].value")
// to `kept`; `current` is nullptr on create, where a masked value is an error.
void keep_masked_header_values(std::vector<HeaderRow>& rows, const std::vector<KeyValue>* current,
                               std::vector<std::string>& kept, ErrorSink& errors);
std::vector<HeaderRow> to_header_rows(const std::vector<KeyValue>& headers);
// Validates rows as a whole, including against the webhook's auth when known
// (nullptr when the auth itself is broken).
void validate_header_rows(const std::vector<HeaderRow>& rows, const WebhookAuth* auth, ErrorSink& errors);
std::vector<KeyValue> to_key_values(const std::vector<HeaderRow>& rows);
// The first problem with a header value (CR, LF, NUL or another control
// character), as a message; nullopt when the value is fine.
std::optional<std::string> header_value_problem(std::string_view value);

// --- delivery controls (webhook_input_delivery.cc) ----------------------------
// The top-level members timeout_ms, max_in_flight and max_rate into `target`
// (absent: left as is; max_rate null: unlimited).
inline constexpr std::array<std::string_view, 3> kDeliveryControlFields{"timeout_ms", "max_in_flight",
                                                                        "max_rate"};
void read_delivery_controls(const boost::json::object& body, DeliveryControls& target, ErrorSink& errors);

}  // namespace switchboard::model::input_detail
