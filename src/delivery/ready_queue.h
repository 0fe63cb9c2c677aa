// ReadyQueue: the single-node delivery engine's in-memory queue of pending
// deliveries (issue 14: no per-row lease writes when no other node can claim).
//
// On one node (EngineOptions::shared_store == false) nothing else claims, so
// the engine may keep the whole queue in memory: fed from the store at start
// (every pending delivery) and afterwards by what ingest, redelivery and
// replay add; the store is written only for results. It keeps the rules the
// store's claim keeps (store.h, DeliveryQueue::claim_due_deliveries):
// - Per-call order: deliveries with the same (webhook_id, ordering_key) form a
//   chain ordered by (sequence, id); only the chain's head is ever ready, and
//   at most one delivery of a chain is out (handed to the engine) at a time.
//   The next one becomes the head when the head is delivered or dropped
//   (exhausted, webhook deleted). A delivery added that sorts before a head
//   that is not out (a redelivery or replay of an earlier event) becomes the
//   head in its place; while the head is out it waits, and after a failure
//   the chain's lowest becomes the head (like yield_chain_head).
// - The retry schedule: a head not yet due sits in a timer heap (due time,
//   then insertion order) and becomes ready at its time (take_due(now)), not
//   by polling the store.
// - Unordered deliveries (empty ordering_key) are chains of one.
// ready heads come out in the order they became ready; per-webhook bounds and
// isolation stay with Lanes (lanes.h), which the engine feeds from here.
//
// Pure bookkeeping: no threads, no I/O, no clock (times are passed in). Not
// thread-safe: the engine's scheduler thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace switchboard::delivery {

class ReadyQueue {
 public:
  // What the queue keeps of one pending delivery (the store has the rest).
  struct Item {
    std::string id;
    std::string webhook_id;
    std::string ordering_key;  // "" = not ordered
    std::int64_t sequence = 0;
    TimePoint due{};  // next_attempt_at
  };

  // Adds a pending delivery. false (nothing changed) when `id` is known already.
  bool add(Item item, TimePoint now);

  // Moves the heads due at `now` from the timer to the ready list.
  void take_due(TimePoint now);
  // The next ready head, now out (the caller attempts it or gives it back).
  std::optional<Item> pop_ready();

  // The outcome of an item that pop_ready() gave out:
  // delivered, or dropped (exhausted, its webhook gone): the chain moves on.
  void settled(const std::string& id, TimePoint now);
  // failed, due again at `retry_at`: it stays its chain's head unless an
  // earlier delivery joined meanwhile.
  void retry(const std::string& id, TimePoint retry_at, TimePoint now);
  // not attempted (webhook inactive, lane full): due again at `at`, unchanged.
  void give_back(const std::string& id, TimePoint at, TimePoint now) { retry(id, at, now); }

  // Forgets every delivery of `webhook_id` (the webhook was deleted); ids of
  // those out stay out until settled() (which then only forgets them).
  std::size_t drop_webhook(const std::string& webhook_id);

  // The earliest due time in the timer, if any.
  std::optional<TimePoint> next_due();

  bool contains(const std::string& id) const { return items_.contains(id); }
  std::size_t size() const { return items_.size(); }
  std::size_t ready() const { return ready_.size(); }
  std::size_t out() const { return out_; }

 private:
  struct Entry {
    Item item;
    bool out = false;             // handed out by pop_ready(), not yet settled
    std::uint64_t scheduled = 0;  // timer/ready ticket; 0 = not scheduled
  };
  struct Chain {
    std::deque<std::string> ids;  // sorted by (sequence, id): the head first
    bool out = false;             // one of them is out
  };
  struct Timer {
    TimePoint due;
    std::uint64_t ticket;
    std::string id;
    bool operator>(const Timer& other) const {
      return due != other.due ? due > other.due : ticket > other.ticket;
    }
  };

  static std::string chain_key(const Item& item);
  // Schedules the chain's head (ready when due, else in the timer).
  void schedule_head(const std::string& key, TimePoint now);
  void schedule(Entry& entry, TimePoint now);
  void unout(Entry& entry, Chain& chain);
  // Inserts `item` in its place in `chain` (ingest appends: the common case is the back).
  void insert_in_chain(Chain& chain, const Item& item);
  void erase_from_chain(const std::string& key, const std::string& id, TimePoint now);

  std::unordered_map<std::string, Entry> items_;   // by delivery id
  std::unordered_map<std::string, Chain> chains_;  // by chain_key()
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timer_;
  std::deque<std::pair<std::uint64_t, std::string>> ready_;  // (ticket, id)
  std::uint64_t next_ticket_ = 1;
  std::size_t out_ = 0;
};

}  // namespace switchboard::delivery
