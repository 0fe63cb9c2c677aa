// Chains: the (webhook, call) chains the delivery engine holds in memory.
//
// A claim brings a chain's head with up to chain_depth - 1 followers
// (store::DeliveryQueue::claim_due_deliveries). The head goes into its lane;
// the followers wait here, and each starts only when the one before it has
// succeeded (next()). A failure gives the rest back untried (close()). While
// the engine holds a chain, a new claim of the same chain is refused, so the
// engine's order is never overtaken by a second copy.
//
// Pure bookkeeping: no threads, no I/O, no time. Not thread-safe (the
// engine's scheduler thread owns it).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/delivery.h"
#include "store/store.h"

namespace switchboard::delivery {

class Chains {
 public:
  // A delivery's chain: "" when it is not part of one (no ordering key).
  static std::string key_of(const model::Delivery& delivery) {
    if (delivery.ordering_key.empty()) return {};
    return delivery.webhook_id + '\n' + delivery.ordering_key;
  }

  bool holds(const std::string& key) const { return followers_.contains(key); }

  // The head of chain `key` was accepted: its followers from the same claim may join.
  void open(const std::string& key) {
    followers_.try_emplace(key);
    accepting_ = key;
  }
  // A head (or something outside any chain) was refused or stands alone:
  // followers that come next in the claim have no head to wait behind.
  void end_claim_run() { accepting_.clear(); }

  // Whether a follower of chain `key` may wait behind the head just opened
  // (false when its head was refused: the follower is not ours to hold).
  bool accepts_follower(const std::string& key) const {
    return !key.empty() && key == accepting_ && followers_.contains(key);
  }
  // Adds a follower that accepts_follower() allowed.
  void add_follower(const std::string& key, store::DueDelivery follower) {
    followers_.at(key).push_back(std::move(follower));
  }

  // The chain's current delivery succeeded: the next follower to start, or
  // nullopt (and the chain is forgotten) when none is left.
  std::optional<store::DueDelivery> next(const std::string& key) {
    auto chain = followers_.find(key);
    if (chain == followers_.end()) return std::nullopt;
    if (chain->second.empty()) {
      followers_.erase(chain);
      return std::nullopt;
    }
    store::DueDelivery due = std::move(chain->second.front());
    chain->second.pop_front();
    return due;
  }

  // Forgets chain `key`; returns the followers still waiting in it.
  std::vector<store::DueDelivery> close(const std::string& key) {
    std::vector<store::DueDelivery> waiting;
    auto chain = followers_.find(key);
    if (chain == followers_.end()) return waiting;
    for (auto& due : chain->second) waiting.push_back(std::move(due));
    followers_.erase(chain);
    if (accepting_ == key) accepting_.clear();
    return waiting;
  }

  // Forgets every chain; returns all the followers waiting.
  std::vector<store::DueDelivery> close_all() {
    std::vector<store::DueDelivery> waiting;
    for (auto& [key, chain] : followers_) {
      for (auto& due : chain) waiting.push_back(std::move(due));
    }
    followers_.clear();
    accepting_.clear();
    return waiting;
  }

  std::size_t size() const { return followers_.size(); }

 private:
  std::unordered_map<std::string, std::deque<store::DueDelivery>> followers_;
  std::string accepting_;  // during a claim: the chain whose head was just accepted
};

}  // namespace switchboard::delivery
