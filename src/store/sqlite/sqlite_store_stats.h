// SqliteStore's health rollup write (store/common/health_rollup.h), called by
// record_attempts inside its write transaction. Private to src/store/sqlite.
//
// Thread-safety: runs on the writer thread with the write connection.
#pragma once

#include <vector>

#include "common/result.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/store.h"

namespace switchboard::store::sqlite {

// Adds the batch's results to their webhooks' per-minute rollup rows and
// purges those webhooks' rows past the retention. Must run before the batch
// changes any delivery: it reads which deliveries are still pending (those
// the batch records; rollup_rows).
Result<void> record_health_rollup(Connection& connection, const std::vector<AttemptOutcome>& outcomes);

}  // namespace switchboard::store::sqlite
