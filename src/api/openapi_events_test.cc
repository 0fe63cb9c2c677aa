// The OpenAPI document describes each event's data exactly as the model's
// schemas define it (model/event_schema.h is the one definition). When a
// schema changes, run this test with SWITCHBOARD_WRITE_EVENT_SCHEMAS=FILE to
// get the new components.schemas entries to paste into src/api/openapi.json.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>

#include "api/openapi_json.h"
#include "model/event_catalog.h"
#include "model/event_schema.h"

namespace switchboard::api {
namespace {

namespace json = boost::json;

TEST(OpenApiEventsTest, EventDataSchemasMatchTheModel) {
  const json::value document = json::parse(generated::kOpenApiJson);
  const auto& schemas = document.at("components").at("schemas").as_object();
  json::object expected;
  for (const model::EventSchema& schema : model::event_schemas()) {
    expected["EventData." + std::string(schema.type)] = model::event_data_json_schema(schema);
  }
  if (const char* path = std::getenv("SWITCHBOARD_WRITE_EVENT_SCHEMAS")) {
    std::ofstream(path) << json::serialize(expected);
  }
  for (const auto& [name, schema] : expected) {
    SCOPED_TRACE(std::string(name));
    const json::value* documented = schemas.if_contains(name);
    ASSERT_NE(documented, nullptr) << "missing from openapi.json";
    EXPECT_EQ(*documented, schema)
        << "openapi.json differs from the model; regenerate it (see the top of this file)";
  }
}

TEST(OpenApiEventsTest, EventInputNamesEveryCatalogType) {
  const json::value document = json::parse(generated::kOpenApiJson);
  const auto& input = document.at("components").at("schemas").at("EventInput");
  const auto& variants = input.at("oneOf").as_array();
  ASSERT_EQ(variants.size(), model::event_catalog().size());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const auto& properties = variants[i].at("properties");
    const std::string type(model::event_catalog()[i].type);
    EXPECT_EQ(properties.at("type").at("const"), json::value(type));
    EXPECT_EQ(properties.at("data").at("$ref"), json::value("#/components/schemas/EventData." + type));
  }
}

}  // namespace
}  // namespace switchboard::api
