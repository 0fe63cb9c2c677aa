// Webhook v2 request bodies (POST and PATCH /api/v2/webhooks) and the single-
// value rules behind them: model::parse_webhook_create, parse_webhook_patch
// (against fixed valid webhooks), and validate_url, is_valid_header_name,
// is_reserved_header, is_valid_secret on the raw bytes.
//
// Invariants: no exception escapes; a refused body passes check_failure; an
// accepted body (create, or a patch merged into a stored webhook) is a valid
// webhook: written back as a create body it parses to the same spec; a URL
// that validate_url accepts is https, short, free of spaces and a URI Boost
// parses; header-name rules agree with RFC 9110's token and ignore case.
#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "model/limits.h"
#include "model/webhook.h"
#include "model/webhook_input.h"

namespace {

using namespace switchboard;
namespace json = boost::json;
using model::WebhookSpec;

json::array key_values(const std::vector<model::KeyValue>& rows, std::string_view key_name) {
  json::array out;
  for (const auto& row : rows) out.push_back(json::object{{key_name, row.key}, {"value", row.value}});
  return out;
}

json::array strings(const std::vector<std::string>& items) { return json::array(items.begin(), items.end()); }

// The create body that asks for exactly `spec` (what a client would send).
json::object create_body(const WebhookSpec& spec) {
  json::object auth{{"type", model::to_string(spec.auth.type)}};
  switch (spec.auth.type) {
    case model::AuthType::kNone:
      break;
    case model::AuthType::kBasic:
      auth["username"] = spec.auth.username;
      auth["password"] = spec.auth.password;
      break;
    case model::AuthType::kApiKey:
      auth["location"] = model::to_string(spec.auth.location);
      auth["keys"] = key_values(spec.auth.keys, "name");
      break;
  }
  return json::object{{"name", spec.name},
                      {"description", spec.description},
                      {"url", spec.url},
                      {"auth", std::move(auth)},
                      {"headers", key_values(spec.headers, "key")},
                      {"events", strings(spec.events)},
                      {"filters", json::object{{"direction", strings(spec.filters.direction)},
                                               {"department_ids", strings(spec.filters.department_ids)},
                                               {"agent_ids", strings(spec.filters.agent_ids)}}}};
}

void check_accepted(const model::WebhookInput& input) {
  const WebhookSpec& spec = input.spec;
  FUZZ_CHECK(model::validate_url(spec.url).empty());
  FUZZ_CHECK(!spec.events.empty());
  FUZZ_CHECK(spec.headers.size() <= model::limits::kMaxCustomHeaders);
  if (input.secret.kind == model::SecretChange::Kind::kSet)
    FUZZ_CHECK(model::is_valid_secret(input.secret.value));
  auto again = model::parse_webhook_create(create_body(spec));
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->spec == spec);
}

void check_parse(const model::InputResult<model::WebhookInput>& result) {
  if (result) {
    check_accepted(*result);
  } else {
    fuzz::check_failure(result.error());
  }
}

// Stored webhooks a PATCH applies to: one per auth type that keeps secrets.
std::vector<WebhookSpec> stored_specs() {
  WebhookSpec basic;
  basic.name = "CRM sync";
  basic.url = "https://crm.example.com/hooks?src=sb";
  basic.auth = {model::AuthType::kBasic, "crm", "s3cret", model::ApiKeyLocation::kHeader, {}};
  basic.headers = {{"X-Source", "switchboard"}, {"X-Empty", ""}};
  basic.events = {"call.answered", "call.summary", "message.received"};
  basic.filters.direction = {"inbound"};

  WebhookSpec api_key;
  api_key.url = "https://hooks.example.org:8443/in";
  api_key.auth = {model::AuthType::kApiKey,
                  "",
                  "",
                  model::ApiKeyLocation::kHeader,
                  {{"X-Api-Key", "k1"}, {"X-Api-Key-2", "k2"}}};
  api_key.events = {"call.end"};
  api_key.filters.department_ids = {"dep_support"};
  api_key.filters.agent_ids = {"agt_1", "agt_2"};
  return {basic, api_key};
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_single_values(std::string_view text) {
  const auto url_errors = model::validate_url(text);
  FUZZ_CHECK(url_errors.size() <= 1);
  if (url_errors.empty()) {
    FUZZ_CHECK(text.size() <= model::limits::kMaxUrlLength);
    FUZZ_CHECK(text.size() > 8);
    for (char c : text) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
    FUZZ_CHECK(boost::urls::parse_absolute_uri(text).has_value());
  } else {
    FUZZ_CHECK(url_errors.front().field == "url");
    FUZZ_CHECK(!url_errors.front().code.empty() && !url_errors.front().message.empty());
  }

  const bool token = !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
  FUZZ_CHECK(model::is_valid_header_name(text) == token);
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  FUZZ_CHECK(model::is_reserved_header(text) == model::is_reserved_header(upper));

  if (model::is_valid_secret(text)) FUZZ_CHECK(text.starts_with("whsec_"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  check_single_values(text);

  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = model::limits::kMaxJsonDepth;
  const json::value body = json::parse(text, ec, {}, options);
  if (ec) return 0;
  check_parse(model::parse_webhook_create(body));
  static const std::vector<WebhookSpec> stored = [] {
    auto specs = stored_specs();
    // The stored webhooks are themselves valid, and an empty PATCH keeps them.
    for (const auto& spec : specs) FUZZ_CHECK(model::parse_webhook_patch(json::object{}, spec)->spec == spec);
    return specs;
  }();
  for (const auto& current : stored) check_parse(model::parse_webhook_patch(body, current));
  return 0;
}
