// Test-only: PostgreSQL stores for tests, on the server that
// tests/pg/pg_cluster.sh started (CTest fixture `pg`).
//
// Where the server is: $SWITCHBOARD_TEST_PG_URL, or the first line of the
// file named by $SWITCHBOARD_TEST_PG_URL_FILE (CTest sets this one). With
// neither set, tests that need PostgreSQL FAIL, saying so, unless
// SWITCHBOARD_TEST_PG=off explicitly turns the PostgreSQL tests off.
//
// Isolation: every TestPostgresSchema is a fresh schema (sbt_<random>) in the
// server's database, reached through a URL whose search_path names only that
// schema; the store's migrations run inside it. Dropped (CASCADE) when the
// object dies. Much faster than CREATE DATABASE, and just as isolated for the
// store, which names no schema in its SQL.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_test_support.h"  // test_secret_box()

namespace switchboard::store::testing {

// True when SWITCHBOARD_TEST_PG=off: the PostgreSQL tests are explicitly off.
inline bool postgres_tests_disabled() {
  const char* value = std::getenv("SWITCHBOARD_TEST_PG");
  return value != nullptr && std::string(value) == "off";
}

// The test server's URL, or an explanation of why there is none.
inline Result<std::string> test_postgres_url() {
  if (const char* url = std::getenv("SWITCHBOARD_TEST_PG_URL"); url != nullptr && *url != '\0') {
    return std::string(url);
  }
  const char* file = std::getenv("SWITCHBOARD_TEST_PG_URL_FILE");
  if (file == nullptr || *file == '\0') {
    return make_error(
        ErrorCode::kUnavailable,
        "no PostgreSQL test server: set SWITCHBOARD_TEST_PG_URL or SWITCHBOARD_TEST_PG_URL_FILE "
        "(ctest does, through the pg fixture: tests/pg/pg_cluster.sh), or SWITCHBOARD_TEST_PG=off "
        "to skip the PostgreSQL backend on purpose");
  }
  std::ifstream in(file);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty()) {
    return make_error(ErrorCode::kUnavailable, std::string("cannot read the PostgreSQL test URL from ") +
                                                   file + " (did the pg.start fixture run?)");
  }
  return url;
}

// `url` with its search_path set to `schema` only (libpq `options`).
inline std::string url_with_search_path(const std::string& url, const std::string& schema) {
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "options=-csearch_path%3D" + schema;
}

class TestPostgresSchema {
 public:
  // Creates a fresh schema on the test server; fails the current test (and
  // returns null) when there is no server.
  static std::unique_ptr<TestPostgresSchema> create() {
    auto base = test_postgres_url();
    if (!base) {
      ADD_FAILURE() << base.error().message;
      return nullptr;
    }
    std::string name = fresh_name();
    try {
      pqxx::connection admin(*base);
      pqxx::nontransaction tx(admin);
      tx.exec("CREATE SCHEMA " + name);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "creating test schema " << name << " on " << *base << ": " << e.what();
      return nullptr;
    }
    return std::unique_ptr<TestPostgresSchema>(new TestPostgresSchema(*base, std::move(name)));
  }

  ~TestPostgresSchema() {
    try {
      pqxx::connection admin(base_url_);
      pqxx::nontransaction tx(admin);
      tx.exec("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    } catch (const std::exception&) {
      // The cluster is thrown away by pg.stop anyway.
    }
  }
  TestPostgresSchema(const TestPostgresSchema&) = delete;
  TestPostgresSchema& operator=(const TestPostgresSchema&) = delete;

  const std::string& name() const { return name_; }
  const std::string& base_url() const { return base_url_; }
  // A connection URL whose sessions see only this schema.
  std::string url() const { return url_with_search_path(base_url_, name_); }

 private:
  TestPostgresSchema(std::string base_url, std::string name)
      : base_url_(std::move(base_url)), name_(std::move(name)) {}

  static std::string fresh_name() {
    static std::atomic<int> counter{0};
    std::random_device random;
    return "sbt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(random() % 1000000);
  }

  std::string base_url_;
  std::string name_;
};

inline PostgresOptions test_postgres_options(const TestPostgresSchema& schema, int connections = 4) {
  PostgresOptions options;
  options.url = schema.url();
  options.connections = connections;
  return options;
}

// Opens a PostgresStore in `schema`; fails the current test (and returns null) if it cannot.
inline std::unique_ptr<Store> open_test_postgres_store(const TestPostgresSchema& schema,
                                                       int connections = 4) {
  auto store = open_postgres_store(test_postgres_options(schema, connections), test_secret_box());
  EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().message);
  return store ? std::move(*store) : nullptr;
}

}  // namespace switchboard::store::testing
