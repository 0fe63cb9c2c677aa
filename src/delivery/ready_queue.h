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
// Memory (issue 14: a million pending retries in well under 300 MB): an
// entry is ~80 bytes in a slot (the id inline when it has at most 38
// characters, the webhook id interned, the chain by index), plus an index
// node, its place in its chain and a timer entry; each chain keeps its
// ordering key once. Slots live in a deque (no reallocation peaks).
//
// Pure bookkeeping: no threads, no I/O, no clock (times are passed in). Not
// thread-safe: the engine's scheduler thread owns it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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

  ReadyQueue() = default;
  ReadyQueue(const ReadyQueue&) = delete;  // the index's functors point at this
  ReadyQueue& operator=(const ReadyQueue&) = delete;

  // Adds a pending delivery. false (nothing changed) when `id` is known already.
  bool add(const Item& item, TimePoint now);

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

  bool contains(const std::string& id) const { return find(id) != kNone; }
  std::size_t size() const { return index_.size(); }
  std::size_t ready() const { return ready_.size(); }
  std::size_t out() const { return out_; }

 private:
  using Slot = std::uint32_t;
  static constexpr std::uint32_t kNone = 0xffffffffu;
  static constexpr std::size_t kInlineId = 38;
  static constexpr std::uint8_t kLongId = 0xff;  // the id is in long_ids_

  struct Entry {
    std::array<char, kInlineId> id{};
    std::uint8_t id_size = 0;
    bool live = false;
    bool out = false;             // handed out by pop_ready(), not yet settled
    std::uint32_t webhook = 0;    // index in webhook_names_
    std::uint32_t chain = kNone;  // index in chains_; kNone = not ordered (a chain of its own)
    std::int64_t sequence = 0;
    TimePoint due{};
    std::uint64_t scheduled = 0;  // timer/ready ticket; 0 = not scheduled
  };
  struct Chain {
    std::vector<Slot> members;  // [head_at, end): sorted by (sequence, id), the head first
    std::uint32_t head_at = 0;
    bool out = false;  // one of them is out
    std::uint32_t webhook = 0;
    std::string ordering_key;
    bool empty() const { return head_at >= members.size(); }
    Slot head() const { return members[head_at]; }
  };
  struct Timer {
    TimePoint due;
    std::uint64_t ticket;
    Slot slot;
    bool operator>(const Timer& other) const {
      return due != other.due ? due > other.due : ticket > other.ticket;
    }
  };
  // The index: slots hashed by their id, looked up by string_view.
  struct IdHash {
    const ReadyQueue* queue;
    using is_transparent = void;
    std::size_t operator()(Slot slot) const { return std::hash<std::string_view>{}(queue->id_of(slot)); }
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  struct IdEqual {
    const ReadyQueue* queue;
    using is_transparent = void;
    bool operator()(Slot a, Slot b) const { return a == b; }
    bool operator()(std::string_view id, Slot slot) const { return id == queue->id_of(slot); }
    bool operator()(Slot slot, std::string_view id) const { return id == queue->id_of(slot); }
  };

  std::string_view id_of(Slot slot) const;
  Slot find(std::string_view id) const;
  Slot allocate(const Item& item);
  void release(Slot slot);
  std::uint32_t intern_webhook(const std::string& webhook_id);
  std::uint32_t chain_for(std::uint32_t webhook, const std::string& ordering_key);
  bool sorts_before(Slot a, Slot b) const;
  // Schedules the head of `slot`'s chain (ready when due, else in the timer).
  void schedule_head(Slot slot, TimePoint now);
  void schedule(Slot slot, TimePoint now);
  bool chain_out(const Entry& entry) const;
  void unout(Entry& entry);
  void insert_in_chain(Chain& chain, Slot slot);
  void erase_from_chain(Chain& chain, Slot slot);
  // Forgets `slot` (and its chain when that empties); schedules the chain's next head.
  void forget(Slot slot, TimePoint now, bool reschedule);
  Item item_of(Slot slot) const;

  std::deque<Entry> entries_;  // by slot
  std::vector<Slot> free_slots_;
  std::unordered_map<Slot, std::string> long_ids_;
  std::unordered_set<Slot, IdHash, IdEqual> index_{0, IdHash{this}, IdEqual{this}};
  std::vector<std::string> webhook_names_;
  std::unordered_map<std::string, std::uint32_t> webhooks_;
  std::vector<Chain> chains_;
  std::vector<std::uint32_t> free_chains_;
  std::unordered_map<std::string, std::uint32_t> chain_index_;  // webhook index '\n' ordering key
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timer_;
  std::deque<std::pair<std::uint64_t, Slot>> ready_;  // (ticket, slot)
  std::uint64_t next_ticket_ = 1;
  std::size_t out_ = 0;
};

}  // namespace switchboard::delivery
