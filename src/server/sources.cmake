# The sources of the server layer, listed one per line rather than globbed, so
# that what is built is what is reviewed. The lint.sources_listed test
# (scripts/check_layers.py) fails when a .cc under src/server/ is missing here.
set(SB_SERVER_SOURCES
    http_request.cc
    http_server.cc
    postgres_live_relay.cc
    request_id.cc
    service.cc)
# The layer's unit tests: one binary, server_tests.
set(SB_SERVER_TESTS
    request_id_test.cc)
# sb_asio: Asio and Beast compiled once for the whole program.
set(SB_ASIO_SOURCES
    asio_impl.cpp)
