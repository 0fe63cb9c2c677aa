#include "delivery/ready_queue.h"

#include <algorithm>
#include <cstring>
#include <tuple>
#include <utility>

namespace switchboard::delivery {

std::string_view ReadyQueue::id_of(Slot slot) const {
  const Entry& entry = entries_[slot];
  if (entry.id_size == kLongId) return long_ids_.at(slot);
  return std::string_view(entry.id.data(), entry.id_size);
}

ReadyQueue::Slot ReadyQueue::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? kNone : *it;
}

std::uint32_t ReadyQueue::intern_webhook(const std::string& webhook_id) {
  auto [it, added] = webhooks_.try_emplace(webhook_id, static_cast<std::uint32_t>(webhook_names_.size()));
  if (added) webhook_names_.push_back(webhook_id);
  return it->second;
}

std::uint32_t ReadyQueue::chain_for(std::uint32_t webhook, const std::string& ordering_key) {
  std::string key = std::to_string(webhook);
  key += '\n';
  key += ordering_key;
  auto found = chain_index_.find(key);
  if (found != chain_index_.end()) return found->second;
  std::uint32_t index = 0;
  if (!free_chains_.empty()) {
    index = free_chains_.back();
    free_chains_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(chains_.size());
    chains_.emplace_back();
  }
  Chain& chain = chains_[index];
  chain = Chain{};
  chain.webhook = webhook;
  chain.ordering_key = ordering_key;
  chain_index_.emplace(std::move(key), index);
  return index;
}

ReadyQueue::Slot ReadyQueue::allocate(const Item& item) {
  Slot slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<Slot>(entries_.size());
    entries_.emplace_back();
  }
  Entry& entry = entries_[slot];
  entry = Entry{};
  entry.live = true;
  if (item.id.size() <= kInlineId) {
    std::memcpy(entry.id.data(), item.id.data(), item.id.size());
    entry.id_size = static_cast<std::uint8_t>(item.id.size());
  } else {
    entry.id_size = kLongId;
    long_ids_[slot] = item.id;
  }
  entry.webhook = intern_webhook(item.webhook_id);
  entry.sequence = item.sequence;
  entry.due = item.due;
  return slot;
}

void ReadyQueue::release(Slot slot) {
  index_.erase(slot);
  Entry& entry = entries_[slot];
  if (entry.id_size == kLongId) long_ids_.erase(slot);
  entry = Entry{};
  free_slots_.push_back(slot);
}

bool ReadyQueue::sorts_before(Slot a, Slot b) const {
  return std::forward_as_tuple(entries_[a].sequence, id_of(a)) <
         std::forward_as_tuple(entries_[b].sequence, id_of(b));
}

ReadyQueue::Item ReadyQueue::item_of(Slot slot) const {
  const Entry& entry = entries_[slot];
  Item item;
  item.id = std::string(id_of(slot));
  item.webhook_id = webhook_names_[entry.webhook];
  if (entry.chain != kNone) item.ordering_key = chains_[entry.chain].ordering_key;
  item.sequence = entry.sequence;
  item.due = entry.due;
  return item;
}

bool ReadyQueue::add(const Item& item, TimePoint now) {
  if (contains(item.id)) return false;
  const Slot slot = allocate(item);
  index_.insert(slot);
  if (item.ordering_key.empty()) {  // a chain of its own
    schedule(slot, now);
    return true;
  }
  const std::uint32_t chain_index = chain_for(entries_[slot].webhook, item.ordering_key);
  entries_[slot].chain = chain_index;
  Chain& chain = chains_[chain_index];
  const Slot previous_head = chain.empty() ? kNone : chain.head();
  insert_in_chain(chain, slot);
  if (previous_head != kNone && chain.head() == slot && !chain.out) {
    entries_[previous_head].scheduled = 0;  // it waits behind the earlier one now
  }
  schedule_head(slot, now);
  return true;
}

void ReadyQueue::insert_in_chain(Chain& chain, Slot slot) {
  auto& members = chain.members;
  if (chain.empty() || sorts_before(members.back(), slot)) {
    members.push_back(slot);
    return;
  }
  auto at = std::upper_bound(members.begin() + chain.head_at, members.end(), slot,
                             [&](Slot value, Slot member) { return sorts_before(value, member); });
  members.insert(at, slot);
}

void ReadyQueue::erase_from_chain(Chain& chain, Slot slot) {
  auto& members = chain.members;
  if (!chain.empty() && chain.head() == slot) {
    ++chain.head_at;  // the common case: the head leaves
  } else {
    auto at = std::find(members.begin() + chain.head_at, members.end(), slot);
    if (at != members.end()) members.erase(at);
  }
  if (chain.head_at > 16 && std::size_t{chain.head_at} * 2 > members.size()) {
    members.erase(members.begin(), members.begin() + chain.head_at);
    chain.head_at = 0;
  }
}

bool ReadyQueue::chain_out(const Entry& entry) const {
  return entry.chain == kNone ? entry.out : chains_[entry.chain].out;
}

void ReadyQueue::schedule_head(Slot slot, TimePoint now) {
  const Entry& entry = entries_[slot];
  Slot head = slot;
  if (entry.chain != kNone) {
    const Chain& chain = chains_[entry.chain];
    if (chain.out || chain.empty()) return;
    head = chain.head();
  } else if (entry.out) {
    return;
  }
  if (entries_[head].scheduled == 0) schedule(head, now);
}

void ReadyQueue::schedule(Slot slot, TimePoint now) {
  Entry& entry = entries_[slot];
  entry.scheduled = next_ticket_++;
  if (entry.due <= now) {
    ready_.emplace_back(entry.scheduled, slot);
  } else {
    timer_.push(Timer{entry.due, entry.scheduled, slot});
  }
}

void ReadyQueue::take_due(TimePoint now) {
  while (!timer_.empty() && timer_.top().due <= now) {
    const Timer top = timer_.top();
    timer_.pop();
    const Entry& entry = entries_[top.slot];
    if (!entry.live || entry.out || entry.scheduled != top.ticket) continue;
    ready_.emplace_back(top.ticket, top.slot);
  }
}

std::optional<ReadyQueue::Item> ReadyQueue::pop_ready() {
  while (!ready_.empty()) {
    const auto [ticket, slot] = ready_.front();
    ready_.pop_front();
    Entry& entry = entries_[slot];
    if (!entry.live || entry.out || entry.scheduled != ticket) continue;
    entry.scheduled = 0;
    entry.out = true;
    if (entry.chain != kNone) chains_[entry.chain].out = true;
    ++out_;
    return item_of(slot);
  }
  return std::nullopt;
}

void ReadyQueue::unout(Entry& entry) {
  if (!entry.out) return;
  entry.out = false;
  if (entry.chain != kNone) chains_[entry.chain].out = false;
  --out_;
}

void ReadyQueue::forget(Slot slot, TimePoint now, bool reschedule) {
  const std::uint32_t chain_index = entries_[slot].chain;
  if (chain_index == kNone) {
    release(slot);
    return;
  }
  Chain& chain = chains_[chain_index];
  erase_from_chain(chain, slot);
  release(slot);
  if (chain.empty()) {
    chain_index_.erase(std::to_string(chain.webhook) + '\n' + chain.ordering_key);
    chain = Chain{};
    free_chains_.push_back(chain_index);
    return;
  }
  if (reschedule) schedule_head(chain.head(), now);
}

void ReadyQueue::settled(const std::string& id, TimePoint now) {
  const Slot slot = find(id);
  if (slot == kNone) return;
  unout(entries_[slot]);
  forget(slot, now, true);
}

void ReadyQueue::retry(const std::string& id, TimePoint retry_at, TimePoint now) {
  const Slot slot = find(id);
  if (slot == kNone) return;
  Entry& entry = entries_[slot];
  unout(entry);
  entry.due = retry_at;
  entry.scheduled = 0;
  schedule_head(slot, now);
}

std::size_t ReadyQueue::drop_webhook(const std::string& webhook_id) {
  auto known = webhooks_.find(webhook_id);
  if (known == webhooks_.end()) return 0;
  std::vector<Slot> doomed;
  for (Slot slot : index_) {
    const Entry& entry = entries_[slot];
    if (entry.webhook == known->second && !entry.out) doomed.push_back(slot);
  }
  for (Slot slot : doomed) forget(slot, TimePoint{}, false);
  return doomed.size();
}

std::optional<TimePoint> ReadyQueue::next_due() {
  while (!timer_.empty()) {
    const Timer& top = timer_.top();
    const Entry& entry = entries_[top.slot];
    if (entry.live && !entry.out && entry.scheduled == top.ticket) return top.due;
    timer_.pop();
  }
  return std::nullopt;
}

}  // namespace switchboard::delivery
