#include "store/postgres/postgres_channel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/notification>
#include <pqxx/transaction>
#include <vector>

namespace switchboard::store::postgres {

namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kBatch = 256;                 // NOTIFYs per transaction
constexpr milliseconds kFirstBackoff{100};          // after a failure, doubling…
constexpr milliseconds kMaxBackoff{1000};           // …up to this
constexpr milliseconds kListenTick{200};            // how long the listener waits per turn
constexpr std::chrono::seconds kProbeIdleAfter{2};  // an idle listener checks its connection this often

// One registration of the listener connection; pqxx issues LISTEN when it
// is made and UNLISTEN when it goes.
class Listener final : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection& connection, const std::string& channel,
           std::function<void(const std::string&)> on_payload)
      : pqxx::notification_receiver(connection, channel), on_payload_(std::move(on_payload)) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override { on_payload_(payload); }

 private:
  std::function<void(const std::string&)> on_payload_;
};

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  auto connection = std::make_unique<pqxx::connection>(url);
  // A broken connection is replaced by the loops here, never silently
  // reopened by libpqxx (which would not be LISTENing any more).
  connection->inhibit_reactivation(true);
  return connection;
}

}  // namespace

Result<std::unique_ptr<PostgresChannel>> PostgresChannel::open(std::string url, const std::string& name,
                                                               Receiver receiver, Relistened relistened) {
  std::string channel;
  try {
    auto connection = connect(url);
    pqxx::nontransaction tx(*connection);
    channel = name + ":" + tx.exec1("SELECT current_schema()")[0].as<std::string>();
    if (channel.size() > 63) channel.resize(63);  // NAMEDATALEN - 1
  } catch (const pqxx::broken_connection& e) {
    return make_error(ErrorCode::kUnavailable, std::string("connecting to PostgreSQL: ") + e.what());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInvalidArgument, std::string("PostgreSQL connection string: ") + e.what());
  }
  return std::unique_ptr<PostgresChannel>(
      new PostgresChannel(std::move(url), std::move(channel), std::move(receiver), std::move(relistened)));
}

PostgresChannel::PostgresChannel(std::string url, std::string channel, Receiver receiver,
                                 Relistened relistened)
    : url_(std::move(url)),
      channel_(std::move(channel)),
      receiver_(std::move(receiver)),
      relistened_(std::move(relistened)) {
  sender_ = std::thread([this] { send_loop(); });
  listener_ = std::thread([this] { listen_loop(); });
}

PostgresChannel::~PostgresChannel() { stop(); }

void PostgresChannel::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
  if (listener_.joinable()) listener_.join();
}

bool PostgresChannel::send(std::string payload) {
  if (payload.size() > kMaxPayloadBytes) return false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++stats_.dropped;
    }
    queue_.push_back(std::move(payload));
  }
  wake_.notify_all();
  return true;
}

PostgresChannel::Stats PostgresChannel::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool PostgresChannel::pause(milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [this] { return stopping_; });
}

void PostgresChannel::send_loop() {
  std::unique_ptr<pqxx::connection> connection;
  milliseconds backoff = kFirstBackoff;
  for (;;) {
    std::vector<std::string> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      const std::size_t take = std::min(kBatch, queue_.size());
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + take));
      queue_.erase(queue_.begin(), queue_.begin() + take);
    }
    try {
      if (connection && !connection->is_open()) connection.reset();
      if (!connection) connection = connect(url_);
      pqxx::work tx(*connection);
      // One statement for the batch: NOTIFYs are delivered at COMMIT, in order.
      std::string sql = "SELECT ";
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i > 0) sql += ", ";
        sql += "pg_notify(" + tx.quote(channel_) + ", " + tx.quote(batch[i]) + ")";
      }
      tx.exec(sql);
      tx.commit();
      backoff = kFirstBackoff;
      std::lock_guard lock(mutex_);
      stats_.sent += batch.size();
    } catch (const std::exception& e) {
      spdlog::warn("event=channel_send_failed channel={} messages={} error=\"{}\"", channel_, batch.size(),
                   e.what());
      if (connection) {
        connection.reset();
        std::lock_guard lock(mutex_);
        ++stats_.reconnects;
      }
      {
        // The batch goes back to the front, within the bound; what does not fit is dropped.
        std::lock_guard lock(mutex_);
        const std::size_t room = kMaxQueued - std::min(kMaxQueued, queue_.size());
        const std::size_t keep = std::min(room, batch.size());
        stats_.dropped += batch.size() - keep;
        queue_.insert(queue_.begin(), std::make_move_iterator(batch.end() - static_cast<long>(keep)),
                      std::make_move_iterator(batch.end()));
      }
      if (!pause(backoff)) return;
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

void PostgresChannel::listen_loop() {
  milliseconds backoff = kFirstBackoff;
  bool first = true;
  auto stopping = [this] {
    std::lock_guard lock(mutex_);
    return stopping_;
  };
  while (!stopping()) {
    try {
      auto connection = connect(url_);
      Listener listener(*connection, channel_, [this](const std::string& payload) {
        {
          std::lock_guard lock(mutex_);
          ++stats_.received;
        }
        try {
          receiver_(payload);
        } catch (const std::exception& e) {
          spdlog::warn("event=channel_receiver_failed channel={} error=\"{}\"", channel_, e.what());
        }
      });
      listening_ = true;
      if (!first) {
        spdlog::info("event=channel_listening channel={} after=reconnect", channel_);
        if (relistened_) {
          try {
            relistened_();
          } catch (const std::exception& e) {
            spdlog::warn("event=channel_relistened_failed channel={} error=\"{}\"", channel_, e.what());
          }
        }
      }
      first = false;
      backoff = kFirstBackoff;
      auto last_heard = Steady::now();
      while (!stopping()) {
        const long usec = std::chrono::duration_cast<std::chrono::microseconds>(kListenTick).count();
        if (connection->await_notification(0, usec) > 0) last_heard = Steady::now();
        if (!connection->is_open()) throw pqxx::broken_connection("the listening connection closed");
        if (Steady::now() - last_heard >= kProbeIdleAfter) {
          // A quiet socket may be a dead one (the server restarted): ask.
          pqxx::nontransaction(*connection).exec("SELECT 1");
          last_heard = Steady::now();
        }
      }
      listening_ = false;
      return;
    } catch (const std::exception& e) {
      listening_ = false;
      {
        std::lock_guard lock(mutex_);
        ++stats_.reconnects;
      }
      spdlog::warn("event=channel_listen_failed channel={} retry_in_ms={} error=\"{}\"", channel_,
                   backoff.count(), e.what());
      if (!pause(backoff)) return;
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

}  // namespace switchboard::store::postgres
