// SQLite-specific behaviour of the store: durability across reopen, several
// instances (processes) on one file, migrations at open, secrets at rest.
// The behaviour every Store shares is in src/store/store_contract_test.cc.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_migrator.h"
#include "store/sqlite/sqlite_test_support.h"

namespace switchboard::store {
namespace {

using model::ApiToken;
using model::AuthType;
using model::Company;
using model::User;
using model::Webhook;

TimePoint at(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

// Recognizable secrets: none of these may ever appear in a database file.
constexpr const char* kSigningSecret = "whsec_PLAINTEXT_SIGNING_SECRET_4f7a";
constexpr const char* kPreviousSecret = "whsec_PLAINTEXT_PREVIOUS_SECRET_91c2";
constexpr const char* kBasicPassword = "PLAINTEXT_BASIC_PASSWORD_d00d";
constexpr const char* kApiKeyValue = "PLAINTEXT_API_KEY_VALUE_beef";
constexpr const char* kHeaderValue = "PLAINTEXT_CUSTOM_HEADER_VALUE_c0de";
constexpr const char* kRecognizableUrl = "https://recognizable-url.example.com/hook";

Webhook secretive_webhook(const std::string& id, AuthType auth_type) {
  Webhook webhook;
  webhook.id = id;
  webhook.company_id = "cmp_a";
  webhook.spec.name = "Secretive " + id;
  webhook.spec.url = kRecognizableUrl;
  webhook.spec.auth.type = auth_type;
  if (auth_type == AuthType::kBasic) {
    webhook.spec.auth.username = "user";
    webhook.spec.auth.password = kBasicPassword;
  } else {
    webhook.spec.auth.keys = {{"X-Api-Key", kApiKeyValue}, {"X-Other", std::string(kApiKeyValue) + "_2"}};
  }
  webhook.spec.headers = {{"Authorization", std::string("Bearer ") + kHeaderValue}, {"X-Empty", ""}};
  webhook.spec.events = {"call.answered"};
  webhook.secret = kSigningSecret;
  webhook.previous_secret = kPreviousSecret;
  webhook.previous_secret_expires_at = at(1'700'000'086'400);
  webhook.created_at = webhook.updated_at = at(1'700'000'000'000);
  return webhook;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  // In a subdirectory that does not exist yet: opening creates it.
  std::filesystem::path db_path() const { return dir_.path() / "data" / "switchboard.db"; }

  std::unique_ptr<Store> open() { return testing::open_test_store(db_path()); }

  static void seed(Store& store) {
    User owner{"usr_owner", "cmp_a", "Owner", "owner@a.example", model::Role::kOwner, at(1)};
    ASSERT_TRUE(store.create_company(
        Company{"cmp_a", "Acme", true, at(1)}, owner,
        ApiToken{"tok_owner", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_owner", at(2)}));
    ASSERT_TRUE(store.create_token(
        ApiToken{"tok_ingest", "cmp_a", std::nullopt, model::TokenKind::kIngest, "hash_ingest", at(3)}));
    ASSERT_TRUE(store.create_webhook(secretive_webhook("wh_basic", AuthType::kBasic), 10));
    ASSERT_TRUE(store.create_webhook(secretive_webhook("wh_key", AuthType::kApiKey), 10));
  }

  // Every byte of every file SQLite keeps for the database (db, -wal, -shm).
  std::string all_database_bytes() const {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(db_path().parent_path())) {
      bytes += testing::read_file_bytes(entry.path());
    }
    return bytes;
  }

  static void expect_no_plaintext_secrets(const std::string& bytes) {
    ASSERT_NE(bytes.find(kRecognizableUrl), std::string::npos) << "the scan should see non-secret columns";
    for (const char* secret : {kSigningSecret, kPreviousSecret, kBasicPassword, kApiKeyValue, kHeaderValue}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is stored in clear";
    }
  }

  testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, ReopenKeepsEverything) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    seed(*store);
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto company = store->get_company("cmp_a");
  ASSERT_TRUE(company.has_value());
  EXPECT_EQ(company->name, "Acme");
  EXPECT_TRUE(company->managers_can_manage_webhooks);

  auto principal = store->find_principal_by_token_hash("hash_owner");
  ASSERT_TRUE(principal.has_value());
  ASSERT_TRUE(principal->user.has_value());
  EXPECT_EQ(principal->user->email, "owner@a.example");
  EXPECT_EQ(store->find_principal_by_token_hash("hash_ingest")->kind, model::TokenKind::kIngest);

  for (const auto& [id, type] :
       {std::pair{"wh_basic", AuthType::kBasic}, std::pair{"wh_key", AuthType::kApiKey}}) {
    auto webhook = store->get_webhook("cmp_a", id);
    ASSERT_TRUE(webhook.has_value()) << webhook.error().message;
    Webhook expected = secretive_webhook(id, type);
    EXPECT_TRUE(webhook->spec == expected.spec);
    EXPECT_EQ(webhook->secret, expected.secret);
    EXPECT_EQ(webhook->previous_secret, expected.previous_secret);
    EXPECT_EQ(webhook->previous_secret_expires_at, expected.previous_secret_expires_at);
  }
}

TEST_F(SqliteStoreTest, MigrationsAreAppliedOnceAcrossReopens) {
  for (int i = 0; i < 3; ++i) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    if (i == 0) seed(*store);
  }
  auto raw = sqlite::Connection::open(db_path(), {});
  ASSERT_TRUE(raw.has_value());
  auto query = (*raw)->prepare("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(query.has_value());
  std::vector<std::pair<int, std::string>> recorded;
  while (query->step().value_or(false))
    recorded.emplace_back(static_cast<int>(query->integer(0)), query->text(1));
  auto embedded = sqlite::embedded_migrations();
  ASSERT_EQ(recorded.size(), embedded.size());
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ(recorded[i].first, embedded[i].version);
    EXPECT_EQ(recorded[i].second, embedded[i].name);
  }
  // The data written before the reopens is still there, once.
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->list_webhooks("cmp_a", PageRequest{})->items.size(), 2u);
}

TEST_F(SqliteStoreTest, SecondInstanceWritesAreSeenAtOnce) {
  auto serve = open();  // the long-running server
  ASSERT_NE(serve, nullptr);
  seed(*serve);
  ASSERT_TRUE(serve->list_webhooks("cmp_a", PageRequest{}).has_value());  // readers hold warm statements

  {
    auto cli = open();  // an offline CLI command on the same file while serve runs
    ASSERT_NE(cli, nullptr);
    ASSERT_TRUE(cli->create_token(
        ApiToken{"tok_cli", "cmp_a", "usr_owner", model::TokenKind::kUser, "hash_cli", at(9)}));
    ASSERT_TRUE(cli->create_webhook(secretive_webhook("wh_cli", AuthType::kBasic), 10));
    // serve sees both at once, without reopening.
    EXPECT_TRUE(serve->find_principal_by_token_hash("hash_cli").has_value());
    EXPECT_TRUE(serve->get_webhook("cmp_a", "wh_cli").has_value());
    EXPECT_EQ(serve->list_webhooks("cmp_a", PageRequest{})->items.size(), 3u);
    // And the other way round, including the limit counted across both.
    ASSERT_TRUE(serve->delete_webhook("cmp_a", "wh_basic"));
    EXPECT_EQ(cli->get_webhook("cmp_a", "wh_basic").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(cli->create_webhook(secretive_webhook("wh_over", AuthType::kBasic), 2).error().code,
              ErrorCode::kLimitReached);
  }
  EXPECT_TRUE(serve->ping().has_value());
}

TEST_F(SqliteStoreTest, WritesWaitForAnotherProcessHoldingTheLock) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto other = sqlite::Connection::open(db_path(), {});
  ASSERT_TRUE(other.has_value());
  ASSERT_TRUE((*other)->begin_immediate());  // e.g. a CLI command mid-transaction

  auto write = std::async(std::launch::async,
                          [&] { return store->set_managers_can_manage_webhooks("cmp_none", true); });
  EXPECT_EQ(write.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  ASSERT_TRUE((*other)->commit());
  auto outcome = write.get();
  ASSERT_FALSE(outcome.has_value());
  EXPECT_EQ(outcome.error().code, ErrorCode::kNotFound);  // it ran: the company simply does not exist
}

TEST_F(SqliteStoreTest, SecretsAreNeverStoredInClear) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  seed(*store);
  Webhook rotated = secretive_webhook("wh_key", AuthType::kBasic);
  ASSERT_TRUE(store->update_webhook_spec("cmp_a", "wh_key", rotated.spec, model::secrets_of(rotated),
                                         rotated.updated_at));
  {
    SCOPED_TRACE("while open (the WAL holds the recent pages)");
    expect_no_plaintext_secrets(all_database_bytes());
  }
  store.reset();
  {
    SCOPED_TRACE("after close");
    expect_no_plaintext_secrets(all_database_bytes());
  }
  // They are there, sealed: the store opens them again.
  store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get_webhook("cmp_a", "wh_key")->spec.auth.password, kBasicPassword);
  EXPECT_EQ(store->get_webhook("cmp_a", "wh_key")->spec.headers, rotated.spec.headers);
}

TEST_F(SqliteStoreTest, ClearHeaderValuesOfOlderRowsAreResealedAtOpen) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    seed(*store);
  }
  // A row as a binary from before header values were sealed wrote it.
  const std::string legacy = std::string(R"([{"key":"Authorization","value":"Bearer )") + kHeaderValue +
                             R"("},{"key":"X-Empty","value":""}])";
  {
    auto raw = sqlite::Connection::open(db_path(), {});
    ASSERT_TRUE(raw.has_value());
    auto update = (*raw)->query("UPDATE webhooks SET headers = ? WHERE id = 'wh_basic'", legacy);
    ASSERT_TRUE(update.has_value());
    ASSERT_TRUE(update->run().has_value());
    ASSERT_NE(all_database_bytes().find(kHeaderValue), std::string::npos) << "the scan should see it";
  }
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto webhook = store->get_webhook("cmp_a", "wh_basic");
  ASSERT_TRUE(webhook.has_value()) << webhook.error().message;
  EXPECT_EQ(webhook->spec.headers, secretive_webhook("wh_basic", AuthType::kBasic).spec.headers);
  {
    auto raw = sqlite::Connection::open(db_path(), {});
    ASSERT_TRUE(raw.has_value());
    auto query = (*raw)->prepare("SELECT headers FROM webhooks WHERE id = 'wh_basic'");
    ASSERT_TRUE(query.has_value());
    ASSERT_TRUE(query->step().value_or(false));
    EXPECT_EQ(query->text(0).find(kHeaderValue), std::string::npos) << query->text(0);
    EXPECT_NE(query->text(0).find("Authorization"), std::string::npos) << query->text(0);
  }
  store.reset();
  // The clear text is gone from the files too (once SQLite has reused the pages,
  // which a VACUUM forces here).
  {
    auto raw = sqlite::Connection::open(db_path(), {});
    ASSERT_TRUE(raw.has_value());
    auto vacuum = (*raw)->prepare("VACUUM");
    ASSERT_TRUE(vacuum.has_value());
    ASSERT_TRUE(vacuum->run().has_value());
  }
  expect_no_plaintext_secrets(all_database_bytes());
}

TEST_F(SqliteStoreTest, AnotherKeyCannotReadSecrets) {
  {
    auto store = open();
    ASSERT_NE(store, nullptr);
    seed(*store);
  }
  auto store =
      open_sqlite_store(testing::test_sqlite_options(db_path()), testing::secret_box_with_key('\x01'));
  ASSERT_TRUE(store.has_value());
  auto webhook = (*store)->get_webhook("cmp_a", "wh_basic");
  ASSERT_FALSE(webhook.has_value());
  EXPECT_EQ(webhook.error().code, ErrorCode::kInternal);
  EXPECT_EQ(webhook.error().message.find(kBasicPassword), std::string::npos);
  EXPECT_TRUE((*store)->get_company("cmp_a").has_value());  // non-secret data is unaffected
}

TEST_F(SqliteStoreTest, SynchronousNormalIsAvailable) {
  SqliteOptions options = testing::test_sqlite_options(db_path());
  options.synchronous_full = false;
  options.read_connections = 1;
  options.max_batch = 1;
  auto store = open_sqlite_store(options, testing::test_secret_box());
  ASSERT_TRUE(store.has_value()) << store.error().message;
  seed(**store);
  EXPECT_EQ((*store)->list_webhooks("cmp_a", PageRequest{})->items.size(), 2u);
}

TEST_F(SqliteStoreTest, OpenReportsUnusablePaths) {
  std::filesystem::create_directories(db_path());  // a directory where the file should be
  auto store = open_sqlite_store(testing::test_sqlite_options(db_path()), testing::test_secret_box());
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);

  SqliteOptions bad = testing::test_sqlite_options(dir_.path() / "x.db");
  bad.read_connections = 0;
  EXPECT_EQ(open_sqlite_store(bad, testing::test_secret_box()).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace switchboard::store
