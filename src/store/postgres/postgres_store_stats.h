// PostgresStore's health rollup write (store/common/health_rollup.h), called
// by record_attempts inside its transaction. Private to src/store/postgres.
//
// Thread-safety: runs on the caller's transaction.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "store/store.h"

namespace switchboard::store::postgres {

// Adds the batch's results to their webhooks' per-minute rollup rows and
// purges those webhooks' rows past the retention. Runs after the batch locked
// its deliveries and before it changes them: it counts the ones still pending
// and not leased to another node than `node_id` (those the batch records).
// Rows are upserted in key order, so concurrent batches do not deadlock.
// Throws like the rest of the transaction (pqxx errors).
void record_health_rollup(pqxx::work& tx, const std::vector<AttemptOutcome>& outcomes,
                          const std::string& node_id);

}  // namespace switchboard::store::postgres
