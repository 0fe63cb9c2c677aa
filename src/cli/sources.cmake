# The sources of the cli layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/cli/ is missing here.
set(SB_CLI_SOURCES
    config_reference.cc
    main.cc
    simulate_command.cc)
