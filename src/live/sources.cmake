# The sources of the live layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/live/ is missing here.
set(SB_LIVE_SOURCES
    live_call_hub.cc
    store_sources.cc)
# The layer's unit tests: one binary, live_tests.
set(SB_LIVE_TESTS
    live_call_hub_test.cc
    store_sources_test.cc)
