// Calling webhooks v1 request bodies (POST and PATCH /api/v1/webhooks):
// model::parse_v1_webhook_create, and parse_v1_webhook_patch against a fixed
// valid subscription.
//
// Invariants: no exception escapes; a refused body passes check_failure; an
// accepted one is a valid subscription: an https URL that validate_url
// accepts, at most 10 headers and query parameters with no line breaks, known
// legacy fields without repeats, and written back as a create body it parses
// to the same spec.
#include <algorithm>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "model/limits.h"
#include "model/v1_webhook.h"

namespace {

using namespace switchboard;
namespace json = boost::json;
using model::V1WebhookSpec;

json::array params(const std::vector<model::V1Param>& rows) {
  json::array out;
  for (const auto& row : rows) out.push_back(json::object{{"key", row.key}, {"value", row.value}});
  return out;
}

json::object create_body(const V1WebhookSpec& spec) {
  return json::object{{"type", model::to_string(spec.type)},
                      {"url", spec.url},
                      {"headers", params(spec.headers)},
                      {"query", params(spec.query)},
                      {"fields", json::array(spec.fields.begin(), spec.fields.end())},
                      {"enabled", spec.enabled},
                      {"method", model::to_string(spec.method)}};
}

void check_params(const std::vector<model::V1Param>& rows) {
  FUZZ_CHECK(rows.size() <= model::limits::kMaxCustomHeaders);
  for (const auto& row : rows) {
    FUZZ_CHECK(!row.key.empty() && !row.value.empty());
    FUZZ_CHECK(row.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  }
}

void check_parse(const model::InputResult<V1WebhookSpec>& result) {
  if (!result) {
    fuzz::check_failure(result.error());
    return;
  }
  const V1WebhookSpec& spec = *result;
  FUZZ_CHECK(model::validate_url(spec.url).empty());
  check_params(spec.headers);
  check_params(spec.query);
  for (const auto& header : spec.headers) FUZZ_CHECK(model::is_valid_header_name(header.key));
  const auto& legacy = model::v1_legacy_fields();
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    FUZZ_CHECK(std::find(legacy.begin(), legacy.end(), spec.fields[i]) != legacy.end());
    FUZZ_CHECK(std::find(spec.fields.begin() + static_cast<std::ptrdiff_t>(i) + 1, spec.fields.end(),
                         spec.fields[i]) == spec.fields.end());
  }
  auto again = model::parse_v1_webhook_create(create_body(spec));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == spec);
}

V1WebhookSpec stored_spec() {
  V1WebhookSpec spec;
  spec.type = model::V1Type::kIncall;
  spec.url = "https://legacy.example.com/myoperator";
  spec.headers = {{"X-Auth-Token", "t0k3n"}};
  spec.query = {{"api_key", "q-secret"}};
  spec.fields = {"uid", "clid", "call_state"};
  spec.method = model::V1Method::kGet;
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = model::limits::kMaxJsonDepth;
  const json::value body = json::parse(fuzz::as_text(data, size), ec, {}, options);
  if (ec) return 0;
  check_parse(model::parse_v1_webhook_create(body));
  static const V1WebhookSpec stored = [] {
    auto spec = stored_spec();
    FUZZ_CHECK(model::parse_v1_webhook_patch(json::object{}, spec) == spec);
    return spec;
  }();
  check_parse(model::parse_v1_webhook_patch(body, stored));
  return 0;
}
