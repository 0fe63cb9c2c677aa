#include "simulate/publisher.h"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <mutex>

namespace switchboard::simulate {

namespace json = boost::json;

namespace {

std::string error_reason(const json::value& error) {
  if (!error.is_object()) return "unknown error";
  const auto& e = error.get_object();
  auto text = [&](std::string_view key) {
    const json::value* v = e.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  std::string reason = text("code");
  if (const std::string message = text("message"); !message.empty()) reason += ": " + message;
  return reason.empty() ? "unknown error" : reason;
}

PublishOutcome outcome_of_result(const json::value& result) {
  PublishOutcome out;
  if (!result.is_object()) return PublishOutcome{PublishOutcome::Kind::kFailed, {}, {}, "malformed result"};
  const auto& r = result.get_object();
  if (const json::value* id = r.if_contains("event_id"); id && id->is_string()) {
    out.kind = PublishOutcome::Kind::kAccepted;
    out.event_id = std::string(id->get_string());
    if (const json::value* seq = r.if_contains("event_sequence"); seq && seq->is_int64()) {
      out.event_sequence = seq->get_int64();
    }
    return out;
  }
  const json::value* error = r.if_contains("error");
  out.kind = PublishOutcome::Kind::kRefused;
  out.reason = error ? error_reason(*error) : "malformed result";
  // The server's transient failure of one event (a store error) is not a refusal.
  if (error && error->is_object() && error->get_object().if_contains("code") &&
      error->get_object().at("code") == "unavailable") {
    out.kind = PublishOutcome::Kind::kFailed;
  }
  return out;
}

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

std::vector<PublishOutcome> outcomes_from_response(long status, std::string_view body, std::size_t count,
                                                   bool batch) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (status == 202) {
    if (!ec && !batch) return {outcome_of_result(parsed)};
    const json::value* results =
        !ec && parsed.is_object() ? parsed.get_object().if_contains("results") : nullptr;
    if (results && results->is_array() && results->get_array().size() == count) {
      std::vector<PublishOutcome> out;
      for (const auto& r : results->get_array()) out.push_back(outcome_of_result(r));
      return out;
    }
    return std::vector<PublishOutcome>(
        count, PublishOutcome{PublishOutcome::Kind::kFailed, {}, {}, "unexpected answer to a 202"});
  }
  PublishOutcome out;
  if (status == 0) {
    out.reason = "transport: " + std::string(body);
  } else {
    const json::value* error = !ec && parsed.is_object() ? parsed.get_object().if_contains("error") : nullptr;
    out.reason = "HTTP " + std::to_string(status) + " " +
                 (error ? error_reason(*error) : std::string("(no error body)"));
    const bool refused = status == 400 || status == 409 || status == 413 || status == 415 || status == 422;
    out.kind = refused ? PublishOutcome::Kind::kRefused : PublishOutcome::Kind::kFailed;
  }
  return std::vector<PublishOutcome>(count, out);
}

Result<std::unique_ptr<HttpPublisher>> HttpPublisher::create(std::string_view base_url, std::string token) {
  if (!base_url.starts_with("http://") && !base_url.starts_with("https://")) {
    return make_error(ErrorCode::kInvalidArgument, "--url must start with http:// or https://");
  }
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  if (token.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a token is needed: --token or SWITCHBOARD_TOKEN");
  }
  init_curl_once();
  CURL* curl = curl_easy_init();
  if (!curl) return make_error(ErrorCode::kInternal, "cannot create a libcurl handle");
  return std::unique_ptr<HttpPublisher>(new HttpPublisher(std::string(base_url), std::move(token), curl));
}

HttpPublisher::HttpPublisher(std::string base_url, std::string token, void* curl)
    : base_url_(std::move(base_url)), token_(std::move(token)), curl_(curl) {}

HttpPublisher::~HttpPublisher() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

std::pair<long, std::string> HttpPublisher::send(const char* method, std::string_view path,
                                                 const std::string& body) {
  CURL* curl = static_cast<CURL*>(curl_);
  // POST is libcurl's own method for POSTFIELDS; any other is named.
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, std::string_view(method) == "POST" ? nullptr : method);
  std::string response;
  const std::string url = base_url_ + std::string(path);
  const std::string authorization = "Authorization: Bearer " + token_;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, authorization.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large batches
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "switchboard-simulate/" SWITCHBOARD_VERSION);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) return {0, curl_easy_strerror(code)};
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return {status, std::move(response)};
}

DirectoryStep directory_step_after_create(long status) {
  if (status == 201) return DirectoryStep::kDone;
  if (status == 409) return DirectoryStep::kUpdate;
  if (status == 401 || status == 403) return DirectoryStep::kNotAllowed;
  return DirectoryStep::kFailed;
}

Result<void> HttpPublisher::put_entry(const std::string& collection, const std::string& id,
                                      json::object body) {
  auto [status, answer] = post(collection, json::serialize(body));
  switch (directory_step_after_create(status)) {
    case DirectoryStep::kDone:
      return {};
    case DirectoryStep::kNotAllowed:
      return make_error(ErrorCode::kPermissionDenied, "this token may not manage the company directory");
    case DirectoryStep::kUpdate: {
      body.erase("id");
      auto [patched, patch_answer] = send("PATCH", collection + "/" + id, json::serialize(body));
      if (patched == 200) return {};
      return make_error(ErrorCode::kUnavailable,
                        "updating " + id + " answered " + std::to_string(patched) + ": " + patch_answer);
    }
    case DirectoryStep::kFailed:
      break;
  }
  return make_error(ErrorCode::kUnavailable,
                    "creating " + id + " answered " + std::to_string(status) + ": " + answer);
}

Result<int> HttpPublisher::fill_directory(const SimDirectory& directory) {
  int written = 0;
  for (const auto& d : directory.departments) {
    if (auto done = put_entry("/api/v2/departments", d.id, {{"id", d.id}, {"name", d.name}}); !done)
      return forward_error(done);
    ++written;
  }
  for (const auto& a : directory.agents) {
    json::object body{{"id", a.id},         {"name", a.name},
                      {"email", a.email},   {"extension", a.extension},
                      {"number", a.number}, {"department_id", a.department_id}};
    if (auto done = put_entry("/api/v2/agents", a.id, std::move(body)); !done) return forward_error(done);
    ++written;
  }
  return written;
}

PublishOutcome HttpPublisher::publish_one(const SimEvent& event) {
  auto [status, body] = post("/api/v2/events", event.to_json());
  return outcomes_from_response(status, body, 1, false).front();
}

std::vector<PublishOutcome> HttpPublisher::publish_batch(std::span<const SimEvent> events) {
  json::array list;
  list.reserve(events.size());
  for (const SimEvent& e : events) list.push_back(e.to_object());
  auto [status, body] =
      post("/api/v2/events/batch", json::serialize(json::object{{"events", std::move(list)}}));
  return outcomes_from_response(status, body, events.size(), true);
}

}  // namespace switchboard::simulate
