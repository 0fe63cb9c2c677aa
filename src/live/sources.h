// What the live call hub reads from the rest of the system, as three narrow
// interfaces, so that the hub depends on no store and a test fake is a few
// lines: the companies (whose calls to rebuild at start), the call events
// stored recently (to rebuild them from), and the directory's names (agent
// and department names shown beside their ids). store_sources.h implements
// all three over the store's roles.
//
// Thread-safety: the hub calls these from any thread (restore() from the
// caller of restore(), names from the thread that publishes or receives an
// update); implementations must allow that.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/delivery.h"

namespace switchboard::live {

class CompanyList {
 public:
  virtual ~CompanyList() = default;
  // Every company's id.
  virtual Result<std::vector<std::string>> company_ids() = 0;
};

class CallEventSource {
 public:
  virtual ~CallEventSource() = default;
  // The company's newest events of the types model::kLiveCallEventTypes
  // accepted at or after `since`, at most `max` of them, oldest first (the
  // contract of store::EventStore::list_recent_call_events).
  virtual Result<std::vector<model::Event>> list_recent_call_events(const std::string& company_id,
                                                                    TimePoint since, int max) = 0;
};

class DirectoryNames {
 public:
  virtual ~DirectoryNames() = default;
  // The name of the company's agent or department; "" when there is none
  // (or it could not be read: the widget then shows the id).
  virtual std::string agent_name(const std::string& company_id, const std::string& agent_id) = 0;
  virtual std::string department_name(const std::string& company_id, const std::string& department_id) = 0;
};

// The hub's inputs together; each outlives the hub.
struct LiveCallSources {
  CompanyList& companies;
  CallEventSource& call_events;
  DirectoryNames& names;
};

}  // namespace switchboard::live
