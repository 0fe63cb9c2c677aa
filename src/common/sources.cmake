# The sources of the common layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/common/ is missing here.
set(SB_COMMON_SOURCES
    clock.cc
    crypto.cc
    ids.cc
    json_text.cc
    logging.cc
    time_format.cc)
# The layer's unit tests: one binary, common_tests.
set(SB_COMMON_TESTS
    crypto_test.cc
    ids_test.cc
    json_text_test.cc
    logging_test.cc
    result_test.cc
    test_clock_test.cc
    time_format_test.cc)
