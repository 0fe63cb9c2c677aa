#include "api/router.h"

#include <algorithm>

namespace switchboard::api {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

void Router::add(Route route) {
  Compiled compiled{std::move(route), {}};
  for (auto part : split_path(compiled.route.pattern)) {
    bool placeholder = part.size() >= 2 && part.front() == '{' && part.back() == '}';
    compiled.segments.emplace_back(placeholder ? "{}" : std::string(part));
  }
  routes_.push_back(std::move(compiled));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  // Trailing slashes are not significant, empty segments never are.
  auto parts = split_path(path);
  Match result;
  const Compiled* get_route = nullptr;
  std::vector<std::string> get_params;
  auto allow = [&result](std::string_view m) {
    if (std::find(result.allowed.begin(), result.allowed.end(), m) == result.allowed.end()) {
      result.allowed.emplace_back(m);
    }
  };
  for (const auto& compiled : routes_) {
    if (compiled.segments.size() != parts.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      if (compiled.segments[i] == "{}") {
        params.emplace_back(parts[i]);
      } else {
        ok = compiled.segments[i] == parts[i];
      }
    }
    if (!ok) continue;
    result.path_matched = true;
    allow(compiled.route.method);
    if (compiled.route.method == "GET") allow("HEAD");
    if (!result.route && compiled.route.method == method) {
      result.route = &compiled.route;
      result.params = std::move(params);
    } else if (!get_route && method == "HEAD" && compiled.route.method == "GET") {
      get_route = &compiled;
      get_params = std::move(params);
    }
  }
  if (!result.route && get_route) {
    result.route = &get_route->route;
    result.params = std::move(get_params);
  }
  return result;
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  out.reserve(routes_.size());
  for (const auto& compiled : routes_) out.push_back(&compiled.route);
  return out;
}

}  // namespace switchboard::api
