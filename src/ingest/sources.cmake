# The sources of the ingest layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/ingest/ is missing here.
set(SB_INGEST_SOURCES
    in_flight_bound.cc
    ingestor.cc)
# The layer's unit tests: one binary, ingest_tests.
set(SB_INGEST_TESTS
    in_flight_bound_test.cc
    ingestor_test.cc)
