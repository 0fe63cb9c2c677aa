// StoreSources: the live call hub's inputs (sources.h) read from the store's
// roles: the companies from the IdentityStore, the recent call events from
// the EventStore, and agent and department names from the DirectoryStore.
// No caching: the hub looks a name up once per call (and again only when the
// call's agent or department changes).
//
// Thread-safety: as the store's (any thread); holds no state of its own.
#pragma once

#include "live/sources.h"
#include "store/store.h"

namespace switchboard::live {

class StoreSources final : public CompanyList, public CallEventSource, public DirectoryNames {
 public:
  StoreSources(store::IdentityStore& identity, store::EventStore& events, store::DirectoryStore& directory)
      : identity_(identity), events_(events), directory_(directory) {}

  // The three inputs of a hub, all this object (which must outlive the hub).
  LiveCallSources sources() { return LiveCallSources{*this, *this, *this}; }

  Result<std::vector<std::string>> company_ids() override;
  Result<std::vector<model::Event>> list_recent_call_events(const std::string& company_id, TimePoint since,
                                                            int max) override;
  std::string agent_name(const std::string& company_id, const std::string& agent_id) override;
  std::string department_name(const std::string& company_id, const std::string& department_id) override;

 private:
  store::IdentityStore& identity_;
  store::EventStore& events_;
  store::DirectoryStore& directory_;
};

}  // namespace switchboard::live
