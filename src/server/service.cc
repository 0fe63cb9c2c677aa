#include "server/service.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <system_error>

#include "alerts/alert_monitor.h"
#include "alerts/mailer.h"
#include "api/api.h"
#include "api/errors.h"
#include "api/health_probe.h"
#include "api/identity_service.h"
#include "api/metrics.h"
#include "common/crypto.h"
#include "common/result.h"
#include "delivery/engine.h"
#include "delivery/node_heartbeat.h"
#include "delivery/v1_dispatcher.h"
#include "ingest/ingestor.h"
#include "live/live_call_hub.h"
#include "live/store_sources.h"
#include "model/error_codes.h"
#include "model/v1_webhook.h"
#include "server/http_server.h"
#include "server/postgres_live_relay.h"
#include "store/node_membership.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_vacuum.h"

namespace switchboard::server {

Result<ListenAddress> parse_listen_address(const std::string& text) {
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error(ErrorCode::kInvalidArgument, "listen address must look like [::1]:8080");
    }
    out.host = text.substr(1, close - 1);
    port_text = std::string_view(text).substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return make_error(ErrorCode::kInvalidArgument, "listen address must look like 127.0.0.1:8080");
    }
    out.host = text.substr(0, colon);
    port_text = std::string_view(text).substr(colon + 1);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return make_error(ErrorCode::kInvalidArgument, "listen port must be a number from 0 to 65535");
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

bool is_postgres_url(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

namespace {

// The key that seals secrets at rest: the given file, or DATA/secret.key
// (generated on first use).
std::filesystem::path secret_key_path(const ServeConfig& config) {
  return config.secret_key_file.empty() ? config.data_dir / "secret.key" : config.secret_key_file;
}

Result<crypto::SecretBox> load_secret_box(const ServeConfig& config) {
  const bool explicit_key = !config.secret_key_file.empty();
  auto key_path = secret_key_path(config);
  auto key = crypto::load_or_create_key_file(key_path, /*create_if_missing=*/!explicit_key);
  if (!key)
    return make_error(key.error().code, "secret key " + key_path.string() + ": " + key.error().message);
  return crypto::SecretBox::from_key(*key);
}

}  // namespace

std::filesystem::path sqlite_database_path(const ServeConfig& config) {
  return config.data_dir / "switchboard.db";
}

Result<BackupResult> backup_store(const ServeConfig& config, const std::filesystem::path& out) {
  if (!config.store_url.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "backup copies the embedded SQLite store; back up a PostgreSQL store with pg_dump "
                      "(README, Operations)");
  }
  auto copied = store::sqlite::backup_database(sqlite_database_path(config), out);
  if (!copied) return forward_error(copied);
  return BackupResult{copied->bytes, secret_key_path(config)};
}

store::PurgerOptions purger_options(const ServeConfig& config) {
  store::PurgerOptions options;
  options.default_retention = config.retention;
  options.window = model::RetryPolicy::v2().window;  // scaled with the retention by time_scale
  options.time_scale = config.time_scale;
  if (config.purge_interval.count() > 0) options.interval = config.purge_interval;
  return options;
}

Result<store::PurgeTotals> purge_store(const ServeConfig& config, const Clock& clock, bool vacuum) {
  // An offline purge works on a store that exists; it never creates one (a
  // mistyped --data would otherwise "purge" a new empty store and say 0).
  if (config.store_url.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(sqlite_database_path(config), ec)) {
      return make_error(ErrorCode::kInvalidArgument, "no store at " + sqlite_database_path(config).string());
    }
  }
  if (vacuum) {
    if (!config.store_url.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--vacuum converts the embedded SQLite store; PostgreSQL's autovacuum needs nothing");
    }
    if (auto converted = store::sqlite::convert_to_incremental_vacuum(sqlite_database_path(config));
        !converted) {
      return forward_error(converted);
    }
  }
  auto opened = open_store(config);
  if (!opened) return forward_error(opened);
  auto* retention = dynamic_cast<store::RetentionStore*>(opened->get());
  if (retention == nullptr) return make_error(ErrorCode::kInternal, "this store cannot purge");
  store::RetentionPurger purger(*retention, clock, SteadyMonotonicClock::instance(), purger_options(config));
  return purger.run_once();
}

Result<std::unique_ptr<store::Store>> open_store(const ServeConfig& config) {
  if (!config.store_url.empty() && !is_postgres_url(config.store_url)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--store must be a postgresql:// URL (or empty for the embedded SQLite store)");
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec)
    return make_error(ErrorCode::kUnavailable, "cannot create data directory " + config.data_dir.string());
  std::filesystem::permissions(config.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  auto box = load_secret_box(config);
  if (!box) return forward_error(box);
  if (!config.store_url.empty()) {
    store::PostgresOptions options;
    options.url = config.store_url;
    options.connections = config.store_connections;
    return store::open_postgres_store(options, std::move(*box));
  }
  store::SqliteOptions options;
  options.path = sqlite_database_path(config);
  options.synchronous_full = config.sqlite_synchronous_full;
  return store::open_sqlite_store(options, std::move(*box));
}

namespace {

delivery::EngineOptions engine_options(const ServeConfig& config, delivery::RecordedListener* listener) {
  delivery::EngineOptions options;
  options.recorded_listener = listener;
  options.time_scale = config.time_scale;
  options.allow_private_networks = config.allow_private_networks;
  options.ca_file = config.ca_file;
  options.timeout = config.delivery_timeout;
  options.lease = config.lease;
  // In a cluster other nodes hold leases: a starting node must not clear them.
  options.shared_store = is_postgres_url(config.store_url);
  return options;
}

delivery::V1DispatcherOptions v1_dispatcher_options(const ServeConfig& config) {
  delivery::V1DispatcherOptions options;
  options.time_scale = config.time_scale;
  options.allow_private_networks = config.allow_private_networks;
  options.ca_file = config.ca_file;
  options.timeout = config.delivery_timeout;
  options.lease = config.lease;
  return options;
}

// Throws std::invalid_argument like DeliveryEngine::create (caught by Service::start).
std::unique_ptr<delivery::V1Dispatcher> make_v1_dispatcher(store::Store& store, const Clock& clock,
                                                           const ServeConfig& config) {
  if (!config.run_delivery) return nullptr;
  auto dispatcher = delivery::V1Dispatcher::create(store, clock, v1_dispatcher_options(config));
  if (!dispatcher) throw std::invalid_argument(dispatcher.error().message);
  return std::move(*dispatcher);
}

// Cluster mode: the heartbeat that keeps this node's leases and fails over
// dead nodes (a released lease wakes the engine).
std::unique_ptr<delivery::NodeHeartbeat> make_heartbeat(store::Store& store, const Clock& clock,
                                                        const ServeConfig& config,
                                                        delivery::DeliveryEngine* engine) {
  // Only the PostgreSQL store is shared by several nodes and implements the role.
  auto* membership = dynamic_cast<store::NodeMembership*>(&store);
  if (engine == nullptr || membership == nullptr) return nullptr;
  return std::make_unique<delivery::NodeHeartbeat>(*membership, clock, SteadyMonotonicClock::instance(),
                                                   model::NodeLiveness{config.node_stale_after},
                                                   [engine] { engine->notify(); });
}

// Ingest's listeners, wired to their siblings (ingest never includes live
// or delivery): stored events reach the live call hub ...
class LiveCallsFeed final : public ingest::StoredEventSink {
 public:
  explicit LiveCallsFeed(live::LiveCallHub& hub) : hub_(hub) {}
  void event_stored(const std::string& company_id, const std::string& event_type,
                    const std::string& data_json, TimePoint occurred_at, std::int64_t sequence) override {
    hub_.publish(company_id, event_type, data_json, occurred_at, sequence);
  }

 private:
  live::LiveCallHub& hub_;
};

// ... and queued deliveries wake the v2 engine and the v1 dispatcher (either
// may be absent: API-only service).
class SendersWakeup final : public ingest::DeliveryWakeup {
 public:
  SendersWakeup(delivery::DeliveryEngine* engine, delivery::V1Dispatcher* v1) : engine_(engine), v1_(v1) {}
  void deliveries_queued(std::vector<store::PendingDelivery> queued) override {
    // The v2 engine gets the new deliveries themselves (a single node queues them in memory).
    if (engine_ && !queued.empty()) engine_->notify_queued(std::move(queued));
    if (v1_) v1_->notify();
  }

 private:
  delivery::DeliveryEngine* engine_;
  delivery::V1Dispatcher* v1_;
};

class ServiceImpl final : public Service {
 public:
  ServiceImpl(std::unique_ptr<store::Store> store, const Clock& clock, const ServeConfig& config)
      : store_(std::move(store)),
        mailer_(make_mailer(*store_, clock, config)),
        alert_monitor_(make_alert_monitor(clock, config)),
        engine_(config.run_delivery
                    ? delivery::DeliveryEngine::create(*store_, *store_, clock,
                                                       engine_options(config, alert_monitor_.get()))
                    : nullptr),
        v1_(make_v1_dispatcher(*store_, clock, config)),
        heartbeat_(make_heartbeat(*store_, clock, config, engine_.get())),
        live_sources_(*store_, *store_, *store_),
        live_(live_sources_.sources(), clock),
        api_(api::ApiDeps{
            *store_, clock, &metrics_, engine_.get(), config.web_root, v1_.get(), config.v1_stop_after_sunset,
            &live_, model::rate_limit_per_second(config.ingest_rate_limit),
            model::rate_limit_per_second(config.rate_limit), model::RetryPolicy::v2(config.time_scale),
            &ingestor_, &readiness_, config.retention, alert_monitor_.get()}),
        clock_(clock),
        drain_timeout_(config.drain_timeout) {}

  ~ServiceImpl() override { stop(); }

  Result<void> start(const ServeConfig& config, const Clock& clock) {
    auto address = parse_listen_address(config.listen);
    if (!address) return forward_error(address);
    HttpServerOptions options;
    options.host = address->host;
    options.port = address->port;
    options.max_body_bytes = config.max_body_bytes;
    options.worker_threads = config.worker_threads;
    options.large_body_prefixes = {"/api/v2/events/batch"};
    // The store is open and migrated. HTTP answers from here on, but only
    // /api/health and /api/ready (503 "starting") until the rest is up: the
    // live-calls table must be rebuilt before ingest publishes to it.
    auto http = HttpServer::start(
        options, [this](const api::Request& r) { return api_.handle(r); },
        [this](const api::Request& r) { return answer_inline(r); });
    if (!http) return forward_error(http);
    http_ = std::move(*http);
    const bool v6 = address->host.find(':') != std::string::npos;
    base_url_ =
        "http://" + (v6 ? "[" + address->host + "]" : address->host) + ":" + std::to_string(http_->port());
    if (config.on_listening) config.on_listening(http_->port());
    // Cluster mode: every node's live call stream shows every node's calls.
    // Listening starts before the table is rebuilt, so no change falls between.
    if (auto relayed = relay_live_calls(config); !relayed) return relayed;
    if (auto restored = live_.restore(); restored) {
      spdlog::info("event=live_calls_restored in_progress={}", *restored);
    } else {
      spdlog::warn("event=live_calls_restore_failed error=\"{}\"", restored.error().message);
    }
    // Bootstrap only once the port is ours: the owner token is shown once, and
    // a start that fails to bind must not consume it.
    if (auto boot = bootstrap(clock); !boot) return boot;
    if (heartbeat_) heartbeat_->start();  // joins the cluster before the first claim
    if (mailer_) mailer_->start();
    if (alert_monitor_) alert_monitor_->start();
    if (engine_) engine_->start();
    start_v1(config, clock);
    start_purger(config, clock);
    readiness_.set_ready();
    spdlog::info("event=ready");
    return {};
  }

  std::uint16_t port() const override { return http_->port(); }
  std::string base_url() const override { return base_url_; }
  const std::optional<std::string>& bootstrap_owner_token() const override { return owner_token_; }
  store::Store& store() override { return *store_; }

  void begin_drain() override {
    readiness_.set_draining();
    if (http_) http_->begin_drain();
    live_.stop();  // live streams end first: they would keep the HTTP drain waiting
  }

  // Order matters: no new requests; the senders stop claiming and their
  // attempts in flight finish (recorded); the node leaves the cluster; then
  // requests still in flight finish and the listener closes.
  DrainReport drain() override {
    begin_drain();
    const MonotonicTime deadline = SteadyMonotonicClock::instance().now() + drain_timeout_;
    DrainReport report;
    if (engine_) report.abandoned = engine_->drain(deadline).abandoned;
    if (v1_) v1_->stop(remaining_until(deadline));
    if (heartbeat_) {
      heartbeat_->stop();
      leave_cluster(report);
    }
    stop();
    return report;
  }

  // Order matters: no new requests, then in-flight attempts finish and their
  // results are recorded, then (in the destructor) the store closes.
  void stop() override {
    live_.stop();  // live streams end first: they would keep the HTTP drain waiting
    if (live_relay_) live_relay_->stop();
    if (http_) http_->stop();
    if (engine_) engine_->stop();
    if (heartbeat_) heartbeat_->stop();  // after the drain: the leases stay ours while it lasts
    if (v1_) v1_->stop();
    if (purger_) purger_->stop();
    if (alert_monitor_) alert_monitor_->stop();  // after the engine: its recorder tells the monitor
    if (mailer_) mailer_->stop();
  }

 private:
  // Failure alerts (src/alerts/) run with delivery, on a store that keeps them.
  static std::unique_ptr<alerts::Mailer> make_mailer(store::Store& store, const Clock& clock,
                                                     const ServeConfig& config) {
    auto* alert_store = dynamic_cast<store::AlertStore*>(&store);
    if (!config.run_delivery || !alert_store) return nullptr;
    alerts::Mailer::Options options;
    options.smtp.ca_file = config.ca_file.string();
    options.smtp.timeout = config.delivery_timeout;
    options.smtp.allow_private_networks = config.allow_private_networks;  // the SSRF rule of webhooks
    options.backoff = std::chrono::milliseconds(
        std::max<long long>(1, static_cast<long long>(2000 / std::max(config.time_scale, 1e-9))));
    return std::make_unique<alerts::Mailer>(*alert_store, clock, SteadyMonotonicClock::instance(), options);
  }
  std::unique_ptr<alerts::AlertMonitor> make_alert_monitor(const Clock& clock, const ServeConfig& config) {
    if (!mailer_) return nullptr;
    alerts::AlertMonitor::Options options;
    options.time_scale = config.time_scale;
    options.sweep = std::chrono::milliseconds(
        std::max<long long>(200, static_cast<long long>(60000 / std::max(config.time_scale, 1e-9))));
    return std::make_unique<alerts::AlertMonitor>(
        alerts::AlertMonitor::Deps{*store_, dynamic_cast<store::AlertStore&>(*store_), clock,
                                   SteadyMonotonicClock::instance(), *mailer_,
                                   [this] {
                                     if (engine_) engine_->notify();
                                   }},
        options);
  }

  Result<void> relay_live_calls(const ServeConfig& config) {
    if (!is_postgres_url(config.store_url)) return {};
    auto relay = PostgresLiveRelay::open(config.store_url, live_);
    if (!relay) return forward_error(relay);
    live_relay_ = std::move(*relay);
    live_.set_relay(live_relay_.get());
    metrics_.add_render_hook([this] {
      const auto stats = live_relay_->stats();
      metrics_.set_live_relay_totals(stats.sent, stats.received, stats.dropped, stats.reconnects);
    });
    return {};
  }

  // Every request passes here first, on its I/O thread: while starting or
  // draining only the probes are answered; the rest is refused at once.
  std::optional<api::Response> answer_inline(const api::Request& request) const {
    const api::ReadinessState state = readiness_.state();
    if (state != api::ReadinessState::kReady && request.path != "/api/health" &&
        request.path != "/api/ready") {
      const bool starting = state == api::ReadinessState::kStarting;
      api::Response refusal =
          api::error_response(503, starting ? model::error_codes::kStarting : model::error_codes::kDraining,
                              starting ? "The server is starting; retry shortly."
                                       : "The server is shutting down; retry on another node or shortly.");
      refusal.headers.emplace_back("Retry-After", "1");
      return refusal;
    }
    return api_.handle_inline(request);
  }

  static std::chrono::milliseconds remaining_until(MonotonicTime deadline) {
    const MonotonicTime now = SteadyMonotonicClock::instance().now();
    return deadline > now ? std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
                          : std::chrono::milliseconds(0);
  }

  // Cluster mode, once the engine claims no more: the others take this
  // node's remaining leases at once (attempts abandoned at the deadline are
  // sent again by them: at-least-once).
  void leave_cluster(DrainReport& report) {
    auto* membership = dynamic_cast<store::NodeMembership*>(store_.get());
    if (membership == nullptr) return;
    auto left = membership->leave(clock_.now());
    if (!left) {
      spdlog::warn("event=leave_cluster_failed error=\"{}\"", left.error().message);
      return;
    }
    report.released = *left;
    report.left_cluster = true;
  }

  // An empty store gets company "Default" and its owner, so that a fresh
  // install is usable at once with the printed token.
  Result<void> bootstrap(const Clock& clock) {
    auto companies = store_->list_companies();
    if (!companies) return forward_error(companies);
    if (!companies->empty()) return {};
    auto created = api::create_company_with_owner(*store_, clock, "Default", "Owner", "owner@localhost",
                                                  api::kBootstrapCompanyId);
    if (!created) {
      // Another node of a cluster bootstrapped the shared store first (same id).
      if (auto now = store_->list_companies(); now && !now->empty()) {
        spdlog::info("event=bootstrap_skipped reason=\"the store already has a company\"");
        return {};
      }
      return forward_error(created);
    }
    spdlog::info("event=bootstrap company_id={} owner_id={}", created->company.id, created->owner.id);
    owner_token_ = std::move(created->owner_token);
    return {};
  }

  // Data retention: the background purge (store/common/retention_purger.h).
  void start_purger(const ServeConfig& config, const Clock& clock) {
    auto* retention = dynamic_cast<store::RetentionStore*>(store_.get());
    if (retention == nullptr || config.purge_interval.count() <= 0) return;
    purger_ = std::make_unique<store::RetentionPurger>(*retention, clock, SteadyMonotonicClock::instance(),
                                                       purger_options(config));
    purger_->start();
  }

  // Calling webhooks v1 run beside v2; past their sunset only if the config says so.
  void start_v1(const ServeConfig& config, const Clock& clock) {
    if (!v1_) return;
    if (clock.now() >= model::v1_sunset_time()) {
      if (config.v1_stop_after_sunset) {
        spdlog::warn(
            "event=v1_after_sunset action=stop sunset=2026-07-31 message=\"calling webhooks v1 are past "
            "their sunset: v1 deliveries are not sent (--v1-after-sunset stop); the v1 API still answers\"");
        return;
      }
      spdlog::warn(
          "event=v1_after_sunset action=continue sunset=2026-07-31 message=\"calling webhooks v1 are past "
          "their sunset: v1 deliveries continue (--v1-after-sunset continue); move subscribers to v2\"");
    }
    v1_->start();
  }

  std::unique_ptr<store::Store> store_;
  api::Readiness readiness_;  // before api_, which reads it
  // Failure alerts: before the engine, whose recorder tells the monitor (so
  // they are destroyed after it); null without delivery.
  std::unique_ptr<alerts::Mailer> mailer_;
  std::unique_ptr<alerts::AlertMonitor> alert_monitor_;
  std::unique_ptr<delivery::DeliveryEngine> engine_;
  std::unique_ptr<delivery::V1Dispatcher> v1_;
  std::unique_ptr<delivery::NodeHeartbeat> heartbeat_;  // cluster mode with delivery only
  api::Metrics metrics_;
  live::StoreSources live_sources_;
  live::LiveCallHub live_;
  std::unique_ptr<PostgresLiveRelay> live_relay_;  // cluster mode only
  LiveCallsFeed live_feed_{live_};
  SendersWakeup senders_wakeup_{engine_.get(), v1_.get()};
  ingest::Ingestor ingestor_{*store_, &live_feed_, &senders_wakeup_};
  api::Api api_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<store::RetentionPurger> purger_;  // null: no background purge
  std::string base_url_;
  std::optional<std::string> owner_token_;
  const Clock& clock_;
  const std::chrono::milliseconds drain_timeout_;
};

}  // namespace

Result<std::unique_ptr<Service>> Service::start(const ServeConfig& config, const Clock& clock) {
  if (config.lease <= config.delivery_timeout) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "--lease must be longer than --delivery-timeout: an attempt still running when its lease "
        "ends could be made again by another node");
  }
  auto store = open_store(config);
  if (!store) return forward_error(store);
  std::unique_ptr<ServiceImpl> service;
  try {
    service = std::make_unique<ServiceImpl>(std::move(*store), clock, config);
  } catch (const std::exception& e) {  // e.g. an unreadable --ca-file (DeliveryEngine::create)
    return make_error(ErrorCode::kInvalidArgument, e.what());
  }
  if (auto started = service->start(config, clock); !started) return forward_error(started);
  return std::unique_ptr<Service>(std::move(service));
}

}  // namespace switchboard::server
