// The OpenAPI document's `Error` schema lists exactly the codes the server
// uses (model/error_codes.h is the one definition): a code added there must
// be documented for clients, and the document names no code the server lacks.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "api/openapi_json.h"
#include "model/error_codes.h"

namespace switchboard::api {
namespace {

namespace json = boost::json;

TEST(OpenApiErrorCodesTest, TheErrorSchemaListsEveryCodeAndNoOther) {
  const json::value document = json::parse(generated::kOpenApiJson);
  const auto& code = document.at("components")
                         .at("schemas")
                         .at("Error")
                         .at("properties")
                         .at("error")
                         .at("properties")
                         .at("code");
  std::set<std::string> documented;
  for (const auto& value : code.at("enum").as_array()) documented.insert(std::string(value.as_string()));
  std::set<std::string> defined;
  for (auto spelling : model::error_codes::kAllErrorCodes) defined.insert(std::string(spelling));
  for (const auto& name : defined)
    EXPECT_TRUE(documented.contains(name)) << name << " is not in openapi.json";
  for (const auto& name : documented)
    EXPECT_TRUE(defined.contains(name)) << name << " is not in error_codes.h";
}

}  // namespace
}  // namespace switchboard::api
