#include "model/sample_events.h"

#include <boost/json.hpp>

#include "model/event_catalog.h"

namespace switchboard::model {

namespace json = boost::json;

json::object sample_event_data(std::string_view type) {
  const EventTypeInfo* info = find_event_type(type);
  if (info && info->group == "call") {
    json::object data{
        {"call_id", "call_test_0001"},
        {"direction", "inbound"},
        {"from", "+919800000001"},
        {"to", "+918000000002"},
        {"legs",
         json::array{json::object{{"number", "+919800000001"}, {"role", "customer"}, {"state", "answered"}},
                     json::object{{"number", "+919800000009"}, {"role", "agent"}, {"state", "answered"}}}},
        {"status", type == "call.end" || type == "call.summary" ? "completed" : "in_progress"},
        {"duration_sec", type == "call.end" || type == "call.summary" ? 42 : 0},
        {"recording_url", nullptr},
        {"test", true}};
    if (type == "call.summary") {
      data["agent"] =
          json::object{{"name", "Test Agent"}, {"email", "agent@example.com"}, {"extension", "101"}};
      data["department"] = json::object{{"id", "dep_test"}, {"name", "Sales"}};
    }
    if (type == "call.disposition") data["disposition"] = "Interested";
    return data;
  }
  return json::object{{"conversation_id", "conv_test_0001"},
                      {"message_id", "msg_test_0001"},
                      {"from", "+919800000001"},
                      {"to", "+918000000002"},
                      {"text", "Hello from Switchboard"},
                      {"status", type.substr(type.find('.') + 1)},
                      {"test", true}};
}

}  // namespace switchboard::model
