// Incremental auto-vacuum of the embedded store (issue 15, item 3): new files
// get it at creation (sqlite_connection.cc); this converts an older one.
#pragma once

#include <filesystem>

#include "common/result.h"

namespace switchboard::store::sqlite {

// Offline (`switchboard purge --vacuum`): switches a file created before
// incremental auto-vacuum to it with a one-time VACUUM, so that later purges
// give space back. Rewrites the whole file: nothing else may use it meanwhile,
// and it needs free disk about its size. A no-op when the file is already
// incremental or does not exist.
Result<void> convert_to_incremental_vacuum(const std::filesystem::path& database);

}  // namespace switchboard::store::sqlite
