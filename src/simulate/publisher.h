// Publishing simulated events to a running server: POST /api/v2/events for
// one event, POST /api/v2/events/batch for several (api.md "Events").
// outcomes_from_response() reads the server's answer (pure, tested);
// HttpPublisher sends with one libcurl easy handle, so the connection is kept
// alive between requests. A publisher is used from one thread.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "simulate/generator.h"
#include "simulate/scenarios.h"

namespace switchboard::simulate {

struct PublishOutcome {
  enum class Kind {
    kAccepted,  // 202 with an event id
    kRefused,   // the server refused the event (400/409/413/422, or an error in a batch result)
    kFailed,    // not published: transport error, authentication, overload, server error
  };
  Kind kind = Kind::kFailed;
  std::string event_id;
  std::optional<long long> event_sequence;
  std::string reason;  // for kRefused / kFailed: "invalid_value: data.legs[0].role must be …"
};

// The outcomes of `count` events from the HTTP status and body of one
// request (`batch`: to /events/batch). A transport error has status 0 and
// its message in `body`.
std::vector<PublishOutcome> outcomes_from_response(long status, std::string_view body, std::size_t count,
                                                   bool batch);

// Filling the directory: what to do after POSTing one department or agent.
enum class DirectoryStep {
  kDone,        // 201: created
  kUpdate,      // 409: the id is taken: PATCH it to the simulator's values
  kNotAllowed,  // 401/403: the token may not manage the directory (an ingest token)
  kFailed,      // anything else
};
DirectoryStep directory_step_after_create(long status);

class Publisher {
 public:
  virtual ~Publisher() = default;
  virtual PublishOutcome publish_one(const SimEvent& event) = 0;
  virtual std::vector<PublishOutcome> publish_batch(std::span<const SimEvent> events) = 0;
};

class HttpPublisher final : public Publisher {
 public:
  // `base_url`: http(s)://host:port of the server; `token`: an ingest, owner or admin token.
  static Result<std::unique_ptr<HttpPublisher>> create(std::string_view base_url, std::string token);
  ~HttpPublisher() override;

  PublishOutcome publish_one(const SimEvent& event) override;
  std::vector<PublishOutcome> publish_batch(std::span<const SimEvent> events) override;

  // Puts `directory` in the token's company (departments first, then
  // agents): creates each entry, or updates it when its id exists. The
  // number of entries written; kPermissionDenied when the token may not
  // manage the directory (an ingest token), kUnavailable on any other
  // failure (with the server's answer).
  Result<int> fill_directory(const SimDirectory& directory);

 private:
  HttpPublisher(std::string base_url, std::string token, void* curl);
  // POST `body` to `path`; returns the status (0 on a transport error, with its message as the body).
  std::pair<long, std::string> post(std::string_view path, const std::string& body) {
    return send("POST", path, body);
  }
  std::pair<long, std::string> send(const char* method, std::string_view path, const std::string& body);
  // Creates (or updates) one directory entry at `collection`.
  Result<void> put_entry(const std::string& collection, const std::string& id, boost::json::object body);

  std::string base_url_;
  std::string token_;
  void* curl_;  // CURL*, kept opaque so that this header needs no curl include
};

}  // namespace switchboard::simulate
