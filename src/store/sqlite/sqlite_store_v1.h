// SqliteStore, calling webhooks v1: what ingest needs to fan an event out to
// v1 webhooks inside its own transaction. Private to src/store/sqlite.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "model/delivery.h"
#include "model/v1_webhook.h"
#include "store/sqlite/sqlite_connection.h"

namespace switchboard::store::sqlite {

// Enabled v1 webhooks per company (id and type), read once per ingest call.
class V1SubscriberCache {
 public:
  struct Subscriber {
    std::string id;
    model::V1Type type;
  };
  Result<const std::vector<Subscriber>*> get(Connection& connection, const std::string& company_id);

 private:
  std::unordered_map<std::string, std::vector<Subscriber>> by_company_;
};

// Queues one pending v1 delivery of `event` (already stored) per enabled v1
// webhook whose type the event feeds, due at event.created_at. Returns how many.
Result<int> queue_v1_deliveries(Connection& connection, V1SubscriberCache& subscribers,
                                const model::Event& event);

}  // namespace switchboard::store::sqlite
