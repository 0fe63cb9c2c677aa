// A test fixture with real HTTPS receivers (`switchboard receive` in this
// process, self-signed, on free loopback ports) and a delivering server that
// trusts their certificates. Used from the test's own thread only.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "receiver/receiver.h"
#include "test_harness.h"

namespace switchboard::testing {

class ReceiverFixture : public ::testing::Test {
 protected:
  // Starts a receiver on a free loopback port. Start every receiver before the
  // server: their certificates become the server's extra CA.
  receiver::Receiver& add_receiver(receiver::ReceiverOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.quiet = true;
    auto started = receiver::Receiver::start(options);
    if (!started) throw std::runtime_error(started.error().message);
    receivers_.push_back(std::move(*started));
    return *receivers_.back();
  }

  // Delivery on, loopback receivers allowed, their certificates trusted
  // (written to one CA file now).
  server::ServeConfig delivery_config(double time_scale = 1.0) {
    ca_file_ = dir_.path() / "ca.pem";
    std::ofstream out(ca_file_);
    for (const auto& r : receivers_) out << r->cert_pem();
    out.close();
    server::ServeConfig config;
    config.run_delivery = true;
    config.time_scale = time_scale;
    config.allow_private_networks = true;
    config.ca_file = ca_file_;
    return config;
  }

  void start_server(server::ServeConfig config) {
    server_ = std::make_unique<TestServer>(dir_.path() / "data", std::move(config));
    owner_ = *server_->owner_token();
  }
  void start_server(double time_scale = 1.0) { start_server(delivery_config(time_scale)); }

  static std::string url_of(const receiver::Receiver& r, const std::string& path = "/hooks") {
    return "https://127.0.0.1:" + std::to_string(r.port()) + path;
  }

  TempDir dir_;
  std::filesystem::path ca_file_;
  std::vector<std::unique_ptr<receiver::Receiver>> receivers_;
  std::unique_ptr<TestServer> server_;
  std::string owner_;
};

}  // namespace switchboard::testing
