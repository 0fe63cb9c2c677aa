# The sources of the store layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/store/ is missing here.
# sb_store: the role interfaces, code shared by the backends and SQLite.
set(SB_STORE_SOURCES
    common/attempt_rules.cc
    common/column_codec.cc
    common/health_rollup.cc
    common/ingest_writer.cc
    common/token_rules.cc
    common/webhook_codec.cc
    sqlite/sqlite_backup.cc
    sqlite/sqlite_connection.cc
    sqlite/sqlite_delivery_queue.cc
    sqlite/sqlite_migrator.cc
    sqlite/sqlite_read_pool.cc
    sqlite/sqlite_store.cc
    sqlite/sqlite_store_attempts.cc
    sqlite/sqlite_store_deliveries.cc
    sqlite/sqlite_store_directory.cc
    sqlite/sqlite_store_events.cc
    sqlite/sqlite_store_identity.cc
    sqlite/sqlite_store_recover.cc
    sqlite/sqlite_store_stats.cc
    sqlite/sqlite_store_v1.cc
    sqlite/sqlite_store_webhooks.cc
    sqlite/sqlite_writer.cc)
# sb_store_pg: the PostgreSQL backend (libpqxx), linked only where cluster mode is needed.
set(SB_STORE_PG_SOURCES
    postgres/postgres_channel.cc
    postgres/postgres_migrator.cc
    postgres/postgres_pool.cc
    postgres/postgres_store.cc
    postgres/postgres_store_attempts.cc
    postgres/postgres_store_deliveries.cc
    postgres/postgres_store_directory.cc
    postgres/postgres_store_events.cc
    postgres/postgres_store_identity.cc
    postgres/postgres_store_nodes.cc
    postgres/postgres_store_recover.cc
    postgres/postgres_store_stats.cc
    postgres/postgres_store_v1.cc
    postgres/postgres_store_webhooks.cc)
# The layer's unit tests: one binary, store_tests.
set(SB_STORE_TESTS
    common/attempt_rules_test.cc
    common/health_rollup_test.cc
    common/ingest_writer_test.cc
    common/token_rules_test.cc
    common/webhook_codec_test.cc
    postgres/postgres_channel_test.cc
    postgres/postgres_cluster_store_test.cc
    postgres/postgres_store_test.cc
    sqlite/sqlite_backup_test.cc
    sqlite/sqlite_connection_test.cc
    sqlite/sqlite_delivery_queue_test.cc
    sqlite/sqlite_migrator_test.cc
    sqlite/sqlite_store_test.cc
    sqlite/sqlite_writer_test.cc
    store_attempt_contract_test.cc
    store_contract_test.cc
    store_delivery_contract_test.cc
    store_stats_contract_test.cc
    store_directory_contract_test.cc
    store_recover_contract_test.cc
    store_token_contract_test.cc
    store_v1_contract_test.cc)
