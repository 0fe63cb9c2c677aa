// Test-only helpers shared by the store tests: a self-removing temporary
// directory, a SecretBox with a fixed key, and SQLite stores inside them.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "common/crypto.h"
#include "common/test_temp_dir.h"
#include "model/webhook.h"
#include "store/sqlite/sqlite_store.h"

namespace switchboard::model {
// Readable gtest failure messages for the model's value types.
inline void PrintTo(const KeyValue& pair, std::ostream* out) { *out << pair.key << "=" << pair.value; }
}  // namespace switchboard::model

namespace switchboard::store::testing {

using switchboard::testing::TempDir;

inline crypto::SecretBox secret_box_with_key(char fill) {
  auto box = crypto::SecretBox::from_key(std::string(crypto::SecretBox::kKeyBytes, fill));
  if (!box) throw std::runtime_error("SecretBox::from_key failed: " + box.error().message);
  return std::move(*box);
}

inline crypto::SecretBox test_secret_box() { return secret_box_with_key('\x5a'); }

inline SqliteOptions test_sqlite_options(const std::filesystem::path& db) {
  SqliteOptions options;
  options.path = db;
  options.read_connections = 2;
  return options;
}

// Opens a SQLite store on `db`; fails the current test (and returns null) if it cannot.
inline std::unique_ptr<Store> open_test_store(const std::filesystem::path& db) {
  auto store = open_sqlite_store(test_sqlite_options(db), test_secret_box());
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

inline std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace switchboard::store::testing
