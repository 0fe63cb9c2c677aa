# The sources of the delivery layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/delivery/ is missing here.
set(SB_DELIVERY_SOURCES
    attempt_log.cc
    claimer.cc
    claimer_local.cc
    engine.cc
    header_block.cc
    http_client.cc
    node_heartbeat.cc
    ready_queue.cc
    recorder.cc
    request_builder.cc
    scheduler.cc
    ssrf.cc
    v1_dispatcher.cc
    webhook_cache.cc)
# The layer's unit tests: one binary, delivery_tests.
set(SB_DELIVERY_TESTS
    attempt_log_test.cc
    claimer_local_test.cc
    claimer_test.cc
    engine_sqlite_test.cc
    engine_local_test.cc
    engine_test.cc
    header_block_test.cc
    http_client_mtls_test.cc
    http_client_test.cc
    lanes_test.cc
    node_heartbeat_test.cc
    ready_queue_test.cc
    recorder_test.cc
    request_builder_ed25519_test.cc
    request_builder_test.cc
    scheduler_test.cc
    ssrf_test.cc
    test_slots_test.cc
    token_bucket_test.cc
    v1_dispatcher_test.cc
    webhook_cache_test.cc)
