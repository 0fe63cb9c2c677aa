// Service: everything `switchboard serve` runs, wired together — the store,
// the API and the HTTP server. Also used in-process by integration tests
// (port 0). start() bootstraps an empty store with company "Default".
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "model/limits.h"
#include "model/node_liveness.h"
#include "store/common/retention_purger.h"
#include "store/store.h"

namespace switchboard::server {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // host:port, [v6]:port; port 0 picks a free one
  std::filesystem::path data_dir = "./data";
  std::string store_url;                  // empty: embedded SQLite in data_dir; postgresql://…:
                                          // cluster mode
  int store_connections = 8;              // PostgreSQL: connections this node keeps open
  std::filesystem::path secret_key_file;  // empty: data_dir/secret.key (generated, mode 0600)
  double time_scale = 1.0;
  bool allow_private_networks = false;
  std::filesystem::path ca_file;
  std::size_t max_body_bytes = model::limits::kDefaultMaxBodyBytes;
  bool sqlite_synchronous_full = true;
  int worker_threads = 32;
  std::chrono::milliseconds delivery_timeout{30000};  // per attempt, not time-scaled
  // How long claimed work stays this node's (not time-scaled; longer than an
  // attempt). In a cluster, what a node that died had claimed goes to the
  // others once this has passed.
  std::chrono::milliseconds lease{120000};
  // Cluster mode: a node whose heartbeat is older than this is presumed dead
  // and its claimed work released to the others at once (model::NodeLiveness;
  // not time-scaled: it measures real process death).
  std::chrono::milliseconds node_stale_after = model::NodeLiveness::kDefaultStaleAfter;
  bool run_delivery = true;  // false: API only (tests of the API alone)
  // Calling webhooks v1 after its sunset (model::v1_sunset_time): false = keep
  // delivering (with a warning), true = stop v1 deliveries (the v1 API still
  // answers).
  bool v1_stop_after_sunset = false;
  std::filesystem::path web_root;  // the dashboard's built files (web/, npm run
                                   // build); empty: none
  // Requests per second per token (bursts of twice that; 0 = unlimited): for
  // publishing events, and for every other route. Per node.
  double rate_limit = 100;
  double ingest_rate_limit = 50000;
  // Graceful stop (SIGTERM, Service::drain): how long attempts in flight may
  // take to finish before the node exits anyway (not time-scaled; keep it
  // below systemd's TimeoutStopSec).
  std::chrono::milliseconds drain_timeout{25000};
  // Tests: called once the port is bound and before the live-calls restore,
  // the bootstrap and the senders' start, i.e. while GET /api/ready answers
  // 503 "starting". Runs on the thread calling Service::start.
  std::function<void(std::uint16_t port)> on_listening;
  // Data retention (issue 15): companies without their own keep events (with
  // their deliveries and attempts) this long (time-scaled); the background
  // purge runs every purge_interval (real time; 0 = no background purge).
  std::chrono::seconds retention = model::limits::kDefaultRetention;
  std::chrono::milliseconds purge_interval = model::limits::kDefaultPurgeInterval;
};

// Opens the store named by the config (creating the data directory and the
// secret key when missing). Shared by `serve` and the offline CLI commands.
// With a postgresql:// store_url every node must use the same secret key
// (--secret-key-file): the store refuses a key that does not match the one
// its secrets were sealed with.
Result<std::unique_ptr<store::Store>> open_store(const ServeConfig& config);
bool is_postgres_url(const std::string& url);

// The embedded store's file: DATA/switchboard.db.
std::filesystem::path sqlite_database_path(const ServeConfig& config);

// `switchboard backup`: a consistent copy of the embedded store at `out`, taken
// while `serve` may be running (store/sqlite/sqlite_backup.h says how). A
// PostgreSQL store is backed up with pg_dump instead (kInvalidArgument).
struct BackupResult {
  std::uintmax_t bytes = 0;
  std::filesystem::path secret_key;  // the key the copy's secrets need (not in the copy)
};
Result<BackupResult> backup_store(const ServeConfig& config, const std::filesystem::path& out);

// `switchboard purge`: one pass of the retention purge (store/common/
// retention_purger.h) over the store, offline or beside a running `serve`.
// With `vacuum` (SQLite only) the file is first converted to incremental
// auto-vacuum with a one-time VACUUM (it must not be in use), so that later
// purges give space back.
Result<store::PurgeTotals> purge_store(const ServeConfig& config, const Clock& clock, bool vacuum);
// What the purger of `serve` and `switchboard purge` are given.
store::PurgerOptions purger_options(const ServeConfig& config);

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
Result<ListenAddress> parse_listen_address(const std::string& text);

// What a graceful stop did (Service::drain), for its log line.
struct DrainReport {
  int abandoned = 0;          // delivery attempts still in flight at the deadline
  std::int64_t released = 0;  // cluster mode: leases this node released on leaving
  bool left_cluster = false;  // cluster mode: its node row was removed
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> start(const ServeConfig& config, const Clock& clock);
  virtual ~Service() = default;

  virtual std::uint16_t port() const = 0;
  virtual std::string base_url() const = 0;  // http://host:port
  // The owner token when start() created the Default company; shown once.
  virtual const std::optional<std::string>& bootstrap_owner_token() const = 0;
  virtual store::Store& store() = 0;
  // The first step of a graceful stop, at once: GET /api/ready answers 503
  // "draining", every other new request 503 `draining` with Connection: close
  // (in-flight ones finish; /api/health stays liveness: 200), live streams end.
  // Idempotent; any thread.
  virtual void begin_drain() = 0;
  // Graceful stop (serve on SIGTERM/SIGINT): begin_drain(); the senders stop
  // claiming and give back claimed work not started; attempts in flight
  // finish until ServeConfig::drain_timeout and are recorded; in cluster mode
  // the node leaves (its leases and node row released, so the others take
  // its work at once); then stop(). Every 202 sent was durable before it was
  // sent, so nothing acknowledged is lost. Call once, from the owner's thread.
  virtual DrainReport drain() = 0;
  // Stop accepting, finish in-flight requests (up to a bound), stop the
  // senders (10 s for their attempts in flight). Idempotent.
  virtual void stop() = 0;
};

}  // namespace switchboard::server
