// Calling webhooks v1 (spec §6, api.md "Calling webhooks v1"): the legacy
// subscription (type after_call | incall | disposition, HTTPS URL, auth headers,
// query parameters, a choice of fields, enabled), its request parsing and
// validation, which v2 call events feed which v1 type, and the legacy payload
// of seed 003 ({"myoperator":{…}}) built from a v2 call event.
// Pure functions and value types, no I/O; safe from any thread.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "model/webhook_input.h"

namespace switchboard::model {

enum class V1Type { kAfterCall, kIncall, kDisposition };
enum class V1Method { kPost, kGet };

std::string_view to_string(V1Type type);
std::optional<V1Type> parse_v1_type(std::string_view text);
std::string_view to_string(V1Method method);

// An auth header or a query parameter; the value is a secret (sealed at rest,
// masked in API answers).
struct V1Param {
  std::string key;
  std::string value;
  bool operator==(const V1Param&) const = default;
};

struct V1WebhookSpec {
  V1Type type = V1Type::kAfterCall;
  std::string url;
  std::vector<V1Param> headers;
  std::vector<V1Param> query;
  std::vector<std::string> fields;  // legacy field names, in the order given; empty = all
  bool enabled = true;
  V1Method method = V1Method::kPost;
  bool operator==(const V1WebhookSpec&) const = default;
};

struct V1Webhook {
  std::string id;  // "v1wh_…"
  std::string company_id;
  V1WebhookSpec spec;
  TimePoint created_at;
  TimePoint updated_at;
};

// One event to be sent to one v1 webhook. v1 has no redelivery: after the
// retries of RetryPolicy::v1 the event is dropped.
enum class V1DeliveryState { kPending, kDelivered, kDropped };
std::string_view to_string(V1DeliveryState state);
std::optional<V1DeliveryState> parse_v1_delivery_state(std::string_view text);

struct V1Delivery {
  std::string id;  // "v1dlv_…"
  std::string company_id;
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  V1DeliveryState state = V1DeliveryState::kPending;
  int attempts = 0;
  TimePoint next_attempt_at;
  std::optional<int> last_status_code;
  std::string last_error;  // "" when the last attempt succeeded or none was made
  TimePoint created_at;
  TimePoint updated_at;
};

// v1's retirement (the seeds: 31 July 2026, 00:00 UTC). After it the v1 API
// still answers (with Deprecation/Sunset headers); whether v1 deliveries go on
// is the server's `--v1-after-sunset continue|stop`.
inline constexpr std::string_view kV1SunsetHttpDate = "Fri, 31 Jul 2026 00:00:00 GMT";
TimePoint v1_sunset_time();
// The Deprecation header value (RFC 9745: @unix-seconds of when v1 was deprecated).
std::string v1_deprecation_header();

// The legacy payload's fields (seed 003), the only names `fields` accepts.
const std::vector<std::string_view>& v1_legacy_fields();

// Which v1 type a v2 event feeds: call.initiated, call.dial_begin and
// call.answered -> incall; call.end -> after_call; call.disposition ->
// disposition; anything else -> none.
std::optional<V1Type> v1_type_for_event(std::string_view event_type);

// Legacy codes of seed 003: `event` 1 = incall, 2 = after_call, 3 = disposition;
// `call_state` 1 = initiated, 2 = ringing, 3 = answered, 4 = ended, 5 = disposed.
std::string_view v1_event_code(V1Type type);
std::string_view v1_call_state(std::string_view event_type);

// The selected legacy fields of a v2 call event as name -> JSON value, in
// selection order (all fields when `fields` is empty). `data` is the event's
// `data` object.
std::vector<std::pair<std::string, boost::json::value>> v1_field_values(
    std::string_view event_type, std::string_view company_id, const boost::json::object& data,
    const std::vector<std::string>& fields);

// The POST body: {"myoperator":{<selected fields>}}, compact JSON.
std::string v1_payload_json(std::string_view event_type, std::string_view company_id,
                            const boost::json::object& data, const std::vector<std::string>& fields);

// The GET form: the selected fields as query parameters (arrays joined with ",").
std::vector<std::pair<std::string, std::string>> v1_query_fields(std::string_view event_type,
                                                                 std::string_view company_id,
                                                                 const boost::json::object& data,
                                                                 const std::vector<std::string>& fields);

InputResult<V1WebhookSpec> parse_v1_webhook_create(const boost::json::value& body);
// PATCH: only the fields present change; a header/query value equal to
// kMaskedSecret keeps the stored value of the same key. When
// `kept_credentials` is given it receives the path of every stored value the
// result keeps without it being entered again: "headers[i].value" /
// "query[i].value" (i the index in the result) for each value sent back
// masked, and for each value of a list the body leaves out.
InputResult<V1WebhookSpec> parse_v1_webhook_patch(const boost::json::value& body,
                                                  const V1WebhookSpec& current,
                                                  std::vector<std::string>* kept_credentials = nullptr);

// Issue 12 item 5 for v1, the rule of model/webhook_origin.h: when a PATCH
// moves the URL from `current_url` to another origin (scheme, host, port),
// every stored header/query value it keeps (left out, or sent back masked) is
// 422 `credentials_required` on its path, all at once; values entered anew or
// removed are fine, and a same-origin change keeps everything. `patch` and
// `kept_credentials` are parse_v1_webhook_patch's result and output.
std::vector<FieldError> v1_credentials_for_new_origin(std::string_view current_url,
                                                      const V1WebhookSpec& patch,
                                                      const std::vector<std::string>& kept_credentials);

}  // namespace switchboard::model
