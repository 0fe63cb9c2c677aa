# The sources of the receiver layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/receiver/ is missing here.
set(SB_RECEIVER_SOURCES
    canonical_json.cc
    receiver.cc
    run_receiver.cc
    tls_identity.cc
    verify.cc)
# The layer's unit tests: one binary, receiver_tests.
set(SB_RECEIVER_TESTS
    canonical_json_test.cc
    receiver_test.cc
    verify_test.cc)
