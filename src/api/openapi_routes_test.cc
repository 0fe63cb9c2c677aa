// The OpenAPI document describes exactly the routes the router serves: every
// route has its operation (method + path) in src/api/openapi.json and every
// documented operation is a route, so that a route cannot be added without
// its entry (nor an entry outlive its route).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <string>

#include "api/api.h"
#include "api/openapi_json.h"
#include "common/clock.h"
#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::api {
namespace {

namespace json = boost::json;

// The dashboard's files: served by the router, but not part of the API.
const std::set<std::string> kNotApi = {"/", "/{file}", "/assets/{file}"};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

TEST(OpenApiRoutesTest, TheDocumentHasEveryRouteAndNothingElse) {
  store::testing::TempDir dir;
  auto store = store::testing::open_test_store(dir.path() / "db.sqlite");
  ASSERT_NE(store, nullptr);
  SystemClock clock;
  Api api(ApiDeps{*store, clock});

  std::set<std::string> routed;  // "get /api/v2/webhooks"
  for (const Route* route : api.router().routes()) {
    if (kNotApi.contains(route->pattern)) continue;
    routed.insert(lower(route->method) + " " + route->pattern);
  }
  ASSERT_GT(routed.size(), 30u);

  const json::value document = json::parse(generated::kOpenApiJson);
  static const std::set<std::string> kMethods = {"get", "head", "post", "put", "patch", "delete", "options"};
  std::set<std::string> documented;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [key, operation] : item.as_object()) {
      if (kMethods.contains(std::string(key))) documented.insert(std::string(key) + " " + std::string(path));
    }
  }

  for (const auto& operation : routed) {
    EXPECT_TRUE(documented.contains(operation)) << operation << " is routed but missing from openapi.json";
  }
  for (const auto& operation : documented) {
    EXPECT_TRUE(routed.contains(operation)) << operation << " is in openapi.json but no route serves it";
  }
}

}  // namespace
}  // namespace switchboard::api
