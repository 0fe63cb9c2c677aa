// `switchboard receive`: the command-line face of Receiver.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <string>
#include <unordered_set>

#include "receiver/receiver.h"

namespace switchboard::receiver {
namespace {

// One JSON line per delivery, written whole, so that several I/O threads never interleave.
class EventPrinter {
 public:
  void print(const ReceivedEvent& event) {
    std::lock_guard lock(mutex_);
    boost::json::object line;
    line["event_id"] = event.event_id;
    line["event_type"] = event.event_type;
    line["attempt"] = event.attempt;
    if (event.sequence) line["sequence"] = *event.sequence;
    if (!event.call_id.empty()) line["call_id"] = event.call_id;
    line["signatures"] = !event.signatures_ok ? "failed" : event.signatures_checked ? "ok" : "unchecked";
    boost::json::array errors;
    for (const auto& error : event.signature_errors) errors.emplace_back(error);
    line["errors"] = std::move(errors);
    if (event.status != 0) {
      line["status"] = event.status;
    } else {
      line["status"] = nullptr;  // hanging: never answered
    }
    // Retries and redeliveries repeat an event_id; receivers must de-duplicate on it.
    line["duplicate"] = !event.event_id.empty() && !seen_.insert(event.event_id).second;
    line["bytes"] = event.body.size();
    line["received_unix_us"] = event.received_unix_us;
    const std::string text = boost::json::serialize(line) + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }

 private:
  std::mutex mutex_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

int run_receiver(const ReceiverOptions& options) {
  // Signals are caught from here on, before any thread starts, so that every
  // thread leaves SIGINT/SIGTERM to the signal_set.
  boost::asio::io_context signals_context;
  boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);

  EventPrinter printer;
  ReceiverOptions with_printer = options;
  if (!options.quiet) {
    with_printer.on_event = [&printer, user = options.on_event](const ReceivedEvent& event) {
      printer.print(event);
      if (user) user(event);
    };
  }
  auto receiver = Receiver::start(with_printer);
  if (!receiver) {
    std::fprintf(stderr, "switchboard receive: %s\n", receiver.error().message.c_str());
    return 1;
  }
  std::printf("Receiving on %s\n", (*receiver)->url().c_str());
  std::fflush(stdout);

  signals.async_wait([](const boost::system::error_code&, int) {});
  signals_context.run();

  (*receiver)->stop();
  const std::size_t received = (*receiver)->count();
  const std::size_t verified = (*receiver)->verified();
  std::printf("received %zu, verified %zu, failed %zu\n", received, verified, received - verified);
  std::fflush(stdout);
  return 0;
}

}  // namespace switchboard::receiver
