# The in-process integration tests (one binary, switchboard_integration_tests),
# listed rather than globbed; lint.sources_listed fails on a .cc missing here.
set(SB_INTEGRATION_TESTS
    alert_channels_test.cc
    alerts_test.cc
    console_api_test.cc
    delivery_test.cc
    directory_api_test.cc
    event_ingest_test.cc
    http_protocol_test.cc
    live_calls_test.cc
    rate_limit_test.cc
    rbac_matrix_test.cc
    readiness_test.cc
    receiver_signals_test.cc
    retention_api_test.cc
    test_calls_test.cc
    test_harness.cc
    token_lifecycle_test.cc
    v1_webhooks_test.cc
    webhook_api_test.cc
    webhook_credentials_test.cc
    webhook_keys_api_test.cc
    webhook_recover_test.cc
    webhook_stats_test.cc)
