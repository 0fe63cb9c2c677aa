// Rows to model objects, written once for both backends. Each table's column
// list is the order its mapper reads; a backend's SELECT names these columns
// (with its own placeholders and locking around them) and hands the result
// row to the mapper through a small reader: SQLite's Statement is one as it
// is, PostgreSQL wraps a pqxx::row (postgres::PgRow).
//
// A reader has, for a 0-based column: text, optional_text, integer,
// optional_integer, real, boolean, time, optional_time (times are unix
// milliseconds in both schemas).
//
// Header-only templates; pure (no I/O beyond reading the row); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "model/delivery.h"
#include "model/directory.h"
#include "model/identity.h"
#include "model/v1_webhook.h"
#include "store/common/attempt_codec.h"
#include "store/common/column_codec.h"
#include "store/common/webhook_codec.h"

namespace switchboard::store {

// --- identity ---------------------------------------------------------------

inline constexpr std::string_view kCompanyColumns = "id, name, managers_can_manage_webhooks, created_at";
inline constexpr std::string_view kUserColumns =
    "id, company_id, name, email, role, created_at, deactivated_at";
inline constexpr std::string_view kTokenColumns =
    "id, company_id, user_id, kind, token_hash, created_at, hint, expires_at, "
    "last_used_at, revoked_at";

template <typename Row>
model::Company company_from_row(const Row& row) {
  return model::Company{row.text(0), row.text(1), row.boolean(2), row.time(3)};
}

// Reads kUserColumns starting at column `first`.
template <typename Row>
Result<model::User> user_from_row(const Row& row, int first) {
  auto role = role_from_column(row.text(first + 4));
  if (!role) return make_error(ErrorCode::kInternal, "stored user has an unknown role");
  return model::User{row.text(first), row.text(first + 1), row.text(first + 2),         row.text(first + 3),
                     *role,           row.time(first + 5), row.optional_time(first + 6)};
}

template <typename Row>
Result<model::ApiToken> token_from_row(const Row& row) {
  auto kind = token_kind_from_column(row.text(3));
  if (!kind) return make_error(ErrorCode::kInternal, "stored token has an unknown kind");
  model::ApiToken token{row.text(0), row.text(1), row.optional_text(2), *kind, row.text(4), row.time(5)};
  token.hint = row.text(6);
  token.expires_at = row.optional_time(7);
  token.last_used_at = row.optional_time(8);
  token.revoked_at = row.optional_time(9);
  return token;
}

// --- webhooks v2 ------------------------------------------------------------

inline constexpr std::string_view kWebhookColumns =
    "id, company_id, name, description, url, auth, headers, events, filters, "
    "secret, previous_secret, "
    "previous_secret_expires_at, status, consecutive_exhausted, created_at, "
    "updated_at, delivery_controls, disabled_reason, "
    "client_certificate, signing_keys";  // issue 16 item 5

// The columns as stored; decode_webhook (webhook_codec.h) opens and parses
// them, which a backend may do after its read transaction has ended.
template <typename Row>
StoredWebhook stored_webhook_from_row(const Row& row) {
  StoredWebhook stored{row.text(0), row.text(1),
                       WebhookColumns{row.text(2), row.text(3), row.text(4), row.text(5), row.text(6),
                                      row.text(7), row.text(8), row.optional_text(9), row.optional_text(10),
                                      row.optional_time(11), row.text(12), static_cast<int>(row.integer(13)),
                                      row.time(14), row.time(15), row.text(16), row.optional_text(17)}};
  // Issue 16 item 5.
  stored.columns.client_certificate = row.optional_text(18);
  stored.columns.signing_keys = row.optional_text(19);
  return stored;
}

// --- deliveries and attempts -------------------------------------------------

inline constexpr int kDeliveryColumnCount = 15;

// Reads the kDeliveryColumnCount delivery columns starting at `first`: id,
// company_id, webhook_id, event_id, event_type, ordering_key, sequence, state,
// attempts, event_time, next_attempt_at, last_status_code, last_error,
// created_at, updated_at.
template <typename Row>
Result<model::Delivery> delivery_from_row(const Row& row, int first = 0) {
  int c = first;
  model::Delivery delivery;
  delivery.id = row.text(c++);
  delivery.company_id = row.text(c++);
  delivery.webhook_id = row.text(c++);
  delivery.event_id = row.text(c++);
  delivery.event_type = row.text(c++);
  delivery.ordering_key = row.text(c++);
  delivery.sequence = row.optional_integer(c++);
  auto state = delivery_state_from_column(row.text(c++));
  if (!state) return make_error(ErrorCode::kInternal, "stored delivery has an unknown state");
  delivery.state = *state;
  delivery.attempts = static_cast<int>(row.integer(c++));
  delivery.event_time = row.time(c++);
  delivery.next_attempt_at = row.optional_time(c++);
  if (auto code = row.optional_integer(c++)) delivery.last_status_code = static_cast<int>(*code);
  delivery.last_error = row.text(c++);
  delivery.created_at = row.time(c++);
  delivery.updated_at = row.time(c++);
  return delivery;
}

// A failed attempt as the failure log reads it: the attempt row joined with
// what it shares with its delivery (company, event, event type), its
// delivery's request (URL and headers, store/common/attempt_codec.h) and its
// event (the payload, when the attempt kept no body of its own). Select
// kAttemptColumns (or kAttemptListColumns, which leaves the request body out:
// lists do not show it) followed by kAttemptFrom; the attempt is `a`, its
// delivery `d`. The same SQL in both backends, and the same compact
// encodings of error, message and latency (attempt_codec.h).
inline constexpr std::string_view kAttemptColumns =
    "a.id, d.company_id, a.webhook_id, a.delivery_id, d.event_id, d.event_type, a.attempt, a.at, "
    "a.status_code, a.error, a.error_message, a.latency_us, COALESCE(a.request_url, r.url, ''), "
    "a.request_headers, COALESCE(r.headers, '[]'), COALESCE(a.request_body, e.payload, ''), "
    "a.response_headers, a.response_body";
inline constexpr std::string_view kAttemptListColumns =
    "a.id, d.company_id, a.webhook_id, a.delivery_id, d.event_id, d.event_type, a.attempt, a.at, "
    "a.status_code, a.error, a.error_message, a.latency_us, COALESCE(a.request_url, r.url, ''), "
    "a.request_headers, COALESCE(r.headers, '[]'), '', a.response_headers, a.response_body";
inline constexpr std::string_view kAttemptFrom =
    " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id "
    "LEFT JOIN delivery_requests r ON r.delivery_id = a.delivery_id "
    "LEFT JOIN events e ON e.id = d.event_id ";

template <typename Row>
Result<model::Attempt> attempt_from_row(const Row& row) {
  model::Attempt attempt;
  attempt.id = row.text(0);
  attempt.company_id = row.text(1);
  attempt.webhook_id = row.text(2);
  attempt.delivery_id = row.text(3);
  attempt.event_id = row.text(4);
  attempt.event_type = row.text(5);
  attempt.attempt = static_cast<int>(row.integer(6));
  attempt.at = row.time(7);
  attempt.success = false;  // the log keeps failures only
  if (auto code = row.optional_integer(8)) attempt.status_code = static_cast<int>(*code);
  auto error = attempt_error_from_code(row.integer(9));
  if (!error) return make_error(ErrorCode::kInternal, "stored attempt has an unknown error class");
  attempt.error = *error;
  attempt.error_message = expand_error_message(row.optional_text(10), attempt.status_code);
  attempt.latency_ms = latency_from_column(row.integer(11));
  attempt.request_url = row.text(12);
  auto headers = expand_request_headers(row.text(14), row.text(13));
  if (!headers) return forward_error(headers);
  attempt.request_headers = std::move(*headers);
  attempt.request_body = row.text(15);
  attempt.response_headers = row.text(16);
  attempt.response_body = row.text(17);
  return attempt;
}

// --- directory
// ----------------------------------------------------------------

inline constexpr std::string_view kDepartmentColumns = "company_id, id, name, created_at, updated_at";
inline constexpr std::string_view kAgentColumns =
    "company_id, id, name, email, extension, number, department_id, "
    "created_at, updated_at";

template <typename Row>
model::Department department_from_row(const Row& row) {
  return model::Department{row.text(1), row.text(0), row.text(2), row.time(3), row.time(4)};
}

template <typename Row>
model::Agent agent_from_row(const Row& row) {
  model::Agent agent;
  agent.company_id = row.text(0);
  agent.id = row.text(1);
  agent.name = row.text(2);
  agent.email = row.optional_text(3);
  agent.extension = row.optional_text(4);
  agent.number = row.optional_text(5);
  agent.department_id = row.optional_text(6);
  agent.created_at = row.time(7);
  agent.updated_at = row.time(8);
  return agent;
}

// --- events
// ----------------------------------------------------------------

// Reads the events columns id, company_id, type, sequence, sequence_key,
// occurred_at, created_at, idempotency_key, payload (in that order).
template <typename Row>
model::Event event_from_row(const Row& row) {
  model::Event event;
  event.id = row.text(0);
  event.company_id = row.text(1);
  event.type = row.text(2);
  event.sequence = row.optional_integer(3);
  event.sequence_key = row.text(4);
  event.occurred_at = row.time(5);
  event.created_at = row.time(6);
  event.idempotency_key = row.optional_text(7);
  event.payload = row.text(8);
  return event;
}

// --- calling webhooks v1
// ------------------------------------------------------

inline constexpr int kV1WebhookColumnCount = 11;

// Reads the v1_webhooks columns id, company_id, type, url, method, headers,
// query, fields, enabled, created_at, updated_at starting at `base`.
template <typename Row>
Result<model::V1Webhook> v1_webhook_from_row(const Row& row, const crypto::SecretBox& secrets, int base = 0) {
  model::V1Webhook w;
  w.id = row.text(base + 0);
  w.company_id = row.text(base + 1);
  auto type = model::parse_v1_type(row.text(base + 2));
  if (!type) return make_error(ErrorCode::kInternal, "malformed v1 webhook type");
  w.spec.type = *type;
  w.spec.url = row.text(base + 3);
  w.spec.method = row.text(base + 4) == "GET" ? model::V1Method::kGet : model::V1Method::kPost;
  auto headers = decode_v1_params(row.text(base + 5), secrets);
  if (!headers) return forward_error(headers);
  w.spec.headers = std::move(*headers);
  auto query = decode_v1_params(row.text(base + 6), secrets);
  if (!query) return forward_error(query);
  w.spec.query = std::move(*query);
  auto fields = decode_strings(row.text(base + 7));
  if (!fields) return forward_error(fields);
  w.spec.fields = std::move(*fields);
  w.spec.enabled = row.boolean(base + 8);
  w.created_at = row.time(base + 9);
  w.updated_at = row.time(base + 10);
  return w;
}

inline constexpr int kV1DeliveryColumnCount = 12;

// Reads the v1_deliveries columns id, company_id, webhook_id, event_id,
// event_type, state, attempts, next_attempt_at, last_status_code, last_error,
// created_at, updated_at.
template <typename Row>
model::V1Delivery v1_delivery_from_row(const Row& row) {
  model::V1Delivery d;
  d.id = row.text(0);
  d.company_id = row.text(1);
  d.webhook_id = row.text(2);
  d.event_id = row.text(3);
  d.event_type = row.text(4);
  d.state = model::parse_v1_delivery_state(row.text(5)).value_or(model::V1DeliveryState::kPending);
  d.attempts = static_cast<int>(row.integer(6));
  d.next_attempt_at = row.time(7);
  if (auto code = row.optional_integer(8)) d.last_status_code = static_cast<int>(*code);
  d.last_error = row.text(9);
  d.created_at = row.time(10);
  d.updated_at = row.time(11);
  return d;
}

}  // namespace switchboard::store
