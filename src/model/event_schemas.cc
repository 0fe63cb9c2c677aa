// The field tables of the 14 event schemas (event_schema.h). Call events share
// one description of a call, varied by stage (in progress, ended); WhatsApp
// message events share one description of a message.
#include <utility>

#include "model/event_catalog.h"
#include "model/event_schema.h"
#include "model/event_schema_rules.h"

namespace switchboard::model {

namespace {

FieldSpec required(std::string name, FieldKind kind, std::string description) {
  return FieldSpec{
      .name = std::move(name), .kind = kind, .required = true, .description = std::move(description)};
}

FieldSpec optional(std::string name, FieldKind kind, std::string description) {
  return FieldSpec{.name = std::move(name), .kind = kind, .description = std::move(description)};
}

FieldSpec with_values(FieldSpec spec, std::vector<std::string_view> values) {
  spec.values = std::move(values);
  return spec;
}

FieldSpec with_fields(FieldSpec spec, std::vector<FieldSpec> fields) {
  spec.fields = std::move(fields);
  return spec;
}

FieldSpec with_length(FieldSpec spec, std::size_t max_length) {
  spec.max_length = max_length;
  return spec;
}

FieldSpec with_items(FieldSpec spec, std::size_t min_items, std::size_t max_items) {
  spec.min_items = min_items;
  spec.max_items = max_items;
  return spec;
}

// ---------------------------------------------------------------------------
// Calls

// Whether the call (or leg) has ended: ended events carry final states and end times.
enum class CallStage { kInitiated, kDialing, kAnswered, kEnded };

const std::vector<std::string_view> kLegStatesInProgress = {
    "dialing", "ringing", "answered", "completed", "no_answer", "busy", "failed", "cancelled", "transferred"};
const std::vector<std::string_view> kLegStatesEnded = {"completed", "no_answer", "busy",
                                                       "failed",    "cancelled", "transferred"};
const std::vector<std::string_view> kFinalCallStatuses = {"completed", "missed", "no_answer", "busy",
                                                          "failed"};

std::vector<std::string_view> call_statuses(CallStage stage) {
  switch (stage) {
    case CallStage::kInitiated:
      return {"initiated"};
    case CallStage::kDialing:
      return {"ringing", "in_progress"};  // in_progress: dialing a transfer target
    case CallStage::kAnswered:
      return {"in_progress"};
    case CallStage::kEnded:
      break;
  }
  return kFinalCallStatuses;
}

FieldSpec leg_spec(CallStage stage) {
  const bool ended = stage == CallStage::kEnded;
  FieldSpec ended_at = ended ? required("ended_at", FieldKind::kTime, "When this leg ended.")
                             : optional("ended_at", FieldKind::kTime, "When this leg ended, once it has.");
  return with_items(
      with_fields(
          required("legs", FieldKind::kObjectArray,
                   ended ? "Every leg of the call (customer and agents dialed), in the order they started; "
                           "all in a final state."
                         : "The legs of the call so far (customer and agents dialed), in the order they "
                           "started."),
          {
              optional("leg_id", FieldKind::kId, "Identifier of the leg within the call."),
              required("number", FieldKind::kPhone, "The number this leg connects (customer or agent)."),
              with_values(required("role", FieldKind::kEnum, "Who is on this leg."), {"agent", "customer"}),
              with_values(
                  required("state", FieldKind::kEnum,
                           ended ? "Final state of the leg." : "State of the leg when the event happened."),
                  ended ? kLegStatesEnded : kLegStatesInProgress),
              required("started_at", FieldKind::kTime,
                       "When the platform started this leg (dialing or "
                       "receiving it)."),
              optional("answered_at", FieldKind::kTime,
                       "When this leg answered; null or absent if it "
                       "did not (or it is not known)."),
              std::move(ended_at),
              optional("duration_sec", FieldKind::kInteger, "Seconds this leg was connected."),
              optional("agent_id", FieldKind::kId,
                       "For an agent leg: the agent's id in the company "
                       "directory."),
              optional("hangup_cause", FieldKind::kString, "Why the leg ended, as the carrier reported it."),
          }),
      1, 50);
}

FieldSpec ivr_spec() {
  return with_fields(
      optional("ivr", FieldKind::kObject, "The IVR the call went through, if any."),
      {
          required("id", FieldKind::kId, "Public id of the IVR."),
          optional("name", FieldKind::kString, "Name of the IVR."),
          with_items(with_length(optional("inputs", FieldKind::kStringArray,
                                          "What the caller chose in the IVR, in order (digits or option "
                                          "names)."),
                                 64),
                     0, 50),
      });
}

FieldSpec queue_spec() {
  return with_fields(
      optional("queue", FieldKind::kObject, "The queue (ring group) the call was routed to, if any."),
      {
          required("name", FieldKind::kString, "Name of the queue, e.g. \"Sales\"."),
          optional("id", FieldKind::kId, "Id of the queue."),
          optional("wait_sec", FieldKind::kInteger, "Seconds the caller waited in the queue."),
      });
}

std::vector<FieldSpec> call_fields(CallStage stage) {
  const bool ended = stage == CallStage::kEnded;
  std::vector<FieldSpec> fields = {
      required("call_id", FieldKind::kId, "Unique id of the call; the same in all of its events."),
      with_values(
          required("direction", FieldKind::kEnum,
                   "inbound: a customer called the company; outbound: the company called a customer."),
          {"inbound", "outbound"}),
      required("from", FieldKind::kPhone,
               "Calling number: the customer on inbound calls, the company's number on outbound calls."),
      required("to", FieldKind::kPhone,
               "Called number: the company's number on inbound calls, the customer on outbound calls."),
      with_values(required("status", FieldKind::kEnum,
                           ended ? "Outcome: completed (answered), missed (inbound, no agent answered), "
                                   "no_answer or busy (outbound, not answered), failed (not placed)."
                                 : "Status of the call when the event happened."),
                  call_statuses(stage)),
      required("started_at", FieldKind::kTime, "When the call reached the platform (or was placed)."),
      optional("answered_at", FieldKind::kTime,
               "When an agent and the customer were first connected; null or absent if never."),
      ended ? required("ended_at", FieldKind::kTime, "When the call ended.")
            : optional("ended_at", FieldKind::kTime, "When the call ended, once it has."),
      ended ? required("duration_sec", FieldKind::kInteger, "Seconds from started_at to ended_at.")
            : optional("duration_sec", FieldKind::kInteger, "Seconds since started_at."),
      optional("talk_duration_sec", FieldKind::kInteger, "Seconds an agent and the customer were connected."),
      leg_spec(stage),
      optional("recording_url", FieldKind::kUrl,
               "Where the recording can be fetched; null until it is processed, absent if not recorded."),
      ivr_spec(),
      queue_spec(),
      optional("agent_id", FieldKind::kId,
               "The agent who handled the call (the last one after a transfer), by directory id."),
      optional("department_id", FieldKind::kId, "The department that handled the call, by directory id."),
      optional("client_ref_id", FieldKind::kString,
               "The reference the company gave when it placed the call (click-to-call APIs)."),
  };
  if (ended) {
    fields.push_back(with_values(optional("hangup_by", FieldKind::kEnum, "Which side ended the call."),
                                 {"customer", "agent", "system"}));
  }
  return fields;
}

std::vector<DataRule> call_rules(CallStage stage) {
  std::vector<DataRule> rules = {
      {"Times are in order: a call's and each leg's answered_at and ended_at are not before their "
       "started_at, and ended_at is not before answered_at.",
       &rules::check_call_times},
  };
  if (stage == CallStage::kAnswered) {
    rules.push_back({"At least one leg is in state answered.", &rules::check_has_answered_leg});
  }
  return rules;
}

EventSchema call_schema(std::string_view type, CallStage stage) {
  return EventSchema{type, call_fields(stage), call_rules(stage)};
}

EventSchema call_summary_schema() {
  EventSchema schema = call_schema("call.summary", CallStage::kEnded);
  schema.fields.push_back(with_fields(
      optional("agent", FieldKind::kObject,
               "The agent who handled the call. Added at ingest from the company directory (by agent_id); "
               "publishers may also send it."),
      {
          optional("id", FieldKind::kId, "Directory id of the agent."),
          optional("name", FieldKind::kString, "Name of the agent."),
          optional("email", FieldKind::kString, "E-mail address of the agent."),
          optional("extension", FieldKind::kString, "Extension of the agent."),
      }));
  schema.fields.push_back(with_fields(
      optional("department", FieldKind::kObject,
               "The department that handled the call. Added at ingest from the company directory (by "
               "department_id); publishers may also send it."),
      {
          optional("id", FieldKind::kId, "Directory id of the department."),
          optional("name", FieldKind::kString, "Name of the department."),
      }));
  return schema;
}

EventSchema call_disposition_schema() {
  return EventSchema{
      "call.disposition",
      {
          required("call_id", FieldKind::kId, "The call the disposition is for."),
          with_length(required("disposition", FieldKind::kString,
                               "The disposition tag the agent chose, e.g. \"Interested\"."),
                      128),
          required("agent_id", FieldKind::kId, "The agent who submitted it, by directory id."),
          optional("submitted_at", FieldKind::kTime, "When the agent submitted it."),
          with_length(optional("notes", FieldKind::kString, "The agent's notes."), kMaxTextLength),
          with_values(optional("direction", FieldKind::kEnum, "Direction of the call."),
                      {"inbound", "outbound"}),
          optional("from", FieldKind::kPhone, "Calling number of the call."),
          optional("to", FieldKind::kPhone, "Called number of the call."),
          with_values(optional("status", FieldKind::kEnum, "Outcome of the call."), kFinalCallStatuses),
          optional("department_id", FieldKind::kId, "The department of the call, by directory id."),
      },
      {}};
}

// ---------------------------------------------------------------------------
// WhatsApp

const std::vector<std::string_view> kMessageTypes = {"text",    "template", "image",    "video",
                                                     "audio",   "document", "location", "interactive",
                                                     "sticker", "contacts", "reaction"};

FieldSpec template_spec() {
  return with_fields(
      optional("template", FieldKind::kObject, "The approved template the message used."),
      {
          required("name", FieldKind::kString, "Template name."),
          with_length(required("language", FieldKind::kString, "Template language code, e.g. \"en\"."), 16),
          with_values(optional("category", FieldKind::kEnum, "Template category."),
                      {"marketing", "utility", "authentication"}),
          with_items(optional("params", FieldKind::kStringArray, "Values of the template's placeholders."), 0,
                     100),
      });
}

FieldSpec media_spec() {
  return with_fields(optional("media", FieldKind::kObject, "The attachment of a media message."),
                     {
                         required("url", FieldKind::kUrl, "Where the media can be fetched."),
                         optional("mime_type", FieldKind::kString, "MIME type, e.g. \"image/jpeg\"."),
                         with_length(optional("caption", FieldKind::kString, "Caption."), kMaxTextLength),
                     });
}

// The source / campaign fields every message-related event may carry.
void add_campaign_fields(std::vector<FieldSpec>& fields) {
  fields.push_back(with_length(
      optional("source", FieldKind::kString,
               "What sent the message: \"lccmpapi\" for campaign messages; otherwise e.g. agent, bot, api."),
      64));
  fields.push_back(optional("myop_ref_id", FieldKind::kString,
                            "Reference of a campaign message; required when source is \"lccmpapi\"."));
  fields.push_back(optional("campaign_id", FieldKind::kId, "The campaign a campaign message belongs to."));
}

const std::vector<DataRule> kCampaignRules = {
    {"A campaign message (source \"lccmpapi\") carries myop_ref_id.", &rules::check_campaign_reference},
};

// message.sent / received / delivered / read / failed: `status` is the event's own.
EventSchema message_schema(std::string_view type, std::string_view status, bool inbound) {
  const bool carries_content = status == "sent" || status == "received";
  std::vector<FieldSpec> fields = {
      required("conversation_id", FieldKind::kId,
               "The WhatsApp conversation; the same in all of its events."),
      required("message_id", FieldKind::kId,
               "Unique id of the message; the same in all of its status events."),
      required("from", FieldKind::kPhone,
               inbound ? "The customer's number." : "The company's WhatsApp business number."),
      required("to", FieldKind::kPhone,
               inbound ? "The company's WhatsApp business number." : "The customer's number."),
      with_values(required("status", FieldKind::kEnum, "Status of the message; always the event's own."),
                  {status}),
      required("timestamp", FieldKind::kTime, "When the message reached this status."),
      with_values(
          optional("direction", FieldKind::kEnum,
                   inbound ? "Always inbound (from the customer)." : "Always outbound (to the customer)."),
          {inbound ? "inbound" : "outbound"}),
      with_values(carries_content ? required("message_type", FieldKind::kEnum, "Kind of message.")
                                  : optional("message_type", FieldKind::kEnum, "Kind of message."),
                  kMessageTypes),
      with_length(optional("text", FieldKind::kString,
                           "Body of a text message (required when message_type is "
                           "text)."),
                  kMaxTextLength),
      template_spec(),
      media_spec(),
      optional("agent_id", FieldKind::kId,
               inbound ? "The agent the conversation is assigned to, if any."
                       : "The agent who sent the message, if an agent did."),
      optional("department_id", FieldKind::kId, "The department of the conversation, by directory id."),
  };
  add_campaign_fields(fields);
  if (status == "failed") {
    fields.push_back(with_values(required("failure_code", FieldKind::kEnum, "Why the message failed."),
                                 {"invalid_number", "blocked", "network_error", "template_rejected",
                                  "rate_limited", "expired", "unknown"}));
    fields.push_back(required("failure_reason", FieldKind::kString,
                              "The failure in a sentence, as the WhatsApp provider reported it."));
  }
  std::vector<DataRule> rules = kCampaignRules;
  if (carries_content) {
    rules.push_back(
        {"A text message carries text; a template message carries template.", &rules::check_message_content});
  }
  return EventSchema{type, std::move(fields), std::move(rules)};
}

EventSchema link_tracking_schema() {
  std::vector<FieldSpec> fields = {
      required("conversation_id", FieldKind::kId, "The WhatsApp conversation."),
      required("message_id", FieldKind::kId, "The message whose tracked URL was clicked."),
      required("customer_number", FieldKind::kPhone, "The customer who clicked."),
      required("url", FieldKind::kUrl,
               "The URL the customer was sent to (the original, not the tracking link)."),
      required("timestamp", FieldKind::kTime, "When the customer clicked."),
      optional("business_number", FieldKind::kPhone, "The company's WhatsApp business number."),
      template_spec(),
  };
  add_campaign_fields(fields);
  return EventSchema{"message.link_tracking", std::move(fields), kCampaignRules};
}

EventSchema conversation_assign_schema() {
  return EventSchema{
      "conversation.assign",
      {
          required("conversation_id", FieldKind::kId, "The WhatsApp conversation."),
          required("customer_number", FieldKind::kPhone, "The customer's number."),
          required("agent_id", FieldKind::kId, "The agent the conversation is now assigned to."),
          required("timestamp", FieldKind::kTime, "When it was assigned."),
          optional("business_number", FieldKind::kPhone, "The company's WhatsApp business number."),
          optional("department_id", FieldKind::kId, "The department of the conversation."),
          optional("previous_agent_id", FieldKind::kId, "The agent it was assigned to before, if any."),
          optional("assigned_by", FieldKind::kId, "Who assigned it: a user id, or \"system\" for rules."),
      },
      {}};
}

EventSchema conversation_close_schema() {
  return EventSchema{
      "conversation.close",
      {
          required("conversation_id", FieldKind::kId, "The WhatsApp conversation."),
          required("customer_number", FieldKind::kPhone, "The customer's number."),
          with_values(required("closed_by", FieldKind::kEnum,
                               "Who closed it: an agent, the customer, or the system (e.g. inactivity)."),
                      {"agent", "customer", "system"}),
          required("timestamp", FieldKind::kTime, "When it was closed."),
          optional("business_number", FieldKind::kPhone, "The company's WhatsApp business number."),
          optional("agent_id", FieldKind::kId, "The agent it was assigned to."),
          optional("department_id", FieldKind::kId, "The department of the conversation."),
          optional("reason", FieldKind::kString, "Why it was closed."),
          optional("message_count", FieldKind::kInteger, "Messages exchanged in the conversation."),
      },
      {}};
}

std::vector<EventSchema> build_schemas() {
  std::vector<EventSchema> out;
  out.push_back(call_schema("call.initiated", CallStage::kInitiated));
  out.push_back(call_schema("call.dial_begin", CallStage::kDialing));
  out.push_back(call_schema("call.answered", CallStage::kAnswered));
  out.push_back(call_schema("call.end", CallStage::kEnded));
  out.push_back(call_summary_schema());
  out.push_back(call_disposition_schema());
  out.push_back(message_schema("message.sent", "sent", false));
  out.push_back(message_schema("message.received", "received", true));
  out.push_back(message_schema("message.delivered", "delivered", false));
  out.push_back(message_schema("message.read", "read", false));
  out.push_back(message_schema("message.failed", "failed", false));
  out.push_back(link_tracking_schema());
  out.push_back(conversation_assign_schema());
  out.push_back(conversation_close_schema());
  return out;
}

}  // namespace

const std::vector<EventSchema>& event_schemas() {
  static const std::vector<EventSchema> schemas = build_schemas();
  return schemas;
}

const EventSchema* find_event_schema(std::string_view type) {
  for (const EventSchema& schema : event_schemas()) {
    if (schema.type == type) return &schema;
  }
  return nullptr;
}

}  // namespace switchboard::model
