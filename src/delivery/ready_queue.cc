#include "delivery/ready_queue.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace switchboard::delivery {

namespace {

bool sorts_before(const ReadyQueue::Item& a, const ReadyQueue::Item& b) {
  return std::tie(a.sequence, a.id) < std::tie(b.sequence, b.id);
}

}  // namespace

std::string ReadyQueue::chain_key(const Item& item) {
  // An unordered delivery is a chain of its own.
  if (item.ordering_key.empty()) return item.webhook_id + '\x01' + item.id;
  return item.webhook_id + '\n' + item.ordering_key;
}

bool ReadyQueue::add(Item item, TimePoint now) {
  if (items_.contains(item.id)) return false;
  const std::string key = chain_key(item);
  Chain& chain = chains_[key];
  const std::string previous_head = chain.ids.empty() ? std::string() : chain.ids.front();
  insert_in_chain(chain, item);
  const std::string id = item.id;
  items_.emplace(id, Entry{std::move(item)});
  if (!previous_head.empty() && chain.ids.front() == id && !chain.out) {
    items_.at(previous_head).scheduled = 0;  // it waits behind the earlier one now
  }
  schedule_head(key, now);
  return true;
}

void ReadyQueue::insert_in_chain(Chain& chain, const Item& item) {
  auto& ids = chain.ids;
  if (ids.empty() || sorts_before(items_.at(ids.back()).item, item)) {
    ids.push_back(item.id);
    return;
  }
  auto at = std::upper_bound(ids.begin(), ids.end(), item, [&](const Item& value, const std::string& member) {
    return sorts_before(value, items_.at(member).item);
  });
  ids.insert(at, item.id);
}

void ReadyQueue::schedule_head(const std::string& key, TimePoint now) {
  auto chain = chains_.find(key);
  if (chain == chains_.end() || chain->second.out || chain->second.ids.empty()) return;
  Entry& head = items_.at(chain->second.ids.front());
  if (head.scheduled == 0) schedule(head, now);
}

void ReadyQueue::schedule(Entry& entry, TimePoint now) {
  entry.scheduled = next_ticket_++;
  if (entry.item.due <= now) {
    ready_.emplace_back(entry.scheduled, entry.item.id);
  } else {
    timer_.push(Timer{entry.item.due, entry.scheduled, entry.item.id});
  }
}

void ReadyQueue::take_due(TimePoint now) {
  while (!timer_.empty() && timer_.top().due <= now) {
    Timer top = timer_.top();
    timer_.pop();
    auto entry = items_.find(top.id);
    if (entry == items_.end() || entry->second.out || entry->second.scheduled != top.ticket) continue;
    ready_.emplace_back(top.ticket, std::move(top.id));
  }
}

std::optional<ReadyQueue::Item> ReadyQueue::pop_ready() {
  while (!ready_.empty()) {
    auto [ticket, id] = std::move(ready_.front());
    ready_.pop_front();
    auto entry = items_.find(id);
    if (entry == items_.end() || entry->second.out || entry->second.scheduled != ticket) continue;
    entry->second.scheduled = 0;
    entry->second.out = true;
    chains_.at(chain_key(entry->second.item)).out = true;
    ++out_;
    return entry->second.item;
  }
  return std::nullopt;
}

void ReadyQueue::unout(Entry& entry, Chain& chain) {
  if (!entry.out) return;
  entry.out = false;
  chain.out = false;
  --out_;
}

void ReadyQueue::settled(const std::string& id, TimePoint now) {
  auto entry = items_.find(id);
  if (entry == items_.end()) return;
  const std::string key = chain_key(entry->second.item);
  unout(entry->second, chains_.at(key));
  erase_from_chain(key, id, now);
}

void ReadyQueue::erase_from_chain(const std::string& key, const std::string& id, TimePoint now) {
  Chain& chain = chains_.at(key);
  chain.ids.erase(std::find(chain.ids.begin(), chain.ids.end(), id));
  items_.erase(id);
  if (chain.ids.empty()) {
    chains_.erase(key);
    return;
  }
  schedule_head(key, now);
}

void ReadyQueue::retry(const std::string& id, TimePoint retry_at, TimePoint now) {
  auto entry = items_.find(id);
  if (entry == items_.end()) return;
  const std::string key = chain_key(entry->second.item);
  unout(entry->second, chains_.at(key));
  entry->second.item.due = retry_at;
  entry->second.scheduled = 0;
  schedule_head(key, now);
}

std::size_t ReadyQueue::drop_webhook(const std::string& webhook_id) {
  std::vector<std::pair<std::string, std::string>> doomed;  // (key, id)
  for (const auto& [id, entry] : items_) {
    if (entry.item.webhook_id == webhook_id && !entry.out) doomed.emplace_back(chain_key(entry.item), id);
  }
  for (const auto& [key, id] : doomed) {
    Chain& chain = chains_.at(key);
    chain.ids.erase(std::find(chain.ids.begin(), chain.ids.end(), id));
    items_.erase(id);
    if (chain.ids.empty()) chains_.erase(key);
  }
  return doomed.size();
}

std::optional<TimePoint> ReadyQueue::next_due() {
  while (!timer_.empty()) {
    const Timer& top = timer_.top();
    auto entry = items_.find(top.id);
    if (entry != items_.end() && !entry->second.out && entry->second.scheduled == top.ticket) return top.due;
    timer_.pop();
  }
  return std::nullopt;
}

}  // namespace switchboard::delivery
