// PostgresStore, events/deliveries/attempts: how their rows are read and how
// batches are passed to set-based statements (PostgreSQL array literals for
// unnest()). Private to src/store/postgres; used by postgres_store_events.cc,
// postgres_store_deliveries.cc and postgres_store_attempts.cc.
// Pure functions over pqxx rows and strings; thread-safe.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/delivery.h"
#include "store/postgres/postgres_store_impl.h"

namespace switchboard::store::postgres {

// --- array literals for unnest() -------------------------------------------------
// Passed as text parameters and cast in SQL ($1::text[], $2::bigint[], …), so
// a batch of any size costs one statement.

inline void append_element(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

inline std::string text_array(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_element(out, values[i]);
  }
  out += '}';
  return out;
}

inline std::string optional_text_array(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (values[i]) {
      append_element(out, *values[i]);
    } else {
      out += "NULL";
    }
  }
  out += '}';
  return out;
}

// Numbers (and booleans) print without quotes; nullopt is NULL.
template <typename T>
std::string number_array(const std::vector<std::optional<T>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (!values[i]) {
      out += "NULL";
    } else if constexpr (std::is_same_v<T, bool>) {
      out += *values[i] ? "t" : "f";
    } else {
      out += fmt::format("{}", *values[i]);  // shortest round-trip form for doubles
    }
  }
  out += '}';
  return out;
}

template <typename T>
std::string number_array(const std::vector<T>& values) {
  std::vector<std::optional<T>> wrapped(values.begin(), values.end());
  return number_array(wrapped);
}

// --- deliveries rows ---------------------------------------------------------

// SELECT list of a deliveries row aliased `alias`: the kDeliveryColumnCount
// columns that store::delivery_from_row (store/common/rows.h) reads.
inline std::string delivery_columns(std::string_view alias) {
  const std::string a(alias);
  return a + ".id, " + a + ".company_id, " + a + ".webhook_id, " + a + ".event_id, " + a + ".event_type, " +
         a + ".ordering_key, " + a + ".sequence, " + a + ".state, " + a + ".attempts, " + a +
         ".event_time, " + a + ".next_attempt_at, " + a + ".last_status_code, " + a + ".last_error, " + a +
         ".created_at, " + a + ".updated_at";
}
// Inserts pending deliveries (attempts 0, no lease) in one statement. Each
// one is blocked when its chain already has a pending delivery (ingest: a
// new event sorts last). The caller holds the chains' locks (ingest: the
// sequence upsert; redelivery and replay: lock_chains() and then
// normalize_chains(), since what they queue may sort first). `paused` must be
// true when their webhook is not active. At most one delivery per chain per
// call when the blocked flags are to be right without normalize_chains(),
// unless `follows` marks (true) each delivery that comes after another one of
// its chain in this same call, in sequence order (batch ingest): those are
// blocked whatever the table holds.
// Throws pqxx errors (unique_violation for a taken id,
// foreign_key_violation for a missing webhook or event); callers translate.
inline void insert_pending(pqxx::transaction_base& tx, const std::vector<model::Delivery>& deliveries,
                           bool paused, const std::vector<bool>& follows = {}) {
  if (deliveries.empty()) return;
  std::vector<std::optional<bool>> follows_column(deliveries.size(), false);
  for (std::size_t i = 0; i < follows.size() && i < deliveries.size(); ++i) follows_column[i] = follows[i];
  std::vector<std::string> ids, companies, webhooks, events, types, keys;
  std::vector<std::optional<std::int64_t>> sequences;
  std::vector<std::int64_t> windows, dues, created;
  for (const model::Delivery& d : deliveries) {
    ids.push_back(d.id);
    companies.push_back(d.company_id);
    webhooks.push_back(d.webhook_id);
    events.push_back(d.event_id);
    types.push_back(d.event_type);
    keys.push_back(d.ordering_key);
    sequences.push_back(d.sequence);
    windows.push_back(to_ms(d.event_time));
    dues.push_back(to_ms(d.next_attempt_at.value_or(d.created_at)));
    created.push_back(to_ms(d.created_at));
  }
  tx.exec_params(
      "INSERT INTO deliveries (id, company_id, webhook_id, event_id, event_type, ordering_key, sequence, "
      "state, attempts, event_time, next_attempt_at, lease_until, blocked, paused, created_at, updated_at) "
      "SELECT u.id, u.company_id, u.webhook_id, u.event_id, u.event_type, u.ordering_key, u.sequence, "
      "'pending', 0, u.event_time, u.next_attempt_at, 0, "
      "u.follows OR (u.ordering_key <> '' AND EXISTS (SELECT 1 FROM deliveries p WHERE p.webhook_id = "
      "u.webhook_id AND p.ordering_key = u.ordering_key AND p.state = 'pending')), "
      "$11, u.created_at, u.created_at "
      "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], "
      "$8::bigint[], $9::bigint[], $10::bigint[], $12::boolean[]) "
      "AS u(id, company_id, webhook_id, event_id, event_type, ordering_key, sequence, event_time, "
      "next_attempt_at, created_at, follows)",
      text_array(ids), text_array(companies), text_array(webhooks), text_array(events), text_array(types),
      text_array(keys), number_array(sequences), number_array(windows), number_array(dues),
      number_array(created), paused, number_array(follows_column));
}

// One ordering chain: its deliveries' webhook and ordering key, and the
// company whose call_sequences row is the chain's lock.
struct Chain {
  std::string company_id, webhook_id, ordering_key;
  friend bool operator<(const Chain& a, const Chain& b) {
    return std::tie(a.company_id, a.ordering_key, a.webhook_id) <
           std::tie(b.company_id, b.ordering_key, b.webhook_id);
  }
  friend bool operator==(const Chain& a, const Chain& b) {
    return a.company_id == b.company_id && a.webhook_id == b.webhook_id && a.ordering_key == b.ordering_key;
  }
};

// Locks the chains for the rest of the transaction: their call_sequences
// rows, FOR UPDATE, in one sorted pass (ingest holds the same rows while it
// adds to a chain, so the two serialize).
inline void lock_chains(pqxx::transaction_base& tx, const std::vector<Chain>& chains) {
  std::vector<std::string> companies, keys;
  for (const Chain& c : chains) {
    if (c.ordering_key.empty()) continue;
    companies.push_back(c.company_id);
    keys.push_back(c.ordering_key);
  }
  if (keys.empty()) return;
  tx.exec_params(
      "SELECT 1 FROM call_sequences s JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[])) "
      "AS u(company_id, sequence_key) ON s.company_id = u.company_id AND s.sequence_key = u.sequence_key "
      "ORDER BY s.company_id, s.sequence_key FOR UPDATE OF s",
      text_array(companies), text_array(keys));
}

// Under the chains' locks: leaves exactly the lowest pending delivery of each
// chain unblocked (and every other pending one blocked). Run after any change
// of which deliveries of a chain are pending, or of what sorts first.
inline void normalize_chains(pqxx::transaction_base& tx, std::vector<Chain> chains) {
  chains.erase(
      std::remove_if(chains.begin(), chains.end(), [](const Chain& c) { return c.ordering_key.empty(); }),
      chains.end());
  if (chains.empty()) return;
  std::sort(chains.begin(), chains.end());
  chains.erase(std::unique(chains.begin(), chains.end()), chains.end());
  lock_chains(tx, chains);
  std::vector<std::string> webhooks, keys;
  for (const Chain& c : chains) {
    webhooks.push_back(c.webhook_id);
    keys.push_back(c.ordering_key);
  }
  const std::string webhook_array = text_array(webhooks);
  const std::string key_array = text_array(keys);
  pqxx::result lowest = tx.exec_params(
      "SELECT h.id FROM unnest($1::text[], $2::text[]) AS c(webhook_id, ordering_key) "
      "CROSS JOIN LATERAL (SELECT d.id FROM deliveries d WHERE d.webhook_id = c.webhook_id "
      "AND d.ordering_key = c.ordering_key AND d.state = 'pending' ORDER BY d.sequence, d.id LIMIT 1) h",
      webhook_array, key_array);
  std::vector<std::string> heads;
  for (const pqxx::row& row : lowest) heads.push_back(text(row[0]));
  const std::string head_array = text_array(heads);
  tx.exec_params(
      "UPDATE deliveries d SET blocked = true FROM unnest($1::text[], $2::text[]) AS c(webhook_id, "
      "ordering_key) "
      "WHERE d.webhook_id = c.webhook_id AND d.ordering_key = c.ordering_key AND d.state = 'pending' "
      "AND NOT d.blocked AND d.id <> ALL($3::text[])",
      webhook_array, key_array, head_array);
  if (!heads.empty()) {
    tx.exec_params("UPDATE deliveries SET blocked = false WHERE id = ANY($1::text[]) AND blocked",
                   head_array);
  }
}

}  // namespace switchboard::store::postgres
