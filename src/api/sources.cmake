# The sources of the api layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/api/ is missing here.
set(SB_API_SOURCES
    alert_handlers.cc
    api.cc
    call_handlers.cc
    call_history.cc
    delivery_handlers.cc
    delivery_json.cc
    directory_handlers.cc
    errors.cc
    event_handlers.cc
    http_types.cc
    identity_handlers.cc
    identity_service.cc
    live_handlers.cc
    metrics.cc
    recover_handlers.cc
    recover_runner.cc
    request_json.cc
    retention_handlers.cc
    router.cc
    search_handlers.cc
    search_query.cc
    static_files.cc
    stats_handlers.cc
    system_handlers.cc
    today_handlers.cc
    token_usage.cc
    v1_webhook_handlers.cc
    webhook_handlers.cc
    webhook_key_handlers.cc
    webhook_json.cc)
# The layer's unit tests: one binary, api_tests.
set(SB_API_TESTS
    api_inline_test.cc
    call_history_test.cc
    health_probe_test.cc
    http_types_test.cc
    metrics_test.cc
    openapi_error_codes_test.cc
    openapi_events_test.cc
    openapi_routes_test.cc
    search_query_test.cc
    static_files_test.cc
    token_usage_test.cc
    webhook_json_test.cc)
