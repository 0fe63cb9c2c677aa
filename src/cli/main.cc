// The switchboard binary: `serve`, the offline commands that work on the
// same data directory (also while `serve` runs on it), `receive` and
// `simulate`.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "api/identity_service.h"
#include "cli/config_reference.h"
#include "cli/simulate_command.h"
#include "common/crypto.h"
#include "common/logging.h"
#include "common/result.h"
#include "common/time_format.h"
#include "model/identity.h"
#include "receiver/receiver.h"
#include "server/service.h"

namespace sb = switchboard;

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "switchboard: %s\n", message.c_str());
  return 1;
}

// Options every command that opens the data directory shares.
void add_store_options(CLI::App& cmd, sb::server::ServeConfig& config) {
  cmd.add_option("--data", config.data_dir, "Data directory of the embedded SQLite store")
      ->envname("SWITCHBOARD_DATA")
      ->capture_default_str();
  cmd.add_option("--store", config.store_url, "postgresql://… to use PostgreSQL instead of SQLite")
      ->envname("SWITCHBOARD_STORE");
  cmd.add_option("--secret-key-file", config.secret_key_file,
                 "File with the 32-byte key that encrypts secrets at rest "
                 "(default: DATA/secret.key, generated)")
      ->envname("SWITCHBOARD_SECRET_KEY_FILE");
}

// An option given in (fractional) seconds and kept as milliseconds.
CLI::Option* add_seconds_option(CLI::App& command, const std::string& name, std::chrono::milliseconds& target,
                                const std::string& help) {
  return command.add_option_function<double>(
      name,
      [&target](double seconds) {
        target = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
      },
      help);
}

// --retention: the server default of data retention, in whole seconds, in range.
CLI::Option* add_retention_option(CLI::App& command, sb::server::ServeConfig& config) {
  namespace limits = sb::model::limits;
  return command
      .add_option_function<std::int64_t>(
          "--retention",
          [&config](std::int64_t seconds) { config.retention = std::chrono::seconds(seconds); },
          "Seconds that events, with their deliveries and attempts, are kept for companies without their own "
          "setting (PATCH /api/v2/retention); default 2592000 (30 days); time-scaled")
      ->envname("SWITCHBOARD_RETENTION")
      ->check(CLI::Range(std::chrono::seconds(limits::kMinRetention).count(),
                         std::chrono::seconds(limits::kMaxRetention).count()));
}

int run_purge(const sb::server::ServeConfig& config, bool vacuum) {
  sb::SystemClock clock;
  auto done = sb::server::purge_store(config, clock, vacuum);
  if (!done) return fail("purge: " + done.error().message);
  std::printf("purged %lld expired events of %d companies in %d batches\n",
              static_cast<long long>(done->events), done->companies, done->batches);
  return 0;
}

int run_backup(const sb::server::ServeConfig& config, const std::filesystem::path& out) {
  auto done = sb::server::backup_store(config, out);
  if (!done) return fail("backup: " + done.error().message);
  std::printf("backup written to %s (%ju bytes)\n", out.c_str(), done->bytes);
  std::printf("its secrets need the key %s: keep a copy of it apart from the backups\n",
              done->secret_key.c_str());
  return 0;
}

int run_serve(const sb::server::ServeConfig& config) {
  // Block the stop signals in every thread; the main thread waits for them
  // below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  sb::SystemClock clock;
  auto service = sb::server::Service::start(config, clock);
  if (!service) return fail(service.error().message);
  auto& s = **service;
  // The store URL may hold a password: only its kind is logged.
  spdlog::info("event=listening url={} store={} data={}", s.base_url(),
               config.store_url.empty() ? "sqlite" : "postgresql", config.data_dir.string());
  std::printf("Switchboard %s listening on %s\n", SWITCHBOARD_VERSION, s.base_url().c_str());
  if (s.bootstrap_owner_token()) std::printf("Owner token: %s\n", s.bootstrap_owner_token()->c_str());
  std::printf("Dashboard: %s/\n", s.base_url().c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("event=shutdown signal={} phase=draining drain_timeout_ms={}",
               received == SIGINT ? "SIGINT" : "SIGTERM", config.drain_timeout.count());
  const sb::server::DrainReport drained = s.drain();
  if (drained.abandoned > 0) {
    spdlog::warn(
        "event=drain_deadline abandoned={} message=\"attempts still in flight are sent again after "
        "a restart (or by another node)\"",
        drained.abandoned);
  }
  if (drained.left_cluster) spdlog::info("event=left_cluster released={}", drained.released);
  service->reset();
  spdlog::info("event=shutdown phase=done");
  return 0;
}

// The company named by --company, or the only one.
sb::Result<std::string> choose_company(sb::store::Store& store, const std::string& company_id) {
  if (!company_id.empty()) {
    if (auto found = store.get_company(company_id); !found) {
      return sb::make_error(sb::ErrorCode::kNotFound, "no company " + company_id);
    }
    return company_id;
  }
  auto companies = store.list_companies();
  if (!companies) return forward_error(companies);
  if (companies->size() != 1) {
    return sb::make_error(sb::ErrorCode::kInvalidArgument,
                          companies->empty()
                              ? "no company yet: run `switchboard serve` once or `company create`"
                              : "several companies exist: choose one with --company");
  }
  return companies->front().id;
}

// The companies to look in for an object named by id: the one given, or all.
sb::Result<std::vector<std::string>> companies_to_search(sb::store::Store& store,
                                                         const std::string& company_id) {
  if (!company_id.empty()) return std::vector<std::string>{company_id};
  auto companies = store.list_companies();
  if (!companies) return forward_error(companies);
  std::vector<std::string> ids;
  for (const auto& company : *companies) ids.push_back(company.id);
  return ids;
}

// --expires-in / --expires-at of `token create`, checked like the API's.
sb::Result<std::optional<sb::TimePoint>> cli_expiry(const std::string& expires_in,
                                                    const std::string& expires_at, sb::TimePoint now) {
  std::optional<sb::TimePoint> at;
  if (!expires_in.empty()) {
    auto duration = sb::model::parse_duration(expires_in);
    if (!duration) {
      return sb::make_error(sb::ErrorCode::kInvalidArgument,
                            "--expires-in must be a number and a unit: 90m, 12h, 30d, 2w");
    }
    at = now + *duration;
  } else if (!expires_at.empty()) {
    at = sb::parse_rfc3339(expires_at);
    if (!at) {
      return sb::make_error(sb::ErrorCode::kInvalidArgument,
                            "--expires-at must be an RFC 3339 time, e.g. 2026-01-31T12:00:00Z");
    }
  }
  if (at) {
    if (auto wrong = sb::model::check_token_expiry(*at, now)) {
      return sb::make_error(sb::ErrorCode::kInvalidArgument, *wrong);
    }
  }
  return at;
}

int run_token_create(const sb::server::ServeConfig& config, const std::string& company_id,
                     const std::string& role, const std::string& expires_in, const std::string& expires_at) {
  auto store = sb::server::open_store(config);
  if (!store) return fail(store.error().message);
  auto company = choose_company(**store, company_id);
  if (!company) return fail(company.error().message);
  sb::SystemClock clock;
  auto expiry = cli_expiry(expires_in, expires_at, clock.now());
  if (!expiry) return fail(expiry.error().message);
  if (role == "ingest") {
    auto token = sb::api::create_ingest_token(**store, clock, *company, *expiry);
    if (!token) return fail(token.error().message);
    std::printf("%s\n", token->text.c_str());
    return 0;
  }
  auto parsed = sb::model::parse_role(role);
  if (!parsed) return fail("--role must be owner, admin, manager, agent or ingest");
  // Each CLI-made user token belongs to a new user of that role, named for
  // where it came from.
  std::string email =
      "cli-" + role + "-" + sb::crypto::hex_encode(sb::crypto::random_bytes(4)) + "@localhost";
  auto user =
      sb::api::create_user_with_token(**store, clock, *company, "CLI " + role, email, *parsed, *expiry);
  if (!user) return fail(user.error().message);
  std::printf("%s\n", user->token.c_str());
  return 0;
}

std::string time_or_dash(const std::optional<sb::TimePoint>& t) { return t ? sb::format_rfc3339(*t) : "-"; }

// One line per token of the company, never the secret: its hint only.
int run_token_list(const sb::server::ServeConfig& config, const std::string& company_id,
                   const std::string& user_id) {
  auto store = sb::server::open_store(config);
  if (!store) return fail(store.error().message);
  auto company = choose_company(**store, company_id);
  if (!company) return fail(company.error().message);
  std::optional<std::string> user;
  if (!user_id.empty()) user = user_id;
  const sb::TimePoint now = sb::SystemClock().now();
  std::printf("%-30s %-6s %-30s %-9s %-8s %-24s %-24s %s\n", "ID", "KIND", "USER", "HINT", "STATUS",
              "CREATED", "EXPIRES", "LAST USED");
  sb::store::PageRequest page{500, ""};
  for (;;) {
    auto tokens = (*store)->list_tokens(*company, user, page);
    if (!tokens) return fail(tokens.error().message);
    for (const auto& token : tokens->items) {
      std::printf("%-30s %-6s %-30s %-9s %-8s %-24s %-24s %s\n", token.id.c_str(),
                  std::string(sb::model::to_string(token.kind)).c_str(), token.user_id.value_or("-").c_str(),
                  (token.hint.empty() ? std::string("-") : token.hint + "…").c_str(),
                  std::string(sb::model::to_string(sb::model::token_status(token, now))).c_str(),
                  sb::format_rfc3339(token.created_at).c_str(), time_or_dash(token.expires_at).c_str(),
                  time_or_dash(token.last_used_at).c_str());
    }
    if (!tokens->has_more || tokens->items.empty()) return 0;
    page.after_id = tokens->items.back().id;
  }
}

int run_token_revoke(const sb::server::ServeConfig& config, const std::string& company_id,
                     const std::string& token_id) {
  auto store = sb::server::open_store(config);
  if (!store) return fail(store.error().message);
  auto companies = companies_to_search(**store, company_id);
  if (!companies) return fail(companies.error().message);
  for (const std::string& company : *companies) {
    auto revoked = (*store)->revoke_token(company, token_id, sb::SystemClock().now());
    if (!revoked) {
      if (revoked.error().code == sb::ErrorCode::kNotFound) continue;
      return fail(revoked.error().message);
    }
    std::printf("revoked %s at %s\n", revoked->id.c_str(), sb::format_rfc3339(*revoked->revoked_at).c_str());
    return 0;
  }
  return fail("no token " + token_id);
}

int run_user_deactivate(const sb::server::ServeConfig& config, const std::string& company_id,
                        const std::string& user_id) {
  auto store = sb::server::open_store(config);
  if (!store) return fail(store.error().message);
  auto companies = companies_to_search(**store, company_id);
  if (!companies) return fail(companies.error().message);
  for (const std::string& company : *companies) {
    auto user = (*store)->deactivate_user(company, user_id, sb::SystemClock().now());
    if (!user) {
      if (user.error().code == sb::ErrorCode::kNotFound) continue;
      return fail(user.error().message);
    }
    std::printf("deactivated %s (%s); every token of theirs is revoked\n", user->id.c_str(),
                user->email.c_str());
    return 0;
  }
  return fail("no user " + user_id);
}

int run_company_create(const sb::server::ServeConfig& config, const std::string& name) {
  auto store = sb::server::open_store(config);
  if (!store) return fail(store.error().message);
  sb::SystemClock clock;
  auto created = sb::api::create_company_with_owner(**store, clock, name, "Owner", "owner@localhost");
  if (!created) return fail(created.error().message);
  std::printf("%s\n", created->owner_token.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Switchboard: signed, durable webhook delivery for call and "
      "WhatsApp events"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->envname("SWITCHBOARD_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "text (time level=… event=… key=value) or json (one object per line: time, level, event, "
                 "request_id, company_id, …)")
      ->envname("SWITCHBOARD_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  // Options may also come from a TOML/INI file: top-level keys for global
  // options, a [serve] section for serve's (e.g. listen = "127.0.0.1:8080").
  // CLI11 reads the file before it reads the environment, so SWITCHBOARD_CONFIG
  // is given as the option's default (and must then exist, like --config's).
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, in main, before any thread starts.
  const char* config_from_env = std::getenv("SWITCHBOARD_CONFIG");
  const std::string config_env = config_from_env != nullptr ? config_from_env : "";
  const bool config_in_env = !config_env.empty();
  auto* config_option =
      app.set_config("--config", config_env, "Read options from this TOML/INI file", config_in_env)
          ->envname("SWITCHBOARD_CONFIG");
  // A key the file has but no option takes is a mistake, not something to skip.
  app.allow_config_extras(CLI::config_extras_mode::error);
  sb::server::ServeConfig config;
  auto* serve = app.add_subcommand("serve", "Run the API, dashboard and delivery engine");
  serve->add_option("--listen", config.listen, "host:port to listen on (port 0 picks a free port)")
      ->envname("SWITCHBOARD_LISTEN")
      ->capture_default_str();
  add_store_options(*serve, config);
  serve->add_option("--time-scale", config.time_scale, "Run policy durations N times faster (tests)")
      ->envname("SWITCHBOARD_TIME_SCALE")
      ->check(CLI::Range(0.001, 1000000.0));
  serve
      ->add_flag("--allow-private-networks", config.allow_private_networks,
                 "Allow deliveries to loopback and private addresses (development)")
      ->envname("SWITCHBOARD_ALLOW_PRIVATE_NETWORKS");
  serve
      ->add_flag_function(
          "--no-delivery", [&config](std::int64_t count) { config.run_delivery = count <= 0; },
          "API only: accept and store events but do not deliver them (a later "
          "start delivers the backlog)")
      ->envname("SWITCHBOARD_NO_DELIVERY");
  serve
      ->add_option_function<std::string>(
          "--v1-after-sunset",
          [&config](const std::string& mode) { config.v1_stop_after_sunset = mode == "stop"; },
          "Calling webhooks v1 after their sunset (2026-07-31): continue "
          "delivering (default, with a "
          "warning) or stop v1 deliveries")
      ->envname("SWITCHBOARD_V1_AFTER_SUNSET")
      ->check(CLI::IsMember({"continue", "stop"}))
      ->default_str("continue");
  serve->add_option("--ca-file", config.ca_file, "Extra CA certificate (PEM) to trust for deliveries")
      ->envname("SWITCHBOARD_CA_FILE")
      ->check(CLI::ExistingFile);
  add_seconds_option(*serve, "--delivery-timeout", config.delivery_timeout,
                     "Total time one delivery attempt may take, in seconds (default 30; "
                     "not time-scaled)")
      ->envname("SWITCHBOARD_DELIVERY_TIMEOUT")
      ->check(CLI::Range(0.05, 300.0));
  add_seconds_option(*serve, "--lease", config.lease,
                     "Seconds claimed deliveries stay this node's (default 120; longer "
                     "than --delivery-timeout). "
                     "In a cluster a dead node's claimed work goes to the others after "
                     "--node-stale-after, or at the latest after this")
      ->envname("SWITCHBOARD_LEASE")
      ->check(CLI::Range(0.1, 3600.0));
  add_seconds_option(*serve, "--node-stale-after", config.node_stale_after,
                     "Cluster mode: seconds without a heartbeat after which a node is presumed dead and the "
                     "others take its claimed deliveries (default 10; not time-scaled)")
      ->envname("SWITCHBOARD_NODE_STALE_AFTER")
      ->check(CLI::Range(0.5, 3600.0));
  add_seconds_option(*serve, "--drain-timeout", config.drain_timeout,
                     "On SIGTERM/SIGINT: seconds delivery attempts in flight may take to finish before the "
                     "node exits (default 25; keep below systemd's TimeoutStopSec; not time-scaled)")
      ->envname("SWITCHBOARD_DRAIN_TIMEOUT")
      ->check(CLI::Range(0.0, 3600.0));
  add_retention_option(*serve, config);
  add_seconds_option(*serve, "--purge-interval", config.purge_interval,
                     "Seconds between two background purges of expired data (default 600; 0 = none; not "
                     "time-scaled)")
      ->envname("SWITCHBOARD_PURGE_INTERVAL")
      ->check(CLI::Range(0.0, 86400.0));
  serve
      ->add_option("--store-connections", config.store_connections,
                   "PostgreSQL connections this node keeps open (cluster mode)")
      ->envname("SWITCHBOARD_STORE_CONNECTIONS")
      ->check(CLI::Range(2, 256))
      ->capture_default_str();
  serve
      ->add_option("--rate-limit", config.rate_limit,
                   "Requests per second per token on every route except "
                   "publishing, in bursts of twice "
                   "that (0 = unlimited; per node)")
      ->envname("SWITCHBOARD_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  serve
      ->add_option("--ingest-rate-limit", config.ingest_rate_limit,
                   "Publish requests (POST /api/v2/events, /events/batch) per "
                   "second per token, in bursts "
                   "of twice that (0 = unlimited; per node)")
      ->envname("SWITCHBOARD_INGEST_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  serve->add_option("--max-body-bytes", config.max_body_bytes, "Largest request body accepted (413 above)")
      ->envname("SWITCHBOARD_MAX_BODY_BYTES")
      ->capture_default_str();
  serve
      ->add_option("--web-root", config.web_root,
                   "Directory of the dashboard's built files (default: web/ "
                   "beside the switchboard binary)")
      ->envname("SWITCHBOARD_WEB_ROOT")
      ->check(CLI::ExistingDirectory);

  std::string company_id, role, company_name, expires_in, expires_at, object_id, user_filter;
  auto* token = app.add_subcommand("token", "Manage API tokens offline");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create a token and print it");
  add_store_options(*token_create, config);
  token_create->add_option("--company", company_id, "Company id (default: the only company)");
  token_create->add_option("--role", role, "owner, admin, manager, agent or ingest")
      ->required()
      ->check(CLI::IsMember({"owner", "admin", "manager", "agent", "ingest"}));
  auto* expires_in_option = token_create->add_option(
      "--expires-in", expires_in, "Expire the token after this long: 90m, 12h, 30d, 2w (at most 365d)");
  token_create->add_option("--expires-at", expires_at, "Expire the token at this RFC 3339 time")
      ->excludes(expires_in_option);
  auto* token_list = token->add_subcommand("list",
                                           "List the company's tokens (never their "
                                           "secrets) with status and last use");
  add_store_options(*token_list, config);
  token_list->add_option("--company", company_id, "Company id (default: the only company)");
  token_list->add_option("--user", user_filter, "Only this user's tokens");
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token: refused at once by every node");
  add_store_options(*token_revoke, config);
  token_revoke->add_option("--company", company_id, "Company id (default: look in every company)");
  token_revoke->add_option("id", object_id, "Token id (tok_…)")->required();

  auto* user = app.add_subcommand("user", "Manage users offline");
  user->require_subcommand(1);
  auto* user_deactivate =
      user->add_subcommand("deactivate", "Deactivate a user and revoke every token of theirs");
  add_store_options(*user_deactivate, config);
  user_deactivate->add_option("--company", company_id, "Company id (default: look in every company)");
  user_deactivate->add_option("id", object_id, "User id (usr_…)")->required();

  auto* company = app.add_subcommand("company", "Manage companies offline");
  company->require_subcommand(1);
  auto* company_create =
      company->add_subcommand("create", "Create a company with an owner; print the owner's token");
  add_store_options(*company_create, config);
  company_create->add_option("--name", company_name, "Company name")->required();

  sb::receiver::ReceiverOptions receive_options;
  auto* receive = app.add_subcommand("receive", "Run an HTTPS receiver that verifies and counts deliveries");
  receive->add_option("--listen", receive_options.listen, "host:port to listen on")->capture_default_str();
  receive->add_option("--cert", receive_options.cert,
                      "Certificate PEM (default: a generated self-signed one)");
  receive->add_option("--key", receive_options.key, "Private key PEM for --cert");
  receive->add_option("--cert-out", receive_options.cert_out, "Write the certificate PEM here (to trust it)");
  receive->add_option("--secret", receive_options.secrets, "Signing secret to verify with (repeatable)");
  receive->add_option("--status", receive_options.status, "HTTP status to answer")
      ->check(CLI::Range(100, 599));
  receive->add_option("--fail-first", receive_options.fail_first, "Answer 500 to the first N deliveries");
  receive->add_option("--delay-ms", receive_options.delay_ms, "Wait this long before answering");
  receive->add_flag("--hang", receive_options.hang, "Never answer");
  receive->add_flag("--quiet", receive_options.quiet, "No line per delivery");
  receive->add_flag("--plain-http", receive_options.plain_http, "No TLS (local experiments only)");
  bool no_timestamp_check = false;
  receive->add_flag("--no-timestamp-check", no_timestamp_check,
                    "Accept any X-MO-Timestamp / webhook-timestamp (servers "
                    "running with --time-scale)");

  std::filesystem::path backup_out;
  auto* backup = app.add_subcommand("backup",
                                    "Write a consistent copy of the SQLite store to a new file "
                                    "(while serve runs; README, Operations: restore)");
  add_store_options(*backup, config);
  backup->add_option("--out", backup_out, "The file to write (must not exist)")->required();

  bool purge_vacuum = false;
  auto* purge = app.add_subcommand("purge",
                                   "Delete expired events (with their deliveries and attempts) now, in small "
                                   "batches, as serve does in the background (README, Data lifecycle)");
  add_store_options(*purge, config);
  add_retention_option(*purge, config);
  purge->add_flag("--vacuum", purge_vacuum,
                  "SQLite: first convert a store created before incremental auto-vacuum with a one-time "
                  "VACUUM (serve must not be running; needs free disk about the file's size)");

  auto* migrate = app.add_subcommand("migrate", "Apply pending store migrations and exit");
  add_store_options(*migrate, config);
  sb::cli::SimulateCommand simulate_command;
  auto* simulate = sb::cli::add_simulate_command(app, simulate_command);
  app.add_subcommand("version", "Print the version");
  // docs/configuration.md, generated from the definitions above (hidden: a maintainers' tool).
  auto* config_reference = app.add_subcommand("config-reference", "Print docs/configuration.md")->group("");
  sb::cli::give_every_option_an_env_name(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const std::string file = config_option->count() > 0 ? config_option->as<std::string>() : config_env;
    if (e.get_exit_code() == 0 || file.empty()) return app.exit(e);
    std::fprintf(
        stderr, "%s\n",
        sb::cli::explain_parse_error(e, file, std::vector<std::string>(argv + 1, argv + argc)).c_str());
    return e.get_exit_code();
  }
  if (*config_reference) {
    std::fputs(sb::cli::configuration_reference(app).c_str(), stdout);
    return 0;
  }
  sb::setup_logging(log_level, sb::parse_log_format(log_format).value_or(sb::LogFormat::kText));

  if (*serve) {
    // The build puts the dashboard in web/ beside the binary; without it, "/"
    // says so.
    std::error_code ec;
    auto binary = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (config.web_root.empty() && !ec) config.web_root = binary.parent_path() / "web";
    return run_serve(config);
  }
  if (*receive) {
    if (no_timestamp_check) receive_options.timestamp_tolerance.reset();
    return sb::receiver::run_receiver(receive_options);
  }
  if (*simulate) return sb::cli::run_simulate_command(simulate_command);
  if (*token_create) return run_token_create(config, company_id, role, expires_in, expires_at);
  if (*token_list) return run_token_list(config, company_id, user_filter);
  if (*token_revoke) return run_token_revoke(config, company_id, object_id);
  if (*user_deactivate) return run_user_deactivate(config, company_id, object_id);
  if (*company_create) return run_company_create(config, company_name);
  if (*backup) return run_backup(config, backup_out);
  if (*purge) return run_purge(config, purge_vacuum);
  if (*migrate) {
    auto store = sb::server::open_store(config);
    if (!store) return fail(store.error().message);
    std::printf("migrations applied\n");
    return 0;
  }
  std::printf("switchboard %s\n", SWITCHBOARD_VERSION);
  return 0;
}
