// Router: maps (method, path pattern) to a handler and the Action the caller
// must be allowed to perform. Patterns are literal segments and "{name}"
// placeholders: "/api/v2/webhooks/{id}/enable". Built once at start-up, then
// read-only: safe to use from any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "model/identity.h"
#include "model/rbac.h"

namespace switchboard::api {

struct RequestContext {
  const Request& request;
  const model::Principal* principal = nullptr;  // null on public routes
  const model::Company* company = nullptr;      // the principal's company
  std::vector<std::string> params;              // placeholder values, in order

  const std::string& company_id() const { return company->id; }
};

using Handler = std::function<Response(RequestContext&)>;
// Answers on the calling I/O thread without blocking (no store access, no
// waiting), or declines (nullopt) and the request goes to the route's Handler
// on a worker (Api::handle_inline). Public routes only: a token check reads
// the store.
using QuickHandler = std::function<std::optional<Response>(RequestContext&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::optional<model::Action> action;  // nullopt: public route, no token needed
  Handler handler;                      // may block: runs on a worker
  QuickHandler quick = {};              // optional; ignored unless the route is public
};

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> params;
    bool path_matched = false;  // some route has this path (for 405 vs 404)
    // The methods this path accepts, for the Allow header of a 405: in the
    // order the routes were added, HEAD right after GET.
    std::vector<std::string> allowed;
  };
  // HEAD matches the path's GET route when it has no HEAD route of its own
  // (RFC 9110 §9.3.2: the transport then sends the GET answer without body).
  Match match(std::string_view method, std::string_view path) const;

  // Every route, in the order added (the OpenAPI document is checked against them).
  std::vector<const Route*> routes() const;

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{}" marks a placeholder
  };
  std::vector<Compiled> routes_;
};

}  // namespace switchboard::api
