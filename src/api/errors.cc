#include "api/errors.h"

#include <boost/json.hpp>

#include "model/error_codes.h"

namespace switchboard::api {

namespace json = boost::json;

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response no_content() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

Response error_response(int status, std::string_view code, std::string_view message, std::string_view field) {
  json::object error{{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return json_response(status, json::serialize(json::object{{"error", std::move(error)}}));
}

Response input_failure_response(const model::InputFailure& failure) {
  const bool malformed = failure.kind == model::InputFailure::Kind::kMalformed;
  json::array errors;
  for (const auto& e : failure.errors) {
    errors.push_back(json::object{{"field", e.field}, {"code", e.code}, {"message", e.message}});
  }
  json::object error;
  if (failure.errors.size() == 1 || malformed) {
    const auto& first = failure.errors.front();
    error = {{"code", first.code}, {"message", first.message}};
    if (!first.field.empty()) error["field"] = first.field;
  } else {
    error = {{"code", error_codes::kValidationFailed},
             {"message", std::to_string(failure.errors.size()) + " fields are invalid; see errors."},
             {"field", failure.errors.front().field}};
  }
  return json_response(malformed ? 400 : 422, json::serialize(json::object{{"error", std::move(error)},
                                                                           {"errors", std::move(errors)}}));
}

Response error_response(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return error_response(422, error_codes::kInvalidValue, error.message);
    case ErrorCode::kNotFound:
      return error_response(404, error_codes::kNotFound, error.message);
    case ErrorCode::kConflict:
      return error_response(409, error_codes::kConflict, error.message);
    case ErrorCode::kLimitReached:
      return error_response(409, error_codes::kLimitReached, error.message);
    case ErrorCode::kPermissionDenied:
      return error_response(403, error_codes::kForbidden, error.message);
    case ErrorCode::kUnauthenticated:
      return error_response(401, error_codes::kUnauthorized, error.message);
    case ErrorCode::kUnavailable:
      return error_response(503, error_codes::kUnavailable,
                            "The store is temporarily unavailable; retry shortly.");
    case ErrorCode::kInternal:
      break;
  }
  return error_response(500, error_codes::kInternalError, "Something went wrong on our side.");
}

}  // namespace switchboard::api
