// The bounds and defaults of data retention (issue 15), in model::limits like
// every other product limit (model/limits.h); kept in their own header so that
// they can change without rebuilding everything that includes limits.h.
#pragma once

#include <chrono>

namespace switchboard::model::limits {

// How long a company's events, with their deliveries and attempts, are kept:
// per company, else the server default.
inline constexpr std::chrono::seconds kMinRetention = std::chrono::hours(1);
inline constexpr std::chrono::seconds kMaxRetention = std::chrono::hours(24 * 400);
inline constexpr std::chrono::seconds kDefaultRetention = std::chrono::hours(24 * 30);
// The background purge: events deleted per transaction, and the pause between
// two transactions (ingest's writer is never held behind more than one).
inline constexpr int kPurgeBatchEvents = 500;
inline constexpr std::chrono::milliseconds kPurgePause{20};
inline constexpr std::chrono::seconds kDefaultPurgeInterval = std::chrono::minutes(10);

}  // namespace switchboard::model::limits
