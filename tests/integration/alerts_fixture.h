// What the alert tests share (alerts_test.cc, alert_channels_test.cc): a real
// SMTP server (aiosmtpd, tests/integration/smtp_sink.py: plain, STARTTLS or
// implicit TLS with a self-signed certificate made here with openssl), real
// HTTPS receivers (ReceiverFixture), the server's log lines, and small API
// helpers. Used from the test's own thread only.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "model/sample_events.h"
#include "receiver_fixture.h"
#include "test_harness.h"

extern char** environ;

namespace switchboard::testing {

// The SMTP server: a child process, killed (by its pid) when the test ends.
class SmtpSink {
 public:
  // `tls`: none, starttls or implicit. `login` (user:password, optional) is
  // the only login the server accepts.
  SmtpSink(const std::filesystem::path& dir, const std::string& tls, const std::filesystem::path& cert,
           const std::filesystem::path& key, const std::string& login = "")
      : port_file_(dir / ("smtp-" + tls + ".port")), out_(dir / ("smtp-" + tls + ".out")) {
    std::filesystem::remove(port_file_);
    const std::string script = std::string(SWITCHBOARD_SOURCE_DIR) + "/tests/integration/smtp_sink.py";
    const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::vector<std::string> args = {python, script, port_file_.string(), out_.string(), "--tls", tls};
    if (tls != "none") args.insert(args.end(), {"--cert", cert.string(), "--key", key.string()});
    if (!login.empty()) args.insert(args.end(), {"--login", login});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = 0;
    wait_until([&] { return std::filesystem::exists(port_file_); }, std::chrono::seconds(30));
    std::ifstream in(port_file_);
    in >> port_;
  }
  ~SmtpSink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  // Messages received so far (the raw RFC 5322 text of each).
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    std::ifstream in(out_);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.emplace_back(boost::json::parse(line).at("data").as_string());
    return out;
  }
  // Who logged in for each message ("" when nobody did).
  std::vector<std::string> users() const {
    std::vector<std::string> out;
    std::ifstream in(out_);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const auto user = boost::json::parse(line).at("user");
      out.emplace_back(user.is_string() ? std::string(user.as_string()) : std::string());
    }
    return out;
  }

 private:
  std::filesystem::path port_file_, out_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// The server's log lines (spdlog's default logger, whose sinks it keeps)
// while it lives. Create it before the server starts and destroy it after
// the server stopped: swapping the default logger races with logging threads.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    sink_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kLines);
    sink_->set_pattern("%v");
    auto sinks = previous_->sinks();
    sinks.push_back(sink_);
    auto logger = std::make_shared<spdlog::logger>(previous_->name(), sinks.begin(), sinks.end());
    logger->set_level(previous_->level());
    spdlog::set_default_logger(std::move(logger));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The lines (message only) that contain every one of `parts`.
  std::vector<std::string> lines_with(const std::vector<std::string>& parts) const {
    std::vector<std::string> out;
    for (const auto& line : sink_->last_formatted()) {
      bool all = true;
      for (const auto& part : parts) all = all && line.find(part) != std::string::npos;
      if (all) out.push_back(line);
    }
    return out;
  }

 private:
  static constexpr std::size_t kLines = 20000;
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

class AlertsFixture : public ReceiverFixture {
 protected:
  // A self-signed certificate for 127.0.0.1 (the SMTP server's), made with openssl.
  void make_smtp_cert() {
    cert_ = dir_.path() / "smtp-cert.pem";
    key_ = dir_.path() / "smtp-key.pem";
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -days 1 -keyout '" +
        key_.string() + "' -out '" + cert_.string() + "' 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  // The delivery config with the SMTP certificate trusted too.
  server::ServeConfig config_with_smtp_ca(double time_scale) {
    server::ServeConfig config = delivery_config(time_scale);
    std::ifstream cert(cert_);
    std::ofstream ca(ca_file_, std::ios::app);
    ca << cert.rdbuf();
    return config;
  }
  boost::json::value get_json(const std::string& path, const std::string& token) {
    auto r = server_->get(path, token);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.status == 200 ? r.json() : boost::json::value();
  }
  boost::json::value get_json(const std::string& path) { return get_json(path, owner_); }
  void publish(const std::string& type, const std::string& call_id) {
    boost::json::object data = model::sample_event_data(type);
    data.erase("test");
    data["call_id"] = call_id;
    auto r = server_->post("/api/v2/events", owner_,
                           boost::json::serialize(boost::json::object{{"type", type}, {"data", data}}));
    EXPECT_EQ(r.status, 202) << r.body;
  }
  std::string create_user(const std::string& role) {
    auto body = boost::json::serialize(
        boost::json::object{{"name", role}, {"email", role + "@alerts.example.test"}, {"role", role}});
    auto r = server_->post("/api/v2/users", owner_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("token").as_string());
  }
  std::string email_channel(int port, const std::string& tls, const std::string& host = "127.0.0.1",
                            const boost::json::array* events = nullptr) {
    boost::json::object body{
        {"name", "Ops e-mail"},
        {"kind", "email"},
        {"smtp", boost::json::object{{"host", host},
                                     {"port", port},
                                     {"tls", tls},
                                     {"username", "alerts"},
                                     {"password", "s3cret-pass"},
                                     {"from", "alerts@switchboard.test"},
                                     {"recipients", boost::json::array{"ops@example.test"}}}}};
    if (events) body["events"] = *events;
    return boost::json::serialize(body);
  }
  // Creates a channel; returns its answer (201 checked).
  boost::json::object create_channel(const std::string& body) {
    auto r = server_->post("/api/v2/alert-channels", owner_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.json().as_object() : boost::json::object();
  }
  // An alert webhook channel towards `receiver`; `events` empty: the default subscription.
  boost::json::object create_alert_webhook(const receiver::Receiver& receiver,
                                           boost::json::array events = {}) {
    boost::json::object body{{"name", "Pager"}, {"kind", "webhook"}, {"url", url_of(receiver, "/alerts")}};
    if (!events.empty()) body["events"] = std::move(events);
    return create_channel(boost::json::serialize(body));
  }
  std::string create_webhook(const std::string& name, const receiver::Receiver& receiver) {
    auto created = server_->post(
        "/api/v2/webhooks", owner_,
        boost::json::serialize(boost::json::object{
            {"name", name}, {"url", url_of(receiver)}, {"events", boost::json::array{"call"}}}));
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? std::string(created.json().at("id").as_string()) : std::string();
  }

  std::filesystem::path cert_, key_;
};

}  // namespace switchboard::testing
