// Route groups, one per resource family. Each adds its routes to the router;
// the handlers capture `deps` by reference (it outlives the router).
#pragma once

#include "api/api.h"
#include "api/router.h"
#include "store/console_reads.h"

namespace switchboard::api {

// The console's reads (chain heads, failing since, a delivery's attempts,
// search) when the store has them (both backends do; an API test's fake
// store does not, and the handlers answer without those fields, or 503).
inline store::ConsoleReads* console_reads(const ApiDeps& deps) {
  return dynamic_cast<store::ConsoleReads*>(&deps.store);
}

void add_system_routes(Router& router, const ApiDeps& deps);      // health, metrics, openapi, event types
void add_identity_routes(Router& router, const ApiDeps& deps);    // me, users, permissions, ingest tokens
void add_webhook_routes(Router& router, const ApiDeps& deps);     // webhooks v2 management
void add_v1_webhook_routes(Router& router, const ApiDeps& deps);  // calling webhooks v1 (legacy)
void add_event_routes(Router& router, const ApiDeps& deps);       // publishing events, reading them back
void add_directory_routes(Router& router, const ApiDeps& deps);   // agents, departments
void add_retention_routes(Router& router, const ApiDeps& deps);   // data retention of the company
void add_live_routes(Router& router, const ApiDeps& deps);        // the live call stream (SSE)
void add_call_routes(Router& router, const ApiDeps& deps);        // recent call history (Call Logs)
void add_search_routes(Router& router, const ApiDeps& deps);      // console search by event/call id, number
void add_delivery_routes(Router& router,
                         const ApiDeps& deps);               // failure/delivery logs, test, redeliver, replay
void add_stats_routes(Router& router, const ApiDeps& deps);  // webhook health statistics
void add_today_routes(Router& router, const ApiDeps& deps);  // the company's events today (Home)
void add_alert_routes(Router& router, const ApiDeps& deps);  // alert channels and settings
// A webhook's client certificate (mutual TLS) and Ed25519 signing key (issue 16 item 5).
void add_webhook_key_routes(Router& router, const ApiDeps& deps);
class RecoverRunner;
// Recover exhausted deliveries (background jobs run by `runner`).
void add_recover_routes(Router& router, const ApiDeps& deps, RecoverRunner& runner);

}  // namespace switchboard::api
