#include "simulate/scenarios.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <optional>

#include "common/time_format.h"
#include "model/event_schema.h"

namespace switchboard::simulate {

namespace json = boost::json;

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The company the traffic belongs to: departments with their numbers and
// agents (with the names, e-mails and extensions `simulate` puts in the
// company directory, so that call.summary is enriched from the first run).
struct Agent {
  std::string_view id;
  std::string_view number;
  std::string_view name;
  std::string_view email;
  std::string_view extension;
};
struct Department {
  std::string_view id;
  std::string_view name;
  std::string_view number;  // the virtual number customers call
  std::string_view ivr_digit;
  std::array<Agent, 3> agents;
};

constexpr std::array<Department, 3> kDepartments{{
    {"dep_sales",
     "Sales",
     "+918040000101",
     "1",
     {{{"agt_sales_1", "+919876500011", "Asha Rao", "asha.rao@example.com", "101"},
       {"agt_sales_2", "+919876500012", "Vikram Shah", "vikram.shah@example.com", "102"},
       {"agt_sales_3", "+919876500013", "Meera Iyer", "meera.iyer@example.com", "103"}}}},
    {"dep_support",
     "Support",
     "+918040000102",
     "2",
     {{{"agt_support_1", "+919876500021", "Rahul Nair", "rahul.nair@example.com", "201"},
       {"agt_support_2", "+919876500022", "Priya Menon", "priya.menon@example.com", "202"},
       {"agt_support_3", "+919876500023", "Arjun Das", "arjun.das@example.com", "203"}}}},
    {"dep_billing",
     "Billing",
     "+918040000103",
     "3",
     {{{"agt_billing_1", "+919876500031", "Neha Gupta", "neha.gupta@example.com", "301"},
       {"agt_billing_2", "+919876500032", "Karan Mehta", "karan.mehta@example.com", "302"},
       {"agt_billing_3", "+919876500033", "Divya Pillai", "divya.pillai@example.com", "303"}}}},
}};

constexpr std::string_view kWhatsAppNumber = "+918040000999";
constexpr std::array<std::string_view, 7> kDispositions = {
    "Interested",   "Not Interested",     "Follow-up",     "Sale Closed",
    "Wrong Number", "Callback Requested", "Issue Resolved"};
constexpr std::array<std::string_view, 3> kNotConnectedDispositions = {"Not Connected", "Callback Requested",
                                                                       "Wrong Number"};
constexpr std::array<std::string_view, 4> kCustomerTexts = {
    "Hi, I want to know the status of my order.", "Is this available in blue?",
    "Please call me back after 5 pm.", "Thanks, that solves it!"};
constexpr std::array<std::string_view, 4> kAgentTexts = {
    "Hello! Happy to help. Could you share your order number?", "Yes, it ships in 2 days.",
    "Sure, we will call you at 5 pm.", "You're welcome. Anything else?"};
constexpr std::array<std::string_view, 3> kCampaignTemplates = {"diwali_offer", "new_arrivals",
                                                                "cart_reminder"};

std::string customer_number(SimRandom& random) {
  return "+91" + std::to_string(random.between(6, 9)) + random.digits(9);
}

std::string time_text(TimePoint t) { return format_rfc3339(t); }

long long whole_seconds(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<seconds>(to - from).count();
}

TimePoint after(TimePoint t, SimRandom& random, long long lo_sec, long long hi_sec) {
  return t + milliseconds(random.between(lo_sec * 1000, hi_sec * 1000));
}

// Scripts are written in causal order; events of one session that happen at
// overlapping moments (a read receipt after the next message was typed) are
// put in time order at the end. stable: equal times keep their causal order.
Script in_time_order(Script script) {
  std::stable_sort(script.begin(), script.end(),
                   [](const SimEvent& a, const SimEvent& b) { return a.occurred_at < b.occurred_at; });
  return script;
}

// ---------------------------------------------------------------------------
// Calls

struct Leg {
  std::string number;
  std::string_view role;
  std::string_view state;
  TimePoint started;
  std::optional<TimePoint> answered;
  std::optional<TimePoint> ended;
  std::string_view agent_id;
};

// A call in progress; emit() appends an event with the call as it is now.
class Call {
 public:
  Call(SimRandom& random, TimePoint start, bool inbound, const Department& department)
      : random_(random),
        id_("call_" + random.hex(16)),
        customer_(customer_number(random)),
        started_(start),
        inbound_(inbound),
        department_(department) {}

  void emit(Script& script, std::string_view type, TimePoint at) const {
    const bool ended = type == "call.end" || type == "call.summary";
    json::object data{{"call_id", id_},
                      {"direction", inbound_ ? "inbound" : "outbound"},
                      {"from", inbound_ ? customer_ : std::string(department_.number)},
                      {"to", inbound_ ? std::string(department_.number) : customer_},
                      {"status", status_},
                      {"started_at", time_text(started_)}};
    if (answered_) data["answered_at"] = time_text(*answered_);
    if (ended_) data["ended_at"] = time_text(*ended_);
    data["duration_sec"] = whole_seconds(started_, ended_.value_or(at));
    if (ended && answered_) data["talk_duration_sec"] = whole_seconds(*answered_, *ended_);
    json::array legs;
    for (const Leg& leg : legs_) {
      json::object l{{"number", leg.number},
                     {"role", leg.role},
                     {"state", leg.state},
                     {"started_at", time_text(leg.started)}};
      if (leg.answered) l["answered_at"] = time_text(*leg.answered);
      if (leg.ended) l["ended_at"] = time_text(*leg.ended);
      if (!leg.agent_id.empty()) l["agent_id"] = leg.agent_id;
      legs.push_back(std::move(l));
    }
    data["legs"] = std::move(legs);
    if (ended) data["recording_url"] = recording_url_;
    if (inbound_) {
      json::object ivr{{"id", "ivr_main"}, {"name", "Main menu"}};
      if (ivr_end_) ivr["inputs"] = json::array{department_.ivr_digit};
      data["ivr"] = std::move(ivr);
      if (ivr_end_) {
        data["queue"] = json::object{{"name", department_.name},
                                     {"id", "q_" + std::string(department_.id.substr(4))},
                                     {"wait_sec", whole_seconds(*ivr_end_, answered_.value_or(at))}};
      }
    }
    if (!agent_id_.empty()) data["agent_id"] = agent_id_;
    if (ivr_end_ || !inbound_) data["department_id"] = department_.id;
    if (!client_ref_.empty()) data["client_ref_id"] = client_ref_;
    if (ended) data["hangup_by"] = hangup_by_;
    script.push_back(SimEvent{std::string(type), at, std::move(data)});
  }

  std::size_t add_leg(std::string number, std::string_view role, std::string_view state, TimePoint at,
                      std::string_view agent_id = {}) {
    legs_.push_back(Leg{std::move(number), role, state, at, std::nullopt, std::nullopt, agent_id});
    return legs_.size() - 1;
  }
  void set_leg_state(std::size_t leg, std::string_view state) { legs_[leg].state = state; }
  void answer_leg(std::size_t leg, TimePoint at) {
    legs_[leg].state = "answered";
    legs_[leg].answered = at;
  }
  void end_leg(std::size_t leg, TimePoint at, std::string_view state) {
    legs_[leg].state = state;
    legs_[leg].ended = at;
  }
  std::string_view leg_agent(std::size_t leg) const { return legs_[leg].agent_id; }

  // An agent and the customer are connected (again, after a transfer).
  void connect(TimePoint at, std::string_view agent_id) {
    if (!answered_) answered_ = at;
    agent_id_ = agent_id;
    status_ = "in_progress";
  }

  // Ends every leg still up and the call itself.
  void end(TimePoint at, std::string_view final_status, std::string_view hangup_by) {
    for (Leg& leg : legs_) {
      if (leg.ended) continue;
      leg.ended = at;
      leg.state = leg.state == "answered" ? "completed" : "cancelled";
    }
    ended_ = at;
    status_ = final_status;
    hangup_by_ = hangup_by;
    if (answered_ && random_.chance(0.8)) recording_url_ = "https://recordings.example.com/" + id_ + ".mp3";
  }

  void set_status(std::string_view status) { status_ = status; }
  void finish_ivr(TimePoint at) { ivr_end_ = at; }
  void set_client_ref(std::string ref) { client_ref_ = std::move(ref); }
  void set_agent(std::string_view agent_id) { agent_id_ = agent_id; }
  bool answered() const { return answered_.has_value(); }
  const std::string& id() const { return id_; }
  const std::string& customer() const { return customer_; }
  std::string_view agent_id() const { return agent_id_; }
  const Department& department() const { return department_; }

 private:
  SimRandom& random_;
  std::string id_;
  std::string customer_;
  TimePoint started_;
  bool inbound_;
  const Department& department_;
  std::string_view status_ = "initiated";
  std::optional<TimePoint> answered_;
  std::optional<TimePoint> ended_;
  std::optional<TimePoint> ivr_end_;
  std::vector<Leg> legs_;
  std::string_view agent_id_;
  std::string client_ref_;
  std::string_view hangup_by_ = "customer";
  json::value recording_url_ = nullptr;
};

// The summary a few seconds after the end, and (usually) the agent's disposition later.
void wrap_up(Script& script, const Call& call, SimRandom& random, TimePoint ended) {
  const TimePoint summary_at = after(ended, random, 2, 8);
  call.emit(script, "call.summary", summary_at);
  if (call.agent_id().empty()) return;  // nobody to dispose of it
  if (!random.chance(call.answered() ? 0.85 : 0.5)) return;
  const TimePoint at = after(summary_at, random, 10, 90);
  const json::object& summary = script.back().data;
  json::object data{
      {"call_id", call.id()},
      {"disposition", call.answered() ? random.pick(kDispositions) : random.pick(kNotConnectedDispositions)},
      {"agent_id", call.agent_id()},
      {"submitted_at", time_text(at)},
      {"direction", summary.at("direction")},
      {"from", summary.at("from")},
      {"to", summary.at("to")},
      {"status", summary.at("status")},
      {"department_id", call.department().id}};
  if (random.chance(0.3)) data["notes"] = "Customer asked for a quote by e-mail.";
  script.push_back(SimEvent{"call.disposition", at, std::move(data)});
}

// Talk from `t` with the agent on `agent_leg` (the department's agent
// `agent_index`), maybe a transfer to a colleague, then the end.
void talk_and_end(Script& script, Call& call, SimRandom& random, std::size_t agent_leg, int agent_index,
                  TimePoint t) {
  TimePoint end_at = after(t, random, 20, 400);
  if (random.chance(0.15)) {
    const TimePoint transfer_at = t + (end_at - t) / 2;
    const Agent& colleague =
        call.department().agents[static_cast<std::size_t>((agent_index + random.between(1, 2)) % 3)];
    const std::size_t leg =
        call.add_leg(std::string(colleague.number), "agent", "ringing", transfer_at, colleague.id);
    call.emit(script, "call.dial_begin", transfer_at);
    const TimePoint answered_at = after(transfer_at, random, 3, 10);
    call.answer_leg(leg, answered_at);
    call.end_leg(agent_leg, answered_at, "transferred");
    call.connect(answered_at, colleague.id);
    call.emit(script, "call.answered", answered_at);
    if (end_at <= answered_at) end_at = after(answered_at, random, 10, 60);
  }
  call.end(end_at, "completed", random.chance(0.5) ? "customer" : "agent");
  call.emit(script, "call.end", end_at);
  wrap_up(script, call, random, end_at);
}

Script inbound_call(SimRandom& random, TimePoint t0) {
  const Department& department = kDepartments[static_cast<std::size_t>(random.between(0, 2))];
  Call call(random, t0, true, department);
  Script script;
  const std::size_t customer = call.add_leg(call.customer(), "customer", "answered", t0);
  call.answer_leg(customer, t0);  // the IVR picks up at once
  call.emit(script, "call.initiated", t0);
  TimePoint t = after(t0, random, 4, 15);
  if (random.chance(0.05)) {  // the caller gives up in the IVR
    call.end(t, "missed", "customer");
    call.emit(script, "call.end", t);
    wrap_up(script, call, random, t);
    return script;
  }
  call.finish_ivr(t);
  call.set_status("ringing");
  const bool parallel = random.chance(0.4);
  const bool answered = random.chance(0.75);
  const int first = static_cast<int>(random.between(0, 2));
  const int count = static_cast<int>(parallel ? random.between(2, 3) : random.between(1, 3));
  const int who = answered ? static_cast<int>(random.between(0, count - 1)) : -1;
  auto agent_at = [&](int i) -> const Agent& {
    return department.agents[static_cast<std::size_t>((first + i) % 3)];
  };

  if (parallel) {  // ring several agents at once; the first to answer takes the call
    std::vector<std::size_t> legs;
    for (int i = 0; i < count; ++i) {
      legs.push_back(call.add_leg(std::string(agent_at(i).number), "agent", "ringing", t, agent_at(i).id));
      call.emit(script, "call.dial_begin", t);
      t += milliseconds(random.between(0, 800));
    }
    if (answered) {
      t = after(t, random, 3, 12);
      for (int i = 0; i < count; ++i) {
        if (i == who) {
          call.answer_leg(legs[static_cast<std::size_t>(i)], t);
        } else {
          call.end_leg(legs[static_cast<std::size_t>(i)], t, "cancelled");
        }
      }
      call.connect(t, agent_at(who).id);
      call.emit(script, "call.answered", t);
      talk_and_end(script, call, random, legs[static_cast<std::size_t>(who)], (first + who) % 3, t);
      return script;
    }
    const bool caller_hung_up = random.chance(0.4);
    t = after(t, random, 15, 30);
    for (std::size_t leg : legs) call.end_leg(leg, t, caller_hung_up ? "cancelled" : "no_answer");
    call.end(t, "missed", caller_hung_up ? "customer" : "system");
  } else {  // hunt: one agent after the other
    for (int i = 0; i < count; ++i) {
      const std::size_t leg =
          call.add_leg(std::string(agent_at(i).number), "agent", "ringing", t, agent_at(i).id);
      call.emit(script, "call.dial_begin", t);
      if (i == who) {
        t = after(t, random, 3, 12);
        call.answer_leg(leg, t);
        call.connect(t, agent_at(i).id);
        call.emit(script, "call.answered", t);
        talk_and_end(script, call, random, leg, (first + i) % 3, t);
        return script;
      }
      t = after(t, random, 15, 20);
      call.end_leg(leg, t, random.chance(0.2) ? "busy" : "no_answer");
      t += milliseconds(random.between(300, 2000));
    }
    call.end(t, "missed", "system");
  }
  call.emit(script, "call.end", t);
  wrap_up(script, call, random, t);
  return script;
}

// Click-to-call: the platform rings the agent first, then the customer.
Script outbound_call(SimRandom& random, TimePoint t0) {
  const Department& department = kDepartments[static_cast<std::size_t>(random.between(0, 2))];
  const int agent_index = static_cast<int>(random.between(0, 2));
  const Agent& agent = department.agents[static_cast<std::size_t>(agent_index)];
  Call call(random, t0, false, department);
  if (random.chance(0.5)) call.set_client_ref("crm-" + random.hex(10));
  call.set_agent(agent.id);
  Script script;
  const std::size_t agent_leg = call.add_leg(std::string(agent.number), "agent", "dialing", t0, agent.id);
  call.emit(script, "call.initiated", t0);
  TimePoint t = t0 + milliseconds(random.between(200, 1000));
  call.set_leg_state(agent_leg, "ringing");
  call.set_status("ringing");
  call.emit(script, "call.dial_begin", t);
  if (random.chance(0.05)) {  // the agent does not pick up: the customer is never dialed
    t = after(t, random, 15, 25);
    call.end_leg(agent_leg, t, "no_answer");
    call.end(t, "no_answer", "system");
    call.emit(script, "call.end", t);
    wrap_up(script, call, random, t);
    return script;
  }
  t = after(t, random, 2, 6);
  call.answer_leg(agent_leg, t);
  call.set_status("in_progress");
  call.emit(script, "call.answered", t);
  t += milliseconds(random.between(300, 1500));
  const std::size_t customer = call.add_leg(call.customer(), "customer", "ringing", t);
  call.set_status("ringing");
  call.emit(script, "call.dial_begin", t);
  const long long outcome = random.between(0, 99);
  if (outcome < 65) {
    t = after(t, random, 4, 20);
    call.answer_leg(customer, t);
    call.connect(t, agent.id);
    call.emit(script, "call.answered", t);
    talk_and_end(script, call, random, agent_leg, agent_index, t);
    return script;
  }
  const bool busy = outcome >= 90;
  t = busy ? after(t, random, 1, 4) : after(t, random, 20, 30);
  call.end_leg(customer, t, busy ? "busy" : "no_answer");
  call.end(t, busy ? "busy" : "no_answer", "system");
  call.emit(script, "call.end", t);
  wrap_up(script, call, random, t);
  return script;
}

// ---------------------------------------------------------------------------
// WhatsApp

struct Conversation {
  std::string id;
  std::string customer;
  const Department* department = nullptr;
  const Agent* agent = nullptr;
  bool assigned = false;
  int messages = 0;
  // Campaign messages carry where they came from.
  std::string source;
  std::string myop_ref_id;
  std::string campaign_id;
};

json::object template_content(std::string_view name, std::string_view category, json::array params) {
  return json::object{
      {"message_type", "template"},
      {"template",
       json::object{
           {"name", name}, {"language", "en"}, {"category", category}, {"params", std::move(params)}}}};
}

json::object text_content(std::string_view text) {
  return json::object{{"message_type", "text"}, {"text", text}};
}

json::object message_data(const Conversation& conv, const std::string& message_id, std::string_view status,
                          TimePoint at, bool inbound, const json::object& content) {
  json::object data{{"conversation_id", conv.id},
                    {"message_id", message_id},
                    {"from", inbound ? conv.customer : std::string(kWhatsAppNumber)},
                    {"to", inbound ? std::string(kWhatsAppNumber) : conv.customer},
                    {"status", status},
                    {"timestamp", time_text(at)},
                    {"direction", inbound ? "inbound" : "outbound"}};
  for (const auto& field : content) data[field.key()] = field.value();
  if (conv.assigned) data["agent_id"] = conv.agent->id;
  data["department_id"] = conv.department->id;
  if (!conv.source.empty()) data["source"] = conv.source;
  if (!conv.myop_ref_id.empty()) data["myop_ref_id"] = conv.myop_ref_id;
  if (!conv.campaign_id.empty()) data["campaign_id"] = conv.campaign_id;
  return data;
}

std::string message_id(SimRandom& random) { return "wamid_" + random.hex(20); }

struct Sent {
  std::string message_id;
  TimePoint last;  // the last status of the message
  std::optional<TimePoint> read;
  bool failed = false;
};

// A message to the customer and its statuses: failed, or delivered and maybe read.
Sent send_message(Script& script, SimRandom& random, Conversation& conv, TimePoint at,
                  const json::object& content, double failure_chance) {
  Sent out{message_id(random), at, std::nullopt, false};
  ++conv.messages;
  script.push_back(
      SimEvent{"message.sent", at, message_data(conv, out.message_id, "sent", at, false, content)});
  if (random.chance(failure_chance)) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kFailures{{
        {"invalid_number", "The recipient is not a WhatsApp user."},
        {"blocked", "The recipient has blocked the business number."},
        {"network_error", "The message could not be delivered before it expired in the network."},
        {"rate_limited", "Too many messages were sent to this recipient."},
    }};
    const auto& failure = random.pick(kFailures);
    out.last = after(at, random, 1, 10);
    out.failed = true;
    auto data = message_data(conv, out.message_id, "failed", out.last, false, json::object{});
    data["failure_code"] = failure.first;
    data["failure_reason"] = failure.second;
    script.push_back(SimEvent{"message.failed", out.last, std::move(data)});
    return out;
  }
  out.last = after(at, random, 1, 4);
  script.push_back(
      SimEvent{"message.delivered", out.last,
               message_data(conv, out.message_id, "delivered", out.last, false, json::object{})});
  if (random.chance(0.8)) {
    out.last = after(out.last, random, 5, 90);
    out.read = out.last;
    script.push_back(SimEvent{"message.read", out.last,
                              message_data(conv, out.message_id, "read", out.last, false, json::object{})});
  }
  return out;
}

void receive_message(Script& script, SimRandom& random, Conversation& conv, TimePoint at) {
  ++conv.messages;
  script.push_back(SimEvent{"message.received", at,
                            message_data(conv, message_id(random), "received", at, true,
                                         text_content(random.pick(kCustomerTexts)))});
}

// Returns when the customer clicked.
TimePoint click_link(Script& script, SimRandom& random, const Conversation& conv, const Sent& message,
                     std::string_view url, std::string_view template_name) {
  const TimePoint at = after(*message.read, random, 5, 120);
  json::object data{{"conversation_id", conv.id},
                    {"message_id", message.message_id},
                    {"customer_number", conv.customer},
                    {"url", url},
                    {"timestamp", time_text(at)},
                    {"business_number", kWhatsAppNumber},
                    {"template", json::object{{"name", template_name}, {"language", "en"}}}};
  if (!conv.source.empty()) data["source"] = conv.source;
  if (!conv.myop_ref_id.empty()) data["myop_ref_id"] = conv.myop_ref_id;
  if (!conv.campaign_id.empty()) data["campaign_id"] = conv.campaign_id;
  script.push_back(SimEvent{"message.link_tracking", at, std::move(data)});
  return at;
}

void assign(Script& script, Conversation& conv, TimePoint at) {
  conv.assigned = true;
  script.push_back(SimEvent{"conversation.assign", at,
                            json::object{{"conversation_id", conv.id},
                                         {"customer_number", conv.customer},
                                         {"agent_id", conv.agent->id},
                                         {"timestamp", time_text(at)},
                                         {"business_number", kWhatsAppNumber},
                                         {"department_id", conv.department->id},
                                         {"assigned_by", "system"}}});
}

Conversation new_conversation(SimRandom& random) {
  Conversation conv;
  conv.id = "conv_" + random.hex(16);
  conv.customer = customer_number(random);
  conv.department = &kDepartments[static_cast<std::size_t>(random.between(0, 1))];  // sales or support
  conv.agent = &conv.department->agents[static_cast<std::size_t>(random.between(0, 2))];
  return conv;
}

}  // namespace

Script call_session(SimRandom& random, TimePoint start) {
  return random.chance(0.6) ? inbound_call(random, start) : outbound_call(random, start);
}

Script conversation_session(SimRandom& random, TimePoint start) {
  Conversation conv = new_conversation(random);
  Script script;
  TimePoint t = start;
  if (random.chance(0.6)) {  // the customer writes first
    receive_message(script, random, conv, t);
    t = after(t, random, 5, 60);
    assign(script, conv, t);
  } else {  // the business writes first (an order update), the customer answers
    const Sent update =
        send_message(script, random, conv, t,
                     template_content("order_update", "utility", json::array{"#" + random.digits(6)}), 0.05);
    if (update.failed || !update.read) {  // no answer: the system closes it
      const TimePoint closed = after(update.last, random, 60, 600);
      script.push_back(SimEvent{"conversation.close", closed,
                                json::object{{"conversation_id", conv.id},
                                             {"customer_number", conv.customer},
                                             {"closed_by", "system"},
                                             {"timestamp", time_text(closed)},
                                             {"reason", "No reply"},
                                             {"message_count", conv.messages}}});
      return in_time_order(std::move(script));
    }
    t = after(update.last, random, 10, 120);
    receive_message(script, random, conv, t);
    t = after(t, random, 5, 60);
    assign(script, conv, t);
  }
  const int rounds = static_cast<int>(random.between(1, 3));
  for (int i = 0; i < rounds; ++i) {
    t = after(t, random, 10, 120);
    if (random.chance(0.2)) {  // a template with a tracked link
      const std::string url = "https://shop.example.com/track/" + random.hex(8);
      const Sent sent = send_message(script, random, conv, t,
                                     template_content("order_tracking", "utility", json::array{url}), 0.03);
      t = sent.last;
      if (sent.read && random.chance(0.6)) t = click_link(script, random, conv, sent, url, "order_tracking");
    } else {
      const Sent sent = send_message(script, random, conv, t, text_content(random.pick(kAgentTexts)), 0.03);
      t = sent.last;
      if (sent.failed) break;
    }
    if (random.chance(0.7)) {
      t = after(t, random, 10, 180);
      receive_message(script, random, conv, t);
    }
  }
  t = after(t, random, 30, 300);
  const long long closer = random.between(0, 9);
  json::object close{{"conversation_id", conv.id},
                     {"customer_number", conv.customer},
                     {"closed_by", closer < 7   ? "agent"
                                   : closer < 9 ? "system"
                                                : "customer"},
                     {"timestamp", time_text(t)},
                     {"business_number", kWhatsAppNumber},
                     {"agent_id", conv.agent->id},
                     {"department_id", conv.department->id},
                     {"message_count", conv.messages}};
  if (closer >= 7 && closer < 9) close["reason"] = "Inactive for 24 hours";
  script.push_back(SimEvent{"conversation.close", t, std::move(close)});
  return in_time_order(std::move(script));
}

Script campaign_session(SimRandom& random, TimePoint start) {
  Conversation conv = new_conversation(random);
  const auto template_name = random.pick(kCampaignTemplates);
  conv.source = std::string(model::kCampaignSource);
  conv.myop_ref_id = "mref_" + random.hex(12);
  conv.campaign_id = "camp_" + std::string(template_name);
  const std::string url = "https://shop.example.com/offer/" + random.hex(8);
  Script script;
  const Sent sent =
      send_message(script, random, conv, start,
                   template_content(template_name, "marketing", json::array{"Friend", url}), 0.1);
  if (sent.read && random.chance(0.3)) click_link(script, random, conv, sent, url, template_name);
  if (sent.read && random.chance(0.1))
    receive_message(script, random, conv, after(*sent.read, random, 10, 300));
  return in_time_order(std::move(script));
}

SimDirectory sim_directory() {
  SimDirectory out;
  for (const auto& d : kDepartments) {
    out.departments.push_back({std::string(d.id), std::string(d.name)});
    for (const auto& a : d.agents) {
      out.agents.push_back({std::string(a.id), std::string(a.name), std::string(a.email),
                            std::string(a.extension), std::string(a.number), std::string(d.id)});
    }
  }
  return out;
}

}  // namespace switchboard::simulate
