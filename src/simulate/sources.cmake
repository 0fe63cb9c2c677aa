# The sources of the simulate layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/simulate/ is missing here.
set(SB_SIMULATE_SOURCES
    generator.cc
    publisher.cc
    runner.cc
    scenarios.cc)
# The layer's unit tests: one binary, simulate_tests.
set(SB_SIMULATE_TESTS
    generator_test.cc
    runner_test.cc)
