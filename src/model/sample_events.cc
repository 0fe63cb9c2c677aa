#include "model/sample_events.h"

#include <boost/json.hpp>

#include "model/event_catalog.h"

namespace switchboard::model {

namespace json = boost::json;

namespace {

constexpr std::string_view kCustomer = "+919800000001";
constexpr std::string_view kCompanyNumber = "+918000000002";
constexpr std::string_view kAgentNumber = "+919800000009";

json::object customer_leg(bool ended) {
  json::object leg{{"number", kCustomer},
                   {"role", "customer"},
                   {"state", ended ? "completed" : "answered"},
                   {"started_at", "2026-11-22T10:03:40.000Z"},
                   {"answered_at", "2026-11-22T10:03:40.000Z"}};
  if (ended) leg["ended_at"] = "2026-11-22T10:04:22.000Z";
  return leg;
}

json::object agent_leg(std::string_view type) {
  const bool ringing = type == "call.dial_begin";
  const bool ended = type == "call.end" || type == "call.summary";
  json::object leg{{"number", kAgentNumber},
                   {"role", "agent"},
                   {"state", ringing ? "ringing"
                             : ended ? "completed"
                                     : "answered"},
                   {"started_at", "2026-11-22T10:03:52.000Z"},
                   {"agent_id", "agt_test"}};
  if (!ringing) leg["answered_at"] = "2026-11-22T10:03:59.000Z";
  if (ended) leg["ended_at"] = "2026-11-22T10:04:22.000Z";
  return leg;
}

json::object call_data(std::string_view type) {
  if (type == "call.disposition") {
    return json::object{{"call_id", "call_test_0001"}, {"disposition", "Interested"},
                        {"agent_id", "agt_test"},      {"submitted_at", "2026-11-22T10:05:00.000Z"},
                        {"notes", "Test disposition"}, {"direction", "inbound"},
                        {"from", kCustomer},           {"to", kCompanyNumber},
                        {"status", "completed"},       {"test", true}};
  }
  const bool ended = type == "call.end" || type == "call.summary";
  json::array legs{customer_leg(ended)};
  if (type != "call.initiated") legs.push_back(agent_leg(type));
  json::object data{
      {"call_id", "call_test_0001"}, {"direction", "inbound"}, {"from", kCustomer}, {"to", kCompanyNumber}};
  data["status"] = type == "call.initiated"    ? "initiated"
                   : type == "call.dial_begin" ? "ringing"
                   : ended                     ? "completed"
                                               : "in_progress";
  data["started_at"] = "2026-11-22T10:03:40.000Z";
  if (type == "call.answered" || ended) data["answered_at"] = "2026-11-22T10:03:59.000Z";
  if (ended) {
    data["ended_at"] = "2026-11-22T10:04:22.000Z";
    data["duration_sec"] = 42;
    data["talk_duration_sec"] = 23;
    data["hangup_by"] = "customer";
  }
  data["legs"] = std::move(legs);
  data["recording_url"] = nullptr;
  data["ivr"] = json::object{{"id", "ivr_test"}, {"name", "Main menu"}, {"inputs", json::array{"1"}}};
  data["queue"] = json::object{{"name", "Sales"}};
  if (type != "call.initiated") data["department_id"] = "dep_test";
  if (type == "call.answered" || ended) data["agent_id"] = "agt_test";
  if (type == "call.summary") {
    // What ingest adds from the directory, so that a test delivery looks like a real one.
    data["agent"] = json::object{
        {"id", "agt_test"}, {"name", "Test Agent"}, {"email", "agent@example.com"}, {"extension", "101"}};
    data["department"] = json::object{{"id", "dep_test"}, {"name", "Sales"}};
  }
  data["test"] = true;
  return data;
}

json::object whatsapp_data(std::string_view type) {
  const std::string_view status = type.substr(type.find('.') + 1);
  if (type == "message.link_tracking") {
    return json::object{{"conversation_id", "conv_test_0001"},
                        {"message_id", "msg_test_0001"},
                        {"customer_number", kCustomer},
                        {"url", "https://example.com/offer"},
                        {"timestamp", "2026-11-22T10:03:59.120Z"},
                        {"business_number", kCompanyNumber},
                        {"test", true}};
  }
  if (type == "conversation.assign") {
    return json::object{{"conversation_id", "conv_test_0001"},
                        {"customer_number", kCustomer},
                        {"agent_id", "agt_test"},
                        {"timestamp", "2026-11-22T10:03:59.120Z"},
                        {"business_number", kCompanyNumber},
                        {"test", true}};
  }
  if (type == "conversation.close") {
    return json::object{
        {"conversation_id", "conv_test_0001"},     {"customer_number", kCustomer}, {"closed_by", "agent"},
        {"timestamp", "2026-11-22T10:03:59.120Z"}, {"agent_id", "agt_test"},       {"test", true}};
  }
  const bool inbound = type == "message.received";
  json::object data{{"conversation_id", "conv_test_0001"},
                    {"message_id", "msg_test_0001"},
                    {"from", inbound ? kCustomer : kCompanyNumber},
                    {"to", inbound ? kCompanyNumber : kCustomer},
                    {"status", status},
                    {"timestamp", "2026-11-22T10:03:59.120Z"},
                    {"direction", inbound ? "inbound" : "outbound"},
                    {"message_type", "text"},
                    {"text", "Hello from Switchboard"}};
  if (type == "message.failed") {
    data["failure_code"] = "invalid_number";
    data["failure_reason"] = "The recipient is not a WhatsApp user.";
  }
  data["test"] = true;
  return data;
}

}  // namespace

json::object sample_event_data(std::string_view type) {
  const EventTypeInfo* info = find_event_type(type);
  if (info && info->group == "call") return call_data(type);
  return whatsapp_data(type);
}

}  // namespace switchboard::model
