// The API's error codes: every `error.code` of an error body and every `code`
// of a field error (`errors[]`), spelled once. The model's validation, the API
// handlers and the HTTP server all take them from here; kAllErrorCodes lists
// them, and a test checks that list against the OpenAPI document's `Error`
// schema (src/api/openapi.json), which is what clients read. Codes are part of
// the API contract: add one here (and there), never respell one.
#pragma once

#include <array>
#include <string_view>

namespace switchboard::model::error_codes {

// The request itself (HTTP layer, body parsing).
inline constexpr char kBadRequest[] = "bad_request";
inline constexpr char kHeadersTooLarge[] = "headers_too_large";
inline constexpr char kPayloadTooLarge[] = "payload_too_large";
inline constexpr char kUnsupportedMediaType[] = "unsupported_media_type";
inline constexpr char kMalformedJson[] = "malformed_json";
inline constexpr char kInvalidBody[] = "invalid_body";
inline constexpr char kUnknownField[] = "unknown_field";
inline constexpr char kMethodNotAllowed[] = "method_not_allowed";

// Who is asking (authentication, RBAC, rate limits).
inline constexpr char kUnauthorized[] = "unauthorized";
inline constexpr char kForbidden[] = "forbidden";
inline constexpr char kUserDeactivated[] = "user_deactivated";
inline constexpr char kRateLimited[] = "rate_limited";
inline constexpr char kIngestBusy[] = "ingest_busy";

// The resource and its state.
inline constexpr char kNotFound[] = "not_found";
inline constexpr char kConflict[] = "conflict";
inline constexpr char kLimitReached[] = "limit_reached";
inline constexpr char kNoChanges[] = "no_changes";
inline constexpr char kConfirmationRequired[] = "confirmation_required";
inline constexpr char kInvalidState[] = "invalid_state";
inline constexpr char kEmailTaken[] = "email_taken";
inline constexpr char kLastOwner[] = "last_owner";
inline constexpr char kCannotDeactivateSelf[] = "cannot_deactivate_self";
inline constexpr char kUnknownDepartment[] = "unknown_department";
inline constexpr char kTooManyTests[] = "too_many_tests";
inline constexpr char kTooManyStreams[] = "too_many_streams";
inline constexpr char kWebhookNotActive[] = "webhook_not_active";

// Validation: the code of one field error; an error body with several is
// kValidationFailed.
inline constexpr char kValidationFailed[] = "validation_failed";
inline constexpr char kRequired[] = "required";
inline constexpr char kInvalidType[] = "invalid_type";
inline constexpr char kInvalidValue[] = "invalid_value";
inline constexpr char kTooLong[] = "too_long";
inline constexpr char kTooMany[] = "too_many";
inline constexpr char kTooFew[] = "too_few";
inline constexpr char kImmutable[] = "immutable";
inline constexpr char kNotAllowed[] = "not_allowed";
inline constexpr char kUnknownEvent[] = "unknown_event";
inline constexpr char kUnknownFieldName[] = "unknown_field_name";
inline constexpr char kInvalidUrl[] = "invalid_url";
inline constexpr char kHttpsRequired[] = "https_required";
inline constexpr char kDuplicateKey[] = "duplicate_key";
inline constexpr char kReservedHeader[] = "reserved_header";
inline constexpr char kInvalidHeaderName[] = "invalid_header_name";
inline constexpr char kInvalidHeaderValue[] = "invalid_header_value";
inline constexpr char kInvalidSecret[] = "invalid_secret";
inline constexpr char kCredentialsRequired[] = "credentials_required";
inline constexpr char kSecretDecisionRequired[] = "secret_decision_required";
inline constexpr char kInvalidPhone[] = "invalid_phone";
inline constexpr char kInvalidTime[] = "invalid_time";
inline constexpr char kOccurredAtOutOfRange[] = "occurred_at_out_of_range";
inline constexpr char kUnsafeInteger[] = "unsafe_integer";
inline constexpr char kImpreciseNumber[] = "imprecise_number";
// A webhook's client certificate (PUT /api/v2/webhooks/{id}/client-certificate).
inline constexpr char kInvalidCertificate[] = "invalid_certificate";
inline constexpr char kCertificateExpired[] = "certificate_expired";
inline constexpr char kInvalidPrivateKey[] = "invalid_private_key";
inline constexpr char kKeyMismatch[] = "key_mismatch";

// The server.
inline constexpr char kUnavailable[] = "unavailable";
// 503 while the node starts (before GET /api/ready says ready) and while it
// drains at a graceful stop (SIGTERM): retry, on another node or shortly.
inline constexpr char kStarting[] = "starting";
inline constexpr char kDraining[] = "draining";
inline constexpr char kInternalError[] = "internal_error";

// Every code above, in the order above.
inline constexpr std::array<std::string_view, 59> kAllErrorCodes = {
    kBadRequest,
    kHeadersTooLarge,
    kPayloadTooLarge,
    kUnsupportedMediaType,
    kMalformedJson,
    kInvalidBody,
    kUnknownField,
    kMethodNotAllowed,
    kUnauthorized,
    kForbidden,
    kUserDeactivated,
    kRateLimited,
    kIngestBusy,
    kNotFound,
    kConflict,
    kLimitReached,
    kNoChanges,
    kConfirmationRequired,
    kInvalidState,
    kEmailTaken,
    kLastOwner,
    kCannotDeactivateSelf,
    kUnknownDepartment,
    kTooManyTests,
    kTooManyStreams,
    kWebhookNotActive,
    kValidationFailed,
    kRequired,
    kInvalidType,
    kInvalidValue,
    kTooLong,
    kTooMany,
    kTooFew,
    kImmutable,
    kNotAllowed,
    kUnknownEvent,
    kUnknownFieldName,
    kInvalidUrl,
    kHttpsRequired,
    kDuplicateKey,
    kReservedHeader,
    kInvalidHeaderName,
    kInvalidHeaderValue,
    kInvalidSecret,
    kCredentialsRequired,
    kSecretDecisionRequired,
    kInvalidPhone,
    kInvalidTime,
    kOccurredAtOutOfRange,
    kUnsafeInteger,
    kImpreciseNumber,
    kInvalidCertificate,
    kCertificateExpired,
    kInvalidPrivateKey,
    kKeyMismatch,
    kUnavailable,
    kStarting,
    kDraining,
    kInternalError,
};

}  // namespace switchboard::model::error_codes
